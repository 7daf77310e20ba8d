"""The images role and a mutual-TLS Docker endpoint (Minikube's, as `minikube docker-env`
describes it) on a machine whose REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE name an unrelated bundle:
the push to a registry goes through it, and when the endpoint cannot be verified or reached the
error names the endpoint, the certificates and the fix.

The builds through such an endpoint (the build / no-op / rebuild sequence) are in test_images.py.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.request
from pathlib import Path

from testsupport.docker_tls import DockerTLSEndpoint, generate_certificates
from testsupport.servers import free_port

from .conftest import Contexts, Project, docker
from .test_images import build, with_endpoint

EMPTY_TAR = bytes(1024)  # a tar archive with no members: two zero blocks


def registry_tags(registry: str, repository: str) -> list[str]:
    url = f"http://{registry}/v2/{repository}/tags/list"
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())["tags"] or []


def test_pushes_to_a_registry_through_the_tls_endpoint(
    project: Project,
    contexts: Contexts,
    docker_tls: DockerTLSEndpoint,
    unrelated_ca_env: dict,
    registry: str,
) -> None:
    """The existing-cluster path with a TLS daemon: build, then push from that daemon. One
    service on an empty base image, so the push moves kilobytes, not the base images' layers."""
    empty = f"{contexts.prefix}-empty-base:1"
    imported = subprocess.run(
        ["docker", "import", "-", empty], input=EMPTY_TAR, capture_output=True
    )
    assert imported.returncode == 0, imported.stderr
    args = json.dumps({"images_docker_env": docker_tls.env, "images_registry": registry})
    backend = {"backend": contexts.services["backend"]}
    options = {"env": unrelated_ca_env, "services": backend, "python_base": empty}
    pushed = []
    try:
        first, refs = build(project, contexts, "-e", args, **options)
        assert first.rc == 0, first.output
        pushed = list(refs.values())
        assert first.changed == 2  # the build and the push
        repository = backend["backend"]["repository"]
        assert refs["backend"]["repository"] == f"{registry}/{repository}"
        assert registry_tags(registry, repository) == [refs["backend"]["tag"]]
        second, again = build(project, contexts, "-e", args, **options)
        assert second.rc == 0, second.output
        assert second.changed == 0  # built and pushed already
        assert again == refs
    finally:
        for ref in pushed:
            docker("image", "rm", "--force", f"{ref['repository']}:{ref['tag']}", check=False)


def cert_dir_with_another_ca(endpoint: DockerTLSEndpoint, where: Path) -> Path:
    """The endpoint's client certificate and key beside the CA of another Minikube: what a
    DOCKER_CERT_PATH looks like after the node's certificates were made anew."""
    other = generate_certificates(where / "other")
    stale = where / "stale-certs"
    stale.mkdir()
    shutil.copy(other.cert_path / "ca.pem", stale / "ca.pem")
    for name in ("cert.pem", "key.pem"):
        shutil.copy(endpoint.cert_path / name, stale / name)
    return stale


def assert_names_endpoint_certificates_and_fix(output: str, host: str, cert_path: Path) -> None:
    assert f"Cannot reach the Docker daemon at {host} over TLS" in output
    assert f"certificates in {cert_path}" in output
    assert f"{cert_path}/ca.pem" in output or "ca.pem verifies the daemon" in output
    assert "run the play again" in output
    assert "minikube docker-env" in output
    assert "Traceback" not in output


def test_a_certificate_that_does_not_verify_is_named_with_the_fix(
    project: Project,
    contexts: Contexts,
    docker_tls: DockerTLSEndpoint,
    unrelated_ca_env: dict,
    tmp_path: Path,
) -> None:
    stale = cert_dir_with_another_ca(docker_tls, tmp_path)
    env = {**docker_tls.env, "DOCKER_CERT_PATH": str(stale)}
    run, _ = build(project, contexts, *with_endpoint(env), env=unrelated_ca_env)
    assert run.rc != 0
    assert_names_endpoint_certificates_and_fix(run.output, docker_tls.host, stale)
    assert f"must verify against {stale}/ca.pem" in run.output
    assert contexts.images() == []


def test_an_endpoint_that_moved_is_named_with_the_fix(
    project: Project, contexts: Contexts, docker_tls: DockerTLSEndpoint, unrelated_ca_env: dict
) -> None:
    """After a restart the node may answer on another address: the old one is closed."""
    closed = f"tcp://127.0.0.1:{free_port()}"
    env = {**docker_tls.env, "DOCKER_HOST": closed}
    run, _ = build(project, contexts, *with_endpoint(env), env=unrelated_ca_env)
    assert run.rc != 0
    assert_names_endpoint_certificates_and_fix(run.output, closed, docker_tls.cert_path)
    assert contexts.images() == []


def test_a_cert_path_without_the_certificates_is_named_with_what_is_missing(
    project: Project, contexts: Contexts, docker_tls: DockerTLSEndpoint, tmp_path: Path
) -> None:
    partial = tmp_path / "certs"
    partial.mkdir()
    shutil.copy(docker_tls.cert_path / "ca.pem", partial / "ca.pem")
    env = {**docker_tls.env, "DOCKER_CERT_PATH": str(partial)}
    run, _ = build(project, contexts, *with_endpoint(env))
    assert run.rc != 0
    assert_names_endpoint_certificates_and_fix(run.output, docker_tls.host, partial)
    assert f"{partial} lacks cert.pem, key.pem" in run.output
    assert contexts.images() == []
