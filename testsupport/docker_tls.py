"""A real Docker daemon endpoint behind mutual TLS on 127.0.0.1, shaped like `minikube docker-env`.

Minikube users reach the node's Docker daemon as `DOCKER_HOST=tcp://<node>:2376`,
`DOCKER_TLS_VERIFY=1` and `DOCKER_CERT_PATH=~/.minikube/certs` (holding `ca.pem`, `cert.pem`,
`key.pem`). This module puts the same shape in front of this machine's own engine:

    socat OPENSSL-LISTEN:PORT,bind=127.0.0.1,fork,reuseaddr,cert=..,key=..,cafile=..,verify=1 \\
          UNIX-CONNECT:/var/run/docker.sock

socat rather than a second `dockerd --tlsverify`: the endpoint then serves the engine the rest of
the tests use, so the base images and the build cache are there (no image copy, builds cached by
content tag stay cached), it starts in milliseconds, and it needs no second data root, bridge or
iptables rules. What a client meets is the same: TLS 1.2+ with the server certificate for
127.0.0.1, a client certificate demanded and checked against the CA, then the Docker API
(buildx's gRPC session upgrade included, socat relays bytes).

The certificates are made fresh for each endpoint (nothing secret is committed), shaped like
minikube's (pkg/libmachine/cert/cert.go at v1.38.1: newCertificate, GenerateCACertificate,
GenerateCert; pkg/provision/provision.go for the server SANs): RSA 2048, subject O=<user>,
notBefore 5 minutes back, 1080 days valid, a CA with CA:TRUE and keyCertSign, a server
certificate with serverAuth for the node IP (here 127.0.0.1) and localhost, a client
certificate with clientAuth and digitalSignature only. Go's x509.CreateCertificate, which
minikube calls, also marks basicConstraints and keyUsage critical, gives a CA a
subjectKeyIdentifier and gives leaves the issuer's as authorityKeyIdentifier: the extensions
Python 3.13's strict verification (VERIFY_X509_STRICT) demands, written here explicitly.

Layout of DIR:
- `certs/` (DOCKER_CERT_PATH): `ca.pem`, `cert.pem`, `key.pem` (the client's), as minikube's;
- `server/`: socat's `ca.pem`, `server.pem`, `server-key.pem`;
- `docker-endpoint.json`: `{"host": "tcp://127.0.0.1:PORT", "cert_path": DIR/certs}`, the
  convention of testsupport/replay (the minikube stand-in's `docker-env` prints it);
- `socat.pid`, `socat.log` (socat's notices: one "opening connection" per relayed connection).

Python: `with docker_tls_endpoint(DIR) as endpoint: endpoint.env` gives
`{"DOCKER_HOST", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH"}`.
CLI: `python -m testsupport.docker_tls up --dir DIR` starts it (or finds it running) and prints
`{"host", "cert_path", "env", "started"}`; `python -m testsupport.docker_tls down --dir DIR`
stops it.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import getpass
import ipaddress
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from testsupport.servers import free_port

ENDPOINT_FILE = "docker-endpoint.json"
DEFAULT_SOCKET = "/var/run/docker.sock"
# Bounds of the readiness wait: one TLS ping per step.
READY_TIMEOUT = 10.0
READY_STEP = 0.1


@dataclass(frozen=True)
class Certificates:
    """Paths of one generated set: the client's dir (DOCKER_CERT_PATH) and the server's files."""

    cert_path: Path  # ca.pem, cert.pem, key.pem
    server_cert: Path
    server_key: Path
    server_ca: Path


@dataclass(frozen=True)
class DockerTLSEndpoint:
    directory: Path
    host: str
    cert_path: Path
    pid: int

    @property
    def port(self) -> int:
        return int(self.host.rsplit(":", 1)[1])

    def relayed(self) -> int:
        """Connections that passed the TLS handshake (client certificate checked) and reached
        the daemon so far: socat logs one "opening connection" per relayed connection."""
        log = self.directory / "socat.log"
        text = log.read_text(errors="replace") if log.exists() else ""
        return text.count(" opening connection to AF=1")

    @property
    def env(self) -> dict[str, str]:
        """The variables `minikube docker-env` sets (minus MINIKUBE_ACTIVE_DOCKERD)."""
        return {
            "DOCKER_HOST": self.host,
            "DOCKER_TLS_VERIFY": "1",
            "DOCKER_CERT_PATH": str(self.cert_path),
        }


def _key() -> rsa.RSAPrivateKey:
    # minikube: rsa.GenerateKey(rand.Reader, bits) with bits 2048.
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _write(path: Path, data: bytes, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.chmod(path, mode)


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key: rsa.RSAPrivateKey) -> bytes:
    # minikube writes "RSA PRIVATE KEY" (PKCS#1).
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )


def _builder(org: str, subject_key: rsa.RSAPrivateKey) -> x509.CertificateBuilder:
    """newCertificate in cert.go: random 128-bit serial, O=org, 5 min back, 1080 days."""
    now = datetime.datetime.now(datetime.UTC).replace(second=0, microsecond=0)
    not_before = now - datetime.timedelta(minutes=5)
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, org)])
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .public_key(subject_key.public_key())
        .serial_number(int.from_bytes(os.urandom(16), "big") >> 1 or 1)
        .not_valid_before(not_before)
        .not_valid_after(not_before + datetime.timedelta(days=1080))
    )


def _key_usage(*, cert_sign: bool, leaf_client: bool) -> x509.KeyUsage:
    # cert.go: KeyEncipherment|DigitalSignature|KeyAgreement, |CertSign for the CA; a client
    # certificate is DigitalSignature only.
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=not leaf_client,
        data_encipherment=False,
        key_agreement=not leaf_client,
        key_cert_sign=cert_sign,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


def generate_certificates(
    directory: Path, *, ips: tuple[str, ...] = ("127.0.0.1",), org: str | None = None
) -> Certificates:
    """A fresh CA, server and client certificate under `directory` (certs/ and server/)."""
    org = org or getpass.getuser()
    ca_key = _key()
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca = (
        _builder(org, ca_key)
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, org)]))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=True, leaf_client=False), critical=True)
        .add_extension(ca_ski, critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    aki = x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski)

    def leaf(key: rsa.RSAPrivateKey, *, client: bool) -> x509.Certificate:
        builder = (
            _builder(org, key)
            .issuer_name(ca.subject)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(cert_sign=False, leaf_client=client), critical=True)
            .add_extension(
                x509.ExtendedKeyUsage(
                    [ExtendedKeyUsageOID.CLIENT_AUTH if client else ExtendedKeyUsageOID.SERVER_AUTH]
                ),
                critical=False,
            )
            .add_extension(aki, critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        )
        if not client:
            # provision.go: the node IP(s), "localhost", "127.0.0.1", "minikube", the machine name.
            addresses = dict.fromkeys((*ips, "127.0.0.1"))
            names: list[x509.GeneralName] = [
                x509.IPAddress(ipaddress.ip_address(ip)) for ip in addresses
            ]
            names += [x509.DNSName("localhost"), x509.DNSName("minikube")]
            builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
        return builder.sign(ca_key, hashes.SHA256())

    server_key, client_key = _key(), _key()
    server, client = leaf(server_key, client=False), leaf(client_key, client=True)

    certs = directory / "certs"
    server_dir = directory / "server"
    _write(certs / "ca.pem", _pem(ca))
    _write(certs / "cert.pem", _pem(client))
    _write(certs / "key.pem", _key_pem(client_key), 0o600)
    _write(server_dir / "ca.pem", _pem(ca))
    _write(server_dir / "server.pem", _pem(server))
    _write(server_dir / "server-key.pem", _key_pem(server_key), 0o600)
    # The CA key is not kept: nothing signs with it again.
    return Certificates(
        cert_path=certs,
        server_cert=server_dir / "server.pem",
        server_key=server_dir / "server-key.pem",
        server_ca=server_dir / "ca.pem",
    )


def ping(host: str, cert_path: Path, timeout: float = 2.0) -> bool:
    """One `GET /_ping` through the endpoint with its client certificate, verified by its CA."""
    address = host.removeprefix("tcp://")
    hostname, port = address.rsplit(":", 1)
    context = ssl.create_default_context(cafile=str(cert_path / "ca.pem"))
    context.load_cert_chain(str(cert_path / "cert.pem"), str(cert_path / "key.pem"))
    try:
        with (
            socket.create_connection((hostname, int(port)), timeout=timeout) as raw,
            context.wrap_socket(raw, server_hostname=hostname) as tls,
        ):
            tls.sendall(f"GET /_ping HTTP/1.0\r\nHost: {hostname}\r\n\r\n".encode())
            answer = b""
            while chunk := tls.recv(4096):
                answer += chunk
    except (OSError, ssl.SSLError):
        return False
    return answer.startswith(b"HTTP/1.") and b" 200 " in answer.split(b"\r\n", 1)[0]


def _socat_argv(port: int, certs: Certificates, docker_socket: str) -> list[str]:
    listen = ",".join(
        [
            f"OPENSSL-LISTEN:{port}",
            "bind=127.0.0.1",
            "fork",
            "reuseaddr",
            f"cert={certs.server_cert}",
            f"key={certs.server_key}",
            f"cafile={certs.server_ca}",
            "verify=1",
        ]
    )
    # -d -d: one notice per connection, so tests can count what went through the endpoint.
    return ["socat", "-d", "-d", listen, f"UNIX-CONNECT:{docker_socket}"]


def _alive(pid: int) -> bool:
    """The process exists and is not a zombie waiting for a parent that does not reap."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError):
        status = Path(f"/proc/{pid}/status").read_text()
        return "\nState:\tZ" not in status
    return True


def _is_our_socat(pid: int, directory: Path) -> bool:
    """The pid still names the socat started for this directory (not a reused pid)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        # No /proc (macOS): trust the pid file, but only if the process lives.
        return _alive(pid)
    return (
        bool(cmdline)
        and cmdline[0].endswith(b"socat")
        and str(directory).encode() in b"".join(cmdline)
    )


def _stop(pid: int) -> None:
    """SIGTERM the socat process group (the listener and its per-connection children)."""
    for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, sig)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
            if not _alive(pid):
                return
            time.sleep(0.05)


def _running(directory: Path) -> DockerTLSEndpoint | None:
    endpoint_file = directory / ENDPOINT_FILE
    pid_file = directory / "socat.pid"
    if not (endpoint_file.exists() and pid_file.exists()):
        return None
    data = json.loads(endpoint_file.read_text())
    pid = int(pid_file.read_text())
    cert_path = Path(data["cert_path"])
    if not (_is_our_socat(pid, directory) and ping(data["host"], cert_path)):
        return None
    return DockerTLSEndpoint(directory, data["host"], cert_path, pid)


def up(directory: Path, *, docker_socket: str = DEFAULT_SOCKET) -> DockerTLSEndpoint:
    """Start the endpoint for `directory`, or return the one already running there."""
    directory = directory.resolve()
    directory.mkdir(parents=True, exist_ok=True)
    running = _running(directory)
    if running:
        return running
    if shutil.which("socat") is None:
        raise RuntimeError("socat is not installed (Debian: apt-get install socat)")
    if not Path(docker_socket).exists():
        raise RuntimeError(f"no Docker socket at {docker_socket}")
    down(directory)
    certs = generate_certificates(directory)
    last = "socat did not start"
    for _attempt in range(3):  # a free port can be taken between the probe and socat's bind
        port = free_port()
        host = f"tcp://127.0.0.1:{port}"
        log = open(directory / "socat.log", "ab")  # noqa: SIM115 - handed to the child
        try:
            proc = subprocess.Popen(
                _socat_argv(port, certs, docker_socket),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,  # its own process group: `down` stops it and its children
            )
        finally:
            log.close()
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline and proc.poll() is None:
            if ping(host, certs.cert_path):
                (directory / "socat.pid").write_text(f"{proc.pid}\n")
                (directory / ENDPOINT_FILE).write_text(
                    json.dumps({"host": host, "cert_path": str(certs.cert_path)}) + "\n"
                )
                return DockerTLSEndpoint(directory, host, certs.cert_path, proc.pid)
            time.sleep(READY_STEP)
        last = (directory / "socat.log").read_text(errors="replace")[-2000:] or "no answer"
        _stop(proc.pid)
        proc.wait(timeout=5)
    raise RuntimeError(f"the Docker TLS endpoint did not answer /_ping: {last}")


def down(directory: Path) -> bool:
    """Stop the endpoint of `directory`; True when one was running."""
    directory = directory.resolve()
    pid_file = directory / "socat.pid"
    stopped = False
    if pid_file.exists():
        pid = int(pid_file.read_text())
        if _is_our_socat(pid, directory):
            _stop(pid)
            stopped = True
        pid_file.unlink()
    (directory / ENDPOINT_FILE).unlink(missing_ok=True)
    return stopped


@contextlib.contextmanager
def docker_tls_endpoint(
    directory: Path, *, docker_socket: str = DEFAULT_SOCKET
) -> Iterator[DockerTLSEndpoint]:
    endpoint = up(directory, docker_socket=docker_socket)
    try:
        yield endpoint
    finally:
        down(directory)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m testsupport.docker_tls", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    start = sub.add_parser("up", help="start the endpoint (or find it running) and print it")
    start.add_argument("--dir", type=Path, required=True)
    start.add_argument("--docker-socket", default=DEFAULT_SOCKET)
    stop = sub.add_parser("down", help="stop the endpoint")
    stop.add_argument("--dir", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.command == "up":
        running = _running(args.dir.resolve())
        try:
            endpoint = running or up(args.dir, docker_socket=args.docker_socket)
        except RuntimeError as exc:
            print(f"docker_tls: {exc}", file=sys.stderr)
            return 1
        out = {
            "host": endpoint.host,
            "cert_path": str(endpoint.cert_path),
            "env": endpoint.env,
            "started": running is None,
        }
        print(json.dumps(out))
        return 0
    print(json.dumps({"stopped": down(args.dir)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
