"""Fixtures for the application roles' tests: real ansible-playbook runs on localhost.

Each test gets a private copy of the project (ansible.cfg, scripts, roles, playbooks, the local
inventory) with its own vault password file, so the generated vault file and the password never
touch the working tree or the user's ~/.config.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from testsupport.docker_tls import DockerTLSEndpoint, docker_tls_endpoint
from testsupport.servers import free_port, run_server

from ..conftest import BIN, REPO, Run, copy_inventory, playbook_env, run_playbook

PROBES = Path(__file__).resolve().parent / "playbooks"
# Base images of the builds: the Makefile picks the local CI stand-ins when present
# (scripts/ci/build-base-images.sh; no registry is reachable on CI), else the official ones.
PYTHON_BASE = os.environ.get("TODO_PYTHON_IMAGE", "python:3.13-slim")
NODE_BASE = os.environ.get("TODO_NODE_IMAGE", "node:24-slim")


@dataclass
class Project:
    root: Path
    password_file: Path

    @property
    def inventory(self) -> Path:
        return self.root / "inventories" / "local"

    @property
    def vault_file(self) -> Path:
        return self.inventory / "group_vars" / "all" / "vault.yml"

    def env(self) -> dict[str, str]:
        env = playbook_env(
            self.root, config=self.root / "ansible.cfg", password_file=self.password_file
        )
        return {**env, "ANSIBLE_REMOTE_TEMP": env["ANSIBLE_LOCAL_TEMP"]}

    def playbook(self, *args: str | Path, timeout: int = 600, env: dict | None = None) -> Run:
        """Run ansible-playbook in the project copy; playbook names resolve there or in PROBES."""
        argv = ["-i", str(self.inventory)]
        for arg in args:
            text = str(arg)
            if text.endswith(".yml") and not os.path.isabs(text):
                local = self.root / text
                text = str(local if local.exists() else PROBES / text)
            argv.append(text)
        return run_playbook(
            *argv, env={**self.env(), **(env or {})}, cwd=self.root, timeout=timeout
        )

    def vault_view(self) -> str:
        proc = subprocess.run(
            [str(BIN / "ansible-vault"), "view", str(self.vault_file)],
            cwd=self.root,
            env=self.env(),
            capture_output=True,
            text=True,
            check=True,
        )
        return proc.stdout

    def vault_write(self, text: str) -> None:
        """Encrypt text into the vault file as a user would with ansible-vault."""
        self.vault_file.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [str(BIN / "ansible-vault"), "encrypt", "--output", str(self.vault_file), "-"],
            cwd=self.root,
            env=self.env(),
            input=text,
            capture_output=True,
            text=True,
            check=True,
        )


@pytest.fixture
def project(tmp_path: Path) -> Project:
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(REPO / "ansible.cfg", root / "ansible.cfg")
    for name in ("scripts", "roles", "playbooks"):
        shutil.copytree(REPO / name, root / name)
    copy_inventory(root / "inventories" / "local")
    return Project(root=root, password_file=tmp_path / "config" / "vault-password")


def docker(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=check)


def image_exists(ref: str) -> bool:
    return docker("image", "inspect", ref, check=False).returncode == 0


class Contexts:
    """Build contexts shaped like the real services, and the images they produce.

    As in services/: the two Python services share one context (root) for a shared directory
    (common/), each Dockerfile with its own <Dockerfile>.dockerignore; the frontend has its own
    context with a .dockerignore.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.prefix = f"todo-test-{uuid.uuid4().hex[:8]}"
        self.services = {}
        (root / "common").mkdir(parents=True)
        (root / "common" / "shared.txt").write_text("common v1\n")
        for name, arg, default in (
            ("backend", "PYTHON_IMAGE", "python:3.13-slim"),
            ("ai_agent", "PYTHON_IMAGE", "python:3.13-slim"),
            ("frontend", "NODE_IMAGE", "node:24-slim"),
        ):
            shared = arg == "PYTHON_IMAGE"
            service = root / name
            service.mkdir(parents=True)
            prefix = f"{name}/" if shared else ""
            copies = f"COPY {prefix}app/ /app/\n" + ("COPY common/ /common/\n" if shared else "")
            (service / "Dockerfile").write_text(
                f"ARG {arg}={default}\nFROM ${{{arg}}}\n{copies}USER 10001:10001\n"
            )
            if shared:
                (service / "Dockerfile.dockerignore").write_text(
                    f"# not part of the image\n*\n!{name}/\n!common/\n**/*.log\n**/cache/\n"
                )
            else:
                (service / ".dockerignore").write_text("# not part of the image\n*.log\ncache/\n")
            (service / "app").mkdir()
            (service / "app" / "main.txt").write_text(f"{name} v1\n")
            (service / "cache").mkdir()
            (service / "cache" / "junk.bin").write_text("local cache\n")
            self.services[name] = {
                "context": str(root if shared else service),
                "repository": f"{self.prefix}-{name.replace('_', '-')}",
                "base_arg": arg,
            }
            if shared:
                self.services[name]["dockerfile"] = f"{name}/Dockerfile"

    def dir(self, name: str) -> Path:
        """The service's own directory (its Dockerfile's)."""
        return self.root / name

    def images(self) -> list[str]:
        out = docker("image", "ls", "--format", "{{.Repository}}:{{.Tag}}").stdout.split()
        return [ref for ref in out if ref.startswith(self.prefix)]


@pytest.fixture
def contexts(tmp_path: Path):
    missing = [ref for ref in (PYTHON_BASE, NODE_BASE) if not image_exists(ref)]
    assert not missing, f"CI base images missing: {missing}; run scripts/ci/build-base-images.sh"
    made = Contexts(tmp_path / "contexts")
    yield made
    for ref in made.images():
        docker("image", "rm", "--force", ref, check=False)


# A CA bundle that has nothing to do with a Docker endpoint's own CA, as corporate machines set
# in REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE: the host's system bundle, else certifi's.
def _unrelated_ca_bundle() -> str:
    for candidate in ("/etc/ssl/certs/ca-certificates.crt", "/etc/ssl/cert.pem"):
        if os.path.isfile(candidate):
            return candidate
    import certifi  # requests' own dependency

    return certifi.where()


@pytest.fixture
def unrelated_ca_env() -> dict[str, str]:
    """REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE naming a bundle that cannot verify the endpoint."""
    bundle = _unrelated_ca_bundle()
    return {"REQUESTS_CA_BUNDLE": bundle, "CURL_CA_BUNDLE": bundle}


@pytest.fixture(scope="session")
def docker_tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DockerTLSEndpoint]:
    """This machine's Docker engine behind mutual TLS on 127.0.0.1, as `minikube docker-env`
    describes Minikube's (testsupport/docker_tls.py); one per test session."""
    with docker_tls_endpoint(tmp_path_factory.mktemp("docker-tls")) as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real image registry on 127.0.0.1 (Debian's docker-registry, distribution 2.8): its
    host:port, which the engine pushes to over plain HTTP (loopback registries are insecure
    by default)."""
    binary = shutil.which("docker-registry")
    assert binary, "docker-registry is missing (Debian: apt-get install docker-registry)"
    root = tmp_path_factory.mktemp("registry")
    port = free_port()
    config = root / "config.yml"
    config.write_text(
        "version: 0.1\n"
        f"storage:\n  filesystem:\n    rootdirectory: {root / 'data'}\n"
        f"http:\n  addr: 127.0.0.1:{port}\n"
        "log:\n  level: warn\n"
    )
    with run_server(
        [binary, "serve", str(config)],
        cwd=root,
        env={},
        health_path="/v2/",
        port=port,
        log_path=root / "registry.log",
    ):
        yield f"127.0.0.1:{port}"
