"""Run the chart's rendered workloads as plain Docker containers, as Kubernetes would run them.

No Kubernetes cluster can run on the CI machines, so the container system test takes the
manifests `helm template` renders and starts each StatefulSet and Deployment on one private
Docker network, translating the pod spec instead of copying settings by hand: a setting the
chart changes is what the containers get, so drift is caught. Translated:

- Service names become network aliases of the pods they select (`todo-backend`, ...);
- env (value, secretKeyRef, configMapKeyRef, fieldRef for name/namespace), envFrom;
- securityContext (pod and container): runAsUser/Group, runAsNonRoot (checked),
  readOnlyRootFilesystem, allowPrivilegeEscalation, capabilities;
- volumes: emptyDir -> tmpfs, PVC / volumeClaimTemplates -> named volume, configMap/secret ->
  read-only bind mount of rendered files; resources.limits -> --memory/--cpus;
- command/args; initContainers run to completion first, in order;
- readinessProbe (httpGet, tcpSocket, exec) is what `up` waits for;
- with `--node-ports`, a NodePort Service's fixed nodePort is published on 127.0.0.1 under the
  same number, as a Minikube node created with `--ports=127.0.0.1:P:P` publishes it.

CLI: `python -m testsupport.k8s_docker up MANIFESTS.yaml --secret-file S.json --prefix P`
prints `{"services": {"todo-frontend": {"3000": "127.0.0.1:49153"}, ...}}`;
`python -m testsupport.k8s_docker down --prefix P` removes containers, network and volumes.
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

LABEL = "todo-system-test"
WORKLOAD_ORDER = {"StatefulSet": 0, "Deployment": 1}


class TranslationError(ValueError):
    """The manifests ask for something a plain container cannot honour (or are inconsistent)."""


@dataclass
class Container:
    name: str
    image: str
    run_args: list[str]
    command: list[str]
    ports: list[int]
    readiness: dict[str, Any] | None
    init: list[Container] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)

    def docker_run(self, *, detach: bool) -> list[str]:
        return ["docker", "run", *(["-d"] if detach else ["--rm"]), *self.run_args, *self.command]


def load_manifests(text: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(text) if d]


def _merge_security(pod: dict[str, Any], ctr: dict[str, Any]) -> dict[str, Any]:
    keys = ("runAsUser", "runAsGroup", "runAsNonRoot")
    merged = {k: pod[k] for k in keys if k in pod}
    merged.update(ctr)
    return merged


def _selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


class Translator:
    def __init__(
        self,
        docs: list[dict[str, Any]],
        secrets: dict[str, dict[str, str]],
        prefix: str,
        node_ports: bool = False,
    ) -> None:
        self.docs = docs
        self.node_ports = node_ports
        self.secrets = secrets
        self.prefix = prefix
        self.network = f"{prefix}-net"
        self.config_maps = {
            d["metadata"]["name"]: d.get("data", {}) for d in docs if d["kind"] == "ConfigMap"
        }
        # A chart-managed Secret (opt-in) is as good as one created by the installer.
        for d in docs:
            if d["kind"] == "Secret":
                self.secrets.setdefault(d["metadata"]["name"], d.get("stringData", {}))
        self.services = [d for d in docs if d["kind"] == "Service"]
        self.files_dir = files_dir(prefix)

    def workloads(self) -> list[dict[str, Any]]:
        found = [d for d in self.docs if d["kind"] in WORKLOAD_ORDER]
        return sorted(found, key=lambda d: WORKLOAD_ORDER[d["kind"]])

    def _secret_value(self, ref: dict[str, Any]) -> str | None:
        value = self.secrets.get(ref["name"], {}).get(ref["key"])
        if value is None and not ref.get("optional", False):
            raise TranslationError(f"secret {ref['name']} has no key {ref['key']}")
        return value

    def _env(self, ctr: dict[str, Any], pod_name: str) -> dict[str, str]:
        env: dict[str, str] = {}
        for src in ctr.get("envFrom", []):
            if "configMapRef" in src:
                env.update(self.config_maps[src["configMapRef"]["name"]])
            elif "secretRef" in src:
                env.update(self.secrets.get(src["secretRef"]["name"], {}))
        for var in ctr.get("env", []):
            if "value" in var:
                env[var["name"]] = str(var["value"])
                continue
            source = var.get("valueFrom", {})
            value: str | None
            if "secretKeyRef" in source:
                value = self._secret_value(source["secretKeyRef"])
            elif "configMapKeyRef" in source:
                ref = source["configMapKeyRef"]
                value = self.config_maps.get(ref["name"], {}).get(ref["key"])
            elif "fieldRef" in source:
                value = {"metadata.name": pod_name, "metadata.namespace": "todo-app"}.get(
                    source["fieldRef"]["fieldPath"]
                )
            else:
                raise TranslationError(f"unsupported env source for {var['name']}: {source}")
            if value is not None:
                env[var["name"]] = value
        return env

    def _volume_args(
        self,
        ctr: dict[str, Any],
        volumes: dict[str, dict[str, Any]],
        claims: set[str],
        pod_name: str,
    ) -> list[str]:
        args: list[str] = []
        for mount in ctr.get("volumeMounts", []):
            path, name = mount["mountPath"], mount["name"]
            if name in claims:
                args += ["-v", f"{self.prefix}-{name}:{path}"]
                continue
            vol = volumes.get(name)
            if vol is None:
                raise TranslationError(f"volumeMount {name} has no volume")
            if "emptyDir" in vol:
                # A fresh world-writable host directory, bind-mounted: shared by the pod's
                # init and main containers like an emptyDir, writable for any runAsUser.
                # (Docker's tmpfs mounts are per container, so they cannot stand in.)
                host_dir = self.files_dir / "emptydir" / f"{pod_name}-{name}"
                if not host_dir.exists():
                    host_dir.mkdir(parents=True)
                    host_dir.chmod(0o1777)
                args += ["-v", f"{host_dir}:{path}"]
            elif "persistentVolumeClaim" in vol:
                args += ["-v", f"{self.prefix}-{vol['persistentVolumeClaim']['claimName']}:{path}"]
            elif "configMap" in vol or "secret" in vol:
                kind = "configMap" if "configMap" in vol else "secret"
                ref = vol[kind].get("name") or vol[kind].get("secretName")
                data = (self.config_maps if kind == "configMap" else self.secrets).get(ref, {})
                target = self.files_dir / f"{ref}-{name}"
                target.mkdir(parents=True, exist_ok=True)
                for key, value in data.items():
                    (target / key).write_text(value)
                args += ["-v", f"{target}:{path}:ro"]
            else:
                raise TranslationError(f"unsupported volume {name}: {sorted(vol)}")
        return args

    def _container(
        self,
        ctr: dict[str, Any],
        pod_spec: dict[str, Any],
        pod_name: str,
        claims: set[str],
    ) -> Container:
        sec = _merge_security(pod_spec.get("securityContext", {}), ctr.get("securityContext", {}))
        args = ["--label", f"{LABEL}={self.prefix}", "--network", self.network]
        uid, gid = sec.get("runAsUser"), sec.get("runAsGroup")
        if sec.get("runAsNonRoot") and uid in (None, 0):
            raise TranslationError(f"{ctr['name']}: runAsNonRoot needs a non-zero runAsUser")
        if uid is not None:
            args += ["--user", f"{uid}:{gid if gid is not None else uid}"]
        fs_group = pod_spec.get("securityContext", {}).get("fsGroup")
        if fs_group is not None:
            args += ["--group-add", str(fs_group)]
        if sec.get("readOnlyRootFilesystem"):
            args.append("--read-only")
        if sec.get("allowPrivilegeEscalation") is False:
            args += ["--security-opt", "no-new-privileges"]
        caps = sec.get("capabilities", {})
        for cap in caps.get("drop", []):
            args += ["--cap-drop", cap]
        for cap in caps.get("add", []):
            args += ["--cap-add", cap]
        limits = ctr.get("resources", {}).get("limits", {})
        if "memory" in limits:
            args += ["--memory", _bytes(limits["memory"])]
        if "cpu" in limits:
            args += ["--cpus", str(_cpus(limits["cpu"]))]
        volumes = {v["name"]: v for v in pod_spec.get("volumes", [])}
        args += self._volume_args(ctr, volumes, claims, pod_name)
        for key, value in self._env(ctr, pod_name).items():
            args += ["-e", f"{key}={value}"]
        ports = [p["containerPort"] for p in ctr.get("ports", [])]
        for port in ports:
            args += ["-p", f"127.0.0.1::{port}"]
        command: list[str] = []
        if ctr.get("command"):
            args += ["--entrypoint", ctr["command"][0]]
            command += ctr["command"][1:]
        command += [str(a) for a in ctr.get("args", [])]
        return Container(
            name=f"{self.prefix}-{pod_name}-{ctr['name']}",
            image=ctr["image"],
            run_args=[*args, ctr["image"]],
            command=command,
            ports=ports,
            readiness=_named_port(ctr.get("readinessProbe"), ctr),
        )

    def plan(self) -> list[Container]:
        plans = []
        for workload in self.workloads():
            name = workload["metadata"]["name"]
            template = workload["spec"]["template"]
            spec = template["spec"]
            labels = template["metadata"].get("labels", {})
            claim_templates = workload["spec"].get("volumeClaimTemplates", [])
            claims = {c["metadata"]["name"] for c in claim_templates}
            main, *sidecars = spec["containers"]
            if sidecars:
                raise TranslationError(f"{name}: sidecar containers are not supported")
            ctr = self._container(main, spec, name, claims)
            ctr.name = f"{self.prefix}-{name}"
            inits = spec.get("initContainers", [])
            ctr.init = [self._container(i, spec, name, claims) for i in inits]
            ctr.aliases = [
                s["metadata"]["name"]
                for s in self.services
                if _selects(s["spec"].get("selector", {}), labels)
            ]
            # Aliases must be on the run args before the image name.
            alias_args = [a for alias in ctr.aliases for a in ("--network-alias", alias)]
            publish = self._node_port_args(labels, main) if self.node_ports else []
            image_at = len(ctr.run_args) - 1
            ctr.run_args[image_at:image_at] = ["--name", ctr.name, *alias_args, *publish]
            plans.append(ctr)
        return plans

    def _node_port_args(self, labels: dict[str, str], ctr: dict[str, Any]) -> list[str]:
        """`-p 127.0.0.1:NODEPORT:TARGET` for each fixed nodePort of a NodePort Service."""
        by_name = {p.get("name"): p["containerPort"] for p in ctr.get("ports", [])}
        args = []
        for svc in self.services:
            spec = svc["spec"]
            if spec.get("type") != "NodePort" or not _selects(spec.get("selector", {}), labels):
                continue
            for port in spec.get("ports", []):
                if port.get("nodePort"):
                    target = port.get("targetPort", port["port"])
                    target = by_name.get(target, target) if isinstance(target, str) else target
                    args += ["-p", f"127.0.0.1:{port['nodePort']}:{target}"]
        return args


def files_dir(prefix: str) -> Path:
    """Where rendered ConfigMap/Secret files and emptyDirs of a run live (removed by down)."""
    return Path(tempfile.gettempdir()) / f"{prefix}-files"


def _named_port(probe: dict[str, Any] | None, ctr: dict[str, Any]) -> dict[str, Any] | None:
    """Resolves a probe's named port (`port: http`) to the container's number."""
    if not probe:
        return None
    probe = json.loads(json.dumps(probe))
    for kind in ("httpGet", "tcpSocket"):
        if kind in probe and isinstance(probe[kind]["port"], str):
            by_name = {p.get("name"): p["containerPort"] for p in ctr.get("ports", [])}
            probe[kind]["port"] = by_name[probe[kind]["port"]]
    return probe


def _bytes(quantity: str | int) -> str:
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "K": 10**3, "M": 10**6, "G": 10**9}
    text = str(quantity)
    for suffix, factor in units.items():
        if text.endswith(suffix):
            return str(int(float(text[: -len(suffix)]) * factor))
    return text


def _cpus(quantity: str | int | float) -> float:
    text = str(quantity)
    return int(text[:-1]) / 1000 if text.endswith("m") else float(text)


def _docker(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=check)


def _host_port(container: str, port: int) -> tuple[str, int]:
    out = _docker("port", container, f"{port}/tcp").stdout.splitlines()[0]
    host, _, number = out.rpartition(":")
    return host, int(number)


def _ready(ctr: Container) -> bool:
    probe = ctr.readiness
    if probe is None:
        return _docker("inspect", "-f", "{{.State.Running}}", ctr.name).stdout.strip() == "true"
    if "exec" in probe:
        return _docker("exec", ctr.name, *probe["exec"]["command"], check=False).returncode == 0
    if "httpGet" in probe:
        host, port = _host_port(ctr.name, probe["httpGet"]["port"])
        url = f"http://{host}:{port}{probe['httpGet'].get('path', '/')}"
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                return 200 <= resp.status < 400
        except (urllib.error.URLError, OSError):
            return False
    if "tcpSocket" in probe:
        host, port = _host_port(ctr.name, probe["tcpSocket"]["port"])
        with socket.socket() as sock:
            sock.settimeout(2)
            return sock.connect_ex((host, port)) == 0
    raise TranslationError(f"unsupported probe {sorted(probe)}")


def wait_ready(ctr: Container, timeout: float) -> float:
    """Seconds until the readiness probe passed; raises with the container's logs otherwise."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        state = _docker("inspect", "-f", "{{.State.Status}}", ctr.name).stdout.strip()
        if state == "exited":
            break
        if _ready(ctr):
            return time.monotonic() - started
        time.sleep(0.2)
    logs = _docker("logs", "--tail", "40", ctr.name, check=False)
    raise TimeoutError(f"{ctr.name} not ready ({state}):\n{logs.stdout}{logs.stderr}")


def _start_workload(ctr: Container, timeout: float) -> float:
    """Init containers in order, then the main one; seconds from its start to ready."""
    for init in ctr.init:
        result = subprocess.run(init.docker_run(detach=False), capture_output=True, text=True)
        if result.returncode != 0:
            output = (result.stdout + result.stderr)[-4000:]
            raise RuntimeError(f"init container {init.name} failed:\n{output}")
    _docker(*ctr.docker_run(detach=True)[1:])
    return wait_ready(ctr, timeout)


def up(translator: Translator, timeout: float = 120) -> dict[str, Any]:
    """Starts every workload at once, as a cluster would: a pod's readiness may depend on
    another's (the agent's on the backend's), and init containers wait for what they need."""
    down(translator.prefix)  # leftovers of an interrupted run with the same prefix
    plans = translator.plan()
    _docker("network", "create", "--label", f"{LABEL}={translator.prefix}", translator.network)
    report: dict[str, Any] = {"services": {}, "ready_seconds": {}}
    with ThreadPoolExecutor(max_workers=len(plans) or 1) as pool:
        started = {ctr.name: pool.submit(_start_workload, ctr, timeout) for ctr in plans}
        for name, future in started.items():
            report["ready_seconds"][name] = round(future.result(), 2)
    for ctr in plans:
        ports = {str(p): "{}:{}".format(*_host_port(ctr.name, p)) for p in ctr.ports}
        for alias in ctr.aliases:
            report["services"][alias] = ports
    return report


def down(prefix: str) -> None:
    ids = _docker("ps", "-aq", "--filter", f"label={LABEL}={prefix}").stdout.split()
    if ids:
        _docker("rm", "-f", "-v", *ids)
    _docker("network", "rm", f"{prefix}-net", check=False)
    shutil.rmtree(files_dir(prefix), ignore_errors=True)
    volumes = _docker("volume", "ls", "-q", "--filter", f"name=^{prefix}-").stdout.split()
    if volumes:
        _docker("volume", "rm", *volumes, check=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="action", required=True)
    start = sub.add_parser("up")
    start.add_argument("manifests", type=Path)
    start.add_argument("--secret-file", type=Path, required=True, help="JSON {name: {key: value}}")
    start.add_argument("--prefix", required=True)
    start.add_argument("--timeout", type=float, default=120)
    start.add_argument(
        "--node-ports", action="store_true", help="publish fixed NodePorts on 127.0.0.1"
    )
    stop = sub.add_parser("down")
    stop.add_argument("--prefix", required=True)
    args = parser.parse_args(argv)
    if args.action == "down":
        down(args.prefix)
        return 0
    docs = load_manifests(args.manifests.read_text())
    secrets = json.loads(args.secret_file.read_text())
    translator = Translator(docs, secrets, args.prefix, node_ports=args.node_ports)
    report = up(translator, args.timeout)
    json.dump(report, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
