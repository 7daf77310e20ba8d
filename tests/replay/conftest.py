"""Fixtures for the cluster-boundary stand-ins: a running kube_api, the helm stand-in on PATH,
and ansible-playbook runs whose task results come back as JSON (the `json` stdout callback)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from testsupport.replay import install
from testsupport.replay.kube_api import KubeAPI

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # the venv running pytest carries ansible-playbook
REAL_HELM = REPO / ".cache" / "bin" / "helm"
CONTEXT = "todo-app"  # minikube names the kubeconfig context after the profile


@pytest.fixture(scope="session")
def real_helm() -> Path:
    """The real helm v4.1.4 (the stand-in hands it template, show, version)."""
    if not REAL_HELM.exists():
        proc = subprocess.run(
            ["bash", str(REPO / "scripts" / "install-helm.sh")],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            pytest.fail(f"scripts/install-helm.sh could not install helm:\n{proc.stderr[-2000:]}")
    return REAL_HELM


@pytest.fixture
def replay_dir(tmp_path: Path) -> Path:
    path = tmp_path / "replay"
    path.mkdir()
    return path


@pytest.fixture
def kube_api(replay_dir: Path):
    with KubeAPI(replay_dir, context=CONTEXT) as api:
        yield api


@pytest.fixture
def bin_dir(tmp_path: Path) -> Path:
    path = tmp_path / "bin"
    install(path, ("helm",))
    return path


@pytest.fixture
def env(tmp_path: Path, kube_api: KubeAPI, replay_dir: Path, bin_dir: Path, real_helm: Path):
    """What a user's shell would have after `minikube start`: the kubeconfig, helm on PATH."""
    home = tmp_path / "home"
    (home / ".kube").mkdir(parents=True)
    (tmp_path / "tmp").mkdir(exist_ok=True)
    out = dict(os.environ)
    for name in ("HELM_NAMESPACE", "HELM_KUBECONTEXT", "KUBECONFIG"):
        out.pop(name, None)
    out.update(
        HOME=str(home),
        KUBECONFIG=str(kube_api.kubeconfig),
        TODO_REPLAY_DIR=str(replay_dir),
        TODO_REPLAY_REAL_HELM=str(real_helm),
        PATH=f"{bin_dir}{os.pathsep}{BIN}{os.pathsep}{out.get('PATH', '')}",
        TMPDIR=str(tmp_path / "tmp"),
        PYTHONPATH=str(REPO),
    )
    return out


class Play:
    """The result of one ansible-playbook run: its exit code and each task's result by name."""

    def __init__(self, proc: subprocess.CompletedProcess):
        self.rc = proc.returncode
        self.stderr = proc.stderr
        self.raw = proc.stdout
        self.tasks: dict[str, dict] = {}
        try:
            doc = json.loads(proc.stdout[proc.stdout.index("{") :])
        except ValueError:
            doc = {"plays": []}
        self.durations: dict[str, float] = {}
        for play in doc.get("plays", []):
            for task in play.get("tasks", []):
                name = task["task"]["name"]
                self.tasks[name] = task["hosts"].get("localhost", {})
                took = task["task"].get("duration", {})
                if took.get("start") and took.get("end"):
                    start, end = (
                        dt.datetime.fromisoformat(took[k].rstrip("Z")) for k in ("start", "end")
                    )
                    self.durations[name] = (end - start).total_seconds()

    def __getitem__(self, name: str) -> dict:
        if name not in self.tasks:
            raise KeyError(f"no task {name!r} ran; ran: {list(self.tasks)}\n{self}")
        return self.tasks[name]

    def __repr__(self) -> str:
        failed = {n: r.get("msg") for n, r in self.tasks.items() if r.get("failed")}
        took = {n: round(d, 1) for n, d in self.durations.items()}
        return f"rc={self.rc} failed={failed}\ntook={took}\nstderr: {self.stderr[-3000:]}"


@pytest.fixture
def playbook(tmp_path: Path, env: dict):
    """Run an inline playbook (YAML text) on localhost with extra vars passed as JSON."""
    cfg = tmp_path / "ansible.cfg"
    cfg.write_text(
        "[defaults]\n"
        f"roles_path = {REPO / 'roles'}\n"
        "retry_files_enabled = False\n"
        "interpreter_python = auto_silent\n"
        "host_key_checking = False\n"
    )
    inventory = tmp_path / "hosts.ini"
    inventory.write_text(
        f"localhost ansible_connection=local ansible_python_interpreter={sys.executable}\n"
    )
    play_env = dict(env)
    play_env.update(
        ANSIBLE_CONFIG=str(cfg),
        ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json",
        ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_DEPRECATION_WARNINGS="False",
        ANSIBLE_PIPELINING="True",
    )

    def run(text: str, extra_vars: dict | None = None, timeout: int = 240) -> Play:
        path = tmp_path / f"play-{len(list(tmp_path.glob('play-*.yml')))}.yml"
        path.write_text(text)
        cmd = [str(BIN / "ansible-playbook"), "-i", str(inventory), str(path)]
        if extra_vars:
            cmd += ["-e", json.dumps(extra_vars)]
        proc = subprocess.run(
            cmd, cwd=tmp_path, env=play_env, capture_output=True, text=True, timeout=timeout
        )
        return Play(proc)

    return run


@pytest.fixture
def kubectl(env: dict):
    """The real kubectl 1.32 against the stand-in, with the test's kubeconfig."""

    def run(*args: str, timeout: int = 60, extra_env: dict | None = None):
        return subprocess.run(
            ["kubectl", "--context", CONTEXT, *args],
            env={**env, **(extra_env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    return run


@pytest.fixture
def helm(env: dict, bin_dir: Path):
    """The helm stand-in, as the roles call it (found on PATH)."""

    def run(*args: str, timeout: int = 120, extra_env: dict | None = None):
        return subprocess.run(
            [str(bin_dir / "helm"), *args],
            env={**env, **(extra_env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    return run
