"""A stand-in for the helm v4.1.4 binary.

Commands that need no cluster (`version`, `template`, `lint`, `show`, `dependency`, `env`,
`plugin`, `create`, `package`, `repo`, ...) run the real helm (`TODO_REPLAY_REAL_HELM`, default
`<repo>/.cache/bin/helm`) unchanged. The commands that need a cluster (`list`, `status`,
`history`, `get values|manifest|notes|hooks`, `install`, `upgrade`, `rollback`, `uninstall`) are
replayed against the Kubernetes API the kubeconfig names (the kube_api stand-in, or any API
server), with Helm 4.1.4's output formats, error texts and exit codes. They are derived from
helm's source at v4.1.4; each block names the file it follows.

Release records live in the cluster as Helm 4 keeps them (pkg/storage/driver/secrets.go,
util.go): Secrets `sh.helm.release.v1.<name>.v<revision>` of type `helm.sh/release.v1` in the
release namespace, labelled name/owner/status/version, data `release` = base64(gzip(JSON)).

Rendering is the real helm's: `install --dry-run=client -o json` with the same release name,
namespace and values gives the release object (chart, config, manifest, hooks, notes) that the
stand-in then stores and applies. That render runs without a cluster, so `.Capabilities` are
helm's defaults and `.Release.Revision` / `.Release.IsUpgrade` are those of a first install
(the todo-app chart reads none of them).

A fault knob for tests: `interrupt_next(directory, mode)` makes the next install or upgrade
stop right after its pending record is written (see `interrupt_next`).

Workloads: the API stand-in runs no containers. When `TODO_REPLAY_HELM_HOOK` names an
executable, it is run as the kubelet's stand-in at the point where Helm waits for the pods:
`HOOK deployed RELEASE NAMESPACE MANIFEST` after the objects of an install, upgrade or rollback
are written (a non-zero exit is a workload that never gets ready, and fails the deploy as the
wait would), `HOOK uninstalled RELEASE NAMESPACE` after an uninstall.
"""

from __future__ import annotations

import os
import subprocess
import sys

from testsupport.replay import REPO, record_call, replay_dir

REAL_HELM_ENV = "TODO_REPLAY_REAL_HELM"
HOOK_ENV = "TODO_REPLAY_HELM_HOOK"
PASSTHROUGH = {
    "version",
    "template",
    "lint",
    "show",
    "inspect",
    "dependency",
    "dep",
    "env",
    "plugin",
    "create",
    "package",
    "repo",
    "search",
    "pull",
    "fetch",
    "push",
    "registry",
    "verify",
    "completion",
    "help",
    "docs",
}
GLOBAL_VALUE = {
    "namespace",
    "kube-context",
    "kubeconfig",
    "kube-apiserver",
    "kube-as-user",
    "kube-as-group",
    "kube-ca-file",
    "kube-token",
    "kube-tls-server-name",
    "registry-config",
    "repository-config",
    "repository-cache",
    "burst-limit",
    "qps",
    "color",
    "colour",
    "content-cache",
}


def real_helm() -> str:
    return os.environ.get(REAL_HELM_ENV) or str(REPO / ".cache" / "bin" / "helm")


def command_of(argv: list[str]) -> str | None:
    """The first word that is not a global flag or its value."""
    i = 0
    while i < len(argv):
        word = argv[i]
        if word.startswith("--"):
            name = word[2:].split("=", 1)[0]
            if "=" not in word and name in GLOBAL_VALUE:
                i += 1
        elif word == "-n":
            i += 1
        elif not word.startswith("-"):
            return word
        i += 1
    return None


def passes_through(argv: list[str]) -> bool:
    command = command_of(argv)
    return command is None or command in PASSTHROUGH or "--help" in argv or "-h" in argv


# The commands without a cluster (kubernetes.core runs `helm version` several times a task) go to
# the real helm before anything else is imported: that import would cost more than helm itself.
if __name__ == "__main__" and passes_through(sys.argv[1:]):
    _rc = subprocess.run([real_helm(), *sys.argv[1:]], check=False).returncode
    record_call("helm", sys.argv[1:], _rc)
    raise SystemExit(_rc)

import base64  # noqa: E402 (after the fast path above, on purpose)
import contextlib  # noqa: E402
import datetime as dt  # noqa: E402
import gzip  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import ssl  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402
from urllib.parse import quote, urlsplit  # noqa: E402

import yaml  # noqa: E402

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
INTERRUPT_FILE = "helm-interrupt.json"
POLL = 0.25  # seconds between readiness checks while waiting


def interrupt_next(directory: Path | str, mode: str = "kill") -> Path:
    """Make the next install/upgrade stop right after it writes its pending release record.

    mode "kill": the process dies as on SIGKILL (an OOM-killed helm, a CI job killed, a laptop
    that never wakes the process): no more output, the record stays pending-install /
    pending-upgrade. "hup": dies as on SIGHUP (the terminal closed), which helm does not catch,
    so the record stays pending too. "sigint": Ctrl-C as helm 4.1.4 handles it
    (pkg/cmd/upgrade.go, install.go: "Release X has been cancelled.", the context is cancelled,
    pkg/action/upgrade.go handleContext / install.go failRelease mark the revision failed, or
    roll it back with --rollback-on-failure), exit 1: that path leaves no pending record.
    """
    if mode not in ("kill", "hup", "sigint"):
        raise ValueError(f"unknown interrupt mode {mode!r}")
    path = Path(directory) / INTERRUPT_FILE
    path.write_text(json.dumps({"mode": mode}))
    return path


class HelmError(Exception):
    """An error helm prints as `Error: <message>` and exits 1 on."""


class Unreachable(HelmError):
    pass


# --------------------------------------------------------------------------------------------
# Go-compatible encodings
# --------------------------------------------------------------------------------------------
def go_json(obj: Any, sort_keys: bool = False) -> str:
    """encoding/json's compact output, HTML characters escaped as Go does."""
    text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False, sort_keys=sort_keys)
    for ch, esc in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(ch, esc)
    return text


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str):
    tag = "tag:yaml.org,2002:str"
    if "\n" in value:
        return dumper.represent_scalar(tag, value, style="|")
    if value == "" or dumper.resolve(yaml.ScalarNode, value, (True, False)) != tag:
        return dumper.represent_scalar(tag, value, style='"')  # go-yaml quotes with "
    return dumper.represent_scalar(tag, value)


_Dumper.add_representer(str, _str)


def go_yaml(obj: Any) -> str:
    """sigs.k8s.io/yaml.Marshal: JSON-compatible YAML, keys sorted, `null` for nil."""
    if obj is None:
        return "null\n"
    return yaml.dump(
        obj,
        Dumper=_Dumper,
        sort_keys=True,
        default_flow_style=False,
        allow_unicode=True,
        width=1 << 30,
    )


def go_time_string(t: dt.datetime) -> str:
    """time.Time.String(): 2006-01-02 15:04:05.999999999 -0700 MST."""
    t = t.astimezone(dt.UTC)
    frac = f"{t.microsecond:06d}000".rstrip("0")
    return t.strftime("%Y-%m-%d %H:%M:%S") + (f".{frac}" if frac else "") + " +0000 UTC"


def go_ansic(t: dt.datetime) -> str:
    """time.ANSIC: Mon Jan _2 15:04:05 2006 (in local time)."""
    t = t.astimezone()
    return t.strftime("%a %b ") + f"{t.day:2d}" + t.strftime(" %H:%M:%S %Y")


def rfc3339nano(t: dt.datetime) -> str:
    t = t.astimezone(dt.UTC)
    frac = f"{t.microsecond:06d}000".rstrip("0")
    return t.strftime("%Y-%m-%dT%H:%M:%S") + (f".{frac}" if frac else "") + "Z"


def parse_time(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    m = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)", text)
    if not m:
        return None
    frac = (m.group(2) or ".0")[1:7].ljust(6, "0")
    tz = "+00:00" if m.group(3) == "Z" else m.group(3)
    return dt.datetime.fromisoformat(f"{m.group(1)}.{frac}{tz}")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def parse_duration(text: str) -> float:
    """time.ParseDuration for the forms flags take: 300s, 5m, 1m30s, 1h, 500ms."""
    units = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}
    if text in ("0", ""):
        return 0.0
    total, pos = 0.0, 0
    for m in re.finditer(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)", text):
        if m.start() != pos:
            break
        total += float(m.group(1)) * units[m.group(2)]
        pos = m.end()
    if pos != len(text):
        raise HelmError(
            f'invalid argument "{text}" for "--timeout" flag: time: invalid duration "{text}"'
        )
    return total


def table(rows: list[list[str]]) -> str:
    """github.com/gosuri/uitable with helm's settings: cells padded, joined by a tab."""
    if not rows:
        return "\n"
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    lines = ["\t".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# kubeconfig and the API (what client-go does for helm)
# --------------------------------------------------------------------------------------------
class Cluster:
    """The kubeconfig's cluster, user and context as client-go resolves them."""

    def __init__(self, server: str, context: str, namespace: str | None, **auth):
        self.server, self.context, self.namespace = server, context, namespace
        self.ca_file = auth.get("ca_file")
        self.ca_data = auth.get("ca_data")
        self.cert_file = auth.get("cert_file")
        self.key_file = auth.get("key_file")
        self.cert_data = auth.get("cert_data")
        self.key_data = auth.get("key_data")
        self.token = auth.get("token")
        self.insecure = bool(auth.get("insecure"))


def load_cluster(kubeconfig: str | None, context: str | None) -> Cluster:
    """Resolve the cluster as client-go's loading rules do: --kubeconfig, else $KUBECONFIG (a
    list, first file wins for each entry), else ~/.kube/config; --kube-context, else
    $HELM_KUBECONTEXT, else current-context."""
    if kubeconfig:
        files = [kubeconfig]
    elif os.environ.get("KUBECONFIG"):
        files = [f for f in os.environ["KUBECONFIG"].split(os.pathsep) if f]
    else:
        files = [str(Path.home() / ".kube" / "config")]
    merged: dict[str, dict] = {"clusters": {}, "users": {}, "contexts": {}}
    current = None
    for path in files:
        p = Path(path).expanduser()
        if not p.exists():
            if kubeconfig:  # an explicit file must exist (clientcmd ExplicitPath)
                raise Unreachable(
                    f"kubernetes cluster unreachable: stat {path}: no such file or directory"
                )
            continue
        data = yaml.load(p.read_text(), Loader=SafeLoader) or {}  # noqa: S506 (C)SafeLoader
        base = p.parent
        for section, key in (("clusters", "cluster"), ("users", "user"), ("contexts", "context")):
            for entry in data.get(section) or []:
                body = dict(entry.get(key) or {})
                for ref in ("certificate-authority", "client-certificate", "client-key"):
                    if body.get(ref) and not os.path.isabs(body[ref]):
                        body[ref] = str(base / body[ref])
                merged[section].setdefault(entry["name"], body)
        current = current or data.get("current-context")
    api_server = os.environ.get("HELM_KUBEAPISERVER")
    if not merged["contexts"] and not api_server:
        # genericclioptions.ErrEmptyConfig, which pkg/kube/client.go IsReachable rewords
        raise Unreachable("kubernetes cluster unreachable")
    name = context or os.environ.get("HELM_KUBECONTEXT") or current
    if name and name not in merged["contexts"]:
        raise Unreachable(
            "kubernetes cluster unreachable: invalid configuration: context was "
            f"not found for specified context: {name}"
        )
    ctx = merged["contexts"].get(name or "", {})
    cl = merged["clusters"].get(ctx.get("cluster", ""), {})
    user = merged["users"].get(ctx.get("user", ""), {})
    server = api_server or cl.get("server")
    if not server:
        raise Unreachable(
            "kubernetes cluster unreachable: invalid configuration: no server "
            'found for cluster "' + str(ctx.get("cluster", "")) + '"'
        )

    def data(value):
        return base64.b64decode(value) if value else None

    return Cluster(
        server=server.rstrip("/"),
        context=name or "",
        namespace=ctx.get("namespace"),
        ca_file=os.environ.get("HELM_KUBECAFILE") or cl.get("certificate-authority"),
        ca_data=data(cl.get("certificate-authority-data")),
        cert_file=user.get("client-certificate"),
        key_file=user.get("client-key"),
        cert_data=data(user.get("client-certificate-data")),
        key_data=data(user.get("client-key-data")),
        token=os.environ.get("HELM_KUBETOKEN") or user.get("token"),
        insecure=os.environ.get("HELM_KUBEINSECURE_SKIP_TLS_VERIFY") == "true"
        or bool(cl.get("insecure-skip-tls-verify")),
    )


class ApiStatus(Exception):
    """A Status answer of the API server (its message is what client-go's error prints)."""

    def __init__(self, code: int, body: dict):
        self.code = code
        self.body = body
        self.reason = body.get("reason", "")
        super().__init__(body.get("message") or f"the server responded with status {code}")


class _Connection(http.client.HTTPSConnection):
    def connect(self):
        super().connect()
        # a request's headers and body are separate writes (Nagle + delayed ACK: 40 ms)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class Kube:
    def __init__(self, cluster: Cluster):
        self.cluster = cluster
        url = urlsplit(cluster.server)
        self.host = url.hostname or "127.0.0.1"
        self.port = url.port or 443
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        if cluster.insecure:
            self.ctx.check_hostname = False
            self.ctx.verify_mode = ssl.CERT_NONE
        elif cluster.ca_file or cluster.ca_data:
            # only the kubeconfig's CA, as client-go (SSL_CERT_FILE and friends do not apply)
            if cluster.ca_file:
                self.ctx.load_verify_locations(cafile=cluster.ca_file)
            if cluster.ca_data:
                self.ctx.load_verify_locations(cadata=cluster.ca_data.decode())
        else:
            self.ctx.load_default_certs()
        self._tmp: list[str] = []
        cert, key = cluster.cert_file, cluster.key_file
        if cluster.cert_data:
            cert = self._temp(cluster.cert_data)
        if cluster.key_data:
            key = self._temp(cluster.key_data)
        if cert:
            self.ctx.load_cert_chain(cert, key)
        self.conn: http.client.HTTPSConnection | None = None

    def _temp(self, data: bytes) -> str:
        fd, path = tempfile.mkstemp(prefix="helm-replay-")
        os.write(fd, data)
        os.close(fd)
        self._tmp.append(path)
        return path

    def close(self) -> None:
        if self.conn:
            self.conn.close()
        for path in self._tmp:
            with contextlib.suppress(OSError):
                os.unlink(path)

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        content_type: str = "application/json",
        accept: str = "application/json",
    ) -> Any:
        url = f"{self.cluster.server}{path}"
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Accept": accept, "User-Agent": "helm/v4.1.4 (replay)"}
        if data is not None:
            headers["Content-Type"] = content_type
        if self.cluster.token:
            headers["Authorization"] = f"Bearer {self.cluster.token}"
        verb = method.capitalize()  # net/url.Error's Op
        for attempt in range(2):
            try:
                if self.conn is None:
                    self.conn = _Connection(self.host, self.port, context=self.ctx, timeout=30)
                self.conn.request(method, path, body=data, headers=headers)
                resp = self.conn.getresponse()
                raw = resp.read()
                break
            except ConnectionRefusedError as exc:
                self.conn = None
                raise Unreachable(
                    f'{verb} "{url}": dial tcp {self.host}:{self.port}: connect: connection refused'
                ) from exc
            except ssl.SSLCertVerificationError as exc:
                self.conn = None
                raise Unreachable(
                    f'{verb} "{url}": tls: failed to verify certificate: x509: {exc.verify_message}'
                ) from exc
            except (
                http.client.RemoteDisconnected,
                ConnectionResetError,
                BrokenPipeError,
                ssl.SSLError,
                TimeoutError,
                OSError,
            ) as exc:
                self.conn = None
                if attempt:
                    raise Unreachable(f'{verb} "{url}": {exc}') from exc
        text = raw.decode("utf-8", "replace")
        try:
            answer = json.loads(text) if text else {}
        except ValueError:
            answer = {"message": text.strip()}
        if resp.status >= 400:
            raise ApiStatus(resp.status, answer if isinstance(answer, dict) else {})
        return answer

    # ---- resources ----
    def reachable(self) -> None:
        """pkg/kube/client.go IsReachable: Discovery().ServerVersion()."""
        try:
            self.request("GET", "/version")
        except Unreachable as exc:
            raise Unreachable(f"kubernetes cluster unreachable: {exc}") from exc
        except ApiStatus as exc:
            raise Unreachable(f"kubernetes cluster unreachable: {exc}") from exc


# which API path serves a kind (the discovery result of kube-apiserver for these groups)
CLUSTER_SCOPED = {
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "PersistentVolume",
    "StorageClass",
    "CustomResourceDefinition",
    "PriorityClass",
}
IRREGULAR_PLURALS = {
    "NetworkPolicy": "networkpolicies",
    "Ingress": "ingresses",
    "StorageClass": "storageclasses",
    "PriorityClass": "priorityclasses",
    "IngressClass": "ingressclasses",
}


def plural(kind: str) -> str:
    if kind in IRREGULAR_PLURALS:
        return IRREGULAR_PLURALS[kind]
    low = kind.lower()
    if low.endswith("y"):
        return low[:-1] + "ies"
    if low.endswith("s"):
        return low + "es"
    return low + "s"


def object_path(obj: dict, namespace: str | None = None, with_name: bool = True) -> str:
    api_version = obj["apiVersion"]
    prefix = f"/api/{api_version}" if "/" not in api_version else f"/apis/{api_version}"
    kind = obj["kind"]
    ns = None if kind in CLUSTER_SCOPED else (obj["metadata"].get("namespace") or namespace)
    path = prefix + (f"/namespaces/{ns}" if ns else "") + f"/{plural(kind)}"
    if with_name:
        path += "/" + obj["metadata"]["name"]
    return path


def resource_string(obj: dict) -> str:
    """pkg/action/validate.go resourceString: Kind "name" in namespace "ns"."""
    ns = "" if obj["kind"] in CLUSTER_SCOPED else obj["metadata"].get("namespace", "")
    return f'{obj["kind"]} "{obj["metadata"]["name"]}" in namespace "{ns}"'


# --------------------------------------------------------------------------------------------
# Release storage (pkg/storage/driver/secrets.go, util.go; pkg/storage/storage.go)
# --------------------------------------------------------------------------------------------
SYSTEM_LABELS = ("name", "owner", "status", "version", "createdAt", "modifiedAt")


def encode_release(rel: dict) -> str:
    """util.go encodeRelease: json.Marshal, gzip (BestCompression), base64."""
    raw = go_json(rel).encode()
    return base64.b64encode(gzip.compress(raw, compresslevel=9, mtime=0)).decode()


def decode_release(data: str) -> dict:
    raw = base64.b64decode(data)
    if raw[:3] == b"\x1f\x8b\x08":
        raw = gzip.decompress(raw)
    return json.loads(raw)


class Storage:
    def __init__(self, kube: Kube, namespace: str):
        self.kube = kube
        self.namespace = namespace
        self.max_history = 0

    def _secrets(self, selector: str) -> list[dict]:
        path = f"/api/v1/namespaces/{self.namespace}/secrets?labelSelector={quote(selector)}"
        try:
            return self.kube.request("GET", path).get("items", [])
        except ApiStatus as exc:
            raise HelmError(f"list: failed to list: {exc}") from exc

    @staticmethod
    def _decode(item: dict) -> dict | None:
        try:
            rel = decode_release(base64.b64decode(item["data"]["release"]).decode())
        except (KeyError, ValueError, OSError):
            return None  # secrets.go: a release that does not decode is skipped
        rel["_labels"] = item["metadata"].get("labels") or {}
        return rel

    def list(self) -> list[dict]:
        return [r for r in map(self._decode, self._secrets("owner=helm")) if r]

    def history(self, name: str) -> list[dict]:
        """Query(name=NAME, owner=helm); none is driver.ErrReleaseNotFound."""
        found = [r for r in map(self._decode, self._secrets(f"name={name},owner=helm")) if r]
        if not found:
            raise ReleaseNotFound()
        return found

    def get(self, name: str, version: int) -> dict:
        key = f"sh.helm.release.v1.{name}.v{version}"
        try:
            item = self.kube.request("GET", f"/api/v1/namespaces/{self.namespace}/secrets/{key}")
        except ApiStatus as exc:
            if exc.code == 404:
                raise ReleaseNotFound() from exc
            raise HelmError(f'get: failed to get "{key}": {exc}') from exc
        rel = self._decode(item)
        if rel is None:
            raise HelmError(f'get: failed to decode data "{key}"')
        return rel

    def last(self, name: str) -> dict:
        rels = self.history(name)
        return max(rels, key=lambda r: r["version"])

    def deployed_all(self, name: str) -> list[dict]:
        rels = [r for r in self._secrets(f"name={name},owner=helm,status=deployed")]
        return [r for r in map(self._decode, rels) if r]

    def deployed(self, name: str) -> dict:
        rels = self.deployed_all(name)
        if not rels:
            raise HelmError(f'"{name}" has no deployed releases')
        return max(rels, key=lambda r: r["version"])

    def _secret(self, rel: dict, stamp_label: str) -> dict:
        labels = {k: v for k, v in rel.get("_labels", {}).items() if k not in SYSTEM_LABELS}
        labels[stamp_label] = str(int(time.time()))
        labels.update(
            name=rel["name"],
            owner="helm",
            status=rel["info"]["status"],
            version=str(rel["version"]),
        )
        body = {k: v for k, v in rel.items() if not k.startswith("_")}
        return {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {
                "name": f"sh.helm.release.v1.{rel['name']}.v{rel['version']}",
                "labels": labels,
            },
            "type": "helm.sh/release.v1",
            "data": {"release": base64.b64encode(encode_release(body).encode()).decode()},
        }

    def create(self, rel: dict) -> None:
        if self.max_history > 0:
            self.remove_least_recent(rel["name"], self.max_history - 1)
        try:
            self.kube.request(
                "POST",
                f"/api/v1/namespaces/{self.namespace}/secrets",
                self._secret(rel, "createdAt"),
            )
        except ApiStatus as exc:
            if exc.reason == "AlreadyExists":
                raise HelmError("release: already exists") from exc
            raise HelmError(f"create: failed to create: {exc}") from exc

    def update(self, rel: dict) -> None:
        secret = self._secret(rel, "modifiedAt")
        try:
            self.kube.request(
                "PUT",
                f"/api/v1/namespaces/{self.namespace}/secrets/{secret['metadata']['name']}",
                secret,
            )
        except ApiStatus as exc:
            raise HelmError(f"update: failed to update: {exc}") from exc

    def delete(self, name: str, version: int) -> None:
        key = f"sh.helm.release.v1.{name}.v{version}"
        with contextlib.suppress(ApiStatus):
            self.kube.request("DELETE", f"/api/v1/namespaces/{self.namespace}/secrets/{key}")

    def remove_least_recent(self, name: str, maximum: int) -> None:
        """storage.go removeLeastRecent: keep `maximum`, never the last deployed one."""
        if maximum < 0:
            return
        try:
            rels = sorted(self.history(name), key=lambda r: r["version"])
        except ReleaseNotFound:
            return
        if len(rels) <= maximum:
            return
        deployed = [r["version"] for r in rels if r["info"]["status"] == "deployed"]
        last_deployed = max(deployed) if deployed else None
        doomed = []
        for rel in rels:
            if len(rels) - len(doomed) == maximum:
                break
            if rel["version"] != last_deployed:
                doomed.append(rel)
        for rel in doomed:
            self.delete(name, rel["version"])


class ReleaseNotFound(HelmError):
    def __init__(self):
        super().__init__("release: not found")


# --------------------------------------------------------------------------------------------
# Readiness, as the kstatus watcher Helm 4 waits with (pkg/kube/statuswait.go; the per-kind
# rules of fluxcd/cli-utils pkg/kstatus/status/core.go and generic.go)
# --------------------------------------------------------------------------------------------
def _int(obj: dict, path: str, default: int) -> int:
    cur: Any = obj
    for part in path.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return default
        cur = cur[part]
    return int(cur) if isinstance(cur, int | float) else default


def kstatus(obj: dict | None) -> tuple[str, str]:
    if obj is None:
        return "NotFound", "Resource not found"
    meta = obj.get("metadata", {})
    kind = obj.get("kind")
    if meta.get("deletionTimestamp"):
        return "Terminating", "Resource scheduled for deletion"
    status = obj.get("status") or {}
    if (
        "observedGeneration" in status
        and "generation" in meta
        and status["observedGeneration"] != meta["generation"]
    ):
        return (
            "InProgress",
            f"{kind} generation is {meta['generation']}, but latest observed "
            f"generation is {status['observedGeneration']}",
        )
    spec_replicas = _int(obj, "spec.replicas", 1)
    replicas = _int(obj, "status.replicas", 0)
    ready = _int(obj, "status.readyReplicas", 0)
    updated = _int(obj, "status.updatedReplicas", 0)
    available = _int(obj, "status.availableReplicas", 0)
    if kind == "Deployment":
        progressing = _int(obj, "spec.progressDeadlineSeconds", 2**31 - 1) == 2**31 - 1
        is_available = False
        for c in status.get("conditions", []):
            if c.get("type") == "Progressing":
                if c.get("reason") == "ProgressDeadlineExceeded":
                    return "Failed", "Progress deadline exceeded"
                if c.get("status") == "True" and c.get("reason") == "NewReplicaSetAvailable":
                    progressing = True
            if c.get("type") == "Available" and c.get("status") == "True":
                is_available = True
        if spec_replicas > replicas:
            return "InProgress", f"Replicas: {replicas}/{spec_replicas}"
        if spec_replicas > updated:
            return "InProgress", f"Updated: {updated}/{spec_replicas}"
        if replicas > spec_replicas:
            return "InProgress", f"Pending termination: {replicas - spec_replicas}"
        if updated > available:
            return "InProgress", f"Available: {available}/{updated}"
        if spec_replicas > ready:
            return "InProgress", f"Ready: {ready}/{spec_replicas}"
        if not progressing:
            return "InProgress", "ReplicaSet not Available"
        if not is_available:
            return "InProgress", "Deployment not Available"
        return "Current", f"Deployment is available. Replicas: {replicas}"
    if kind == "StatefulSet":
        spec = obj.get("spec", {})
        if dig(spec, "updateStrategy.type") == "OnDelete":
            return "Current", "StatefulSet is using the ondelete update strategy"
        current = _int(obj, "status.currentReplicas", 0)
        partition = _int(obj, "spec.updateStrategy.rollingUpdate.partition", -1)
        if spec_replicas > replicas:
            return "InProgress", f"Replicas: {replicas}/{spec_replicas}"
        if spec_replicas > ready:
            return "InProgress", f"Ready: {ready}/{spec_replicas}"
        if replicas > spec_replicas:
            return "InProgress", f"Pending termination: {replicas - spec_replicas}"
        if partition != -1:
            if updated < spec_replicas - partition:
                return "InProgress", f"updated: {updated}/{spec_replicas - partition}"
            return "Current", f"Partition rollout complete. updated: {updated}"
        if spec_replicas > current:
            return "InProgress", f"current: {current}/{spec_replicas}"
        if status.get("currentRevision") != status.get("updateRevision"):
            return "InProgress", "Waiting for updated revision to match current"
        return "Current", f"All replicas scheduled as expected. Replicas: {replicas}"
    if kind == "ReplicaSet":
        labelled = _int(obj, "status.fullyLabeledReplicas", 0)
        if spec_replicas > labelled:
            return "InProgress", f"Labelled: {labelled}/{spec_replicas}"
        if spec_replicas > available:
            return "InProgress", f"Available: {available}/{spec_replicas}"
        if spec_replicas > ready:
            return "InProgress", f"Ready: {ready}/{spec_replicas}"
        return "Current", f"ReplicaSet is available. Replicas: {replicas}"
    if kind == "PersistentVolumeClaim":
        phase = status.get("phase", "unknown")
        if phase != "Bound":
            return "InProgress", f"PVC is not Bound. phase: {phase}"
        return "Current", "PVC is Bound"
    if kind == "Pod":
        phase = status.get("phase", "")
        if phase in ("Succeeded", "Failed"):
            return "Current", "Pod has completed" + (
                "" if phase == "Succeeded" else ", but not successfully"
            )
        if phase == "Running":
            if any(
                c.get("type") == "Ready" and c.get("status") == "True"
                for c in status.get("conditions", [])
            ):
                return "Current", "Pod is Ready"
            looping = [
                c["name"]
                for c in status.get("containerStatuses", [])
                if dig(c, "state.waiting.reason") == "CrashLoopBackOff"
            ]
            if looping:
                return "Failed", "Containers in CrashLoop state: " + ",".join(looping)
            return "InProgress", "Pod is running but is not Ready"
        if phase == "Pending":
            return "InProgress", "Pod is in the Pending phase"
        return "InProgress", "Pod phase not available"
    if kind == "Service":
        if dig(obj, "spec.type") == "LoadBalancer" and not dig(obj, "spec.clusterIP"):
            return "InProgress", "ClusterIP not set. Service type: LoadBalancer"
        return "Current", "Service is ready"
    if kind == "Job":
        for c in status.get("conditions", []):
            if c.get("type") == "Complete" and c.get("status") == "True":
                return "Current", "Job Completed"
            if c.get("type") == "Failed" and c.get("status") == "True":
                return "Failed", "Job Failed"
        if not status.get("startTime"):
            return "InProgress", "Job not started"
        return "Current", "Job in progress"
    if kind == "PodDisruptionBudget":
        return "Current", "AllowedDisruptions has been computed."
    if kind in ("Secret", "ConfigMap", "CronJob"):
        return "Current", "Resource is always ready"
    for c in status.get("conditions", []) if isinstance(status.get("conditions"), list) else []:
        if c.get("type") == "Stalled" and c.get("status") == "True":
            return "Failed", c.get("message", "")
        if c.get("type") == "Reconciling" and c.get("status") == "True":
            return "InProgress", c.get("message", "")
    return "Current", "Resource is current"


def dig(obj: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(obj, dict):
            return None
        obj = obj.get(part)
    return obj


# --------------------------------------------------------------------------------------------
# Flags (spf13/pflag as helm's cobra commands declare them)
# --------------------------------------------------------------------------------------------
GLOBAL_BOOL = {"debug", "kube-insecure-skip-tls-verify"}
SHORT = {
    "n": "namespace",
    "f": "values",
    "o": "output",
    "a": "all",
    "i": "install",
    "l": "labels",
    "m": "max",
    "q": "short",
    "d": "date",
    "r": "reverse",
    "A": "all-namespaces",
    "g": "generate-name",
}
# NoOptDefVal: `--wait` alone is the watcher strategy (pkg/cmd/flags.go AddWaitFlag); `--dry-run`
# alone is "unset", taken as client (pkg/cmd/helpers.go addDryRunFlag)
OPTIONAL_VALUE = {"wait": "watcher", "dry-run": "unset"}

DEPLOY_VALUE = {
    "values",
    "set",
    "set-string",
    "set-file",
    "set-json",
    "set-literal",
    "timeout",
    "history-max",
    "version",
    "description",
    "post-renderer",
    "post-renderer-args",
    "labels",
    "server-side",
    "repo",
    "username",
    "password",
    "cert-file",
    "key-file",
    "ca-file",
    "keyring",
    "output",
    "name-template",
}
DEPLOY_BOOL = {
    "install",
    "create-namespace",
    "devel",
    "hide-secret",
    "force-replace",
    "force",
    "force-conflicts",
    "no-hooks",
    "disable-openapi-validation",
    "skip-crds",
    "reset-values",
    "reuse-values",
    "reset-then-reuse-values",
    "wait-for-jobs",
    "rollback-on-failure",
    "atomic",
    "cleanup-on-fail",
    "render-subchart-notes",
    "hide-notes",
    "skip-schema-validation",
    "dependency-update",
    "enable-dns",
    "take-ownership",
    "insecure-skip-tls-verify",
    "plain-http",
    "pass-credentials",
    "verify",
    "replace",
    "generate-name",
    "skip-tests",
}
COMMAND_FLAGS: dict[str, tuple[set[str], set[str]]] = {
    "list": (
        {"output", "time-format", "max", "offset", "filter", "selector"},
        {
            "short",
            "no-headers",
            "date",
            "reverse",
            "uninstalled",
            "superseded",
            "uninstalling",
            "deployed",
            "failed",
            "pending",
            "all-namespaces",
        },
    ),
    "status": ({"output", "revision"}, {"show-desc", "show-resources"}),
    "history": ({"output", "max"}, set()),
    "get": ({"output", "revision", "template"}, {"all"}),
    "upgrade": (DEPLOY_VALUE, DEPLOY_BOOL),
    "install": (DEPLOY_VALUE, DEPLOY_BOOL),
    "rollback": (
        {"timeout", "history-max", "server-side"},
        {
            "wait-for-jobs",
            "force-replace",
            "force",
            "force-conflicts",
            "no-hooks",
            "recreate-pods",
            "cleanup-on-fail",
        },
    ),
    "uninstall": (
        {"timeout", "cascade", "description"},
        {"keep-history", "no-hooks", "ignore-not-found"},
    ),
}
REPEATABLE = {"values", "set", "set-string", "set-file", "set-json", "set-literal"}
ALIASES = {
    "ls": "list",
    "hist": "history",
    "un": "uninstall",
    "del": "uninstall",
    "delete": "uninstall",
    "uninstall": "uninstall",
}


class Args:
    def __init__(self, command: str):
        self.command = command
        self.positional: list[str] = []
        self.flags: dict[str, Any] = {}
        self.raw_values: list[str] = []  # the value flags in order, for rendering

    def get(self, name: str, default: Any = None) -> Any:
        return self.flags.get(name, default)

    def bool(self, name: str) -> bool:
        value = self.flags.get(name, False)
        return value is True or str(value).lower() == "true"


def parse_args(command: str, argv: list[str]) -> Args:
    value_flags, bool_flags = COMMAND_FLAGS[command]
    value_flags = value_flags | GLOBAL_VALUE
    bool_flags = bool_flags | GLOBAL_BOOL
    deploying = command in ("upgrade", "install", "rollback", "uninstall")
    optional = dict(OPTIONAL_VALUE) if deploying else {}
    args = Args(command)
    i = 0
    while i < len(argv):
        token = argv[i]
        i += 1
        if token == "--":  # noqa: S105 (an argument, not a secret)
            args.positional.extend(argv[i:])
            break
        if token.startswith("--"):
            name, eq, value = token[2:].partition("=")
            if name in optional:
                _store(args, name, value if eq else optional[name])
                continue
            if name in bool_flags:
                _store(args, name, value if eq else True)
                continue
            if name in value_flags:
                if not eq:
                    if i >= len(argv):
                        raise HelmError(f"flag needs an argument: --{name}")
                    value = argv[i]
                    i += 1
                _store(args, name, value)
                continue
            raise HelmError(f"unknown flag: --{name}")
        if token.startswith("-") and len(token) > 1:
            letters = token[1:]
            while letters:
                letter, letters = letters[0], letters[1:]
                name = SHORT.get(letter)
                if name in bool_flags:
                    if letters.startswith("="):
                        _store(args, name, letters[1:])
                        letters = ""
                    else:
                        _store(args, name, True)
                    continue
                if name in value_flags:
                    if letters:
                        value = letters[1:] if letters.startswith("=") else letters
                        letters = ""
                    else:
                        if i >= len(argv):
                            raise HelmError(f"flag needs an argument: '{letter}' in -{letter}")
                        value = argv[i]
                        i += 1
                    _store(args, name, value)
                    continue
                raise HelmError(f"unknown shorthand flag: '{letter}' in {token}")
            continue
        args.positional.append(token)
    return args


# MarkDeprecated in pkg/cmd/install.go, upgrade.go, rollback.go; pflag prints it on each use
DEPRECATED = {"atomic": "use --rollback-on-failure instead", "force": "use --force-replace instead"}


def _store(args: Args, name: str, value: Any) -> None:
    if name in DEPRECATED and args.command in ("install", "upgrade", "rollback"):
        sys.stderr.write(f"Flag --{name} has been deprecated, {DEPRECATED[name]}\n")
    if name in REPEATABLE:
        args.flags.setdefault(name, []).append(value)
        args.raw_values.append(f"--{name}={value}")
    else:
        args.flags[name] = value


def need_args(args: Args, n: int | tuple[int, int], usage: str) -> None:
    """pkg/cmd/require/args.go ExactArgs / MinimumNArgs / MaximumNArgs."""
    count = len(args.positional)
    words = [w for w in usage.split() if re.fullmatch(r"[a-z]+", w)]
    path = "helm " + " ".join(words)
    if isinstance(n, int):
        if count != n:
            word = "argument" if n == 1 else "arguments"
            raise HelmError(f'"{path}" requires {n} {word}\n\nUsage:  helm {usage} [flags]')
        return
    low, high = n
    if count < low:
        word = "argument" if low == 1 else "arguments"
        raise HelmError(f'"{path}" requires at least {low} {word}\n\nUsage:  helm {usage} [flags]')
    if high >= 0 and count > high:
        word = "argument" if high == 1 else "arguments"
        raise HelmError(f'"{path}" accepts at most {high} {word}\n\nUsage:  helm {usage} [flags]')


RELEASE_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def valid_name(name: str) -> bool:
    """pkg/chart/common/util ValidateReleaseName: DNS-1123 subdomain, at most 53 chars."""
    return bool(name) and len(name) <= 53 and bool(RELEASE_NAME.match(name))


# --------------------------------------------------------------------------------------------
# The helm CLI
# --------------------------------------------------------------------------------------------
class Helm:
    def __init__(self, args: Args, out=None, err=None):
        self.args = args
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self._kube: Kube | None = None
        self._cluster: Cluster | None = None

    # ---- connection ----
    def cluster(self) -> Cluster:
        if self._cluster is None:
            self._cluster = load_cluster(self.args.get("kubeconfig"), self.args.get("kube-context"))
        return self._cluster

    @property
    def namespace(self) -> str:
        """pkg/cli/environment.go Namespace(): -n, $HELM_NAMESPACE, the context's, default."""
        ns = self.args.get("namespace") or os.environ.get("HELM_NAMESPACE")
        if ns:
            return ns
        try:
            return self.cluster().namespace or "default"
        except Unreachable:
            return "default"

    def kube(self) -> Kube:
        if self._kube is None:
            self._kube = Kube(self.cluster())
        return self._kube

    def storage(self) -> Storage:
        return Storage(self.kube(), self.namespace)

    def reachable(self) -> None:
        self.kube().reachable()

    def close(self) -> None:
        if self._kube:
            self._kube.close()

    def print(self, text: str = "", end: str = "\n") -> None:
        self.out.write(text + end)
        self.out.flush()

    # ---- output ----
    def output(self) -> str:
        fmt = self.args.get("output", "table")
        if fmt not in ("table", "json", "yaml"):
            raise HelmError(
                f'invalid argument "{fmt}" for "-o, --output" flag: invalid format type "{fmt}"'
            )
        return fmt

    def print_status(self, rel: dict, fmt: str, show_desc: bool = True) -> None:
        """pkg/cmd/status.go statusPrinter."""
        public = {k: v for k, v in rel.items() if not k.startswith("_")}
        if fmt == "json":
            self.print(go_json(public))
            return
        if fmt == "yaml":
            self.out.write(go_yaml(public))
            return
        info = rel["info"]
        self.print(f"NAME: {rel['name']}")
        last = parse_time(info.get("last_deployed"))
        if last:
            self.print(f"LAST DEPLOYED: {go_ansic(last)}")
        self.print(f"NAMESPACE: {rel['namespace']}")
        self.print(f"STATUS: {info['status']}")
        self.print(f"REVISION: {rel['version']}")
        self.print(f"DESCRIPTION: {info.get('description', '')}")
        if info.get("resources"):
            self.print("RESOURCES:\n" + print_tables(info["resources"]))
        tests = [h for h in rel.get("hooks") or [] if "test" in (h.get("events") or [])]
        ran = [h for h in tests if (h.get("last_run") or {}).get("started_at")]
        if not tests:
            self.print("TEST SUITE: None")
        for h in ran:
            run = h["last_run"]
            self.print(f"TEST SUITE:     {h['name']}")
            self.print(f"Last Started:   {go_ansic(parse_time(run['started_at']))}")
            self.print(f"Last Completed: {go_ansic(parse_time(run.get('completed_at')) or now())}")
            self.print(f"Phase:          {run.get('phase', '')}")
        if info.get("description", "").lower() == "dry run complete":
            self.print("HOOKS:")
            for h in rel.get("hooks") or []:
                self.print(f"---\n# Source: {h['path']}\n{h['manifest']}")
            self.print(f"MANIFEST:\n{rel.get('manifest', '')}")
        if info.get("notes") and not self.args.bool("hide-notes"):
            self.print(f"NOTES:\n{info['notes'].strip()}")

    # ---- list (pkg/cmd/list.go, pkg/action/list.go) ----
    def run_hook(self, event: str, rel: dict) -> None:
        """The workload hook (module docstring); its failure reads like Helm's failed wait."""
        hook = os.environ.get(HOOK_ENV)
        if not hook:
            return
        argv = [hook, event, rel["name"], rel["namespace"]]
        if event == "deployed":
            manifest = replay_dir() / f"helm-{rel['name']}-v{rel['version']}.yaml"
            manifest.write_text(rel.get("manifest", ""))
            argv.append(str(manifest))
        proc = subprocess.run(argv, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            detail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
            raise HelmError(f"resource not ready, workloads of {rel['name']}: {detail[0]}")

    def cmd_list(self) -> None:
        need_args(self.args, 0, "list")
        fmt = self.output()
        self.reachable()
        pattern = None
        if self.args.get("filter"):
            try:
                pattern = re.compile(self.args.get("filter"))
            except re.error as exc:
                raise HelmError(f"error parsing regexp: {exc}") from exc
        states = {
            "deployed": {"deployed"},
            "failed": {"failed"},
            "pending": {"pending-install", "pending-upgrade", "pending-rollback"},
            "superseded": {"superseded"},
            "uninstalled": {"uninstalled"},
            "uninstalling": {"uninstalling"},
        }
        mask: set[str] = set()
        for flag, names in states.items():
            if self.args.bool(flag):
                mask |= names
        only_superseded = mask == {"superseded"}
        if not mask:  # Helm 4: every state unless one is asked for
            mask = set().union(*states.values())
        rels = [r for r in self.storage().list() if not pattern or pattern.search(r["name"])]
        if not only_superseded:
            latest: dict[tuple[str, str], dict] = {}
            for r in rels:
                key = (r["namespace"], r["name"])
                if key not in latest or latest[key]["version"] < r["version"]:
                    latest[key] = r
            rels = list(latest.values())
        rels = [r for r in rels if r["info"]["status"] in mask]
        if self.args.bool("date"):
            rels.sort(
                key=lambda r: r["info"].get("last_deployed", ""),
                reverse=not self.args.bool("reverse"),
            )
        else:
            rels.sort(key=lambda r: r["name"], reverse=self.args.bool("reverse"))
        offset = int(self.args.get("offset", 0))
        limit = int(self.args.get("max", 256))
        rels = rels[offset : offset + limit] if limit > 0 else rels[offset:]
        if self.args.bool("short"):
            names = [r["name"] for r in rels]
            if fmt == "json":
                self.print(go_json(names))
            elif fmt == "yaml":
                self.out.write(go_yaml(names))
            else:
                for name in names:
                    self.print(name)
            return
        elements = []
        for r in rels:
            last = parse_time(r["info"].get("last_deployed"))
            updated = "-"
            if last:
                tf = self.args.get("time-format")
                updated = go_time_string(last) if not tf else last.strftime(go_layout(tf))
            meta = (r.get("chart") or {}).get("metadata") or {}
            elements.append(
                {
                    "name": r["name"],
                    "namespace": r["namespace"],
                    "revision": str(r["version"]),
                    "updated": updated,
                    "status": r["info"]["status"],
                    "chart": f"{meta.get('name', 'MISSING')}-{meta.get('version', 'MISSING')}",
                    "app_version": meta.get("appVersion", ""),
                }
            )
        if fmt == "json":
            self.print(go_json(elements))
        elif fmt == "yaml":
            self.out.write(go_yaml(elements) if elements else "[]\n")
        else:
            rows = (
                []
                if self.args.bool("no-headers")
                else [
                    ["NAME", "NAMESPACE", "REVISION", "UPDATED", "STATUS", "CHART", "APP VERSION"]
                ]
            )
            rows += [
                [
                    e["name"],
                    e["namespace"],
                    e["revision"],
                    e["updated"],
                    e["status"],
                    e["chart"],
                    e["app_version"],
                ]
                for e in elements
            ]
            self.out.write(table(rows))

    # ---- status / history / get ----
    def content(self, name: str, revision: int = 0) -> dict:
        """pkg/action/action.go releaseContent."""
        if not valid_name(name):
            raise HelmError(f"releaseContent: Release name is invalid: {name}")
        storage = self.storage()
        return storage.last(name) if revision <= 0 else storage.get(name, revision)

    def cmd_status(self) -> None:
        need_args(self.args, 1, "status RELEASE_NAME")
        fmt = self.output()
        self.reachable()
        rel = self.content(self.args.positional[0], int(self.args.get("revision", 0)))
        rel["info"]["resources"] = self.resources(rel, tables=fmt == "table")
        rel.pop("chart", None)  # pkg/cmd/status.go strips the chart from the output
        self.print_status(rel, fmt)

    def resources(self, rel: dict, tables: bool) -> dict[str, list[dict]]:
        """pkg/action/status.go + pkg/kube/client.go Get(resources, related=true): each object
        of the manifest by "version/Kind", and the pods of its workloads as "v1/Pod(related)";
        server-side Tables for the table output, the objects for JSON and YAML."""
        accept = (
            "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
            if tables
            else ("application/json")
        )
        found: dict[str, list[dict]] = {}
        selectors: list[dict] = []
        for obj in self.objects(rel.get("manifest", ""), rel["namespace"]):
            key = f"{obj['apiVersion'].split('/')[-1]}/{obj['kind']}"
            try:
                live = self.kube().request("GET", object_path(obj), accept=accept)
            except ApiStatus:
                continue  # "Get resource ... failed" goes to a buffer nobody prints
            found.setdefault(key, []).append(live)
            if obj["kind"] in ("ReplicaSet", "Deployment", "StatefulSet", "DaemonSet", "Job"):
                selector = dig(obj, "spec.selector.matchLabels")
            elif obj["kind"] == "ReplicationController":
                selector = dig(obj, "spec.selector")
            else:
                selector = None
            if not selector or selector in selectors:
                continue
            selectors.append(selector)
            query = ",".join(f"{k}={v}" for k, v in sorted(selector.items()))
            path = (
                f"/api/v1/namespaces/{obj['metadata']['namespace']}/pods"
                f"?labelSelector={quote(query)}"
            )
            try:
                pods = self.kube().request("GET", path, accept=accept)
            except ApiStatus:
                continue
            related = found.setdefault("v1/Pod(related)", [])
            if tables:
                related.append(pods)
            else:
                related.extend(dict(p, apiVersion="v1", kind="Pod") for p in pods["items"])
        return found

    def cmd_history(self) -> None:
        need_args(self.args, 1, "history RELEASE_NAME")
        fmt = self.output()
        self.reachable()
        name = self.args.positional[0]
        if not valid_name(name):
            raise HelmError(f"release name is invalid: {name}")
        rels = sorted(self.storage().history(name), key=lambda r: r["version"], reverse=True)
        rels = rels[: int(self.args.get("max", 256))]
        rels.reverse()
        items = []
        for r in rels:
            meta = (r.get("chart") or {}).get("metadata") or {}
            items.append(
                {
                    "revision": r["version"],
                    "updated": r["info"].get("last_deployed"),
                    "status": r["info"]["status"],
                    "chart": f"{meta.get('name', 'MISSING')}-{meta.get('version', 'MISSING')}",
                    "app_version": meta.get("appVersion", ""),
                    "description": r["info"].get("description", ""),
                }
            )
        if fmt == "json":
            self.print(go_json(items))
        elif fmt == "yaml":
            self.out.write(go_yaml(items) if items else "[]\n")
        else:
            rows = [["REVISION", "UPDATED", "STATUS", "CHART", "APP VERSION", "DESCRIPTION"]]
            for i in items:
                t = parse_time(i["updated"])
                rows.append(
                    [
                        str(i["revision"]),
                        go_ansic(t) if t else "",
                        i["status"],
                        i["chart"],
                        i["app_version"],
                        i["description"],
                    ]
                )
            self.out.write(table(rows))

    def cmd_get(self) -> None:
        if not self.args.positional:
            raise HelmError(
                '"helm get" requires a subcommand: all, hooks, manifest, metadata, notes, values'
            )
        what = self.args.positional.pop(0)
        if what not in ("values", "manifest", "notes", "hooks"):
            raise HelmError(f"the helm stand-in does not replay 'helm get {what}'")
        need_args(self.args, 1, f"get {what} RELEASE_NAME")
        self.reachable()
        rel = self.content(self.args.positional[0], int(self.args.get("revision", 0)))
        if what == "values":
            fmt = self.output()
            values = rel.get("config")
            if self.args.bool("all"):
                values = coalesce((rel.get("chart") or {}).get("values") or {}, values or {})
            if fmt == "json":
                self.print(go_json(values, sort_keys=True))
            elif fmt == "yaml":
                self.out.write(go_yaml(values))
            else:
                self.print("COMPUTED VALUES:" if self.args.bool("all") else "USER-SUPPLIED VALUES:")
                self.out.write(go_yaml(values))
        elif what == "manifest":
            self.print(rel.get("manifest", ""))
        elif what == "notes":
            if rel["info"].get("notes"):
                self.print(f"NOTES:\n{rel['info']['notes']}")
        else:
            for h in rel.get("hooks") or []:
                self.print(f"---\n# Source: {h['path']}\n{h['manifest']}")

    # ---- rendering with the real helm ----
    def render(self, name: str, chart: str, values_file: str | None = None) -> dict:
        cmd = [
            real_helm(),
            "install",
            name,
            chart,
            "--dry-run=client",
            "-o",
            "json",
            "--namespace",
            self.namespace,
        ]
        if values_file is not None:
            cmd += ["--values", values_file]
        else:
            cmd += self.args.raw_values
        for flag in ("version", "description"):
            if self.args.get(flag):
                cmd.append(f"--{flag}={self.args.get(flag)}")
        for flag in (
            "skip-schema-validation",
            "devel",
            "dependency-update",
            "enable-dns",
            "render-subchart-notes",
            "skip-crds",
        ):
            if self.args.bool(flag):
                cmd.append(f"--{flag}")
        env = {k: v for k, v in os.environ.items() if not k.startswith("HELM_KUBE")}
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        if proc.returncode != 0:
            message = proc.stderr.strip()
            message = re.sub(r"^Error: (INSTALLATION FAILED: )?", "", message)
            raise RenderError(message)
        return json.loads(proc.stdout)

    # ---- objects of a manifest ----
    def objects(self, manifest: str, namespace: str) -> list[dict]:
        objs = []
        for doc in yaml.load_all(manifest or "", Loader=SafeLoader):
            if not isinstance(doc, dict) or not doc.get("kind"):
                continue
            doc.setdefault("metadata", {})
            if doc["kind"] not in CLUSTER_SCOPED:
                doc["metadata"].setdefault("namespace", namespace)
            objs.append(doc)
        return objs

    def set_metadata(self, objs: list[dict], name: str, namespace: str) -> None:
        """pkg/action/validate.go setMetadataVisitor (forceOwnership)."""
        for obj in objs:
            meta = obj["metadata"]
            meta["labels"] = {**(meta.get("labels") or {}), "app.kubernetes.io/managed-by": "Helm"}
            meta["annotations"] = {
                **(meta.get("annotations") or {}),
                "meta.helm.sh/release-name": name,
                "meta.helm.sh/release-namespace": namespace,
            }

    def live(self, obj: dict) -> dict | None:
        try:
            return self.kube().request("GET", object_path(obj))
        except ApiStatus as exc:
            if exc.code == 404:
                return None
            raise HelmError(
                f"could not get information about the resource {resource_string(obj)}: {exc}"
            ) from exc

    def conflicts(self, objs: list[dict], name: str, namespace: str) -> list[dict]:
        """pkg/action/validate.go existingResourceConflict: existing objects must carry this
        release's ownership metadata; they are returned to be adopted."""
        adopt = []
        for obj in objs:
            current = self.live(obj)
            if current is None:
                continue
            if self.args.bool("take-ownership"):  # validate.go requireAdoption: no checks
                adopt.append(obj)
                continue
            labels = current["metadata"].get("labels") or {}
            annotations = current["metadata"].get("annotations") or {}
            errs = []
            for holder, key, want, what in (
                (labels, "app.kubernetes.io/managed-by", "Helm", "label"),
                (annotations, "meta.helm.sh/release-name", name, "annotation"),
                (annotations, "meta.helm.sh/release-namespace", namespace, "annotation"),
            ):
                if key not in holder:
                    errs.append(
                        f'{what} validation error: missing key "{key}": must be set to "{want}"'
                    )
                elif holder[key] != want:
                    errs.append(
                        f'{what} validation error: key "{key}" must equal "{want}": '
                        f'current value is "{holder[key]}"'
                    )
            if errs:
                raise HelmError(
                    f"{resource_string(obj)} exists and cannot be imported into the "
                    f"current release: invalid ownership metadata; " + "; ".join(errs)
                )
            adopt.append(obj)
        return adopt

    def create_objects(self, objs: list[dict]) -> None:
        """pkg/kube/client.go Create."""
        for obj in objs:
            try:
                self.kube().request("POST", object_path(obj, with_name=False), obj)
            except ApiStatus as exc:
                raise HelmError(f"failed to create resource: {exc}") from exc

    def update_objects(self, current: list[dict], target: list[dict], force: bool) -> None:
        """pkg/kube/client.go Update: create what is new, update what exists, delete what the
        new manifest no longer has (unless `helm.sh/resource-policy: keep`)."""
        previous = {object_key(o): o for o in current}
        for obj in target:
            live = self.live(obj)
            if live is None:
                try:
                    self.kube().request("POST", object_path(obj, with_name=False), obj)
                except ApiStatus as exc:
                    raise HelmError(f"failed to create resource: {exc}") from exc
                continue
            body = merge_live(live, obj, previous.get(object_key(obj)))
            try:
                self.kube().request("PUT", object_path(obj), body)
            except ApiStatus as exc:
                if exc.code == 409 and not force:
                    live = self.live(obj) or live
                    body = merge_live(live, obj, previous.get(object_key(obj)))
                    try:
                        self.kube().request("PUT", object_path(obj), body)
                        continue
                    except ApiStatus as again:
                        exc = again
                raise HelmError(
                    f'cannot patch "{obj["metadata"]["name"]}" with kind {obj["kind"]}: {exc}'
                ) from exc
        wanted = {object_key(o) for o in target}
        errors = []
        for key, obj in previous.items():
            if key in wanted or keep_policy(obj):
                continue
            try:
                self.kube().request("DELETE", object_path(obj), {"propagationPolicy": "Background"})
            except ApiStatus as exc:
                if exc.code != 404:
                    errors.append(f"failed to delete resource {obj['metadata']['name']}: {exc}")
        if errors:
            raise HelmError("; ".join(errors))

    def delete_objects(self, objs: list[dict]) -> tuple[list[dict], str]:
        """pkg/action/uninstall.go deleteRelease: in uninstall order, keeping `keep` ones."""
        kept, deleted = "", []
        for obj in reversed(objs):
            if keep_policy(obj):
                kept += f"[{obj['kind']}] {obj['metadata']['name']}\n"
                continue
            try:
                self.kube().request("DELETE", object_path(obj), {"propagationPolicy": "Background"})
                deleted.append(obj)
            except ApiStatus as exc:
                if exc.code != 404:
                    raise HelmError(f"failed to delete release: {exc}") from exc
        return deleted, kept

    def wait(self, objs: list[dict], timeout: float) -> None:
        """pkg/kube/statuswait.go statusWaiter.wait: every resource Current before the
        deadline, else one line per resource that is not, then `context deadline exceeded`."""
        timeout = timeout or 30.0  # DefaultStatusWatcherTimeout for a zero timeout
        deadline = time.monotonic() + timeout
        pending = [o for o in objs if not (o["kind"] == "Deployment" and dig(o, "spec.paused"))]
        results: dict[str, tuple[str, str]] = {}
        while True:
            # the watcher reports each resource's changes; a resource that became Current is
            # not read again
            for obj in pending:
                results[object_key(obj)] = kstatus(self.live(obj))
            pending = [o for o in pending if results[object_key(o)][0] != "Current"]
            if not pending:
                return
            if time.monotonic() >= deadline:
                lines = [
                    f"resource {o['kind']}/{o['metadata'].get('namespace', '')}/"
                    f"{o['metadata']['name']} not ready. status: "
                    f"{results[object_key(o)][0]}, message: {results[object_key(o)][1]}"
                    for o in pending
                ]
                raise HelmError("\n".join([*lines, "context deadline exceeded"]))
            time.sleep(min(POLL, max(deadline - time.monotonic(), 0.01)))

    def wait_for_delete(self, objs: list[dict], timeout: float) -> None:
        timeout = timeout or 30.0
        deadline = time.monotonic() + timeout
        while True:
            left = [o for o in objs if self.live(o) is not None]
            if not left:
                return
            if time.monotonic() >= deadline:
                lines = []
                for o in left:
                    state, message = kstatus(self.live(o))
                    lines.append(
                        f"resource {o['kind']}/{o['metadata'].get('namespace', '')}/"
                        f"{o['metadata']['name']} still exists. status: {state}, "
                        f"message: {message}"
                    )
                raise HelmError("\n".join([*lines, "context deadline exceeded"]))
            time.sleep(POLL)

    def wait_strategy(self) -> str:
        strategy = self.args.get("wait", "hookOnly")
        if strategy == "true":
            strategy = "watcher"
        if strategy == "false":
            strategy = "hookOnly"
        if strategy not in ("watcher", "hookOnly", "legacy"):
            raise HelmError(
                f'invalid argument "{strategy}" for "--wait" flag: invalid wait input '
                f'"{strategy}". Valid inputs are watcher, hookOnly, and legacy'
            )
        if strategy == "hookOnly" and self.rollback_on_failure():
            strategy = "watcher"  # pkg/action/upgrade.go, install.go
        return strategy

    def rollback_on_failure(self) -> bool:
        return self.args.bool("rollback-on-failure") or self.args.bool("atomic")

    def timeout(self) -> float:
        return parse_duration(str(self.args.get("timeout", "5m0s")))

    # ---- the fault knob ----
    def maybe_interrupt(self, rel: dict) -> None:
        try:
            path = replay_dir() / INTERRUPT_FILE
        except SystemExit:
            return
        if not path.exists():
            return
        mode = json.loads(path.read_text() or "{}").get("mode", "kill")
        path.unlink()
        if mode in ("kill", "hup"):
            sig = signal.SIGKILL if mode == "kill" else signal.SIGHUP
            record_call("helm", sys.argv[1:], -int(sig))
            self.out.flush()
            signal.signal(signal.SIGHUP, signal.SIG_DFL)
            os.kill(os.getpid(), sig)
            time.sleep(5)  # not reached
        # pkg/cmd/upgrade.go, install.go: the SIGINT handler's line, then the context is cancelled
        self.print(f"Release {rel['name']} has been cancelled.")
        raise Cancelled(rel)

    # ---- install (pkg/cmd/install.go, pkg/action/install.go) ----
    def cmd_install(self) -> None:
        if self.args.bool("generate-name"):
            raise HelmError("the helm stand-in does not replay --generate-name")
        need_args(self.args, 2, "install [NAME] [CHART]")
        try:
            rel = self.install(*self.args.positional, replace=self.args.bool("replace"))
        except HelmError as exc:
            raise HelmError(f"INSTALLATION FAILED: {exc}") from exc
        self.print_status(rel, self.output())

    def install(self, name: str, chart: str, replace: bool = False) -> dict:
        dry_run = self.args.get("dry-run", "none")
        if dry_run in ("unset", "client", "true"):
            rel = self.render(name, chart)
            return rel
        try:
            self.reachable()
        except Unreachable as exc:
            raise HelmError(f"cluster reachability check failed: {exc}") from exc
        if not valid_name(name):
            raise HelmError(
                f'release name check failed: release name "{name}": invalid release '
                "name, must match regex ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]"
                "([-a-z0-9]*[a-z0-9])?)*$ and the length must not be longer than 53"
            )
        storage = self.storage()
        try:
            history = storage.history(name)
        except ReleaseNotFound:
            history = []
        if history:
            last = max(history, key=lambda r: r["version"])
            if not (replace and last["info"]["status"] in ("uninstalled", "failed")):
                raise HelmError(
                    "release name check failed: cannot reuse a name that is still in use"
                )
        rel = self.render(name, chart)
        stamp = rfc3339nano(now())
        rel["info"] = info(
            stamp, stamp, "Initial install underway", "pending-install", rel["info"].get("notes")
        )
        rel["namespace"] = self.namespace
        rel["apply_method"] = "csa" if self.args.get("server-side") == "false" else "ssa"
        resources = self.objects(rel.get("manifest", ""), self.namespace)
        self.set_metadata(resources, name, self.namespace)
        try:
            adopt = self.conflicts(resources, name, self.namespace)
        except HelmError as exc:
            raise HelmError(f"unable to continue with install: {exc}") from exc
        if self.args.bool("create-namespace"):
            try:
                self.kube().request(
                    "POST",
                    "/api/v1/namespaces",
                    {
                        "apiVersion": "v1",
                        "kind": "Namespace",
                        "metadata": {"name": self.namespace, "labels": {"name": self.namespace}},
                    },
                )
            except ApiStatus as exc:
                if exc.reason != "AlreadyExists":
                    raise HelmError(str(exc)) from exc
        if replace and history:
            last = max(history, key=lambda r: r["version"])
            rel["version"] = last["version"] + 1
            if last["info"]["status"] != "failed":
                last["info"]["status"] = "superseded"
                last["info"]["description"] = "superseded by new release"
                storage.update(last)
        storage.create(rel)
        try:
            self.maybe_interrupt(rel)
            if not adopt:
                self.create_objects(resources)
            else:
                self.update_objects(adopt, resources, self.args.bool("force-replace"))
            if self.wait_strategy() != "hookOnly":
                if self.args.bool("wait-for-jobs"):
                    pass  # jobs are waited for like the rest (kstatus jobConditions)
                self.wait(resources, self.timeout())
            self.run_hook("deployed", rel)
        except (HelmError, Cancelled) as exc:
            err = "context canceled" if isinstance(exc, Cancelled) else str(exc)
            return self.fail_install(rel, err)
        rel["info"]["status"] = "deployed"
        rel["info"]["description"] = self.args.get("description") or "Install complete"
        storage.update(rel)
        return rel

    def fail_install(self, rel: dict, err: str) -> dict:
        """pkg/action/install.go failRelease."""
        rel["info"]["status"] = "failed"
        rel["info"]["description"] = f'Release "{rel["name"]}" failed: {err}'
        if self.rollback_on_failure():
            try:
                self.uninstall(rel["name"], keep_history=False)
            except HelmError as exc:
                raise HelmError(
                    f"an error occurred while uninstalling the release. original "
                    f"install error: {err}: {exc}"
                ) from exc
            raise HelmError(
                f"release {rel['name']} failed, and has been uninstalled due to "
                f"rollback-on-failure being set: {err}"
            )
        self.storage().update(rel)
        raise HelmError(err)

    # ---- upgrade (pkg/cmd/upgrade.go, pkg/action/upgrade.go) ----
    def cmd_upgrade(self) -> None:
        need_args(self.args, 2, "upgrade [RELEASE] [CHART]")
        name, chart = self.args.positional
        fmt = self.output()
        if self.args.bool("install"):
            self.reachable()  # History.Run's IsReachable; its error is printed unwrapped
            if not valid_name(name):
                raise HelmError(f"release name is invalid: {name}")
            try:
                versions = self.storage().history(name)
            except ReleaseNotFound:
                versions = []
            latest = max(versions, key=lambda r: r["version"]) if versions else None
            if not versions or latest["info"]["status"] == "uninstalled":
                if fmt == "table":
                    self.print(f'Release "{name}" does not exist. Installing it now.')
                rel = self.install(name, chart, replace=bool(versions))
                self.print_status(rel, fmt)
                return
        try:
            rel = self.upgrade(name, chart)
        except HelmError as exc:
            raise HelmError(f"UPGRADE FAILED: {exc}") from exc
        if fmt == "table":
            self.print(f'Release "{name}" has been upgraded. Happy Helming!')
        self.print_status(rel, fmt)

    def upgrade(self, name: str, chart: str) -> dict:
        self.reachable()
        if not valid_name(name):
            raise HelmError(f"release name is invalid: {name}")
        storage = self.storage()
        try:
            last = storage.last(name)
        except ReleaseNotFound as exc:
            raise HelmError(f'"{name}" has no deployed releases') from exc
        if last["info"]["status"].startswith("pending"):
            raise HelmError("another operation (install/upgrade/rollback) is in progress")
        if last["info"]["status"] == "deployed":
            current = last
        else:
            deployed = storage.deployed_all(name)
            if deployed:
                current = max(deployed, key=lambda r: r["version"])
            elif last["info"]["status"] in ("failed", "superseded"):
                current = last
            else:
                raise HelmError(f'"{name}" has no deployed releases')
        rel = self.render(name, chart)
        values = rel.get("config") or {}
        if self.args.bool("reset-values"):
            pass
        elif self.args.bool("reuse-values") or self.args.bool("reset-then-reuse-values"):
            values = coalesce_tables(values, current.get("config") or {})
        elif not values and current.get("config"):
            values = current["config"]
        if values != (rel.get("config") or {}):
            with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as tmp:
                json.dump(values, tmp)
            try:
                rel = self.render(name, chart, values_file=tmp.name)
            finally:
                os.unlink(tmp.name)
        revision = last["version"] + 1
        rel["namespace"] = current["namespace"]
        rel["version"] = revision
        notes = rel["info"].get("notes")
        rel["info"] = info(
            current["info"].get("first_deployed"),
            rfc3339nano(now()),
            "Preparing upgrade",
            "pending-upgrade",
            notes,
        )
        server_side = self.args.get("server-side", "auto")
        if server_side == "auto":
            rel["apply_method"] = "ssa" if last.get("apply_method") == "ssa" else "csa"
        else:
            rel["apply_method"] = "ssa" if server_side == "true" else "csa"
        rel["_labels"] = {
            k: v for k, v in last.get("_labels", {}).items() if k not in SYSTEM_LABELS
        }
        current_objs = self.objects(current.get("manifest", ""), current["namespace"])
        target = self.objects(rel.get("manifest", ""), current["namespace"])
        self.set_metadata(target, name, current["namespace"])
        known = {object_key(o) for o in current_objs}
        try:
            adopt = self.conflicts(
                [o for o in target if object_key(o) not in known], name, current["namespace"]
            )
        except HelmError as exc:
            raise HelmError(f"unable to continue with update: {exc}") from exc
        current_objs += adopt
        if self.args.get("dry-run", "none") != "none":
            rel["info"]["description"] = "Dry run complete"
            return rel
        max_history = int(self.args.get("history-max", os.environ.get("HELM_MAX_HISTORY", 10)))
        storage.max_history = max_history
        storage.create(rel)
        try:
            self.maybe_interrupt(rel)
            try:
                self.update_objects(
                    current_objs, target, self.args.bool("force-replace") or self.args.bool("force")
                )
            except HelmError:
                storage.update(current)
                raise
            if self.wait_strategy() != "hookOnly":
                try:
                    self.wait(target, self.timeout())
                except HelmError:
                    storage.update(current)
                    raise
            try:
                self.run_hook("deployed", rel)
            except HelmError:
                storage.update(current)
                raise
        except Cancelled:
            return self.fail_upgrade(rel, "context canceled")
        except HelmError as exc:
            return self.fail_upgrade(rel, str(exc))
        current["info"]["status"] = "superseded"
        storage.update(current)
        rel["info"]["status"] = "deployed"
        rel["info"]["description"] = self.args.get("description") or "Upgrade complete"
        storage.update(rel)
        return rel

    def fail_upgrade(self, rel: dict, err: str) -> dict:
        """pkg/action/upgrade.go failRelease."""
        rel["info"]["status"] = "failed"
        rel["info"]["description"] = f'Upgrade "{rel["name"]}" failed: {err}'
        storage = self.storage()
        storage.update(rel)
        if self.rollback_on_failure():
            history = [
                r
                for r in storage.history(rel["name"])
                if r["info"]["status"] in ("superseded", "deployed")
            ]
            if not history:
                raise HelmError(
                    "unable to find a previously successful release when attempting "
                    f"to rollback. original upgrade error: {err}"
                )
            target = max(history, key=lambda r: r["version"])["version"]
            try:
                self.rollback(rel["name"], target, wait=True)
            except HelmError as exc:
                raise HelmError(
                    f"an error occurred while rolling back the release. original "
                    f"upgrade error: {err}: {exc}"
                ) from exc
            raise HelmError(
                f"release {rel['name']} failed, and has been rolled back due to "
                f"rollback-on-failure being set: {err}"
            )
        raise HelmError(err)

    # ---- rollback (pkg/cmd/rollback.go, pkg/action/rollback.go) ----
    def cmd_rollback(self) -> None:
        need_args(self.args, (1, 2), "rollback <RELEASE> [REVISION]")
        version = 0
        if len(self.args.positional) > 1:
            try:
                version = int(self.args.positional[1])
            except ValueError as exc:
                raise HelmError(
                    "could not convert revision to a number: strconv.Atoi: parsing "
                    f'"{self.args.positional[1]}": invalid syntax'
                ) from exc
        self.reachable()
        strategy = self.wait_strategy()
        self.storage_max = int(self.args.get("history-max", os.environ.get("HELM_MAX_HISTORY", 10)))
        self.rollback(self.args.positional[0], version, wait=strategy != "hookOnly")
        self.print("Rollback was a success! Happy Helming!")

    def rollback(self, name: str, version: int, wait: bool) -> dict:
        if not valid_name(name):
            raise HelmError(f"prepareRollback: Release name is invalid: {name}")
        if version < 0:
            raise HelmError("invalid release revision")
        storage = self.storage()
        storage.max_history = getattr(self, "storage_max", 0)
        current = storage.last(name)
        previous_version = version or current["version"] - 1
        versions = {r["version"] for r in storage.history(name)}
        if previous_version not in versions:
            raise HelmError(f"release has no {previous_version} version")
        previous = storage.get(name, previous_version)
        target = {
            "name": name,
            "info": info(
                current["info"].get("first_deployed"),
                rfc3339nano(now()),
                f"Rollback to {previous_version}",
                "pending-rollback",
                previous["info"].get("notes"),
            ),
            "chart": previous.get("chart"),
            "config": previous.get("config"),
            "manifest": previous.get("manifest", ""),
            "hooks": previous.get("hooks"),
            "version": current["version"] + 1,
            "namespace": current["namespace"],
            "apply_method": previous.get("apply_method", "ssa"),
            "_labels": {
                k: v for k, v in previous.get("_labels", {}).items() if k not in SYSTEM_LABELS
            },
        }
        target = {k: v for k, v in target.items() if v is not None}
        storage.create(target)
        current_objs = self.objects(current.get("manifest", ""), current["namespace"])
        target_objs = self.objects(target["manifest"], current["namespace"])
        self.set_metadata(target_objs, name, current["namespace"])
        try:
            self.update_objects(current_objs, target_objs, self.args.bool("force-replace"))
        except HelmError as exc:
            msg = f'Rollback "{name}" failed: {exc}'
            current["info"]["status"] = "superseded"
            target["info"]["status"] = "failed"
            target["info"]["description"] = msg
            storage.update(current)
            storage.update(target)
            raise
        if wait:
            try:
                self.wait(target_objs, self.timeout())
            except HelmError as exc:
                target["info"]["status"] = "failed"
                target["info"]["description"] = f'Release "{name}" failed: {exc}'
                storage.update(current)
                storage.update(target)
                raise HelmError(f"release {name} failed: {exc}") from exc
        try:
            self.run_hook("deployed", target)
        except HelmError as exc:
            target["info"]["status"] = "failed"
            target["info"]["description"] = f'Release "{name}" failed: {exc}'
            storage.update(current)
            storage.update(target)
            raise HelmError(f"release {name} failed: {exc}") from exc
        for rel in storage.deployed_all(name):
            rel["info"]["status"] = "superseded"
            storage.update(rel)
        target["info"]["status"] = "deployed"
        storage.update(target)
        return target

    # ---- uninstall (pkg/cmd/uninstall.go, pkg/action/uninstall.go) ----
    def cmd_uninstall(self) -> None:
        need_args(self.args, (1, -1), "uninstall RELEASE_NAME [...]")
        cascade = self.args.get("cascade", "background")
        if cascade not in ("background", "foreground", "orphan"):
            raise HelmError(
                f'invalid cascade value ({cascade}). Must be "background", '
                '"foreground", or "orphan"'
            )
        for name in self.args.positional:
            kept = self.uninstall(name, keep_history=self.args.bool("keep-history"))
            if kept is None:
                continue
            if kept:
                self.print(kept)
            self.print(f'release "{name}" uninstalled')

    def uninstall(self, name: str, keep_history: bool) -> str | None:
        self.reachable()
        if not valid_name(name):
            raise HelmError(f"uninstall: Release name is invalid: {name}")
        storage = self.storage()
        try:
            rels = sorted(storage.history(name), key=lambda r: r["version"])
        except HelmError as exc:
            if self.args.bool("ignore-not-found"):
                return None
            raise HelmError(f"uninstall: Release not loaded: {name}: {exc}") from exc
        rel = rels[-1]
        if rel["info"]["status"] == "uninstalled":
            if not keep_history:
                for r in rels:
                    storage.delete(name, r["version"])
                return ""
            raise HelmError(f'the release named "{name}" is already deleted')
        rel["info"] = info(
            rel["info"].get("first_deployed"),
            rel["info"].get("last_deployed"),
            "Deletion in progress (or silently failed)",
            "uninstalling",
            rel["info"].get("notes"),
            deleted=rfc3339nano(now()),
        )
        storage.update(rel)
        objs = self.objects(rel.get("manifest", ""), rel["namespace"])
        deleted, kept = self.delete_objects(objs)
        errors = []
        if self.args.get("wait", "hookOnly") in ("watcher", "legacy", "true"):
            try:
                self.wait_for_delete(deleted, self.timeout())
            except HelmError as exc:
                errors.append(str(exc))
        with contextlib.suppress(HelmError):  # the workloads are gone with their objects
            self.run_hook("uninstalled", rel)
        rel["info"]["status"] = "uninstalled"
        rel["info"]["description"] = self.args.get("description") or "Uninstallation complete"
        if not keep_history:
            for r in rels:
                storage.delete(name, r["version"])
        else:
            storage.update(rel)
            for r in storage.deployed_all(name):
                r["info"]["status"] = "superseded"
                storage.update(r)
        if errors:
            raise HelmError(
                f"uninstallation completed with {len(errors)} error(s): " + "; ".join(errors)
            )
        if kept:
            kept = "These resources were kept due to the resource policy:\n" + kept
        return kept


def info(
    first: str | None,
    last: str | None,
    description: str,
    status: str,
    notes: str | None = None,
    deleted: str | None = None,
) -> dict:
    """pkg/release/v1/info.go Info, in its JSON field order; zero times left out."""
    out = {
        "first_deployed": first,
        "last_deployed": last,
        "deleted": deleted,
        "description": description,
        "status": status,
        "notes": notes,
    }
    return {k: v for k, v in out.items() if v}


class Cancelled(Exception):
    def __init__(self, rel: dict):
        super().__init__("context canceled")
        self.rel = rel


class RenderError(HelmError):
    pass


def print_tables(groups: dict[str, list[dict]]) -> str:
    """The RESOURCES block of pkg/cmd/status.go: per group `==> key`, each Table printed by
    kubectl's human printer (k8s.io/cli-runtime printers: a header when the columns differ from
    the last printed, cells through a tabwriter with minwidth 6 and padding 3, per Table)."""
    out, last_columns = [], None
    for key, tables in groups.items():
        out.append(f"==> {key}\n")
        for t in tables:
            columns = [c for c in t.get("columnDefinitions", []) if c.get("priority", 0) == 0]
            index = [t["columnDefinitions"].index(c) for c in columns]
            rows = [[str(r["cells"][i]) for i in index] for r in t.get("rows", [])]
            if [c["name"] for c in columns] != last_columns:
                rows.insert(0, [c["name"].upper() for c in columns])
                last_columns = [c["name"] for c in columns]
            if not rows:
                continue
            widths = [max(6, max(len(r[i]) for r in rows) + 3) for i in range(len(columns))]
            for r in rows:
                cells = [c.ljust(w) for c, w in zip(r[:-1], widths, strict=False)] + [r[-1]]
                out.append("".join(cells) + "\n")
        out.append("\n")
    return "".join(out)


def object_key(obj: dict) -> str:
    """pkg/action/upgrade.go objectKey: group/version/Kind/namespace/name."""
    ns = "" if obj["kind"] in CLUSTER_SCOPED else obj["metadata"].get("namespace", "")
    return f"{obj['apiVersion']}/{obj['kind']}/{ns}/{obj['metadata']['name']}"


def keep_policy(obj: dict) -> bool:
    """pkg/kube/resource_policy.go: helm.sh/resource-policy: keep."""
    value = ((obj.get("metadata") or {}).get("annotations") or {}).get("helm.sh/resource-policy")
    return (value or "").strip().lower() == "keep"


def merge_live(live: dict, target: dict, previous: dict | None) -> dict:
    """What an apply leaves: the target's fields, plus metadata others added (a controller's
    annotations, the apiserver's labels) that the previous manifest did not set."""
    body = json.loads(json.dumps(target))
    meta = body["metadata"]
    prev_meta = (previous or {}).get("metadata") or {}
    for section in ("labels", "annotations"):
        mine = meta.get(section) or {}
        prev = prev_meta.get(section) or {}
        theirs = {
            k: v
            for k, v in (live["metadata"].get(section) or {}).items()
            if k not in prev and k not in mine
        }
        if mine or theirs:
            meta[section] = {**theirs, **mine}
    meta["resourceVersion"] = live["metadata"]["resourceVersion"]
    # a field the manifest leaves out stays with its owner (server-side apply): the
    # HorizontalPodAutoscaler's replicas
    spec, live_spec = body.get("spec"), live.get("spec") or {}
    if (
        isinstance(spec, dict)
        and "replicas" not in spec
        and "replicas" in live_spec
        and (previous or {}).get("spec", {}).get("replicas") is None
    ):
        spec["replicas"] = live_spec["replicas"]
    return body


def coalesce(chart_values: dict, values: dict) -> dict:
    """pkg/chart/common/util CoalesceValues: user values over the chart's, nulls delete."""
    out = json.loads(json.dumps(chart_values))
    for key, value in (values or {}).items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = coalesce(out[key], value)
        else:
            out[key] = value
    return out


def coalesce_tables(dst: dict, src: dict) -> dict:
    """CoalesceTables(dst, src): dst wins, src fills in."""
    out = json.loads(json.dumps(src))
    for key, value in (dst or {}).items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = coalesce_tables(value, out[key])
        else:
            out[key] = value
    return out


def go_layout(layout: str) -> str:
    """A Go time layout as strftime (the common tokens)."""
    for go, py in (
        ("2006", "%Y"),
        ("01", "%m"),
        ("02", "%d"),
        ("15", "%H"),
        ("04", "%M"),
        ("05", "%S"),
        ("Z0700", "%z"),
        ("MST", "%Z"),
    ):
        layout = layout.replace(go, py)
    return layout


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------
def run(argv: list[str]) -> int:
    command = command_of(argv)
    if passes_through(argv):
        return subprocess.run([real_helm(), *argv], check=False).returncode
    name = ALIASES.get(command, command)
    if name not in COMMAND_FLAGS:
        sys.stderr.write(f"Error: the helm stand-in does not replay 'helm {command}'\n")
        return 1
    rest = list(argv)
    rest.remove(command)
    helm = None
    try:
        args = parse_args(name, rest)
        helm = Helm(args)
        getattr(helm, f"cmd_{name}")()
        return 0
    except HelmError as exc:
        sys.stdout.flush()
        sys.stderr.write(f"Error: {exc}\n")
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        if helm:
            helm.close()


def main() -> int:
    argv = sys.argv[1:]
    with contextlib.suppress(OSError):
        socket.setdefaulttimeout(60)
    rc = run(argv)
    record_call("helm", argv, rc)
    return rc


if __name__ == "__main__":
    raise SystemExit(main())
