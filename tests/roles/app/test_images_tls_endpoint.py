"""The mutual-TLS Docker endpoint the images tests build through (testsupport/docker_tls.py) is
what `minikube docker-env` describes: certificates shaped like minikube's, a client certificate
demanded, the real daemon behind it, and a CLI that starts, reuses and stops it."""

from __future__ import annotations

import datetime
import json
import os
import socket
import ssl
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from testsupport.docker_tls import ENDPOINT_FILE, DockerTLSEndpoint, generate_certificates

from .conftest import REPO, docker


def load(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def ext(cert: x509.Certificate, kind: type) -> x509.Extension:
    return cert.extensions.get_extension_for_class(kind)


def test_the_certificates_are_shaped_like_minikubes(tmp_path: Path) -> None:
    """pkg/libmachine/cert/cert.go (v1.38.1), plus what Go's CreateCertificate adds and Python
    3.13's strict verification requires."""
    certs = generate_certificates(tmp_path)
    assert sorted(p.name for p in certs.cert_path.iterdir()) == ["ca.pem", "cert.pem", "key.pem"]
    assert (certs.cert_path / "key.pem").stat().st_mode & 0o077 == 0
    ca, client, server = (
        load(certs.cert_path / "ca.pem"),
        load(certs.cert_path / "cert.pem"),
        load(certs.server_cert),
    )
    now = datetime.datetime.now(datetime.UTC)
    for cert in (ca, client, server):
        assert cert.public_key().key_size == 2048
        assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
        assert now - datetime.timedelta(minutes=7) < cert.not_valid_before_utc < now
        assert (cert.not_valid_after_utc - cert.not_valid_before_utc).days == 1080

    constraints = ext(ca, x509.BasicConstraints)
    assert constraints.critical
    assert constraints.value.ca
    usage = ext(ca, x509.KeyUsage)
    assert usage.critical
    assert usage.value.key_cert_sign
    assert usage.value.digital_signature
    ski = ext(ca, x509.SubjectKeyIdentifier).value

    for leaf, purpose in (
        (server, ExtendedKeyUsageOID.SERVER_AUTH),
        (client, ExtendedKeyUsageOID.CLIENT_AUTH),
    ):
        assert leaf.issuer == ca.subject
        assert not ext(leaf, x509.BasicConstraints).value.ca
        assert list(ext(leaf, x509.ExtendedKeyUsage).value) == [purpose]
        assert ext(leaf, x509.AuthorityKeyIdentifier).value.key_identifier == ski.digest
        leaf.verify_directly_issued_by(ca)
    assert not ext(client, x509.KeyUsage).value.key_encipherment  # client: digitalSignature only
    sans = ext(server, x509.SubjectAlternativeName).value
    assert "127.0.0.1" in [str(ip) for ip in sans.get_values_for_type(x509.IPAddress)]


def handshake(endpoint: DockerTLSEndpoint, cert_path: Path, *, client_cert: bool) -> bytes:
    context = ssl.create_default_context(cafile=str(cert_path / "ca.pem"))
    if client_cert:
        context.load_cert_chain(str(cert_path / "cert.pem"), str(cert_path / "key.pem"))
    with (
        socket.create_connection(("127.0.0.1", endpoint.port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        tls.sendall(b"GET /_ping HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        return tls.recv(4096)


def test_the_endpoint_answers_only_a_client_with_its_certificate(
    docker_tls: DockerTLSEndpoint, tmp_path: Path
) -> None:
    assert handshake(docker_tls, docker_tls.cert_path, client_cert=True).startswith(b"HTTP/1.0 200")
    # TLS 1.3 reports a refused client certificate on the first read.
    with pytest.raises((ssl.SSLError, ConnectionError)):
        handshake(docker_tls, docker_tls.cert_path, client_cert=False)
    other = generate_certificates(tmp_path / "other")
    with pytest.raises(ssl.SSLCertVerificationError):
        handshake(docker_tls, other.cert_path, client_cert=True)


def test_the_docker_cli_reaches_the_daemon_through_it(docker_tls: DockerTLSEndpoint) -> None:
    proc = subprocess.run(
        ["docker", "version", "--format", "{{.Server.Version}}"],
        env={**os.environ, **docker_tls.env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert (
        proc.stdout.strip() == docker("version", "--format", "{{.Server.Version}}").stdout.strip()
    )


def cli(*args: str) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "testsupport.docker_tls", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(proc.stdout)


def test_the_cli_starts_reuses_and_stops_the_endpoint(tmp_path: Path) -> None:
    directory = tmp_path / "endpoint"
    first = cli("up", "--dir", str(directory))
    try:
        assert first["started"] is True
        assert first["env"] == {
            "DOCKER_HOST": first["host"],
            "DOCKER_TLS_VERIFY": "1",
            "DOCKER_CERT_PATH": first["cert_path"],
        }
        endpoint_file = json.loads((directory / ENDPOINT_FILE).read_text())
        assert endpoint_file == {"host": first["host"], "cert_path": first["cert_path"]}
        assert first["host"].startswith("tcp://127.0.0.1:")
        again = cli("up", "--dir", str(directory))
        assert again["started"] is False
        assert again["host"] == first["host"]
    finally:
        stopped = cli("down", "--dir", str(directory))
    assert stopped == {"stopped": True}
    assert not (directory / ENDPOINT_FILE).exists()
    port = int(first["host"].rsplit(":", 1)[1])
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), 2):
        pass
    assert cli("down", "--dir", str(directory)) == {"stopped": False}
