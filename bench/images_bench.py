"""Images and containers: sizes, builds through the images role, start-to-ready, proxy cost.

    .venv/bin/python bench/images_bench.py [--cold-builds 1] [--warm-builds 1] [--noop-runs 3]
        [--starts 3] [--clients 20] [--seconds 10] [--todos 50] [--skip-cold]

Run from the repository root with the project venv (scripts/setup.sh --dev; helm from
scripts/install-helm.sh; wrk from Debian). Base images come from TODO_PYTHON_IMAGE /
TODO_NODE_IMAGE / TODO_POSTGRES_IMAGE like the Makefile's (local CI stand-ins when present).

1. Image sizes and the app's own layers above the base (the layers after the base's in RootFS).
2. Builds of all three through the images role (`ansible-playbook` on a playbook that includes
   it, as molecule/images/converge.yml does): cold (the three images removed and
   `docker builder prune -af`; base images kept), warm (images removed, build cache kept) and
   no-op (nothing changed), the no-op against three plain `docker image inspect` calls.
3. `docker run` to ready per workload: the chart rendered by `helm template` and started by
   testsupport.k8s_docker, whose `up` report has ready_seconds (from the main container's
   `docker run -d` returning to its readiness probe passing; init containers run before).
4. GET of a todo list through the frontend's proxy (/api/todos, cookie) and straight from the
   backend (/api/v1/todos, bearer), wrk with the same concurrency, alternating.

Every loop is bounded in count and time; traffic goes to 127.0.0.1 only. The containers are
always removed; the three images are left built (rebuilt by the role if a step removed them).
The Docker engine is shared: the cold build prunes the whole build cache, as asked of it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from wrk_tools import machine, parse, wrk_argv

from testsupport import k8s_docker as k8s

REPO = Path(__file__).resolve().parents[1]

HELM = Path(os.environ.get("HELM_BIN") or REPO / ".cache" / "bin" / "helm")
PREFIX = f"todo-bench-{secrets.token_hex(3)}"
PASSWORD = "bench password 123"  # noqa: S105 - a user of the throwaway database
GOALS_MB = {"backend": 80, "ai_agent": 80, "frontend": 60}  # app layers above the base
READY_GOALS_S = {"backend": 3, "ai-agent": 3, "frontend": 5}
ROLE_PLAYBOOK = """\
- name: Build the service images with the images role (bench/images_bench.py)
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Run the images role against the local engine
      ansible.builtin.include_role:
        name: images
      vars:
        images_docker_env: {}
        images_python_image: "{{ lookup('ansible.builtin.env', 'TODO_PYTHON_IMAGE') }}"
        images_node_image: "{{ lookup('ansible.builtin.env', 'TODO_NODE_IMAGE') }}"
    - name: Write the image references for the benchmark
      ansible.builtin.copy:
        content: "{{ images_refs | to_json }}"
        dest: "{{ refs_file }}"
        mode: "0600"
"""


def _local_or(local: str, official: str) -> str:
    found = subprocess.run(["docker", "image", "inspect", local], capture_output=True).returncode
    return local if found == 0 else official


def base_images() -> dict[str, str]:
    """The Makefile's choice: the env var, else the local CI stand-in, else the official one."""
    defaults = {
        "TODO_PYTHON_IMAGE": ("todo-ci/python:3.13-trixie", "python:3.13-slim"),
        "TODO_NODE_IMAGE": ("todo-ci/node:20-trixie", "node:24-slim"),
        "TODO_POSTGRES_IMAGE": ("todo-ci/postgres:17-trixie", "postgres:17-alpine"),
    }
    return {k: os.environ.get(k) or _local_or(*v) for k, v in defaults.items()}


def docker(*args: str, timeout: float = 120) -> str:
    return subprocess.run(
        ["docker", *args], capture_output=True, text=True, check=True, timeout=timeout
    ).stdout


def run_role(work: Path, env: dict[str, str]) -> tuple[float, dict[str, dict[str, str]]]:
    """One ansible-playbook run of the images role: wall seconds and the published images_refs."""
    playbook, refs_file = work / "images.yml", work / "refs.json"
    playbook.write_text(ROLE_PLAYBOOK)
    refs_file.unlink(missing_ok=True)
    argv = [str(Path(sys.executable).with_name("ansible-playbook")), str(playbook)]
    argv += ["-e", f"refs_file={refs_file}"]
    role_env = {**os.environ, **env, "ANSIBLE_ROLES_PATH": str(REPO / "roles")}
    started = time.monotonic()
    result = subprocess.run(
        argv, cwd=REPO, env=role_env, capture_output=True, text=True, timeout=1800
    )
    seconds = time.monotonic() - started
    if result.returncode != 0:
        raise RuntimeError(f"the images role failed:\n{result.stdout[-4000:]}{result.stderr}")
    return seconds, json.loads(refs_file.read_text())


def image_names(refs: dict[str, dict[str, str]]) -> dict[str, str]:
    return {name: f"{ref['repository']}:{ref['tag']}" for name, ref in refs.items()}


def remove_images(names: dict[str, str]) -> None:
    """Untags the three images (no -f: an image a container still uses is an error here)."""
    present = [n for n in names.values() if subprocess.run(
        ["docker", "image", "inspect", n], capture_output=True).returncode == 0]  # fmt: skip
    if present:
        docker("image", "rm", *present)


# --- 1. sizes ----------------------------------------------------------------------------------


def layer_sizes(image: str) -> list[int]:
    """Bytes per history entry, oldest first (entries without a layer count 0)."""
    out = docker("history", "--no-trunc", "--human=false", "--format", "{{.Size}}", image)
    return [int(x) for x in reversed(out.split())]


def sizes(names: dict[str, str], bases: dict[str, str]) -> list[dict]:
    rows = []
    for service, image in names.items():
        base = bases["TODO_NODE_IMAGE" if service == "frontend" else "TODO_PYTHON_IMAGE"]
        info, base_info = (json.loads(docker("image", "inspect", x))[0] for x in (image, base))
        layers, base_layers = info["RootFS"]["Layers"], base_info["RootFS"]["Layers"]
        if layers[: len(base_layers)] != base_layers:
            raise RuntimeError(f"{image} is not built on {base}: its first layers differ")
        # History entries map to the image's steps; the base's come first, the app's after.
        own_entries = layer_sizes(image)[len(layer_sizes(base)) :]
        rows.append({
            "service": service, "image": image, "base": base, "total": info["Size"],
            "base_size": base_info["Size"], "own": sum(own_entries),
            "own_layers": len(layers) - len(base_layers),
            "size_delta": info["Size"] - base_info["Size"],
        })  # fmt: skip
    return rows


# --- 2. builds ---------------------------------------------------------------------------------


def inspect_three(names: dict[str, str]) -> float:
    started = time.monotonic()
    for image in names.values():
        docker("image", "inspect", image)
    return time.monotonic() - started


def builds(args: argparse.Namespace, work: Path, env: dict[str, str]) -> dict:
    first, refs = run_role(work, env)  # makes sure the images exist; a no-op when they do
    names = image_names(refs)
    noop = [run_role(work, env)[0] for _ in range(args.noop_runs)]
    inspects = [inspect_three(names) for _ in range(5)]
    warm = []
    for _ in range(args.warm_builds):
        remove_images(names)
        warm.append(run_role(work, env)[0])
    cold = []
    for _ in range(0 if args.skip_cold else args.cold_builds):
        remove_images(names)
        docker("builder", "prune", "-af", timeout=600)
        cold.append(run_role(work, env)[0])
    return {
        "refs": refs, "names": names, "first": first, "noop": noop, "inspect": inspects,
        "warm": warm, "cold": cold,
    }  # fmt: skip


# --- 3. start to ready, 4. proxy cost -----------------------------------------------------------


def render(refs: dict[str, dict[str, str]], postgres_image: str) -> str:
    argv = [str(HELM), "template", "todo-app", str(REPO / "charts" / "todo-app")]
    argv += ["--namespace=todo-app", "--set=existingSecret=todo-app-secrets"]
    for key, value in (("backend", "backend"), ("ai_agent", "aiAgent"), ("frontend", "frontend")):
        argv += [f"--set={value}.image.repository={refs[key]['repository']}"]
        argv += [f"--set-string={value}.image.tag={refs[key]['tag']}"]
    repository, tag = postgres_image.rsplit(":", 1)
    argv += [f"--set=postgresql.image.repository={repository}"]
    argv += [f"--set-string=postgresql.image.tag={tag}"]
    return subprocess.run(argv, capture_output=True, text=True, check=True, timeout=60).stdout


def k8s_docker_cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "testsupport.k8s_docker", *args],
        cwd=REPO, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


@contextlib.contextmanager
def containers(work: Path) -> Iterator[dict]:
    """The chart's workloads as containers; yields k8s_docker's `up` report; always removes them."""
    secret_file = work / "secrets.json"
    secret_file.write_text(json.dumps({"todo-app-secrets": {
        "JWT_SECRET": secrets.token_urlsafe(36), "POSTGRES_PASSWORD": secrets.token_urlsafe(24),
    }}))  # fmt: skip
    secret_file.chmod(0o600)
    try:
        result = k8s_docker_cli(
            "up", str(work / "manifests.yaml"), f"--secret-file={secret_file}",
            f"--prefix={PREFIX}", "--timeout=120",
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(f"k8s_docker up failed:\n{result.stderr[-4000:]}")
        yield json.loads(result.stdout)
    finally:
        k8s_docker_cli("down", f"--prefix={PREFIX}")


def rerun_ready(work: Path) -> dict[str, float]:
    """Each app container removed and run again while the others are up (a pod restart whose
    dependencies are ready, init containers not repeated): seconds from `docker run` to ready.
    In `up` everything starts at once, so the agent's readiness also waits for the backend's."""
    docs = k8s.load_manifests((work / "manifests.yaml").read_text())
    secret_map = json.loads((work / "secrets.json").read_text())
    times = {}
    for ctr in k8s.Translator(docs, secret_map, PREFIX).plan():
        if ctr.name.endswith("-todo-postgresql"):
            continue
        docker("rm", "-f", ctr.name)
        started = time.monotonic()
        docker(*ctr.docker_run(detach=True)[1:])
        k8s.wait_ready(ctr, timeout=60)
        times[ctr.name] = round(time.monotonic() - started, 2)
    return times


def wrk(url: str, *, clients: int, seconds: int, env: dict[str, str]) -> dict:
    """One wrk run; halfway through, the CPU share of the app containers (`docker stats`)."""
    argv = wrk_argv(url, clients=clients, seconds=seconds)
    with subprocess.Popen(
        argv, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as proc:
        time.sleep(seconds / 2)
        stats = docker("stats", "--no-stream", "--format", "{{.Name}} {{.CPUPerc}}",
                       *(f"{PREFIX}-todo-{w}" for w in ("backend", "frontend")))  # fmt: skip
        out, err = proc.communicate(timeout=seconds + 30)
    if proc.returncode != 0:
        raise RuntimeError(f"wrk failed: {err}")
    result = parse(out)
    result["cpu"] = ", ".join(
        f"{name.removeprefix(f'{PREFIX}-todo-')} {cpu}"
        for name, cpu in (x.split() for x in stats.splitlines())
    )
    return result


def published(workload: str, port: int) -> str:
    """Host address of a container port, read now: a re-run container gets a new one."""
    return "http://" + docker("port", f"{PREFIX}-{workload}", f"{port}/tcp").splitlines()[0]


def load(args: argparse.Namespace) -> list[dict]:
    backend, frontend = published("todo-backend", 8000), published("todo-frontend", 3000)
    with httpx.Client(base_url=backend, timeout=30) as client:
        creds = {"email": "bench@example.com", "password": PASSWORD}
        client.post("/api/v1/auth/register", json=creds).raise_for_status()
        token = client.post("/api/v1/auth/login", json=creds).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        for i in range(args.todos):
            todo = {"title": f"todo {i}", "priority": ("low", "medium", "high")[i % 3]}
            client.post("/api/v1/todos", json=todo, headers=auth).raise_for_status()
    query = f"?limit={args.todos}"
    # The frontend's session cookie holds the backend JWT (docs/contracts.md).
    cases = {
        "direct (backend GET /api/v1/todos)": (backend, {
            "BENCH_PATH": f"/api/v1/todos{query}", "BENCH_TOKEN": token}),
        "proxied (frontend GET /api/todos)": (frontend, {
            "BENCH_PATH": f"/api/todos{query}", "BENCH_COOKIE": f"todo_session={token}"}),
    }  # fmt: skip
    for base, env in cases.values():  # warm-up: pools, caches, the frontend's route code
        wrk(base, clients=args.clients, seconds=2, env=env)
    results = []
    for round_ in range(args.rounds):
        for name, (base, env) in cases.items():
            result = wrk(base, clients=args.clients, seconds=args.seconds, env=env)
            results.append({**result, "name": name, "round": round_ + 1, "clients": args.clients})
    # One client: each request's own cost through the proxy, without queueing behind others.
    for name, (base, env) in cases.items():
        result = wrk(base, clients=1, seconds=min(args.seconds, 5), env=env)
        results.append({**result, "name": name, "round": "-", "clients": 1})
    return results


# --- report ------------------------------------------------------------------------------------


def table(header: list[str], rows: list[list[str]]) -> None:
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()


def spread(values: list[float]) -> str:
    if not values:
        return "not run"
    if len(values) == 1:
        return f"{values[0]:.1f}"
    return f"{min(values):.1f} / {statistics.median(values):.1f} / {max(values):.1f}"


def ready_table(title: str, ready: list[dict[str, float]]) -> None:
    print(f"## {title} (seconds; min / median / max)\n")
    rows = []
    for workload in ready[0]:
        values = [r[workload] for r in ready]
        short = workload.removeprefix(f"{PREFIX}-todo-")
        goal = READY_GOALS_S.get(short)
        verdict = "" if goal is None else (
            f"< {goal} s: " + ("met" if max(values) < goal else "MISSED (max)"))  # fmt: skip
        rows.append([workload.removeprefix(f"{PREFIX}-"), str(len(values)),
                     f"{min(values):.2f} / {statistics.median(values):.2f} / "
                     f"{max(values):.2f}", verdict])  # fmt: skip
    table(["workload", "starts", "seconds", "goal"], rows)


def report(
    size_rows: list[dict], build: dict, ready: list[dict], rerun: list[dict], loads: list[dict]
) -> None:
    mb = 1e6
    print("\n## Image sizes (MB = 10^6 bytes, as docker prints them)\n")
    table(
        ["service", "image", "total MB", "base", "base MB", "app layers", "app MB", "goal"],
        [[r["service"], r["image"], f"{r['total'] / mb:.1f}", r["base"],
          f"{r['base_size'] / mb:.1f}", str(r["own_layers"]), f"{r['own'] / mb:.1f}",
          f"< {GOALS_MB[r['service']]}: " + ("met" if r["own"] / mb < GOALS_MB[r["service"]]
                                             else "MISSED")]
         for r in size_rows],
    )  # fmt: skip
    for r in size_rows:  # the layers' sum and the difference of the totals should agree
        if abs(r["own"] - r["size_delta"]) > mb:
            print(f"note: {r['service']}: total minus base is {r['size_delta'] / mb:.1f} MB\n")
    inspect = statistics.median(build["inspect"])
    noop = statistics.median(build["noop"]) if build["noop"] else float("nan")
    print("## Builds of all three through the images role (seconds; min / median / max)\n")
    table(
        ["run", "count", "seconds"],
        [
            ["first run of this bench (builds what is missing)", "1", f"{build['first']:.1f}"],
            ["cold: images removed, `docker builder prune -af`", str(len(build["cold"])),
             spread(build["cold"])],
            ["warm: images removed, build cache kept", str(len(build["warm"])),
             spread(build["warm"])],
            ["no-op: nothing changed", str(len(build["noop"])), spread(build["noop"])],
            ["three `docker image inspect` calls", str(len(build["inspect"])),
             f"{inspect:.2f} (median)"],
        ],
    )  # fmt: skip
    verdict = "met" if noop - inspect < 5 else "MISSED"
    print(
        f"No-op role run / three inspects: {noop / inspect:.0f}x; the role adds "
        f"{noop - inspect:.1f} s on a no-op (goal < 5 s: {verdict})\n"
    )
    ready_table("`docker run` to ready, all started at once (k8s_docker up's ready_seconds)", ready)
    ready_table("`docker run` to ready, run again while the others are up", rerun)
    print("## Todo list under load: through the frontend's proxy vs straight to the backend\n")
    table(
        ["round", "clients", "path", "p50 ms", "p90 ms", "p99 ms", "req/s", "errors",
         "CPU mid-run"],
        [[str(r["round"]), str(r["clients"]), r["name"], f"{r['p50_us'] / 1000:.1f}",
          f"{r['p90_us'] / 1000:.1f}", f"{r['p99_us'] / 1000:.1f}", f"{r['rps']:.0f}",
          str(r["non_2xx"] + r["socket_errors"]), r["cpu"]] for r in loads],
    )  # fmt: skip
    by_name: dict[str, list[dict]] = {}
    for r in loads:
        if r["clients"] > 1:
            by_name.setdefault(r["name"].split(" ")[0], []).append(r)
    if {"direct", "proxied"} <= by_name.keys():
        p99 = {k: statistics.median(r["p99_us"] for r in v) for k, v in by_name.items()}
        p50 = {k: statistics.median(r["p50_us"] for r in v) for k, v in by_name.items()}
        rps = {k: statistics.median(r["rps"] for r in v) for k, v in by_name.items()}
        print(
            f"Proxy cost (medians over rounds): p99 {p99['proxied'] / p99['direct']:.2f}x "
            f"(+{(p99['proxied'] - p99['direct']) / 1000:.1f} ms), p50 "
            f"{p50['proxied'] / p50['direct']:.2f}x, req/s {rps['proxied'] / rps['direct']:.2f}x"
        )
    single = {r["name"].split(" ")[0]: r["p50_us"] for r in loads if r["clients"] == 1}
    if {"direct", "proxied"} <= single.keys():
        print(
            f"One client: the proxy adds {(single['proxied'] - single['direct']) / 1000:.1f} ms p50"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cold-builds", type=int, default=1, choices=range(0, 4), metavar="0..3")
    parser.add_argument("--skip-cold", action="store_true", help="no cold build (no prune)")
    parser.add_argument("--warm-builds", type=int, default=1, choices=range(0, 4), metavar="0..3")
    parser.add_argument("--noop-runs", type=int, default=3, choices=range(1, 11), metavar="1..10")
    parser.add_argument("--starts", type=int, default=3, choices=range(1, 11), metavar="1..10")
    parser.add_argument("--clients", type=int, default=20, choices=range(1, 201), metavar="1..200")
    parser.add_argument("--seconds", type=int, default=10, choices=range(1, 61), metavar="1..60")
    parser.add_argument("--rounds", type=int, default=2, choices=range(1, 6), metavar="1..5")
    parser.add_argument("--todos", type=int, default=50, choices=range(1, 101), metavar="1..100")
    args = parser.parse_args()
    for tool in ("wrk", "docker"):
        if shutil.which(tool) is None:
            print(f"{tool} is required", file=sys.stderr)
            return 2
    if not HELM.exists():
        print(f"helm not found at {HELM} (scripts/install-helm.sh)", file=sys.stderr)
        return 2
    engine = docker("version", "--format", "{{.Server.Version}}").strip()
    print(f"Machine: {machine(f'Docker {engine}')}", flush=True)
    bases = base_images()
    with tempfile.TemporaryDirectory(prefix="images-bench-") as tmp:
        work = Path(tmp)
        build = builds(args, work, bases)
        size_rows = sizes(build["names"], bases)
        (work / "manifests.yaml").write_text(render(build["refs"], bases["TODO_POSTGRES_IMAGE"]))
        ready, rerun, loads = [], [], []
        for start in range(args.starts):
            with containers(work) as up:
                ready.append(up["ready_seconds"])
                rerun.append(rerun_ready(work))
                print(f"start {start + 1}: {up['ready_seconds']}, again: {rerun[-1]}", flush=True)
                if start == args.starts - 1:  # load on the last start only
                    loads = load(args)
    report(size_rows, build, ready, rerun, loads)
    print(f"\nLoad average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
