"""Memory of the image builds and of the running app, as the kernel accounts it.

    .venv/bin/python bench/build_memory.py [--caps 768,640,512] [--seconds 10]
        [--clients 10] [--interval 0.1] [--json FILE] [--skip-builds] [--skip-caps] [--skip-app]

Run from the repository root with the project venv (scripts/setup.sh --dev; helm from
scripts/install-helm.sh; wrk from Debian), as root: it reads cgroup files and runs a privileged
container. Base images as images_bench.py picks them (TODO_PYTHON_IMAGE / TODO_NODE_IMAGE /
TODO_POSTGRES_IMAGE, else the local CI stand-ins, else the official ones).

How a build is measured. The deploy builds inside the Minikube node's Docker daemon: the node
is a privileged container with `--memory`, and everything of the build (dockerd and its
BuildKit, containerd, the shims, runc and the RUN steps' processes, the page cache of the files
they write) is charged to that container's memory cgroup. This script builds the same shape: a
"node" container (`todo-bench/docker-node`, the Python base plus Debian's docker.io) runs its
own dockerd with `--privileged --cgroupns=private`, the base images are loaded into it, and the
three real Dockerfiles are built there with `docker buildx build` (BuildKit through the node's
daemon, as the images role builds through `minikube docker-env`). Its inner dockerd creates
the RUN steps' cgroups below its own (`.../docker/buildkit/<step>`), so the node's cgroup is
the whole build: its kernel peak (`memory.max_usage_in_bytes` on cgroup v1, reset before each
build by writing 0; `memory.peak` on v2, reset through its file descriptor) counts every byte
any process of the build was charged, page cache included. A sampler reads `memory.stat`
every --interval seconds for the part that cannot be reclaimed (anonymous memory: `total_rss`,
v2 `anon`) and the working set (usage minus inactive file pages, what the kubelet and
`kubectl top` report), and once a second walks every process descended from the node's init
process (PID namespaces nest, so each build process is one) to check that each one's memory
cgroup lies inside the node's; any that does not is printed, so the claim is checked on each
run rather than assumed. No docker-container BuildKit driver is used: it needs the
moby/buildkit image from a registry, which the CI machines cannot reach, and the node container
is also the closer model of Minikube.

What runs, in order (every build bounded by --build-timeout; every load run by --seconds):
1. builds, one node without a limit: per service `docker builder prune -af`, a cold build (no
   build cache; base images present), then one source file changed and a warm build;
2. caps: for each --caps value (largest first), a new node with `--memory` and
   `--memory-swap` of that size and a cold frontend build, stopping after the first that fails;
3. the app: the three images built by the images role on the host engine (as
   molecule/images/converge.yml does), the chart rendered by `helm template` and started by
   testsupport.k8s_docker (it applies the chart's limits as `--memory`); each container's
   memory idle, then during and after wrk through the frontend's published port on 127.0.0.1
   (the todo page, GET /api/todos, POST /api/chat); and the chart's requests and limits.

Every container this starts is removed at the end, also on failure; the node image and the
three app images are left built. The host engine's build cache is not touched.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from images_bench import (
    HELM,
    PASSWORD,
    PREFIX,
    base_images,
    containers,
    docker,
    published,
    render,
    run_role,
)
from wrk_tools import machine, parse, wrk_argv

from testsupport import k8s_docker as k8s

REPO = Path(__file__).resolve().parents[1]

MIB = 1024 * 1024
NODE_REPOSITORY = "todo-bench/docker-node"
NODE_LABEL = "todo-bench-build-memory"
# The node: the Python base (Debian trixie, like the official python:3.13-slim) plus Debian's
# Docker engine. tini reaps the shims that the inner dockerd's containerd leaves to PID 1.
NODE_DOCKERFILE = """\
FROM {base}
RUN apt-get update \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \\
    docker.io iptables tini \\
 && rm -rf /var/lib/apt/lists/*
"""
# As roles/images/defaults/main.yml builds them: context (under the repo), Dockerfile in the
# context, base-image build arg; plus the source file a warm build changes (in the context).
SERVICES = {
    "backend": ("services", "backend/Dockerfile", "PYTHON_IMAGE", "backend/todo_backend/main.py"),
    "ai_agent": ("services", "ai-agent/Dockerfile", "PYTHON_IMAGE", "ai-agent/todo_agent/main.py"),
    "frontend": ("services/frontend", "Dockerfile", "NODE_IMAGE", "app/page.tsx"),
}
# Not part of any build context (each Dockerfile's .dockerignore drops them too); copying
# them would only slow the copy.
COPY_IGNORE = shutil.ignore_patterns(
    "node_modules", ".next", "__pycache__", ".venv", "test-results", ".pytest_cache",
    "*.tsbuildinfo", ".ruff_cache",
)  # fmt: skip


def mib(value: float | None) -> str:
    return "-" if value is None else f"{value / MIB:.0f}"


# --- cgroups -----------------------------------------------------------------------------------


def memory_cgroup_of(pid: int) -> tuple[str, bool]:
    """The memory cgroup of a process as the host sees it, and whether it is cgroup v2."""
    lines = Path(f"/proc/{pid}/cgroup").read_text().splitlines()
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if "memory" in controllers.split(","):
            return path, False
    for line in lines:
        if line.startswith("0::"):
            return line[3:], True
    raise RuntimeError(f"no memory cgroup for process {pid}: {lines}")


class Cgroup:
    """One memory cgroup, read from /sys/fs/cgroup (v1 memory controller, or v2)."""

    def __init__(self, pid: int):
        self.rel, self.v2 = memory_cgroup_of(pid)
        root = Path("/sys/fs/cgroup") if self.v2 else Path("/sys/fs/cgroup/memory")
        self.path = root / self.rel.lstrip("/")
        if not self.path.is_dir():
            raise RuntimeError(f"cgroup {self.rel} of process {pid} is not at {self.path}")
        self._peak_file = None

    def read(self, name: str) -> str:
        return (self.path / name).read_text()

    def stat(self) -> dict[str, int]:
        return {
            k: int(v) for k, v in (line.split() for line in self.read("memory.stat").splitlines())
        }

    def usage(self) -> int:
        return int(self.read("memory.current" if self.v2 else "memory.usage_in_bytes"))

    def sample(self) -> dict[str, int]:
        """usage (everything charged, page cache included), anon (cannot be reclaimed without
        swap), file (page cache), working set (usage minus inactive file, cAdvisor's)."""
        usage, s = self.usage(), self.stat()
        keys = ("anon", "file", "inactive_file") if self.v2 else (
            "total_rss", "total_cache", "total_inactive_file")  # fmt: skip
        anon, file_, inactive = (s.get(k, 0) for k in keys)
        return {"usage": usage, "anon": anon, "file": file_, "ws": max(usage - inactive, 0)}

    def reset_peak(self) -> None:
        """v1: writing 0 resets max_usage_in_bytes to the current usage. v2: the peak reset is
        per file descriptor (Linux 6.12+), so the descriptor is kept open for peak()."""
        if not self.v2:
            (self.path / "memory.max_usage_in_bytes").write_text("0")
            return
        with contextlib.suppress(OSError):
            self._peak_file = open(self.path / "memory.peak", "r+")  # noqa: SIM115
            self._peak_file.write("reset\n")
            self._peak_file.flush()

    def peak(self) -> int | None:
        """The kernel's peak since reset_peak(); None where v2 cannot reset it."""
        if not self.v2:
            return int(self.read("memory.max_usage_in_bytes"))
        if self._peak_file is None:
            return None
        self._peak_file.seek(0)
        return int(self._peak_file.read())

    def contains(self, rel: str) -> bool:
        return rel == self.rel or rel.startswith(self.rel.rstrip("/") + "/")


def oom_kills() -> int:
    """OOM kills on the whole machine (/proc/vmstat). The cgroup's own counter does not do: on
    v1 a kill is counted in the victim's cgroup, a RUN step's, which BuildKit removes."""
    found = re.search(r"^oom_kill (\d+)$", Path("/proc/vmstat").read_text(), re.MULTILINE)
    return int(found.group(1)) if found else 0


def processes_below(root_pid: int) -> list[int]:
    """root_pid and every process descended from it (re-parented orphans of a PID namespace
    go to its init, so they stay below it)."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = Path(f"/proc/{entry.name}/stat").read_text()
            children[int(stat.rsplit(")", 1)[1].split()[1])].append(int(entry.name))
    found, todo = [], [root_pid]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, ()))
    return found


def process_info(pid: int) -> tuple[str, int, str] | None:
    """(command name, VmRSS bytes, memory cgroup), or None if it has gone or exited: a zombie
    holds no memory and the kernel shows it in the root cgroup ("/")."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        rel, _ = memory_cgroup_of(pid)
    except (OSError, RuntimeError):
        return None
    if re.search(r"^State:\s*[ZX]", status, re.MULTILINE):
        return None
    name = re.search(r"^Name:\s*(.*)$", status, re.MULTILINE)
    rss = re.search(r"^VmRSS:\s*(\d+) kB$", status, re.MULTILINE)
    return (name.group(1) if name else "?"), (int(rss.group(1)) * 1024 if rss else 0), rel


@dataclass
class Peaks:
    usage: int = 0
    anon: int = 0
    ws: int = 0
    steps_anon: int = 0  # the RUN steps' own cgroups (below the node's), when present
    samples: int = 0
    checks: int = 0
    pids: set[int] = field(default_factory=set)
    escaped: dict[int, str] = field(default_factory=dict)
    rss_by_name: dict[str, int] = field(default_factory=dict)  # max over checks of the sum


class Sampler:
    """Samples cgroups every `interval` s in a thread; with `tree_of`, also checks once a
    second that every process below that PID is inside the first cgroup's subtree."""

    def __init__(self, groups: dict[str, Cgroup], interval: float, tree_of: int | None = None):
        self.groups, self.interval, self.tree_of = groups, interval, tree_of
        self.peaks = {name: Peaks() for name in groups}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        every = max(1, round(1 / self.interval))
        tick = 0
        while True:
            for name, group in self.groups.items():
                with contextlib.suppress(OSError):
                    self._sample(self.peaks[name], group)
            if self.tree_of is not None and tick % every == 0:
                first = next(iter(self.groups))
                self._check_tree(self.peaks[first], self.groups[first])
            tick += 1
            if self._stop.wait(self.interval):
                return

    @staticmethod
    def _sample(peaks: Peaks, group: Cgroup) -> None:
        s = group.sample()
        peaks.usage, peaks.anon = max(peaks.usage, s["usage"]), max(peaks.anon, s["anon"])
        peaks.ws, peaks.samples = max(peaks.ws, s["ws"]), peaks.samples + 1
        steps = group.path / "docker" / "buildkit" / "memory.stat"  # the inner dockerd's
        with contextlib.suppress(OSError):
            stat = dict(line.split() for line in steps.read_text().splitlines())
            peaks.steps_anon = max(
                peaks.steps_anon, int(stat.get("total_rss", stat.get("anon", 0)))
            )

    def _check_tree(self, peaks: Peaks, group: Cgroup) -> None:
        by_name: dict[str, int] = defaultdict(int)
        for pid in processes_below(self.tree_of):
            info = process_info(pid)
            if info is None:
                continue
            name, rss, rel = info
            peaks.pids.add(pid)
            by_name[name] += rss
            if not group.contains(rel):
                peaks.escaped[pid] = f"{name} in {rel}"
        for name, rss in by_name.items():
            peaks.rss_by_name[name] = max(peaks.rss_by_name.get(name, 0), rss)
        peaks.checks += 1


# --- the node: a container with its own dockerd -----------------------------------------------


def node_image(python_base: str) -> str:
    """todo-bench/docker-node:<hash of the Dockerfile and the base's ID>, built if missing."""
    text = NODE_DOCKERFILE.format(base=python_base)
    base_id = docker("image", "inspect", "--format", "{{.Id}}", python_base).strip()
    tag = f"{NODE_REPOSITORY}:{hashlib.sha256((text + base_id).encode()).hexdigest()[:12]}"
    if subprocess.run(["docker", "image", "inspect", tag], capture_output=True).returncode != 0:
        print(f"building {tag} (Debian's docker.io on {python_base})", flush=True)
        subprocess.run(
            ["docker", "build", "-q", "-t", tag, "-"], input=text, text=True, check=True,
            capture_output=True, timeout=900,
        )  # fmt: skip
    return tag


@dataclass
class Node:
    name: str
    pid: int
    host: str  # DOCKER_HOST of its dockerd
    cgroup: Cgroup

    def env(self) -> dict[str, str]:
        return {**os.environ, "DOCKER_HOST": self.host}

    def docker(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["docker", *args], env=self.env(), capture_output=True, text=True, timeout=timeout
        )

    def alive(self) -> bool:
        out = subprocess.run(["docker", "inspect", "-f", "{{.State.Running}}", self.name],
                             capture_output=True, text=True)  # fmt: skip
        return out.stdout.strip() == "true"


@contextlib.contextmanager
def node(image: str, name: str, memory_mb: int | None = None) -> Iterator[Node]:
    """A privileged container running dockerd on a socket in a host directory; removed (with
    its /var/lib/docker volume) on the way out."""
    with tempfile.TemporaryDirectory(prefix="build-memory-sock-") as sock_dir:
        argv = [
            "run",
            "-d",
            "--name",
            name,
            "--label",
            NODE_LABEL,
            "--privileged",
            "--cgroupns=private",
            "-v",
            f"{sock_dir}:/run/bench",
            "--mount",
            "type=volume,dst=/var/lib/docker",
            "--entrypoint",
            "/usr/bin/tini",
        ]
        if memory_mb:
            argv += [f"--memory={memory_mb}m", f"--memory-swap={memory_mb}m"]
        argv += [image, "-g", "--", "dockerd", "-H", "unix:///run/bench/docker.sock",
                 "--storage-driver=overlay2", "--log-level=warn"]  # fmt: skip
        docker(*argv)
        try:
            pid = int(docker("inspect", "-f", "{{.State.Pid}}", name).strip())
            found = Node(name, pid, f"unix://{sock_dir}/docker.sock", Cgroup(pid))
            deadline = time.monotonic() + 60
            while found.docker("version", timeout=10).returncode != 0:
                if time.monotonic() > deadline or not found.alive():
                    logs = subprocess.run(["docker", "logs", "--tail", "20", name],
                                          capture_output=True, text=True)  # fmt: skip
                    raise RuntimeError(f"the node's dockerd did not start:\n{logs.stderr}")
                time.sleep(0.5)
            yield found
        finally:
            subprocess.run(["docker", "rm", "-fv", name], capture_output=True, timeout=120)


def load_bases(target: Node, bases: list[str]) -> float:
    started = time.monotonic()
    with subprocess.Popen(["docker", "save", *bases], stdout=subprocess.PIPE) as save:
        load = subprocess.run(["docker", "load", "-q"], stdin=save.stdout, env=target.env(),
                              capture_output=True, text=True, timeout=600)  # fmt: skip
        save.stdout.close()
    if save.returncode or load.returncode:
        raise RuntimeError(f"loading the base images into {target.name} failed: {load.stderr}")
    return time.monotonic() - started


# --- builds ------------------------------------------------------------------------------------


def build(target: Node, context: Path, service: str, bases: dict[str, str], args) -> dict:
    """One `docker buildx build` in the node; its kernel peak and the sampled peaks."""
    _, dockerfile, base_arg, _ = SERVICES[service]
    base = bases["TODO_NODE_IMAGE" if base_arg == "NODE_IMAGE" else "TODO_PYTHON_IMAGE"]
    argv = [
        "buildx",
        "build",
        "--progress=plain",
        f"--build-arg={base_arg}={base}",
        "-f",
        str(context / dockerfile),
        "-t",
        f"todo-bench-{service}:latest",
        str(context),
    ]
    time.sleep(1)  # let the previous step's exit settle before the reset
    start = target.cgroup.sample()
    oom_before = oom_kills()
    target.cgroup.reset_peak()
    started = time.monotonic()
    with Sampler({"node": target.cgroup}, args.interval, tree_of=target.pid) as sampler:
        try:
            result = target.docker(*argv, timeout=args.build_timeout)
            ok, tail = result.returncode == 0, (result.stdout + result.stderr)[-3000:]
        except subprocess.TimeoutExpired:
            ok, tail = False, f"timed out after {args.build_timeout} s"
    seconds = time.monotonic() - started
    peaks = sampler.peaks["node"]
    with contextlib.suppress(OSError):  # the node may be gone after an OOM kill
        peaks.usage = max(peaks.usage, target.cgroup.peak() or 0)
    oom = oom_kills() - oom_before
    killed = not ok and "exit code: 137" in tail
    top = sorted(peaks.rss_by_name.items(), key=lambda kv: -kv[1])[:4]
    return {
        "service": service, "ok": ok, "seconds": round(seconds, 1), "tail": "" if ok else tail,
        "start_usage": start["usage"], "start_anon": start["anon"], "peak": peaks.usage,
        "peak_anon": peaks.anon, "peak_ws": peaks.ws, "steps_anon": peaks.steps_anon,
        "samples": peaks.samples, "checks": peaks.checks, "pids": len(peaks.pids),
        "escaped": peaks.escaped, "oom_kills": oom, "killed": killed, "alive": target.alive(),
        "top_rss": [[name, rss] for name, rss in top],
    }  # fmt: skip


def copy_sources(dest: Path) -> Path:
    """The services' sources, so a warm build can change a file without touching the tree."""
    shutil.copytree(REPO / "services", dest / "services", ignore=COPY_IGNORE, symlinks=True)
    return dest


def touch_source(path: Path) -> None:
    comment = "//" if path.suffix in {".ts", ".tsx", ".js", ".mjs"} else "#"
    with path.open("a") as f:
        f.write(f"\n{comment} bench/build_memory.py: warm rebuild {time.time_ns()}\n")


def builds(image: str, bases: dict[str, str], args) -> tuple[dict, list[dict]]:
    rows = []
    with (
        tempfile.TemporaryDirectory(prefix="build-memory-src-") as tmp,
        node(image, f"{PREFIX}-node") as target,
    ):
        src = copy_sources(Path(tmp))
        load_s = load_bases(target, [bases["TODO_PYTHON_IMAGE"], bases["TODO_NODE_IMAGE"]])
        time.sleep(3)
        idle = target.cgroup.sample()
        print(
            f"node idle with the base images loaded ({load_s:.0f} s): "
            f"{mib(idle['usage'])} MiB charged, {mib(idle['anon'])} MiB anonymous",
            flush=True,
        )
        for service, (context_dir, *_, changed) in SERVICES.items():
            context = src / context_dir
            pruned = target.docker("builder", "prune", "-af")
            if pruned.returncode != 0:
                raise RuntimeError(f"docker builder prune in the node failed: {pruned.stderr}")
            for kind in ("cold", "warm"):
                if kind == "warm":
                    touch_source(context / changed)
                row = {**build(target, context, service, bases, args), "kind": kind}
                rows.append(row)
                print(
                    f"{service} {kind}: {'ok' if row['ok'] else 'FAILED'} {row['seconds']} s, "
                    f"peak {mib(row['peak'])} MiB, anon {mib(row['peak_anon'])} MiB",
                    flush=True,
                )
                if not row["ok"]:
                    raise RuntimeError(f"{service} {kind} build failed:\n{row['tail']}")
    return {"usage": idle["usage"], "anon": idle["anon"], "load_seconds": load_s}, rows


def caps(image: str, bases: dict[str, str], args) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="build-memory-src-") as tmp:
        src = copy_sources(Path(tmp))
        for cap in sorted(args.caps, reverse=True):
            with node(image, f"{PREFIX}-cap{cap}", memory_mb=cap) as target:
                load_bases(target, [bases["TODO_NODE_IMAGE"]])
                row = {**build(target, src / "services/frontend", "frontend", bases, args),
                       "cap_mb": cap}  # fmt: skip
            rows.append(row)
            print(f"frontend cold under {cap} MiB: {'ok' if row['ok'] else 'FAILED'} "
                  f"{row['seconds']} s, oom kills {row['oom_kills']}", flush=True)  # fmt: skip
            if not row["ok"]:
                break
    return rows


# --- the app -----------------------------------------------------------------------------------


def quantity(text: str | int | None) -> int:
    if text is None:
        return 0
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "K": 10**3, "M": 10**6, "G": 10**9}
    found = re.fullmatch(r"(\d+(?:\.\d+)?)([KMG]i?)?", str(text))
    if not found:
        raise ValueError(f"memory quantity not understood: {text!r}")
    return int(float(found.group(1)) * units.get(found.group(2) or "", 1))


def chart_resources(manifests: str) -> list[dict]:
    """Memory requests and limits per workload's main containers (times replicas); init
    containers run before them, so they add to no sum."""
    rows = []
    for doc in k8s.load_manifests(manifests):
        if doc.get("kind") not in {"Deployment", "StatefulSet"}:
            continue
        spec = doc["spec"]["template"]["spec"]
        replicas = doc["spec"].get("replicas", 1)
        for ctr in spec["containers"]:
            res = ctr.get("resources", {})
            rows.append({
                "workload": doc["metadata"]["name"], "container": ctr["name"], "replicas": replicas,
                "request": quantity(res.get("requests", {}).get("memory")) * replicas,
                "limit": quantity(res.get("limits", {}).get("memory")) * replicas,
            })  # fmt: skip
    return rows


def app_cgroups() -> dict[str, Cgroup]:
    groups = {}
    for workload in ("postgresql", "backend", "ai-agent", "frontend"):
        pid = int(docker("inspect", "-f", "{{.State.Pid}}", f"{PREFIX}-todo-{workload}").strip())
        groups[workload] = Cgroup(pid)
    return groups


def wrk(url: str, env: dict[str, str], args) -> dict:
    result = subprocess.run(
        wrk_argv(url, clients=args.clients, seconds=args.seconds), env={**os.environ, **env},
        capture_output=True, text=True, timeout=args.seconds + 60,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"wrk failed: {result.stderr}")
    return parse(result.stdout)


def app(bases: dict[str, str], args) -> dict:
    with tempfile.TemporaryDirectory(prefix="build-memory-app-") as tmp:
        work = Path(tmp)
        _, refs = run_role(work, bases)
        manifests = render(refs, bases["TODO_POSTGRES_IMAGE"])
        (work / "manifests.yaml").write_text(manifests)
        with containers(work):
            groups = app_cgroups()
            time.sleep(args.settle)
            idle = {name: group.sample() for name, group in groups.items()}
            since_start = {name: group.peak() for name, group in groups.items()}
            backend, frontend = published("todo-backend", 8000), published("todo-frontend", 3000)
            with httpx.Client(base_url=backend, timeout=30) as client:
                creds = {"email": "memory@example.com", "password": PASSWORD}
                client.post("/api/v1/auth/register", json=creds).raise_for_status()
                token = client.post("/api/v1/auth/login", json=creds).json()["access_token"]
                for i in range(20):
                    client.post(
                        "/api/v1/todos",
                        json={"title": f"todo {i}"},
                        headers={"Authorization": f"Bearer {token}"},
                    ).raise_for_status()
            cookie = f"todo_session={token}"  # the frontend's session cookie holds the JWT
            cases = {
                "todo page (GET /)": {"BENCH_PATH": "/", "BENCH_COOKIE": cookie},
                "GET /api/todos": {"BENCH_PATH": "/api/todos?limit=20", "BENCH_COOKIE": cookie},
                "POST /api/chat": {"BENCH_PATH": "/api/chat", "BENCH_METHOD": "POST",
                                   "BENCH_COOKIE": cookie,
                                   "BENCH_BODY": json.dumps({"message": "what's left"})},
            }  # fmt: skip
            for group in groups.values():
                group.reset_peak()
            loads = {}
            with Sampler(groups, 0.2) as sampler:
                for name, env in cases.items():
                    loads[name] = wrk(frontend, env, args)
                    print(f"{name}: {loads[name]['rps']:.0f} req/s, "
                          f"{loads[name]['non_2xx'] + loads[name]['socket_errors']} errors",
                          flush=True)  # fmt: skip
            time.sleep(2)
            after = {name: group.sample() for name, group in groups.items()}
            rows = []
            for name, group in groups.items():
                p = sampler.peaks[name]
                rows.append({
                    "workload": name, "idle": idle[name], "after": after[name],
                    "start_peak": since_start[name], "load_peak": max(p.usage, group.peak() or 0),
                    "load_peak_anon": p.anon, "load_peak_ws": p.ws,
                })  # fmt: skip
    return {"resources": chart_resources(manifests), "containers": rows, "loads": {
        k: {"rps": v["rps"], "errors": v["non_2xx"] + v["socket_errors"]} for k, v in loads.items()
    }}  # fmt: skip


# --- report ------------------------------------------------------------------------------------


def table(header: list[str], rows: list[list[str]]) -> None:
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()


def report(results: dict) -> None:
    if "builds" in results:
        idle, rows = results["node_idle"], results["builds"]
        print(f"\n## Builds in a node of their own (MiB; node idle with the base images loaded: "
              f"{mib(idle['usage'])} charged, {mib(idle['anon'])} anonymous)\n")  # fmt: skip
        table(
            ["service", "build", "s", "peak (kernel, incl. page cache)", "peak above start",
             "anon peak", "working-set peak", "RUN steps' anon peak", "largest RSS (sum by name)"],
            [[r["service"], r["kind"], f"{r['seconds']:.0f}", mib(r["peak"]),
              mib(r["peak"] - r["start_usage"]), mib(r["peak_anon"]), mib(r["peak_ws"]),
              mib(r["steps_anon"]),
              ", ".join(f"{n} {mib(v)}" for n, v in r["top_rss"])] for r in rows],
        )  # fmt: skip
        escaped = {pid: text for r in rows for pid, text in r["escaped"].items()}
        checks, pids = sum(r["checks"] for r in rows), sum(r["pids"] for r in rows)
        print(f"Process check: {pids} processes seen below the node's init in {checks} walks; "
              + (f"OUTSIDE its cgroup: {escaped}" if escaped else "every one inside its cgroup.")
              + "\n")  # fmt: skip
    if results.get("caps"):
        print("## Cold frontend build under a memory limit on the node\n")
        table(
            ["node --memory MiB", "result", "s", "OOM kills (machine)", "anon peak",
             "working-set peak"],
            [[str(r["cap_mb"]), "ok" if r["ok"] else ("FAILED" + (", killed (exit 137)"
              if r.get("killed") else "") + ("" if r["alive"] else ", node gone")),
              f"{r['seconds']:.0f}", str(r["oom_kills"]), mib(r["peak_anon"]),
              mib(r["peak_ws"])] for r in results["caps"]],
        )  # fmt: skip
        for r in results["caps"]:
            if not r["ok"]:
                print(
                    f"Failure under {r['cap_mb']} MiB, last output:\n"
                    f"```\n{r['tail'][-1500:]}\n```\n"
                )
    if "app" in results:
        res = results["app"]["resources"]
        print("## The app's containers (MiB; chart limits applied as --memory)\n")
        limits = {r["workload"].removeprefix("todo-"): r for r in res}
        table(
            ["workload", "request", "limit", "idle anon", "idle working set",
             "peak since start (kernel)", "load: anon peak", "load: working-set peak",
             "load: peak (kernel)", "after load working set"],
            [[c["workload"], mib(limits.get(c["workload"], {}).get("request")),
              mib(limits.get(c["workload"], {}).get("limit")), mib(c["idle"]["anon"]),
              mib(c["idle"]["ws"]), mib(c["start_peak"]), mib(c["load_peak_anon"]),
              mib(c["load_peak_ws"]), mib(c["load_peak"]), mib(c["after"]["ws"])]
             for c in results["app"]["containers"]],
        )  # fmt: skip
        cs = results["app"]["containers"]
        print(f"Sums: requests {mib(sum(r['request'] for r in res))}, limits "
              f"{mib(sum(r['limit'] for r in res))}, idle working set "
              f"{mib(sum(c['idle']['ws'] for c in cs))}, load working-set peaks "
              f"{mib(sum(c['load_peak_ws'] for c in cs))}, load kernel peaks "
              f"{mib(sum(c['load_peak'] for c in cs))} (MiB)")  # fmt: skip
        print("Load: " + "; ".join(f"{k} {v['rps']:.0f} req/s, {v['errors']} errors"
                                   for k, v in results["app"]["loads"].items()))  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--caps", default="768,640,512",
                        help="node --memory sizes in MiB for the cold frontend build")  # fmt: skip
    parser.add_argument("--build-timeout", type=int, default=900, choices=range(60, 1801),
                        metavar="60..1800")  # fmt: skip
    parser.add_argument("--interval", type=float, default=0.1, help="sampling period, s")
    parser.add_argument("--seconds", type=int, default=10, choices=range(1, 61), metavar="1..60")
    parser.add_argument("--clients", type=int, default=10, choices=range(1, 101), metavar="1..100")
    parser.add_argument("--settle", type=int, default=15, choices=range(0, 121), metavar="0..120",
                        help="seconds between the app's start and the idle reading")  # fmt: skip
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--skip-builds", action="store_true")
    parser.add_argument("--skip-caps", action="store_true")
    parser.add_argument("--skip-app", action="store_true")
    args = parser.parse_args()
    args.caps = [int(x) for x in args.caps.split(",") if x.strip()]
    if not 0.02 <= args.interval <= 2 or any(not 256 <= c <= 8192 for c in args.caps):
        parser.error("--interval must be 0.02..2 s and each cap 256..8192 MiB")
    for tool in ("wrk", "docker"):
        if shutil.which(tool) is None:
            print(f"{tool} is required", file=sys.stderr)
            return 2
    if not args.skip_app and not HELM.exists():
        print(f"helm not found at {HELM} (scripts/install-helm.sh)", file=sys.stderr)
        return 2
    if os.geteuid() != 0:
        print(
            "run as root: it resets cgroup peaks and runs a privileged container", file=sys.stderr
        )
        return 2
    engine = docker("version", "--format", "{{.Server.Version}}").strip()
    cgroup_version = docker("info", "--format", "{{.CgroupVersion}}").strip()
    free = next(line for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemAvailable"))  # fmt: skip
    print(f"Machine: {machine(f'Docker {engine}, cgroup v{cgroup_version}')}; {free}", flush=True)
    bases = base_images()
    results: dict = {"machine": machine(f"Docker {engine}, cgroup v{cgroup_version}")}
    started = time.monotonic()
    try:
        if not (args.skip_builds and args.skip_caps):
            image = node_image(bases["TODO_PYTHON_IMAGE"])
            results["node_image"] = image
        if not args.skip_builds:
            results["node_idle"], results["builds"] = builds(image, bases, args)
        if not args.skip_caps:
            results["caps"] = caps(image, bases, args)
        if not args.skip_app:
            results["app"] = app(bases, args)
    finally:
        results["seconds"] = round(time.monotonic() - started)
        if args.json:
            args.json.write_text(json.dumps(results, indent=1, default=str))
    report(results)
    print(
        f"\nWall time {results['seconds']} s; load average at the end: "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
