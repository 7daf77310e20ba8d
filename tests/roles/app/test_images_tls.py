"""When the images role cannot verify or reach a mutual-TLS Docker endpoint (Minikube's, as
`minikube docker-env` describes it), its error names the endpoint, the certificates and the fix.

The builds through such an endpoint, with REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE naming an
unrelated bundle, are in test_images.py (the build / no-op / rebuild sequence).
"""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

from testsupport.docker_tls import DockerTLSEndpoint, generate_certificates

from .conftest import Contexts, Project
from .test_images import build, with_endpoint


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
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"tcp://127.0.0.1:{sock.getsockname()[1]}"
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
