"""A stand-in for the Kubernetes API server, for the clients the roles use.

It serves over HTTPS on 127.0.0.1 with its own CA and client-certificate authentication, laid
out as minikube's kubeconfig is (cluster `certificate-authority`, user `client-certificate` +
`client-key`), and answers what kube-apiserver answers the real kubectl 1.32, the `kubernetes`
Python client 37 (kubernetes.core's k8s / k8s_info) and the helm stand-in:

- discovery: `/version`, `/api`, `/apis`, `/api/v1`, `/apis/GROUP/VERSION`. Aggregated
  discovery (`Accept: ...;as=APIGroupDiscoveryList`) is answered as a server without it does,
  with the legacy `APIVersions` / `APIGroupList` bodies and `Content-Type: application/json`,
  which kubectl's discovery client takes as its cue to fall back to the per-group lists;
- CRUD with kube-apiserver's `Status` bodies for 404 NotFound, 409 AlreadyExists / Conflict,
  422 Invalid and 403 Forbidden; metadata uid, resourceVersion, creationTimestamp, generation;
  list with `labelSelector` / `fieldSelector`; `?watch=1` streams; PUT; PATCH as merge, strategic
  merge (the shapes clients send) and JSON patch; DELETE with `propagationPolicy`;
- server-side printing (`Accept: ...;as=Table;g=meta.k8s.io`), which kubectl get asks for, with
  the columns kube-apiserver's printers give (kubernetes pkg/printers/internalversion/printers.go);
- `pods/log` with `container`, `tailLines`, `timestamps`.

A small controller stands in for kube-controller-manager, the scheduler and the kubelet:
Deployments get a ReplicaSet and pods, StatefulSets get pods and the PersistentVolumeClaims of
their volumeClaimTemplates (which outlive them, as in Kubernetes), workloads get their status
within about half a second, a deleted namespace is `Terminating` for a moment and then takes its
content with it. Workloads marked failing crash-loop: pods in `CrashLoopBackOff` with a growing
restart count, a Warning `BackOff` Event, a last log line naming the failure.

Usage from tests: `with KubeAPI(directory) as api: ...` (`stop()` / `start()` again on the same
port models an unreachable cluster coming back; the state is kept, also in DIR/kube-state.json
for a later server on the same directory). From a shell:
`python -m testsupport.replay.kube_api serve --dir DIR [--context NAME] [--port N]` writes
`DIR/kube-api.json` and `DIR/kubeconfig` and serves until killed;
`... fail --dir DIR WORKLOAD [--reason TEXT] [--image PART]` and `... heal --dir DIR [WORKLOAD]`
mark workloads of a running server failing (through DIR/kube-api-failing.json).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import datetime as dt
import hashlib
import ipaddress
import json
import random
import re
import signal
import socket
import ssl
import threading
import time
import uuid
from bisect import bisect_right
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml

KUBERNETES_VERSION = "v1.35.1"  # minikube v1.38.1 DefaultKubernetesVersion (constants.go)
CONTROLLER_PERIOD = 0.1  # seconds between reconciles
POD_START_DELAY = 0.2  # seconds from a pod's creation to Running (or to its first crash)
CRASH_PERIOD = 1.0  # seconds between restarts of a crash-looping container
NAMESPACE_TERMINATING = 0.4  # seconds a deleted namespace stays Terminating
EVENT_LOG_MAX = 20000  # watch events kept; older resourceVersions answer 410 Expired

VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]


# --------------------------------------------------------------------------------------------
# The resources served
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Kind:
    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool
    short: tuple[str, ...] = ()
    subresources: tuple[str, ...] = ()
    status: bool = False  # has a status subresource: status is kept on writes of the object
    generation: bool = False  # metadata.generation counts spec changes
    categories: tuple[str, ...] = ()

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def singular(self) -> str:
        return self.kind.lower()


KINDS = [
    Kind("", "v1", "namespaces", "Namespace", False, ("ns",), ("status", "finalize"), True),
    Kind("", "v1", "secrets", "Secret", True),
    Kind("", "v1", "configmaps", "ConfigMap", True, ("cm",)),
    Kind("", "v1", "services", "Service", True, ("svc",), ("status",), True, False, ("all",)),
    Kind("", "v1", "serviceaccounts", "ServiceAccount", True, ("sa",)),
    Kind("", "v1", "pods", "Pod", True, ("po",), ("log", "status"), True, False, ("all",)),
    Kind(
        "",
        "v1",
        "persistentvolumeclaims",
        "PersistentVolumeClaim",
        True,
        ("pvc",),
        ("status",),
        True,
    ),
    Kind("", "v1", "events", "Event", True, ("ev",)),
    Kind(
        "apps",
        "v1",
        "deployments",
        "Deployment",
        True,
        ("deploy",),
        ("status", "scale"),
        True,
        True,
        ("all",),
    ),
    Kind(
        "apps",
        "v1",
        "statefulsets",
        "StatefulSet",
        True,
        ("sts",),
        ("status", "scale"),
        True,
        True,
        ("all",),
    ),
    Kind(
        "apps",
        "v1",
        "replicasets",
        "ReplicaSet",
        True,
        ("rs",),
        ("status", "scale"),
        True,
        True,
        ("all",),
    ),
    Kind(
        "networking.k8s.io",
        "v1",
        "networkpolicies",
        "NetworkPolicy",
        True,
        ("netpol",),
        (),
        False,
        True,
    ),
    Kind(
        "policy",
        "v1",
        "poddisruptionbudgets",
        "PodDisruptionBudget",
        True,
        ("pdb",),
        ("status",),
        True,
        True,
    ),
    Kind(
        "autoscaling",
        "v2",
        "horizontalpodautoscalers",
        "HorizontalPodAutoscaler",
        True,
        ("hpa",),
        ("status",),
        True,
        True,
        ("all",),
    ),
    Kind("batch", "v1", "jobs", "Job", True, (), ("status",), True, True, ("all",)),
]
BY_PLURAL = {(k.group, k.plural): k for k in KINDS}
BY_KIND = {(k.group, k.kind): k for k in KINDS}
GROUPS: dict[str, list[str]] = {}
for _k in KINDS:
    GROUPS.setdefault(_k.group, [])
    if _k.version not in GROUPS[_k.group]:
        GROUPS[_k.group].append(_k.version)


def kind_for(api_version: str, kind: str) -> Kind | None:
    group = api_version.split("/", 1)[0] if "/" in api_version else ""
    return BY_KIND.get((group, kind))


# --------------------------------------------------------------------------------------------
# Errors as kube-apiserver words them (k8s.io/apimachinery/pkg/api/errors/errors.go)
# --------------------------------------------------------------------------------------------
class ApiError(Exception):
    def __init__(self, code: int, reason: str, message: str, details: dict | None = None):
        super().__init__(message)
        self.code, self.reason, self.message, self.details = code, reason, message, details

    def status(self) -> dict:
        body = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        }
        if self.details is not None:
            body["details"] = self.details
        return body


def qualified(k: Kind) -> str:
    """The resource as errors name it: `pods`, `deployments.apps`."""
    return f"{k.plural}.{k.group}" if k.group else k.plural


def not_found(k: Kind, name: str) -> ApiError:
    return ApiError(
        404,
        "NotFound",
        f'{qualified(k)} "{name}" not found',
        {"name": name, "group": k.group, "kind": k.plural},
    )


def already_exists(k: Kind, name: str) -> ApiError:
    return ApiError(
        409,
        "AlreadyExists",
        f'{qualified(k)} "{name}" already exists',
        {"name": name, "group": k.group, "kind": k.plural},
    )


def conflict(k: Kind, name: str) -> ApiError:
    return ApiError(
        409,
        "Conflict",
        f'Operation cannot be fulfilled on {qualified(k)} "{name}": the object has been '
        "modified; please apply your changes to the latest version and try again",
        {"name": name, "group": k.group, "kind": k.plural},
    )


def invalid(k: Kind, name: str, causes: list[tuple[str, str]]) -> ApiError:
    """422 Invalid; causes are (field, message) pairs, e.g. ("metadata.name", "Required value")."""
    text = ", ".join(f"{f}: {m}" for f, m in causes)
    return ApiError(
        422,
        "Invalid",
        f'{k.kind} "{name}" is invalid: {text}',
        {
            "name": name,
            "group": k.group,
            "kind": k.kind,
            "causes": [
                {"reason": "FieldValueInvalid", "message": m, "field": f} for f, m in causes
            ],
        },
    )


def bad_request(message: str) -> ApiError:
    return ApiError(400, "BadRequest", message)


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------
def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def stamp(t: dt.datetime | None = None) -> str:
    return (t or now()).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_stamp(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    return dt.datetime.strptime(text[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=dt.UTC)


def human_duration(seconds: float) -> str:
    """k8s.io/apimachinery/pkg/util/duration.HumanDuration, as kubectl's AGE shows it."""
    s = int(seconds)
    if seconds < -1:
        return "<invalid>"
    if s < 0:
        return "0s"
    if s < 120:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        rest = s % 60
        return f"{minutes}m{rest}s" if rest else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    hours = s // 3600
    if hours < 8:
        rest = (s % 3600) // 60
        return f"{hours}h{rest}m" if rest else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        rest = hours % 24
        return f"{hours // 24}d{rest}h" if rest else f"{hours // 24}d"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    return f"{hours // 24 // 365}y"


def age(obj: dict, field_time: str | None = None) -> str:
    t = parse_stamp(field_time or obj.get("metadata", {}).get("creationTimestamp"))
    if t is None:
        return "<unknown>"
    return human_duration((now() - t).total_seconds())


def dig(obj: Any, path: str) -> Any:
    for part in path.strip(".").split("."):
        if not isinstance(obj, dict):
            return None
        obj = obj.get(part)
    return obj


def clone(obj: Any) -> Any:
    return json.loads(json.dumps(obj))


def template_hash(template: dict) -> str:
    digest = hashlib.sha256(json.dumps(template, sort_keys=True).encode()).hexdigest()
    alphabet = "bcdfghjklmnpqrstvwxz2456789"  # k8s.io/apimachinery/pkg/util/rand SafeEncodeString
    number = int(digest[:16], 16)
    out = ""
    for _ in range(10):
        number, rem = divmod(number, len(alphabet))
        out += alphabet[rem]
    return out


def random_suffix(n: int = 5) -> str:
    return "".join(random.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(n))  # noqa: S311


# --------------------------------------------------------------------------------------------
# Selectors (k8s.io/apimachinery/pkg/labels, .../fields): equality, inequality, set, existence
# --------------------------------------------------------------------------------------------
def _split_terms(text: str) -> list[str]:
    terms, depth, cur = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            terms.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        terms.append(cur.strip())
    return terms


def label_matcher(selector: str | None):
    if not selector:
        return lambda labels: True
    checks = []
    for term in _split_terms(selector):
        m = re.fullmatch(r"([^\s!=]+)\s+(in|notin)\s+\((.*)\)", term)
        if m:
            key, op, values = m.group(1), m.group(2), {v.strip() for v in m.group(3).split(",")}
            if op == "in":
                checks.append(lambda lb, k=key, vs=values: lb.get(k) in vs)
            else:
                checks.append(lambda lb, k=key, vs=values: lb.get(k) not in vs)
            continue
        m = re.fullmatch(r"([^\s!=]+)\s*(==|=|!=)\s*(\S*)", term)
        if m:
            key, op, value = m.groups()
            if op == "!=":
                checks.append(lambda lb, k=key, v=value: lb.get(k) != v)
            else:
                checks.append(lambda lb, k=key, v=value: lb.get(k) == v)
            continue
        if term.startswith("!"):
            absent = term[1:].strip()
            checks.append(lambda lb, k=absent: k not in lb)
            continue
        if re.fullmatch(r"[^\s!=(),]+", term):
            checks.append(lambda lb, k=term: k in lb)
            continue
        raise bad_request(f"unable to parse requirement: invalid label selector: {term!r}")
    return lambda labels: all(c(labels or {}) for c in checks)


def field_matcher(selector: str | None):
    if not selector:
        return lambda obj: True
    checks = []
    for term in _split_terms(selector):
        m = re.fullmatch(r"([^!=]+)(==|=|!=)(.*)", term)
        if not m:
            raise bad_request(f"invalid field selector: {term!r}")
        path, op, value = m.group(1).strip(), m.group(2), m.group(3).strip()

        def check(obj, p=path, o=op, v=value):
            got = dig(obj, p)
            got = "" if got is None else str(got)
            return got != v if o == "!=" else got == v

        checks.append(check)
    return lambda obj: all(c(obj) for c in checks)


# --------------------------------------------------------------------------------------------
# Patches
# --------------------------------------------------------------------------------------------
def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch (application/merge-patch+json)."""
    if not isinstance(patch, dict):
        return clone(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


# patchMergeKey of the list fields clients patch (k8s.io/api core/v1 and apps/v1 types.go tags)
MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "volumes": "name",
    "env": "name",
    "volumeMounts": "mountPath",
    "imagePullSecrets": "name",
    "conditions": "type",
    "ownerReferences": "uid",
    "hostAliases": "ip",
    "topologySpreadConstraints": "topologyKey",
}


def strategic_merge(target: Any, patch: Any, key: str | None = None) -> Any:
    """Strategic merge patch for the shapes clients send: maps merge, lists with a merge key
    merge item by item, `$patch: delete` removes an item, other lists are replaced."""
    if isinstance(patch, dict):
        if patch.get("$patch") == "replace":
            return {k: v for k, v in patch.items() if k != "$patch"}
        out = dict(target) if isinstance(target, dict) else {}
        for k, v in patch.items():
            if k.startswith("$"):
                continue
            if v is None:
                out.pop(k, None)
            else:
                out[k] = strategic_merge(out.get(k), v, k)
        return out
    if isinstance(patch, list) and isinstance(target, list):
        merge_key = MERGE_KEYS.get(key or "")
        if key == "ports" and all(isinstance(i, dict) for i in patch):
            merge_key = "containerPort" if any("containerPort" in i for i in patch) else "port"
        if key == "finalizers":
            return list(dict.fromkeys([*target, *patch]))
        if merge_key and all(isinstance(i, dict) for i in patch + target):
            out = [dict(i) for i in target]
            for item in patch:
                idx = next(
                    (n for n, cur in enumerate(out) if cur.get(merge_key) == item.get(merge_key)),
                    None,
                )
                if item.get("$patch") == "delete":
                    if idx is not None:
                        out.pop(idx)
                elif idx is None:
                    out.append(strategic_merge(None, item))
                else:
                    out[idx] = strategic_merge(out[idx], item)
            return out
    return clone(patch)


def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    return [p.replace("~1", "/").replace("~0", "~") for p in path.lstrip("/").split("/")]


def json_patch(doc: Any, ops: list[dict]) -> Any:
    """RFC 6902 JSON patch (application/json-patch+json)."""
    doc = clone(doc)

    def parent(path: str):
        parts = _pointer(path)
        cur = doc
        for p in parts[:-1]:
            cur = cur[int(p)] if isinstance(cur, list) else cur[p]
        return cur, parts[-1]

    def get(path: str):
        cur = doc
        for p in _pointer(path):
            cur = cur[int(p)] if isinstance(cur, list) else cur[p]
        return cur

    for op in ops:
        kind, path = op.get("op"), op.get("path", "")
        try:
            if kind in ("add", "replace"):
                value = clone(op.get("value"))
                if path == "":
                    doc = value
                    continue
                container, last = parent(path)
                if isinstance(container, list):
                    if last == "-":
                        container.append(value)
                    elif kind == "add":
                        container.insert(int(last), value)
                    else:
                        container[int(last)] = value
                else:
                    if kind == "replace" and last not in container:
                        raise KeyError(last)
                    container[last] = value
            elif kind == "remove":
                container, last = parent(path)
                if isinstance(container, list):
                    container.pop(int(last))
                else:
                    del container[last]
            elif kind in ("move", "copy"):
                value = clone(get(op["from"]))
                if kind == "move":
                    container, last = parent(op["from"])
                    if isinstance(container, list):
                        container.pop(int(last))
                    else:
                        del container[last]
                json_patch_apply = json_patch(doc, [{"op": "add", "path": path, "value": value}])
                doc = json_patch_apply
            elif kind == "test":
                if get(path) != op.get("value"):
                    raise ApiError(
                        422,
                        "Invalid",
                        f"the server rejected our request due to an error in our "
                        f"request: testing value {path} failed",
                    )
            else:
                raise bad_request(f"Unexpected kind: {kind}")
        except (KeyError, IndexError, ValueError, TypeError) as exc:
            raise ApiError(
                422,
                "Invalid",
                f"the server rejected our request due to an error in our request: "
                f"jsonpatch {kind} operation does not apply: doc is missing path: {path}",
            ) from exc
    return doc


# --------------------------------------------------------------------------------------------
# Certificates: a CA, a server certificate for 127.0.0.1 and a client certificate
# --------------------------------------------------------------------------------------------
def make_certificates(directory: Path, client_cn: str = "minikube-user") -> dict[str, Path]:
    """CA, server and client certificates with the extensions Python 3.13's strict verification
    wants (CA: basicConstraints critical, keyUsage keyCertSign, subjectKeyIdentifier; leaves:
    authorityKeyIdentifier and extendedKeyUsage). Kept when already there, so a restarted
    server keeps its identity and existing kubeconfigs stay valid."""
    paths = {
        "ca": directory / "ca.crt",
        "ca_key": directory / "ca.key",
        "server_cert": directory / "apiserver.crt",
        "server_key": directory / "apiserver.key",
        "client_cert": directory / "client.crt",
        "client_key": directory / "client.key",
    }
    if all(p.exists() for p in paths.values()):
        return paths

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    directory.mkdir(parents=True, exist_ok=True)
    start = now() - dt.timedelta(days=1)
    end = now() + dt.timedelta(days=3650)

    def key_pem(key) -> bytes:
        return key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "minikubeCA")])
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ca_ski, critical=False)
        .sign(ca_key, hashes.SHA256())
    )

    def leaf(subject: x509.Name, usage, sans=None):
        key = ec.generate_private_key(ec.SECP256R1())
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(ca_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
                critical=False,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
            )
        )
        if sans:
            builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
        return key, builder.sign(ca_key, hashes.SHA256())

    server_key, server_cert = leaf(
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "minikube")]),
        ExtendedKeyUsageOID.SERVER_AUTH,
        [
            x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
            x509.DNSName("localhost"),
            x509.DNSName("kubernetes.default.svc"),
        ],
    )
    client_key, client_cert = leaf(
        x509.Name(
            [
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "system:masters"),
                x509.NameAttribute(NameOID.COMMON_NAME, client_cn),
            ]
        ),
        ExtendedKeyUsageOID.CLIENT_AUTH,
    )
    pem = serialization.Encoding.PEM
    paths["ca"].write_bytes(ca_cert.public_bytes(pem))
    paths["ca_key"].write_bytes(key_pem(ca_key))
    paths["server_cert"].write_bytes(server_cert.public_bytes(pem))
    paths["server_key"].write_bytes(key_pem(server_key))
    paths["client_cert"].write_bytes(client_cert.public_bytes(pem))
    paths["client_key"].write_bytes(key_pem(client_key))
    for name in ("ca_key", "server_key", "client_key"):
        paths[name].chmod(0o600)
    return paths


# --------------------------------------------------------------------------------------------
# The store
# --------------------------------------------------------------------------------------------
@dataclass
class Failing:
    reason: str
    image: str | None = None  # only pods whose containers' images contain this fail


@dataclass
class Store:
    objects: dict[tuple[str, str, str, str], dict] = field(default_factory=dict)
    rv: int = 100
    events: list[tuple[int, str, str, str, dict]] = field(default_factory=list)
    failing: dict[str, Failing] = field(default_factory=dict)
    # bookkeeping of the controller, by uid (never part of what the API shows)
    private: dict[str, dict] = field(default_factory=dict)
    node: str = "minikube"
    lock: threading.RLock = field(default_factory=threading.RLock)
    changed: threading.Condition = field(init=False)
    next_ip: int = 10
    next_node_port: int = 30000

    def __post_init__(self):
        self.changed = threading.Condition(self.lock)

    # ---- persistence (a restarted `serve` keeps the cluster's state) ----
    def snapshot(self) -> dict:
        with self.lock:
            return {
                "rv": self.rv,
                "next_ip": self.next_ip,
                "next_node_port": self.next_node_port,
                "objects": [[list(k), v] for k, v in self.objects.items()],
            }

    def restore(self, data: dict) -> None:
        with self.lock:
            self.rv = data["rv"]
            self.next_ip = data.get("next_ip", 10)
            self.next_node_port = data.get("next_node_port", 30000)
            self.objects = {tuple(k): v for k, v in data["objects"]}

    # ---- primitives, called with the lock held ----
    def _bump(self) -> str:
        self.rv += 1
        return str(self.rv)

    def _record(self, etype: str, k: Kind, obj: dict) -> None:
        self.events.append((self.rv, etype, k.group, k.plural, clone(obj)))
        if len(self.events) > EVENT_LOG_MAX:
            del self.events[: len(self.events) - EVENT_LOG_MAX]
        self.changed.notify_all()

    def key(self, k: Kind, namespace: str | None, name: str) -> tuple[str, str, str, str]:
        return (k.group, k.plural, (namespace or "") if k.namespaced else "", name)

    def get(self, k: Kind, namespace: str | None, name: str) -> dict | None:
        obj = self.objects.get(self.key(k, namespace, name))
        return clone(obj) if obj is not None else None

    def view(self, k: Kind, namespace: str | None = None) -> list[dict]:
        """The stored objects themselves, for reading under the lock (never to be changed)."""
        return [
            obj
            for (g, p, ns, _), obj in self.objects.items()
            if g == k.group and p == k.plural and (not namespace or ns == namespace)
        ]

    def list(self, k: Kind, namespace: str | None = None) -> list[dict]:
        out = [
            obj
            for (g, p, ns, _), obj in self.objects.items()
            if g == k.group and p == k.plural and (not namespace or ns == namespace)
        ]
        out.sort(key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]))
        return [clone(o) for o in out]

    def put(self, k: Kind, obj: dict, etype: str) -> dict:
        obj["metadata"]["resourceVersion"] = self._bump()
        meta = obj["metadata"]
        self.objects[self.key(k, meta.get("namespace"), meta["name"])] = obj
        self._record(etype, k, obj)
        return clone(obj)

    def remove(self, k: Kind, namespace: str | None, name: str) -> dict | None:
        obj = self.objects.pop(self.key(k, namespace, name), None)
        if obj is not None:
            self.private.pop(obj["metadata"]["uid"], None)
            obj["metadata"]["resourceVersion"] = self._bump()
            self._record("DELETED", k, obj)
        return obj

    # ---- writes with the apiserver's semantics ----
    def create(self, k: Kind, namespace: str | None, body: dict, dry_run: bool = False) -> dict:
        with self.lock:
            obj = clone(body)
            meta = obj.setdefault("metadata", {}) or {}
            obj["metadata"] = meta
            if not meta.get("name") and meta.get("generateName"):
                meta["name"] = meta["generateName"] + random_suffix()
            name = meta.get("name")
            if not name:
                raise invalid(
                    k, "", [("metadata.name", "Required value: name or generateName is required")]
                )
            if not re.fullmatch(r"[a-z0-9]([-a-z0-9.]*[a-z0-9])?", name) or len(name) > 253:
                raise invalid(
                    k,
                    name,
                    [
                        (
                            "metadata.name",
                            f'Invalid value: "{name}": a lowercase RFC 1123 subdomain must '
                            "consist of lower case alphanumeric characters, '-' or '.', and must "
                            "start and end with an alphanumeric character",
                        )
                    ],
                )
            if k.namespaced:
                body_ns = meta.get("namespace")
                if namespace and body_ns and body_ns != namespace:
                    raise bad_request(
                        "the namespace of the provided object does not match the namespace sent "
                        "on the request"
                    )
                meta["namespace"] = namespace or body_ns or "default"
                ns = self.objects.get(
                    self.key(BY_PLURAL[("", "namespaces")], None, meta["namespace"])
                )
                if ns is None:
                    raise not_found(BY_PLURAL[("", "namespaces")], meta["namespace"])
                if ns.get("status", {}).get("phase") == "Terminating":
                    raise ApiError(
                        403,
                        "Forbidden",
                        f'{qualified(k)} "{name}" is forbidden: unable to create new content in '
                        f"namespace {meta['namespace']} because it is being terminated",
                        {"name": name, "group": k.group, "kind": k.plural},
                    )
            else:
                meta.pop("namespace", None)
            if self.key(k, meta.get("namespace"), name) in self.objects:
                raise already_exists(k, name)
            obj["apiVersion"], obj["kind"] = k.api_version, k.kind
            meta["uid"] = str(uuid.uuid4())
            meta["creationTimestamp"] = stamp()
            for drop in ("resourceVersion", "deletionTimestamp", "managedFields", "selfLink"):
                meta.pop(drop, None)
            if k.generation:
                meta["generation"] = 1
            if k.status:
                obj.pop("status", None)
            self._defaults(k, obj, None)
            if dry_run:
                return clone(obj)
            return self.put(k, obj, "ADDED")

    def update(
        self,
        k: Kind,
        namespace: str | None,
        name: str,
        body: dict,
        sub: str | None = None,
        dry_run: bool = False,
    ) -> dict:
        with self.lock:
            current = self.objects.get(self.key(k, namespace, name))
            if current is None:
                raise not_found(k, name)
            obj = clone(body)
            meta = obj.setdefault("metadata", {}) or {}
            obj["metadata"] = meta
            if meta.get("name") and meta["name"] != name:
                raise bad_request(
                    f"the name of the object ({meta['name']}) does not match the name on the "
                    f"URL ({name})"
                )
            rv = meta.get("resourceVersion")
            if rv and rv != current["metadata"]["resourceVersion"]:
                raise conflict(k, name)
            obj["apiVersion"], obj["kind"] = k.api_version, k.kind
            for kept in (
                "name",
                "namespace",
                "uid",
                "creationTimestamp",
                "generation",
                "deletionTimestamp",
                "resourceVersion",
            ):
                if kept in current["metadata"]:
                    meta[kept] = current["metadata"][kept]
                else:
                    meta.pop(kept, None)
            if sub == "status":
                new = clone(current)
                new["status"] = obj.get("status", {})
                obj = new
            elif k.status:
                if "status" in current:
                    obj["status"] = clone(current["status"])
                else:
                    obj.pop("status", None)
            self._immutable(k, current, obj)
            self._defaults(k, obj, current)
            if k.generation and sub != "status" and obj.get("spec") != current.get("spec"):
                meta["generation"] = current["metadata"].get("generation", 1) + 1
            if obj == current:  # a no-op write keeps the resourceVersion, as etcd3 store does
                return clone(current)
            if dry_run:
                return clone(obj)
            return self.put(k, obj, "MODIFIED")

    def delete(
        self,
        k: Kind,
        namespace: str | None,
        name: str,
        propagation: str | None = None,
        dry_run: bool = False,
    ) -> dict:
        with self.lock:
            current = self.objects.get(self.key(k, namespace, name))
            if current is None:
                raise not_found(k, name)
            if dry_run:
                return clone(current)
            if k.plural == "namespaces":
                if name in ("default", "kube-system", "kube-public"):
                    raise ApiError(
                        403,
                        "Forbidden",
                        f'namespaces "{name}" is forbidden: this namespace may not be deleted',
                        {"name": name, "kind": "namespaces"},
                    )
                if current.get("status", {}).get("phase") != "Terminating":
                    current["metadata"]["deletionTimestamp"] = stamp()
                    current["metadata"]["deletionGracePeriodSeconds"] = 0
                    current["status"] = {"phase": "Terminating"}
                    self.private.setdefault(current["metadata"]["uid"], {})["terminating_at"] = (
                        time.monotonic()
                    )
                    self.put(k, current, "MODIFIED")
                return clone(current)
            obj = self.remove(k, namespace, name)
            if (propagation or default_propagation(k)) != "Orphan":
                self.delete_dependents(obj["metadata"]["uid"])
            return public(obj)

    def delete_dependents(self, uid: str) -> None:
        for key, obj in list(self.objects.items()):
            refs = obj["metadata"].get("ownerReferences") or []
            if any(r.get("uid") == uid for r in refs) and key in self.objects:
                k = BY_PLURAL[(key[0], key[1])]
                removed = self.remove(k, key[2], key[3])
                if removed is not None:
                    self.delete_dependents(removed["metadata"]["uid"])

    # ---- what the apiserver's strategies default and check ----
    def _immutable(self, k: Kind, current: dict, new: dict) -> None:
        name = current["metadata"]["name"]
        if k.kind == "Secret" and new.get("type", "Opaque") != current.get("type", "Opaque"):
            raise invalid(
                k, name, [("type", f'Invalid value: "{new.get("type")}": field is immutable')]
            )
        if k.kind in ("Deployment", "StatefulSet", "ReplicaSet"):
            old_sel = dig(current, "spec.selector")
            if dig(new, "spec.selector") not in (None, old_sel):
                raise invalid(k, name, [("spec.selector", "Invalid value: field is immutable")])
        if k.kind == "Service":
            old_ip = dig(current, "spec.clusterIP")
            new_ip = dig(new, "spec.clusterIP")
            if new_ip and old_ip and new_ip != old_ip:
                raise invalid(
                    k, name, [("spec.clusterIPs[0]", "Invalid value: may not change once set")]
                )

    def _defaults(self, k: Kind, obj: dict, current: dict | None) -> None:
        meta = obj["metadata"]
        spec = obj.get("spec")
        if k.kind == "Namespace":
            meta.setdefault("labels", {})["kubernetes.io/metadata.name"] = meta["name"]
            obj.setdefault("spec", {"finalizers": ["kubernetes"]})
            obj.setdefault("status", {"phase": "Active"})
        elif k.kind == "Secret":
            obj.setdefault("type", "Opaque")
            string_data = obj.pop("stringData", None) or {}
            if string_data:
                data = obj.setdefault("data", {}) or {}
                obj["data"] = data
                for key, value in string_data.items():
                    data[key] = base64.b64encode(str(value).encode()).decode()
            if obj.get("data") is None:
                obj.pop("data", None)
        elif k.kind == "Service":
            spec = obj.setdefault("spec", {})
            spec.setdefault("type", "ClusterIP")
            spec.setdefault("sessionAffinity", "None")
            spec.setdefault("ipFamilies", ["IPv4"])
            spec.setdefault("ipFamilyPolicy", "SingleStack")
            spec.setdefault("internalTrafficPolicy", "Cluster")
            old = (current or {}).get("spec", {})
            if not spec.get("clusterIP"):
                spec["clusterIP"] = old.get("clusterIP") or self._cluster_ip()
            spec["clusterIPs"] = [spec["clusterIP"]]
            old_ports = {(p.get("port"), p.get("protocol", "TCP")): p for p in old.get("ports", [])}
            for port in spec.get("ports", []):
                port.setdefault("protocol", "TCP")
                port.setdefault("targetPort", port.get("port"))
                if spec["type"] in ("NodePort", "LoadBalancer") and not port.get("nodePort"):
                    was = old_ports.get((port.get("port"), port["protocol"]), {})
                    port["nodePort"] = was.get("nodePort") or self._node_port()
            if spec["type"] in ("NodePort", "LoadBalancer"):
                spec.setdefault("externalTrafficPolicy", "Cluster")
            if spec["type"] == "LoadBalancer":
                spec.setdefault("allocateLoadBalancerNodePorts", True)
            obj.setdefault("status", {"loadBalancer": {}})
        elif k.kind == "PersistentVolumeClaim":
            spec = obj.setdefault("spec", {})
            spec.setdefault("storageClassName", "standard")
            spec.setdefault("volumeMode", "Filesystem")
            if not current:
                spec.setdefault("volumeName", f"pvc-{meta['uid']}")
                obj["status"] = {
                    "phase": "Bound",
                    "accessModes": spec.get("accessModes", ["ReadWriteOnce"]),
                    "capacity": dig(spec, "resources.requests") or {"storage": "1Gi"},
                }
        elif k.kind in ("Deployment", "StatefulSet", "ReplicaSet") and isinstance(spec, dict):
            spec.setdefault("replicas", 1)
            spec.setdefault("revisionHistoryLimit", 10)
            if k.kind == "Deployment":
                spec.setdefault("progressDeadlineSeconds", 600)
                spec.setdefault(
                    "strategy",
                    {
                        "type": "RollingUpdate",
                        "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"},
                    },
                )
            if k.kind == "StatefulSet":
                spec.setdefault("podManagementPolicy", "OrderedReady")
                spec.setdefault(
                    "updateStrategy", {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}
                )
                spec.setdefault(
                    "persistentVolumeClaimRetentionPolicy",
                    {"whenDeleted": "Retain", "whenScaled": "Retain"},
                )
            if not current:
                obj.setdefault("status", {})
        elif k.kind == "Pod" and not current:
            spec = obj.setdefault("spec", {})
            spec.setdefault("restartPolicy", "Always")
            spec.setdefault("dnsPolicy", "ClusterFirst")
            spec.setdefault("schedulerName", "default-scheduler")
            spec.setdefault("serviceAccountName", "default")
            spec.setdefault("terminationGracePeriodSeconds", 30)
            obj["status"] = {"phase": "Pending", "qosClass": "Burstable"}
        elif k.kind in ("HorizontalPodAutoscaler", "PodDisruptionBudget", "Job") and not current:
            obj.setdefault("status", {})

    def _cluster_ip(self) -> str:
        self.next_ip += 1
        return f"10.96.{self.next_ip // 250}.{self.next_ip % 250 + 2}"

    def _node_port(self) -> int:
        used = {
            p.get("nodePort")
            for (g, plural, _, _), o in self.objects.items()
            if g == "" and plural == "services"
            for p in o.get("spec", {}).get("ports", [])
        }
        while True:
            self.next_node_port = 30000 + (self.next_node_port - 30000 + 1) % 2768
            if self.next_node_port not in used:
                return self.next_node_port


def default_propagation(k: Kind) -> str:
    """apps/v1 and batch/v1 default to Background through the REST API; core v1 pods too."""
    return "Background"


def public(obj: dict) -> dict:
    """A copy of the object, as the API shows it."""
    return clone(obj)


# --------------------------------------------------------------------------------------------
# The controller: what kube-controller-manager, the scheduler and the kubelet would do
# --------------------------------------------------------------------------------------------
POD_KIND = BY_PLURAL[("", "pods")]
EVENT_KIND = BY_PLURAL[("", "events")]
NS_KIND = BY_PLURAL[("", "namespaces")]
PVC_KIND = BY_PLURAL[("", "persistentvolumeclaims")]
RS_KIND = BY_PLURAL[("apps", "replicasets")]
DEPLOY_KIND = BY_PLURAL[("apps", "deployments")]
STS_KIND = BY_PLURAL[("apps", "statefulsets")]


class Controller:
    def __init__(self, store: Store):
        self.store = store
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None
        self.logs: dict[str, dict[str, list[str]]] = {}  # pod uid -> container -> lines
        self.failing_file: Path | None = None
        self.failing_seen: str | None = None
        self.settled_rv = -1  # the resourceVersion after a pass that changed nothing
        self.timers = True  # something time-based is due (a pod starting, a crash loop, ...)

    def start(self) -> None:
        self.stop.clear()
        self.thread = threading.Thread(target=self._run, name="kube-api-controller", daemon=True)
        self.thread.start()

    def halt(self) -> None:
        self.stop.set()
        if self.thread:
            self.thread.join(timeout=5)

    def load_failing(self) -> None:
        """Take the failing marks from DIR/kube-api-failing.json when its content changed."""
        if self.failing_file is None:
            return
        try:
            text = self.failing_file.read_text()
        except FileNotFoundError:
            text = ""
        if text == self.failing_seen:
            return
        marks = json.loads(text) if text.strip() else {}
        with self.store.lock:
            self.store.failing = {
                name: Failing(mark["reason"], mark.get("image")) for name, mark in marks.items()
            }
            self.failing_seen = text
            self.timers = True

    def _run(self) -> None:
        while not self.stop.wait(CONTROLLER_PERIOD):
            try:
                self.load_failing()
                self.reconcile()
            except Exception as exc:  # keep serving; the failure shows in the server's log
                print(f"kube_api controller: {exc!r}", flush=True)

    def reconcile(self) -> None:
        s = self.store
        with s.lock:
            # nothing changed and nothing is due: no pass (a pass that wrote runs again)
            if s.rv == self.settled_rv and not self.timers:
                return
            before = s.rv
            self.timers = False
            self._namespaces()
            for dep in s.list(DEPLOY_KIND):
                self._deployment(dep)
            for rs in s.list(RS_KIND):
                self._replicaset(rs)
            for sts in s.list(STS_KIND):
                self._statefulset(sts)
            for pod in s.list(POD_KIND):
                self._kubelet(pod)
            for dep in s.list(DEPLOY_KIND):
                self._deployment_status(dep)
            for hpa in s.list(BY_PLURAL[("autoscaling", "horizontalpodautoscalers")]):
                self._autoscale(hpa)
            for kind in ("poddisruptionbudgets", "horizontalpodautoscalers"):
                for obj in s.list(
                    BY_PLURAL[(("policy" if kind[0] == "p" else "autoscaling"), kind)]
                ):
                    self._observed(obj)
            if s.rv == before:
                self.settled_rv = s.rv

    # ---- namespaces ----
    def _namespaces(self) -> None:
        s = self.store
        for ns in s.list(NS_KIND):
            name = ns["metadata"]["name"]
            raw = s.private.setdefault(ns["metadata"]["uid"], {})
            if ns["status"].get("phase") == "Terminating":
                self.timers = True
                if time.monotonic() - raw.get("terminating_at", 0) >= NAMESPACE_TERMINATING:
                    for key in [k for k in s.objects if k[2] == name]:
                        k = BY_PLURAL[(key[0], key[1])]
                        s.remove(k, key[2], key[3])
                    s.remove(NS_KIND, None, name)
                continue
            if not raw.get("seeded"):
                raw["seeded"] = True
                sa = s.key(BY_PLURAL[("", "serviceaccounts")], name, "default")
                if sa not in s.objects:
                    s.create(
                        BY_PLURAL[("", "serviceaccounts")], name, {"metadata": {"name": "default"}}
                    )
                cm = s.key(BY_PLURAL[("", "configmaps")], name, "kube-root-ca.crt")
                if cm not in s.objects:
                    s.create(
                        BY_PLURAL[("", "configmaps")],
                        name,
                        {
                            "metadata": {
                                "name": "kube-root-ca.crt",
                                "annotations": {
                                    "kubernetes.io/description": "Contains a CA bundle that can "
                                    "be used to verify the kube-apiserver when using internal "
                                    "endpoints such as the internal service IP or "
                                    "kubernetes.default.svc. No other usage is guaranteed "
                                    "across distributions of Kubernetes clusters."
                                },
                            },
                            "data": {"ca.crt": "(the cluster CA)"},
                        },
                    )

    # ---- events ----
    def event(self, obj: dict, etype: str, reason: str, message: str, component: str) -> None:
        s = self.store
        meta = obj["metadata"]
        ns = meta.get("namespace", "default")
        for seen in s.view(EVENT_KIND, ns):
            inv = seen.get("involvedObject", {})
            same = inv.get("uid") == meta["uid"] and seen.get("reason") == reason
            if same and (seen.get("message") == message or reason == "BackOff"):
                ev = clone(seen)
                ev["count"] = ev.get("count", 1) + 1
                ev["lastTimestamp"] = stamp()
                ev["message"] = message
                s.update(EVENT_KIND, ns, ev["metadata"]["name"], ev)
                return
        t = stamp()
        api_version = obj.get("apiVersion", "v1")
        s.create(
            EVENT_KIND,
            ns,
            {
                "metadata": {"name": f"{meta['name']}.{uuid.uuid4().hex[:16]}", "namespace": ns},
                "involvedObject": {
                    "kind": obj.get("kind"),
                    "namespace": ns,
                    "name": meta["name"],
                    "uid": meta["uid"],
                    "apiVersion": api_version,
                    "resourceVersion": meta.get("resourceVersion", ""),
                },
                "reason": reason,
                "message": message,
                "source": {"component": component, "host": s.node}
                if component == "kubelet"
                else {"component": component},
                "firstTimestamp": t,
                "lastTimestamp": t,
                "count": 1,
                "type": etype,
                "eventTime": None,
                "reportingComponent": component,
                "reportingInstance": s.node if component == "kubelet" else "",
            },
        )

    # ---- workloads ----
    def workload_of(self, pod: dict) -> str | None:
        """The Deployment or StatefulSet a pod belongs to, through its owner references."""
        refs = pod["metadata"].get("ownerReferences") or []
        if not refs:
            return None
        if refs[0].get("kind") != "ReplicaSet":
            return refs[0].get("name")
        rs = self.store.get(RS_KIND, pod["metadata"]["namespace"], refs[0]["name"])
        rs_refs = (rs or {}).get("metadata", {}).get("ownerReferences") or []
        return rs_refs[0]["name"] if rs_refs else refs[0]["name"]

    def failing_for(self, pod: dict) -> Failing | None:
        owner = self.workload_of(pod)
        if not owner:
            return None
        marked = self.store.failing.get(owner)
        if marked is None:
            return None
        if marked.image:
            images = [c.get("image", "") for c in pod["spec"].get("containers", [])]
            if not any(marked.image in image for image in images):
                return None
        return marked

    def _pod_from_template(
        self, owner: dict, name: str, template: dict, extra_labels: dict, owner_ref: dict
    ) -> dict:
        meta = clone(template.get("metadata") or {})
        meta["name"] = name
        meta["namespace"] = owner["metadata"]["namespace"]
        meta["labels"] = {**(meta.get("labels") or {}), **extra_labels}
        meta["ownerReferences"] = [owner_ref]
        spec = clone(template.get("spec") or {})
        return {"metadata": meta, "spec": spec}

    def _owner_ref(self, obj: dict) -> dict:
        return {
            "apiVersion": obj["apiVersion"],
            "kind": obj["kind"],
            "name": obj["metadata"]["name"],
            "uid": obj["metadata"]["uid"],
            "controller": True,
            "blockOwnerDeletion": True,
        }

    def _owned(self, kind: Kind, owner: dict, copies: bool = False) -> list[dict]:
        """The objects `owner` controls; the stored ones (read-only) unless copies."""
        uid = owner["metadata"]["uid"]
        found = [
            o
            for o in self.store.view(kind, owner["metadata"]["namespace"])
            if any(r.get("uid") == uid for r in o["metadata"].get("ownerReferences") or [])
        ]
        found.sort(key=lambda o: o["metadata"]["name"])
        return [clone(o) for o in found] if copies else found

    def _deployment(self, dep: dict) -> None:
        s = self.store
        ns, name = dep["metadata"]["namespace"], dep["metadata"]["name"]
        template = dep["spec"].get("template", {})
        h = template_hash(template)
        rs_name = f"{name}-{h}"
        replicas = dep["spec"].get("replicas", 1)
        sets = self._owned(RS_KIND, dep, copies=True)
        new = next((r for r in sets if r["metadata"]["name"] == rs_name), None)
        if new is None:
            tmpl = clone(template)
            tmpl.setdefault("metadata", {}).setdefault("labels", {})["pod-template-hash"] = h
            selector = clone(dep["spec"].get("selector") or {})
            selector.setdefault("matchLabels", {})["pod-template-hash"] = h
            rev = 1 + max(
                (
                    int(
                        r["metadata"]
                        .get("annotations", {})
                        .get("deployment.kubernetes.io/revision", "0")
                    )
                    for r in sets
                ),
                default=0,
            )
            s.create(
                RS_KIND,
                ns,
                {
                    "metadata": {
                        "name": rs_name,
                        "labels": {
                            **(template.get("metadata", {}).get("labels") or {}),
                            "pod-template-hash": h,
                        },
                        "annotations": {
                            "deployment.kubernetes.io/revision": str(rev),
                            "deployment.kubernetes.io/desired-replicas": str(replicas),
                        },
                        "ownerReferences": [self._owner_ref(dep)],
                    },
                    "spec": {"replicas": replicas, "selector": selector, "template": tmpl},
                },
            )
            self.event(
                dep,
                "Normal",
                "ScalingReplicaSet",
                f"Scaled up replica set {rs_name} from 0 to {replicas}",
                "deployment-controller",
            )
            # the annotation kubectl rollout reads
            cur = s.objects[s.key(DEPLOY_KIND, ns, name)]
            cur["metadata"].setdefault("annotations", {})["deployment.kubernetes.io/revision"] = (
                str(rev)
            )
            s.put(DEPLOY_KIND, cur, "MODIFIED")
            return
        if new["spec"].get("replicas") != replicas:
            new["spec"]["replicas"] = replicas
            s.update(RS_KIND, ns, rs_name, new)
        revision = new["metadata"].get("annotations", {}).get("deployment.kubernetes.io/revision")
        if (
            dep["metadata"].get("annotations", {}).get("deployment.kubernetes.io/revision")
            != revision
        ):
            dep["metadata"].setdefault("annotations", {})["deployment.kubernetes.io/revision"] = (
                revision
            )
            s.update(DEPLOY_KIND, ns, name, dep)
        # old replica sets go to zero once the new one is fully ready (maxUnavailable rounds
        # down to 0 with one replica, so the old pod keeps serving until then)
        new_ready = new.get("status", {}).get("readyReplicas", 0)
        for old in sets:
            if old["metadata"]["name"] == rs_name or old["spec"].get("replicas", 0) == 0:
                continue
            if new_ready >= replicas:
                before = old["spec"].get("replicas", 0)
                old["spec"]["replicas"] = 0
                s.update(RS_KIND, ns, old["metadata"]["name"], old)
                self.event(
                    dep,
                    "Normal",
                    "ScalingReplicaSet",
                    f"Scaled down replica set {old['metadata']['name']} from {before} to 0",
                    "deployment-controller",
                )

    def _replicaset(self, rs: dict) -> None:
        s = self.store
        ns = rs["metadata"]["namespace"]
        pods = self._owned(POD_KIND, rs)
        want = rs["spec"].get("replicas", 1)
        for _ in range(want - len(pods)):
            pod = self._pod_from_template(
                rs,
                f"{rs['metadata']['name']}-{random_suffix()}",
                rs["spec"]["template"],
                {},
                self._owner_ref(rs),
            )
            created = s.create(POD_KIND, ns, pod)
            self.event(
                rs,
                "Normal",
                "SuccessfulCreate",
                f"Created pod: {created['metadata']['name']}",
                "replicaset-controller",
            )
        for pod in pods[want:] if len(pods) > want else []:
            s.remove(POD_KIND, ns, pod["metadata"]["name"])
            self.event(
                rs,
                "Normal",
                "SuccessfulDelete",
                f"Deleted pod: {pod['metadata']['name']}",
                "replicaset-controller",
            )
        pods = self._owned(POD_KIND, rs)
        ready = sum(1 for p in pods if pod_ready(p))
        status = {
            "replicas": len(pods),
            "fullyLabeledReplicas": len(pods),
            "readyReplicas": ready,
            "availableReplicas": ready,
            "observedGeneration": rs["metadata"].get("generation", 1),
        }
        if not ready:
            status.pop("readyReplicas")
            status.pop("availableReplicas")
        if rs.get("status") != status:
            rs["status"] = status
            s.update(RS_KIND, ns, rs["metadata"]["name"], rs, sub="status")

    def _deployment_status(self, dep: dict) -> None:
        s = self.store
        ns, name = dep["metadata"]["namespace"], dep["metadata"]["name"]
        h = template_hash(dep["spec"].get("template", {}))
        replicas = dep["spec"].get("replicas", 1)
        sets = self._owned(RS_KIND, dep)
        total = ready = updated = updated_ready = 0
        for rs in sets:
            st = rs.get("status", {})
            total += st.get("replicas", 0)
            ready += st.get("readyReplicas", 0)
            if rs["metadata"]["name"] == f"{name}-{h}":
                updated = st.get("replicas", 0)
                updated_ready = st.get("readyReplicas", 0)
        old = dep.get("status", {})
        conditions = {c["type"]: c for c in old.get("conditions", [])}
        t = stamp()

        def cond(ctype, status, reason, message):
            was = conditions.get(ctype)
            if was and was["status"] == status and was["reason"] == reason:
                was["message"] = message
                return was
            return {
                "type": ctype,
                "status": status,
                "lastUpdateTime": t,
                "lastTransitionTime": t,
                "reason": reason,
                "message": message,
            }

        available = ready >= replicas
        complete = updated_ready >= replicas and total == updated
        new_conditions = [
            cond(
                "Available",
                "True",
                "MinimumReplicasAvailable",
                "Deployment has minimum availability.",
            )
            if available
            else cond(
                "Available",
                "False",
                "MinimumReplicasUnavailable",
                "Deployment does not have minimum availability.",
            ),
            cond(
                "Progressing",
                "True",
                "NewReplicaSetAvailable",
                f'ReplicaSet "{name}-{h}" has successfully progressed.',
            )
            if complete
            else cond(
                "Progressing",
                "True",
                "ReplicaSetUpdated",
                f'ReplicaSet "{name}-{h}" is progressing.',
            ),
        ]
        status = {
            "observedGeneration": dep["metadata"].get("generation", 1),
            "replicas": total,
            "updatedReplicas": updated,
            "readyReplicas": ready,
            "availableReplicas": ready,
            "unavailableReplicas": max(replicas - ready, 0),
            "conditions": new_conditions,
        }
        for key in ("readyReplicas", "availableReplicas", "unavailableReplicas"):
            if not status[key]:
                status.pop(key)
        if old != status:
            dep["status"] = status
            s.update(DEPLOY_KIND, ns, name, dep, sub="status")

    def _statefulset(self, sts: dict) -> None:
        s = self.store
        ns, name = sts["metadata"]["namespace"], sts["metadata"]["name"]
        template = sts["spec"].get("template", {})
        revision = f"{name}-{template_hash(template)}"
        replicas = sts["spec"].get("replicas", 1)
        pods = {p["metadata"]["name"]: p for p in self._owned(POD_KIND, sts)}
        for i in range(replicas):
            pod_name = f"{name}-{i}"
            pod = pods.get(pod_name)
            if pod and pod["metadata"]["labels"].get("controller-revision-hash") != revision:
                s.remove(POD_KIND, ns, pod_name)
                self.event(
                    sts,
                    "Normal",
                    "SuccessfulDelete",
                    f"delete Pod {pod_name} in StatefulSet {name} successful",
                    "statefulset-controller",
                )
                pod = None
            if pod is not None:
                continue
            if i > 0 and not pod_ready(pods.get(f"{name}-{i - 1}") or {}):
                break  # OrderedReady
            new = self._pod_from_template(
                sts,
                pod_name,
                template,
                {
                    "controller-revision-hash": revision,
                    "statefulset.kubernetes.io/pod-name": pod_name,
                    "apps.kubernetes.io/pod-index": str(i),
                },
                self._owner_ref(sts),
            )
            volumes = new["spec"].setdefault("volumes", [])
            for claim in sts["spec"].get("volumeClaimTemplates") or []:
                claim_name = f"{claim['metadata']['name']}-{pod_name}"
                if s.key(PVC_KIND, ns, claim_name) not in s.objects:
                    labels = {
                        **(claim["metadata"].get("labels") or {}),
                        **(dig(sts, "spec.selector.matchLabels") or {}),
                    }
                    s.create(
                        PVC_KIND,
                        ns,
                        {
                            "metadata": {"name": claim_name, "labels": labels},
                            "spec": clone(claim.get("spec") or {}),
                        },
                    )
                    self.event(
                        sts,
                        "Normal",
                        "SuccessfulCreate",
                        f"create Claim {claim_name} Pod {pod_name} in StatefulSet {name} success",
                        "statefulset-controller",
                    )
                volumes[:] = [v for v in volumes if v.get("name") != claim["metadata"]["name"]]
                volumes.append(
                    {
                        "name": claim["metadata"]["name"],
                        "persistentVolumeClaim": {"claimName": claim_name},
                    }
                )
            s.create(POD_KIND, ns, new)
            self.event(
                sts,
                "Normal",
                "SuccessfulCreate",
                f"create Pod {pod_name} in StatefulSet {name} successful",
                "statefulset-controller",
            )
        pods = self._owned(POD_KIND, sts)
        ready = sum(1 for p in pods if pod_ready(p))
        updated = sum(
            1 for p in pods if p["metadata"]["labels"].get("controller-revision-hash") == revision
        )
        old = sts.get("status", {})
        current_revision = old.get("currentRevision") or revision
        if updated == replicas and ready == replicas:
            current_revision = revision
        status = {
            "observedGeneration": sts["metadata"].get("generation", 1),
            "replicas": len(pods),
            "readyReplicas": ready,
            "currentReplicas": updated if current_revision == revision else len(pods) - updated,
            "updatedReplicas": updated,
            "availableReplicas": ready,
            "currentRevision": current_revision,
            "updateRevision": revision,
            "collisionCount": 0,
        }
        for key in ("readyReplicas", "availableReplicas"):
            if not status[key]:
                status.pop(key)
        if old != status:
            sts["status"] = status
            s.update(STS_KIND, ns, name, sts, sub="status")

    def _autoscale(self, hpa: dict) -> None:
        """The HorizontalPodAutoscaler keeps its target within minReplicas..maxReplicas (no
        metrics here, so it never goes above the minimum on its own)."""
        s = self.store
        ref = hpa["spec"].get("scaleTargetRef") or {}
        k = kind_for(ref.get("apiVersion", "apps/v1"), ref.get("kind", "Deployment"))
        ns = hpa["metadata"]["namespace"]
        target = s.get(k, ns, ref.get("name", "")) if k else None
        if target is None:
            return
        low = hpa["spec"].get("minReplicas") or 1
        high = hpa["spec"].get("maxReplicas") or low
        current = target["spec"].get("replicas", 1)
        wanted = min(max(current, low), high)
        if wanted != current:
            target["spec"]["replicas"] = wanted
            s.update(k, ns, target["metadata"]["name"], target)
            reason = "below Spec.MinReplicas" if wanted > current else "above Spec.MaxReplicas"
            self.event(
                hpa,
                "Normal",
                "SuccessfulRescale",
                f"New size: {wanted}; reason: Current number of replicas {reason}",
                "horizontal-pod-autoscaler",
            )
        status = dict(hpa.get("status") or {})
        if (status.get("currentReplicas"), status.get("desiredReplicas")) != (current, wanted):
            status.update(currentReplicas=current, desiredReplicas=wanted)
            hpa["status"] = status
            s.update(
                BY_PLURAL[("autoscaling", "horizontalpodautoscalers")],
                ns,
                hpa["metadata"]["name"],
                hpa,
                sub="status",
            )

    def _observed(self, obj: dict) -> None:
        k = kind_for(obj["apiVersion"], obj["kind"])
        status = dict(obj.get("status") or {})
        gen = obj["metadata"].get("generation", 1)
        if status.get("observedGeneration") == gen:
            return
        status["observedGeneration"] = gen
        if obj["kind"] == "PodDisruptionBudget":
            pods = [
                p
                for p in self.store.view(POD_KIND, obj["metadata"]["namespace"])
                if label_matcher(
                    ",".join(
                        f"{a}={b}" for a, b in (dig(obj, "spec.selector.matchLabels") or {}).items()
                    )
                )(p["metadata"].get("labels"))
            ]
            healthy = sum(1 for p in pods if pod_ready(p))
            status.update(
                currentHealthy=healthy,
                desiredHealthy=min(healthy, 1),
                expectedPods=len(pods),
                disruptionsAllowed=max(healthy - 1, 0),
            )
        obj["status"] = status
        self.store.update(
            k, obj["metadata"]["namespace"], obj["metadata"]["name"], obj, sub="status"
        )

    # ---- the kubelet ----
    def _kubelet(self, pod: dict) -> None:
        s = self.store
        ns, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
        raw = s.private.setdefault(pod["metadata"]["uid"], {})
        born = raw.setdefault("born", time.monotonic())
        elapsed = time.monotonic() - born
        if elapsed < POD_START_DELAY:
            self.timers = True
            return
        failing = self.failing_for(pod)
        containers = pod["spec"].get("containers", [])
        status = clone(pod.get("status") or {})
        t = stamp()
        first = status.get("phase") == "Pending"
        if first:
            pod["spec"]["nodeName"] = s.node
            self.event(
                pod,
                "Normal",
                "Scheduled",
                f"Successfully assigned {ns}/{name} to {s.node}",
                "default-scheduler",
            )
            self.logs[pod["metadata"]["uid"]] = {
                c["name"]: [
                    f"replay: {c['name']} in pod {name} starting (image {c.get('image', '?')})",
                    f"replay: {c['name']} listening"
                    + (f" on port {c['ports'][0]['containerPort']}" if c.get("ports") else ""),
                ]
                for c in pod["spec"].get("initContainers", []) + containers
            }
            for c in containers:
                self.event(
                    pod,
                    "Normal",
                    "Pulled",
                    f'Container image "{c.get("image")}" already present on machine',
                    "kubelet",
                )
                self.event(pod, "Normal", "Created", f"Created container: {c['name']}", "kubelet")
                self.event(pod, "Normal", "Started", f"Started container {c['name']}", "kubelet")
        restarts = raw.get("restarts", 0)
        if failing:
            self.timers = True
            due = int((elapsed - POD_START_DELAY) / CRASH_PERIOD) + 1
            if due > restarts:
                restarts = raw["restarts"] = due
                for c in containers:
                    lines = self.logs.setdefault(pod["metadata"]["uid"], {}).setdefault(
                        c["name"], []
                    )
                    if not lines or lines[-1] != failing.reason:
                        lines.append(failing.reason)
                    self.event(
                        pod,
                        "Warning",
                        "BackOff",
                        f"Back-off restarting failed container {c['name']} in pod "
                        f"{name}_{ns}({pod['metadata']['uid']})",
                        "kubelet",
                    )
        ready = not failing
        start_time = status.get("startTime") or t
        statuses = []
        for c in containers:
            cs = {
                "name": c["name"],
                "image": c.get("image", ""),
                "imageID": "docker://sha256:"
                + hashlib.sha256(c.get("image", "").encode()).hexdigest(),
                "containerID": "docker://"
                + hashlib.sha256(
                    f"{pod['metadata']['uid']}{c['name']}{restarts}".encode()
                ).hexdigest(),
                "ready": ready,
                "started": ready,
                "restartCount": restarts,
            }
            if failing:
                cs["state"] = {
                    "waiting": {
                        "reason": "CrashLoopBackOff",
                        "message": f"back-off 10s restarting failed container={c['name']} "
                        f"pod={name}_{ns}({pod['metadata']['uid']})",
                    }
                }
                cs["lastState"] = {
                    "terminated": {
                        "exitCode": 1,
                        "reason": "Error",
                        "startedAt": start_time,
                        "finishedAt": t,
                        "containerID": cs["containerID"],
                    }
                }
            else:
                was = next(
                    (
                        x
                        for x in status.get("containerStatuses", [])
                        if x["name"] == c["name"] and "running" in x.get("state", {})
                    ),
                    None,
                )
                cs["state"] = {
                    "running": {"startedAt": was["state"]["running"]["startedAt"] if was else t}
                }
                if restarts:
                    cs["lastState"] = {
                        "terminated": {
                            "exitCode": 1,
                            "reason": "Error",
                            "startedAt": start_time,
                            "finishedAt": t,
                        }
                    }
            statuses.append(cs)
        init_statuses = [
            {
                "name": c["name"],
                "image": c.get("image", ""),
                "ready": True,
                "restartCount": 0,
                "started": False,
                "state": {
                    "terminated": {
                        "exitCode": 0,
                        "reason": "Completed",
                        "startedAt": start_time,
                        "finishedAt": start_time,
                    }
                },
            }
            for c in pod["spec"].get("initContainers", [])
        ]

        def pcond(ctype, value):
            was = next((x for x in status.get("conditions", []) if x["type"] == ctype), None)
            if was and was["status"] == value:
                return was
            return {"type": ctype, "status": value, "lastProbeTime": None, "lastTransitionTime": t}

        new_status = {
            "phase": "Running",
            "conditions": [
                pcond("PodReadyToStartContainers", "True"),
                pcond("Initialized", "True"),
                pcond("Ready", "True" if ready else "False"),
                pcond("ContainersReady", "True" if ready else "False"),
                pcond("PodScheduled", "True"),
            ],
            "hostIP": "192.168.49.2",
            "hostIPs": [{"ip": "192.168.49.2"}],
            "podIP": status.get("podIP") or f"10.244.0.{random.randint(2, 254)}",  # noqa: S311
            "startTime": start_time,
            "containerStatuses": statuses,
            "qosClass": status.get("qosClass", "Burstable"),
        }
        new_status["podIPs"] = [{"ip": new_status["podIP"]}]
        if not ready:
            for c in new_status["conditions"]:
                if c["type"] in ("Ready", "ContainersReady") and c["status"] == "False":
                    c["reason"] = "ContainersNotReady"
                    c["message"] = (
                        "containers with unready status: ["
                        + " ".join(x["name"] for x in containers)
                        + "]"
                    )
        if init_statuses:
            new_status["initContainerStatuses"] = init_statuses
        if first:
            s.update(POD_KIND, ns, name, pod)
            pod = s.get(POD_KIND, ns, name)
        if status != new_status and pod is not None:
            pod["status"] = new_status
            s.update(POD_KIND, ns, name, pod, sub="status")


def pod_ready(pod: dict) -> bool:
    return any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in (pod.get("status") or {}).get("conditions", [])
    )


# --------------------------------------------------------------------------------------------
# Server-side printing (kubernetes pkg/printers/internalversion/printers.go column sets)
# --------------------------------------------------------------------------------------------
def _col(name: str, ctype: str = "string", priority: int = 0, fmt: str = "") -> dict:
    return {"name": name, "type": ctype, "format": fmt, "description": "", "priority": priority}


def _containers_images(spec: dict) -> tuple[str, str]:
    cs = (spec or {}).get("containers", [])
    return ",".join(c["name"] for c in cs), ",".join(c.get("image", "") for c in cs)


def _selector(sel: dict | None) -> str:
    if not sel:
        return "<none>"
    labels = sel.get("matchLabels", sel) if isinstance(sel, dict) else {}
    return ",".join(f"{k}={v}" for k, v in labels.items()) or "<none>"


def pod_row(pod: dict) -> list:
    status = pod.get("status") or {}
    css = status.get("containerStatuses") or []
    total = len(pod["spec"].get("containers", []))
    ready = sum(1 for c in css if c.get("ready"))
    restarts = sum(c.get("restartCount", 0) for c in css)
    reason = status.get("reason") or status.get("phase", "Pending")
    for c in css:
        waiting = c.get("state", {}).get("waiting")
        if waiting and waiting.get("reason"):
            reason = waiting["reason"]
    if pod["metadata"].get("deletionTimestamp"):
        reason = "Terminating"
    if reason == "Pending" and not css and pod["spec"].get("nodeName"):
        reason = "ContainerCreating"
    restart_text = str(restarts)
    last = [c.get("lastState", {}).get("terminated", {}).get("finishedAt") for c in css]
    last = [x for x in last if x]
    if restarts and last:
        restart_text = f"{restarts} ({age(pod, max(last))} ago)"
    return [
        pod["metadata"]["name"],
        f"{ready}/{total}",
        reason,
        restart_text,
        age(pod),
        status.get("podIP") or "<none>",
        pod["spec"].get("nodeName") or "<none>",
        "<none>",
        "<none>",
    ]


def table_for(k: Kind, objs: list[dict]) -> tuple[list[dict], list[list]]:
    kind = k.kind
    if kind == "Pod":
        cols = [
            _col("Name", fmt="name"),
            _col("Ready"),
            _col("Status"),
            _col("Restarts"),
            _col("Age"),
            _col("IP", priority=1),
            _col("Node", priority=1),
            _col("Nominated Node", priority=1),
            _col("Readiness Gates", priority=1),
        ]
        return cols, [pod_row(o) for o in objs]
    if kind == "Event":
        cols = [
            _col("Last Seen"),
            _col("Type"),
            _col("Reason"),
            _col("Object"),
            _col("Subobject", priority=1),
            _col("Source", priority=1),
            _col("Message"),
            _col("First Seen", priority=1),
            _col("Count", "integer", 1),
            _col("Name", priority=1, fmt="name"),
        ]
        rows = []
        for e in objs:
            inv = e.get("involvedObject", {})
            src = e.get("source", {})
            rows.append(
                [
                    age(e, e.get("lastTimestamp")),
                    e.get("type", ""),
                    e.get("reason", ""),
                    f"{inv.get('kind', '').lower()}/{inv.get('name', '')}",
                    inv.get("fieldPath", ""),
                    ", ".join(x for x in (src.get("component"), src.get("host")) if x),
                    e.get("message", "").strip(),
                    age(e, e.get("firstTimestamp")),
                    e.get("count", 1),
                    e["metadata"]["name"],
                ]
            )
        return cols, rows
    if kind == "Deployment":
        cols = [
            _col("Name", fmt="name"),
            _col("Ready"),
            _col("Up-to-date", "integer"),
            _col("Available", "integer"),
            _col("Age"),
            _col("Containers", priority=1),
            _col("Images", priority=1),
            _col("Selector", priority=1),
        ]
        rows = []
        for o in objs:
            st = o.get("status", {})
            names, images = _containers_images(dig(o, "spec.template.spec"))
            rows.append(
                [
                    o["metadata"]["name"],
                    f"{st.get('readyReplicas', 0)}/{o['spec'].get('replicas', 1)}",
                    st.get("updatedReplicas", 0),
                    st.get("availableReplicas", 0),
                    age(o),
                    names,
                    images,
                    _selector(dig(o, "spec.selector")),
                ]
            )
        return cols, rows
    if kind in ("StatefulSet", "ReplicaSet"):
        if kind == "StatefulSet":
            cols = [
                _col("Name", fmt="name"),
                _col("Ready"),
                _col("Age"),
                _col("Containers", priority=1),
                _col("Images", priority=1),
            ]
        else:
            cols = [
                _col("Name", fmt="name"),
                _col("Desired", "integer"),
                _col("Current", "integer"),
                _col("Ready", "integer"),
                _col("Age"),
                _col("Containers", priority=1),
                _col("Images", priority=1),
                _col("Selector", priority=1),
            ]
        rows = []
        for o in objs:
            st = o.get("status", {})
            names, images = _containers_images(dig(o, "spec.template.spec"))
            if kind == "StatefulSet":
                rows.append(
                    [
                        o["metadata"]["name"],
                        f"{st.get('readyReplicas', 0)}/{o['spec'].get('replicas', 1)}",
                        age(o),
                        names,
                        images,
                    ]
                )
            else:
                rows.append(
                    [
                        o["metadata"]["name"],
                        o["spec"].get("replicas", 1),
                        st.get("replicas", 0),
                        st.get("readyReplicas", 0),
                        age(o),
                        names,
                        images,
                        _selector(dig(o, "spec.selector")),
                    ]
                )
        return cols, rows
    if kind == "Service":
        cols = [
            _col("Name", fmt="name"),
            _col("Type"),
            _col("Cluster-IP"),
            _col("External-IP"),
            _col("Port(s)"),
            _col("Age"),
            _col("Selector", priority=1),
        ]
        rows = []
        for o in objs:
            spec = o.get("spec", {})
            ports = (
                ",".join(
                    f"{p['port']}:{p['nodePort']}/{p.get('protocol', 'TCP')}"
                    if p.get("nodePort")
                    else f"{p['port']}/{p.get('protocol', 'TCP')}"
                    for p in spec.get("ports", [])
                )
                or "<none>"
            )
            external = "<pending>" if spec.get("type") == "LoadBalancer" else "<none>"
            rows.append(
                [
                    o["metadata"]["name"],
                    spec.get("type"),
                    spec.get("clusterIP"),
                    external,
                    ports,
                    age(o),
                    _selector(spec.get("selector")),
                ]
            )
        return cols, rows
    if kind == "PersistentVolumeClaim":
        cols = [
            _col("Name", fmt="name"),
            _col("Status"),
            _col("Volume"),
            _col("Capacity"),
            _col("Access Modes"),
            _col("StorageClass"),
            _col("VolumeAttributesClass"),
            _col("Age"),
            _col("VolumeMode", priority=1),
        ]
        rows = []
        for o in objs:
            spec, st = o.get("spec", {}), o.get("status", {})
            modes = ",".join(
                {"ReadWriteOnce": "RWO", "ReadOnlyMany": "ROX", "ReadWriteMany": "RWX"}.get(m, m)
                for m in st.get("accessModes", [])
            )
            rows.append(
                [
                    o["metadata"]["name"],
                    st.get("phase", "Pending"),
                    spec.get("volumeName", ""),
                    (st.get("capacity") or {}).get("storage", ""),
                    modes,
                    spec.get("storageClassName", ""),
                    "<unset>",
                    age(o),
                    spec.get("volumeMode", "Filesystem"),
                ]
            )
        return cols, rows
    if kind == "Secret":
        cols = [_col("Name", fmt="name"), _col("Type"), _col("Data", "integer"), _col("Age")]
        return cols, [
            [o["metadata"]["name"], o.get("type", "Opaque"), len(o.get("data") or {}), age(o)]
            for o in objs
        ]
    if kind == "ConfigMap":
        cols = [_col("Name", fmt="name"), _col("Data", "integer"), _col("Age")]
        return cols, [
            [
                o["metadata"]["name"],
                len(o.get("data") or {}) + len(o.get("binaryData") or {}),
                age(o),
            ]
            for o in objs
        ]
    if kind == "Namespace":
        cols = [_col("Name", fmt="name"), _col("Status"), _col("Age")]
        return cols, [
            [o["metadata"]["name"], o.get("status", {}).get("phase", "Active"), age(o)]
            for o in objs
        ]
    if kind == "ServiceAccount":
        cols = [_col("Name", fmt="name"), _col("Secrets", "string"), _col("Age")]
        return cols, [
            [o["metadata"]["name"], str(len(o.get("secrets") or [])), age(o)] for o in objs
        ]
    # the apiserver's default table convertor (apiserver/pkg/registry/rest/table.go)
    cols = [_col("Name", fmt="name"), _col("Created At", "date")]
    return cols, [[o["metadata"]["name"], o["metadata"]["creationTimestamp"]] for o in objs]


def as_table(k: Kind, objs: list[dict], rv: str, include: str) -> dict:
    cols, rows = table_for(k, objs)
    out_rows = []
    for obj, cells in zip(objs, rows, strict=True):
        row: dict[str, Any] = {"cells": cells}
        if include == "Object":
            row["object"] = obj
        elif include != "None":
            row["object"] = {
                "kind": "PartialObjectMetadata",
                "apiVersion": "meta.k8s.io/v1",
                "metadata": obj["metadata"],
            }
        out_rows.append(row)
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": rv},
        "columnDefinitions": cols,
        "rows": out_rows,
    }


# --------------------------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------------------------
def discovery_resources(group: str, version: str) -> dict:
    resources = []
    for k in KINDS:
        if k.group != group or k.version != version:
            continue
        entry = {
            "name": k.plural,
            "singularName": k.singular,
            "namespaced": k.namespaced,
            "kind": k.kind,
            "verbs": VERBS
            if k.kind != "Namespace"
            else ["create", "delete", "get", "list", "patch", "update", "watch"],
            "storageVersionHash": base64.b64encode(
                hashlib.sha256(k.plural.encode()).digest()[:8]
            ).decode(),
        }
        if k.short:
            entry["shortNames"] = list(k.short)
        if k.categories:
            entry["categories"] = list(k.categories)
        resources.append(entry)
        for sub in k.subresources:
            resources.append(
                {
                    "name": f"{k.plural}/{sub}",
                    "singularName": "",
                    "namespaced": k.namespaced,
                    "kind": "Scale" if sub == "scale" else k.kind,
                    "group": "autoscaling" if sub == "scale" else None,
                    "version": "v1" if sub == "scale" else None,
                    "verbs": ["get"]
                    if sub == "log"
                    else ["update"]
                    if sub == "finalize"
                    else ["get", "patch", "update"],
                }
            )
            resources[-1] = {key: v for key, v in resources[-1].items() if v is not None}
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": f"{group}/{version}" if group else version,
        "resources": resources,
    }


def version_info() -> dict:
    major, minor = KUBERNETES_VERSION.lstrip("v").split(".")[:2]
    return {
        "major": major,
        "minor": minor,
        "emulationMajor": major,
        "emulationMinor": minor,
        "minCompatibilityMajor": major,
        "minCompatibilityMinor": str(int(minor) - 1),
        "gitVersion": KUBERNETES_VERSION,
        "gitCommit": "0" * 40,
        "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z",
        "goVersion": "go1.25.6",
        "compiler": "gc",
        "platform": "linux/amd64",
    }


def resolve(path: str) -> tuple[Kind, str | None, str | None, str | None, str] | None:
    """(kind, namespace, name, subresource, version) of a resource URL, else None."""
    parts = [p for p in path.split("/") if p]
    if len(parts) >= 3 and parts[0] == "api" and parts[1] == "v1":
        group, version, rest = "", "v1", parts[2:]
    elif len(parts) >= 4 and parts[0] == "apis" and parts[1] in GROUPS:
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        return None
    namespace = None
    inner = BY_PLURAL.get((group, rest[2])) if len(rest) >= 3 else None
    if rest[0] == "namespaces" and inner is not None and inner.namespaced:
        namespace, rest = rest[1], rest[2:]
    k = BY_PLURAL.get((group, rest[0]))
    if k is None:
        return None
    return (
        k,
        namespace,
        rest[1] if len(rest) > 1 else None,
        rest[2] if len(rest) > 2 else None,
        version,
    )


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, fmt, *args):  # quiet; the tests read the request log instead
        return

    def setup(self):
        super().setup()
        self.server.connections.add(self.connection)

    def finish(self):
        try:
            super().finish()
        finally:
            self.server.connections.discard(self.connection)

    # every verb goes through one dispatcher
    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_PATCH(self):
        self._dispatch("PATCH")

    def do_DELETE(self):
        self._dispatch("DELETE")

    # ---- plumbing ----
    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, code: int, body: Any, content_type: str = "application/json") -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Audit-Id", str(uuid.uuid4()))
        self.send_header("Cache-Control", "no-cache, private")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _user(self) -> str | None:
        try:
            cert = self.connection.getpeercert()
        except (AttributeError, ValueError):
            return None
        if not cert:
            return None
        for rdn in cert.get("subject", ()):
            for key, value in rdn:
                if key == "commonName":
                    return value
        return None

    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        params = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        api = self.server.api
        api.requests.append((method, self.path, self.headers.get("Accept", "")))
        try:
            body = self._body()
            ctype = self.headers.get("Content-Type", "")
            binary = ctype.startswith(("application/vnd.kubernetes.protobuf", "application/cbor"))
            if body and binary and method == "DELETE":
                body = b""  # DeleteOptions from a typed client: the defaults serve as well
            if body and binary:
                # the real server decodes these too; this stand-in speaks JSON and YAML only
                # (kubectl sends protobuf for `create namespace|secret|deployment`; apply,
                # delete, patch and the kubernetes Python client send JSON)
                raise ApiError(
                    415,
                    "UnsupportedMediaType",
                    "the body of the request was in an unknown format - accepted media types "
                    "include: application/json, application/yaml",
                )
            user = self._user()
            if user is None:
                self._anonymous(method, url.path)
                return
            self._route(method, url.path, params, body)
        except ApiError as err:
            self._send(err.code, err.status())
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            self.close_connection = True

    def _anonymous(self, method: str, path: str) -> None:
        """kube-apiserver with --anonymous-auth (as kubeadm and minikube run it): the request
        is system:anonymous; RBAC's system:public-info-viewer lets it read /version and the
        health endpoints and nothing else."""
        if method == "GET" and path in ("/version", "/healthz", "/livez", "/readyz"):
            self._send(
                200,
                version_info() if path == "/version" else b"ok",
                "application/json" if path == "/version" else "text/plain; charset=utf-8",
            )
            return
        target = resolve(path)
        verb = {
            "GET": "get",
            "POST": "create",
            "PUT": "update",
            "PATCH": "patch",
            "DELETE": "delete",
        }[method]
        who = 'User "system:anonymous"'
        if target is None:  # a non-resource URL
            message, details = f'forbidden: {who} cannot {verb} path "{path}"', {}
        else:
            # apiserver/pkg/endpoints/handlers/responsewriters/errors.go forbiddenMessage
            k, namespace, name, sub, _ = target
            if method == "GET" and name is None:
                verb = "watch" if "watch=" in self.path else "list"
            if method == "DELETE" and name is None:
                verb = "deletecollection"
            resource = f"{k.plural}/{sub}" if sub else k.plural
            scope = f'in the namespace "{namespace}"' if namespace else "at the cluster scope"
            subject = f'{qualified(k)} "{name}"' if name else qualified(k)
            message = (
                f'{subject} is forbidden: {who} cannot {verb} resource "{resource}" in '
                f'API group "{k.group}" {scope}'
            )
            details = {
                "kind": k.plural,
                **({"name": name} if name else {}),
                **({"group": k.group} if k.group else {}),
            }
        self._send(
            403,
            {
                "kind": "Status",
                "apiVersion": "v1",
                "metadata": {},
                "status": "Failure",
                "message": message,
                "reason": "Forbidden",
                "details": details,
                "code": 403,
            },
        )

    def _route(self, method: str, path: str, params: dict, body: bytes) -> None:
        api = self.server.api
        if path == "/version" or path == "/version/":
            self._send(200, version_info())
            return
        if path in ("/healthz", "/livez", "/readyz"):
            self._send(200, b"ok", "text/plain; charset=utf-8")
            return
        if path == "/api":
            self._send(
                200,
                {
                    "kind": "APIVersions",
                    "versions": ["v1"],
                    "serverAddressByClientCIDRs": [
                        {"clientCIDR": "0.0.0.0/0", "serverAddress": "192.168.49.2:8443"}
                    ],
                },
            )
            return
        if path == "/apis":
            groups = []
            for group, versions in GROUPS.items():
                if not group:
                    continue
                gv = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
                groups.append({"name": group, "versions": gv, "preferredVersion": gv[0]})
            self._send(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
            return
        parts = [p for p in path.split("/") if p]
        if len(parts) >= 2 and parts[0] == "api" and parts[1] == "v1":
            group, version, rest = "", "v1", parts[2:]
        elif (
            len(parts) >= 3
            and parts[0] == "apis"
            and parts[1] in GROUPS
            and parts[2] in GROUPS[parts[1]]
        ):
            group, version, rest = parts[1], parts[2], parts[3:]
        elif len(parts) == 2 and parts[0] == "apis" and parts[1] in GROUPS:
            versions = [{"groupVersion": f"{parts[1]}/{v}", "version": v} for v in GROUPS[parts[1]]]
            self._send(
                200,
                {
                    "kind": "APIGroup",
                    "apiVersion": "v1",
                    "name": parts[1],
                    "versions": versions,
                    "preferredVersion": versions[0],
                },
            )
            return
        else:
            self._send(404, b"404 page not found\n", "text/plain; charset=utf-8")
            return
        if not rest:
            self._send(200, discovery_resources(group, version))
            return
        namespace = None
        if (
            rest[0] == "namespaces"
            and len(rest) >= 3
            and (group, rest[2]) in BY_PLURAL
            and BY_PLURAL[(group, rest[2])].namespaced
        ):
            namespace, rest = rest[1], rest[2:]
        k = BY_PLURAL.get((group, rest[0]))
        if k is None or k.version != version:
            self._send(
                404,
                {
                    "kind": "Status",
                    "apiVersion": "v1",
                    "metadata": {},
                    "status": "Failure",
                    "message": "the server could not find the requested resource",
                    "reason": "NotFound",
                    "details": {},
                    "code": 404,
                },
            )
            return
        name = rest[1] if len(rest) > 1 else None
        sub = rest[2] if len(rest) > 2 else None
        if sub and sub not in k.subresources:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        api.handle(self, method, k, namespace, name, sub, params, body)

    def stream(self, lines) -> None:
        """A watch: chunked JSON lines until the generator ends or the client goes away."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache, private")
        self.end_headers()
        try:
            for line in lines:
                data = json.dumps(line).encode() + b"\n"
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address, api: KubeAPI, context: ssl.SSLContext):
        self.api = api
        self.ssl_context = context
        self.connections: set = set()
        super().__init__(address, Handler)

    def get_request(self):
        sock, addr = self.socket.accept()
        sock.settimeout(300)
        # headers and body go out as separate writes: without this, Nagle and delayed ACKs
        # add 40 ms to every answer
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            # the handshake happens in the request's thread, on its first read
            tls = self.ssl_context.wrap_socket(
                sock, server_side=True, do_handshake_on_connect=False
            )
        except (ssl.SSLError, OSError):
            sock.close()
            raise
        return tls, addr

    def handle_error(self, request, client_address):  # a client hanging up is not an error
        return


# --------------------------------------------------------------------------------------------
# The API server
# --------------------------------------------------------------------------------------------
class KubeAPI:
    """The API server, its store and its controller; a context manager for tests."""

    def __init__(
        self,
        directory: Path | str,
        context: str = "minikube",
        port: int = 0,
        node: str | None = None,
    ):
        self.dir = Path(directory).resolve()
        self.dir.mkdir(parents=True, exist_ok=True)
        self.context = context
        self.port = port
        self.store = Store(node=node or context)
        self.controller = Controller(self.store)
        self.controller.failing_file = self.dir / FAILING_FILE
        self.requests: deque[tuple[str, str, str]] = deque(maxlen=10000)  # method, path, accept
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.stopping = threading.Event()
        self.certs = make_certificates(self.dir)
        state = self.dir / "kube-state.json"
        if state.exists():
            self.store.restore(json.loads(state.read_text()))
        else:
            for ns in ("default", "kube-system", "kube-public", "kube-node-lease"):
                self.store.create(NS_KIND, None, {"metadata": {"name": ns}})

    # ---- life cycle ----
    @property
    def server(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def kubeconfig(self) -> Path:
        return self.dir / "kubeconfig"

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> KubeAPI:
        if self._server is not None:
            return self
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(self.certs["server_cert"], self.certs["server_key"])
        ctx.load_verify_locations(self.certs["ca"])
        ctx.verify_mode = ssl.CERT_OPTIONAL  # no certificate: anonymous, as kube-apiserver
        ctx.set_alpn_protocols(["http/1.1"])
        self.stopping.clear()
        self._server = _Server(("127.0.0.1", self.port), self, ctx)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="kube-api",
            daemon=True,
        )
        self._thread.start()
        self.controller.start()
        self.write_files()
        return self

    def stop(self) -> None:
        """Stop serving (the cluster becomes unreachable); the state is kept for start()."""
        if self._server is None:
            return
        self.stopping.set()
        with self.store.lock:
            self.store.changed.notify_all()
        self.controller.halt()
        self._server.shutdown()
        self._server.server_close()
        for conn in list(self._server.connections):
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                conn.close()
        if self._thread:
            self._thread.join(timeout=5)
        self._server = None
        (self.dir / "kube-state.json").write_text(json.dumps(self.store.snapshot()))

    def __enter__(self) -> KubeAPI:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def write_files(self) -> None:
        info = {
            "server": self.server,
            "ca": str(self.certs["ca"]),
            "client_cert": str(self.certs["client_cert"]),
            "client_key": str(self.certs["client_key"]),
        }
        (self.dir / "kube-api.json").write_text(json.dumps(info, indent=2) + "\n")
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {
                    "name": self.context,
                    "cluster": {"server": self.server, "certificate-authority": info["ca"]},
                }
            ],
            "users": [
                {
                    "name": self.context,
                    "user": {
                        "client-certificate": info["client_cert"],
                        "client-key": info["client_key"],
                    },
                }
            ],
            "contexts": [
                {
                    "name": self.context,
                    "context": {
                        "cluster": self.context,
                        "user": self.context,
                        "namespace": "default",
                    },
                }
            ],
            "current-context": self.context,
            "preferences": {},
        }
        self.kubeconfig.write_text(yaml.safe_dump(config, sort_keys=False))
        self.kubeconfig.chmod(0o600)

    # ---- knobs and reads for tests ----
    def set_failing(self, name: str, reason: str | None = None, image: str | None = None) -> None:
        """Make workload `name`'s pods crash-loop (only those running `image`, when given)."""
        set_failing(self.dir, name, reason, image)
        self.controller.load_failing()

    def clear_failing(self, name: str | None = None) -> None:
        clear_failing(self.dir, name)
        self.controller.load_failing()

    def get(
        self, kind: str, name: str, namespace: str | None = None, api_version: str = "v1"
    ) -> dict | None:
        k = self._kind(kind, api_version)
        with self.store.lock:
            obj = self.store.get(k, namespace, name)
        return public(obj) if obj else None

    def list(
        self,
        kind: str,
        namespace: str | None = None,
        api_version: str = "v1",
        labels: str | None = None,
    ) -> list[dict]:
        k = self._kind(kind, api_version)
        match = label_matcher(labels)
        with self.store.lock:
            objs = self.store.list(k, namespace)
        return [public(o) for o in objs if match(o["metadata"].get("labels"))]

    def apply(self, obj: dict) -> dict:
        """Create or replace an object directly (test setup)."""
        k = kind_for(obj["apiVersion"], obj["kind"])
        ns = obj["metadata"].get("namespace")
        with self.store.lock:
            if self.store.get(k, ns, obj["metadata"]["name"]) is None:
                return public(self.store.create(k, ns, obj))
            return public(self.store.update(k, ns, obj["metadata"]["name"], obj))

    def delete(
        self, kind: str, name: str, namespace: str | None = None, api_version: str = "v1"
    ) -> dict:
        """Delete an object as a client would (a namespace terminates first)."""
        k = self._kind(kind, api_version)
        return self.store.delete(k, namespace, name)

    def wait_for(self, predicate, timeout: float = 10.0, what: str = "condition") -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.05)
        raise TimeoutError(f"kube_api: timed out after {timeout}s waiting for {what}")

    def _kind(self, kind: str, api_version: str) -> Kind:
        k = kind_for(api_version, kind)
        if k is None:
            for candidate in KINDS:
                if kind in (candidate.kind, candidate.plural, *candidate.short):
                    return candidate
            raise KeyError(f"kube_api serves no kind {kind!r}")
        return k

    # ---- request handling ----
    def handle(
        self,
        h: Handler,
        method: str,
        k: Kind,
        namespace: str | None,
        name: str | None,
        sub: str | None,
        params: dict,
        body: bytes,
    ) -> None:
        store = self.store
        dry_run = params.get("dryRun") == "All"
        accept = h.headers.get("Accept", "")
        want_table = "as=Table" in accept
        if method == "GET" and name is None:
            if params.get("watch") in ("1", "true"):
                h.stream(self._watch(k, namespace, params))
                return
            match_l = label_matcher(params.get("labelSelector"))
            match_f = field_matcher(params.get("fieldSelector"))
            with store.lock:
                items = [
                    public(o)
                    for o in store.list(k, namespace)
                    if match_l(o["metadata"].get("labels")) and match_f(o)
                ]
                rv = str(store.rv)
            if want_table:
                h._send(200, as_table(k, items, rv, params.get("includeObject", "Metadata")))
                return
            for item in items:  # list items carry no TypeMeta, as the apiserver's lists
                item.pop("apiVersion", None)
                item.pop("kind", None)
            h._send(
                200,
                {
                    "kind": f"{k.kind}List",
                    "apiVersion": k.api_version,
                    "metadata": {"resourceVersion": rv},
                    "items": items,
                },
            )
            return
        if method == "GET":
            with store.lock:
                obj = store.get(k, namespace, name)
            if obj is None:
                raise not_found(k, name)
            if sub == "log":
                h._send(200, self._log(obj, params).encode(), "text/plain")
                return
            if sub == "scale":
                h._send(200, scale_of(obj))
                return
            obj = public(obj)
            if want_table:
                h._send(
                    200,
                    as_table(
                        k,
                        [obj],
                        obj["metadata"]["resourceVersion"],
                        params.get("includeObject", "Metadata"),
                    ),
                )
                return
            h._send(200, obj)
            return
        if method == "POST":
            if name is not None and not (k.plural == "namespaces" and sub == "finalize"):
                raise ApiError(
                    405,
                    "MethodNotAllowed",
                    "the server does not allow this method on the requested resource",
                )
            h._send(201, public(store.create(k, namespace, parse_body(body), dry_run)))
            return
        if method == "PUT":
            if name is None:
                raise ApiError(
                    405,
                    "MethodNotAllowed",
                    "the server does not allow this method on the requested resource",
                )
            with store.lock:
                exists = store.get(k, namespace, name) is not None
            if not exists:
                raise not_found(k, name)
            h._send(
                200,
                public(
                    store.update(
                        k,
                        namespace,
                        name,
                        parse_body(body),
                        None if sub == "finalize" else sub,
                        dry_run,
                    )
                ),
            )
            return
        if method == "PATCH":
            ctype = h.headers.get("Content-Type", "").split(";")[0].strip()
            with store.lock:
                current = store.get(k, namespace, name)
                if current is None:
                    raise not_found(k, name)
                patch = parse_body(body)
                base = public(current)
                if ctype == "application/merge-patch+json":
                    new = merge_patch(base, patch)
                elif ctype == "application/strategic-merge-patch+json":
                    new = strategic_merge(base, patch)
                elif ctype == "application/json-patch+json":
                    new = json_patch(base, patch)
                else:
                    raise ApiError(
                        415,
                        "UnsupportedMediaType",
                        "the body of the request was in an unknown format - accepted media "
                        "types include: application/json-patch+json, "
                        "application/merge-patch+json, application/apply-patch+yaml, "
                        "application/apply-patch+cbor, "
                        "application/strategic-merge-patch+json",
                    )
                if not (new.get("metadata") or {}).get("resourceVersion"):
                    new.setdefault("metadata", {})["resourceVersion"] = current["metadata"][
                        "resourceVersion"
                    ]
                h._send(200, public(store.update(k, namespace, name, new, sub, dry_run)))
            return
        if method == "DELETE":
            options = parse_body(body) if body else {}
            propagation = options.get("propagationPolicy") or params.get("propagationPolicy")
            if name is None:
                match_l = label_matcher(params.get("labelSelector"))
                match_f = field_matcher(params.get("fieldSelector"))
                with store.lock:
                    victims = [
                        o
                        for o in store.list(k, namespace)
                        if match_l(o["metadata"].get("labels")) and match_f(o)
                    ]
                    for o in victims:
                        store.delete(k, namespace, o["metadata"]["name"], propagation, dry_run)
                    rv = str(store.rv)
                h._send(
                    200,
                    {
                        "kind": f"{k.kind}List",
                        "apiVersion": k.api_version,
                        "metadata": {"resourceVersion": rv},
                        "items": [public(o) for o in victims],
                    },
                )
                return
            h._send(200, store.delete(k, namespace, name, propagation, dry_run))
            return
        raise ApiError(
            405,
            "MethodNotAllowed",
            "the server does not allow this method on the requested resource",
        )

    def _log(self, pod: dict, params: dict) -> str:
        name = pod["metadata"]["name"]
        containers = [c["name"] for c in pod["spec"].get("initContainers", [])] + [
            c["name"] for c in pod["spec"].get("containers", [])
        ]
        container = params.get("container")
        if not container:
            if len(pod["spec"].get("containers", [])) != 1:
                raise bad_request(
                    f"a container name must be specified for pod {name}, choose one of: "
                    f"[{' '.join(c['name'] for c in pod['spec'].get('containers', []))}]"
                )
            container = pod["spec"]["containers"][0]["name"]
        if container not in containers:
            raise bad_request(f"container {container} is not valid for pod {name}")
        if (pod.get("status") or {}).get("phase") == "Pending":
            raise bad_request(
                f'container "{container}" in pod "{name}" is waiting to start: ContainerCreating'
            )
        lines = list(self.controller.logs.get(pod["metadata"]["uid"], {}).get(container, []))
        if not lines:
            lines = [f"replay: {container} in pod {name} running"]
        if params.get("tailLines"):
            lines = lines[-int(params["tailLines"]) :] if int(params["tailLines"]) else []
        if params.get("timestamps") in ("true", "1"):
            ts = now().strftime("%Y-%m-%dT%H:%M:%S.%f000Z")
            lines = [f"{ts} {line}" for line in lines]
        return "".join(line + "\n" for line in lines)

    def _watch(self, k: Kind, namespace: str | None, params: dict):
        store = self.store
        match_l = label_matcher(params.get("labelSelector"))
        match_f = field_matcher(params.get("fieldSelector"))
        timeout = float(params.get("timeoutSeconds") or 1800)
        deadline = time.monotonic() + timeout
        rv_text = params.get("resourceVersion", "")

        def matches(obj):
            return (
                (not namespace or obj["metadata"].get("namespace") == namespace)
                and match_l(obj["metadata"].get("labels"))
                and match_f(obj)
            )

        with store.lock:
            if rv_text in ("", "0") or params.get("sendInitialEvents") == "true":
                initial = [public(o) for o in store.list(k, namespace) if matches(o)]
                cursor = store.rv
            else:
                initial = []
                cursor = int(rv_text)
                oldest = store.events[0][0] if store.events else store.rv
                if cursor < oldest - 1 and cursor < store.rv:
                    yield {
                        "type": "ERROR",
                        "object": ApiError(
                            410, "Expired", f"too old resource version: {cursor} ({oldest})"
                        ).status(),
                    }
                    return
        for obj in initial:
            yield {"type": "ADDED", "object": obj}
        if params.get("sendInitialEvents") == "true":
            yield {
                "type": "BOOKMARK",
                "object": {
                    "kind": k.kind,
                    "apiVersion": k.api_version,
                    "metadata": {
                        "resourceVersion": str(cursor),
                        "annotations": {"k8s.io/initial-events-end": "true"},
                    },
                },
            }
        while not self.stopping.is_set():
            with store.lock:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                rvs = [e[0] for e in store.events]
                start = bisect_right(rvs, cursor)
                fresh = store.events[start:]
                if not fresh:
                    store.changed.wait(min(remaining, 1.0))
                    continue
                cursor = fresh[-1][0]
            for _, etype, group, plural, obj in fresh:
                if group == k.group and plural == k.plural and matches(obj):
                    yield {"type": etype, "object": public(obj)}


FAILING_FILE = "kube-api-failing.json"


def set_failing(
    directory: Path | str, name: str, reason: str | None = None, image: str | None = None
) -> None:
    """Mark a workload failing in `directory`'s server, in this process or another (`serve`):
    the controller reads DIR/kube-api-failing.json when it changes."""
    path = Path(directory) / FAILING_FILE
    marks = json.loads(path.read_text()) if path.exists() else {}
    marks[name] = {
        "reason": reason or f"FATAL: {name} cannot start (marked failing by the replay)",
        "image": image,
    }
    path.write_text(json.dumps(marks, indent=2) + "\n")


def clear_failing(directory: Path | str, name: str | None = None) -> None:
    path = Path(directory) / FAILING_FILE
    marks = json.loads(path.read_text()) if path.exists() else {}
    if name is None:
        marks = {}
    marks.pop(name or "", None)
    path.write_text(json.dumps(marks, indent=2) + "\n")


def scale_of(obj: dict) -> dict:
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            key: obj["metadata"][key]
            for key in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
        },
        "spec": {"replicas": obj["spec"].get("replicas", 1)},
        "status": {
            "replicas": obj.get("status", {}).get("replicas", 0),
            "selector": _selector(dig(obj, "spec.selector")).replace("<none>", ""),
        },
    }


def parse_body(body: bytes) -> Any:
    if not body:
        raise bad_request("the request body is empty")
    try:
        return json.loads(body)
    except ValueError:
        try:
            return yaml.safe_load(body)
        except yaml.YAMLError as exc:
            raise bad_request(f"the body of the request could not be decoded: {exc}") from exc


# --------------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m testsupport.replay.kube_api")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve until killed")
    serve.add_argument("--dir", required=True, help="where kube-api.json and kubeconfig go")
    serve.add_argument("--context", default="minikube", help="kubeconfig context name")
    serve.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    serve.add_argument(
        "--fail",
        action="append",
        default=[],
        metavar="WORKLOAD",
        help="a workload whose pods crash-loop (repeatable)",
    )
    fail = commands.add_parser("fail", help="make a workload's pods crash-loop")
    fail.add_argument("--dir", required=True)
    fail.add_argument("workload")
    fail.add_argument("--reason", help="the last log line of its pods")
    fail.add_argument("--image", help="only pods running an image containing this")
    heal = commands.add_parser("heal", help="undo fail (all workloads without a name)")
    heal.add_argument("--dir", required=True)
    heal.add_argument("workload", nargs="?")
    args = parser.parse_args(argv)
    if args.command == "fail":
        set_failing(args.dir, args.workload, args.reason, args.image)
        return 0
    if args.command == "heal":
        clear_failing(args.dir, args.workload)
        return 0

    api = KubeAPI(args.dir, context=args.context, port=args.port)
    for name in args.fail:
        api.set_failing(name)
    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    api.start()
    print(f"kube-api serving {api.server}; kubeconfig {api.kubeconfig}", flush=True)
    done.wait()
    api.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
