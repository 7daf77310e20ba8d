"""Stand-ins for the tools at the cluster boundary, which cannot run on these machines.

No machine here runs Minikube or a Kubernetes API server, so the roles' tests run the real
plays against stand-ins that replay what the real tools print, return and exit with (each one
derived from the tool's source at the pinned version, the source file named beside the code):

- `kube_api`: a Kubernetes API server over HTTPS with client-certificate auth, as minikube's
  kubeconfig sets it up. The real kubectl and kubernetes.core's modules talk to it.
- `helm`: the `helm` binary. Commands that need no cluster go to the real helm; the others are
  replayed against `kube_api`, where the release records live as with the real Helm.
- `minikube`: the `minikube` binary, one JSON state file for its profiles.

They meet in one replay directory, named by the environment variable `TODO_REPLAY_DIR`:

- `kube-api.json`, written by kube_api: `{"server", "ca", "client_cert", "client_key"}`;
  minikube's `start` writes the profile's kubeconfig context from it.
- `docker-endpoint.json`, written by a test's Docker TLS endpoint: `{"host", "cert_path"}`;
  minikube's `docker-env` prints it.
- `minikube.json`: minikube's profiles (its own state).
- `calls.jsonl`: one line per call of any stand-in, `{"tool", "argv", "rc"}`, for the tests.

Each stand-in is a module run as `python -m testsupport.replay.<tool>`; `install()` writes
executables of the real tools' names that do so, for a directory on PATH or a download mirror.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ENV_DIR = "TODO_REPLAY_DIR"


def replay_dir() -> Path:
    """The replay directory of this run (TODO_REPLAY_DIR), created when missing."""
    value = os.environ.get(ENV_DIR)
    if not value:
        sys.exit(f"{ENV_DIR} is not set: the replay stand-ins keep their state there")
    path = Path(value)
    path.mkdir(parents=True, exist_ok=True)
    return path


def record_call(tool: str, argv: list[str], rc: int) -> None:
    """Append one call to calls.jsonl, so tests can assert what the roles ran."""
    line = json.dumps({"tool": tool, "argv": argv, "rc": rc})
    with open(replay_dir() / "calls.jsonl", "a", encoding="utf-8") as out:
        out.write(line + "\n")


def calls(directory: Path, tool: str | None = None) -> list[dict]:
    """The calls recorded in `directory`, optionally of one tool only."""
    path = directory / "calls.jsonl"
    if not path.exists():
        return []
    found = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [c for c in found if tool is None or c["tool"] == tool]


def install(bin_dir: Path, tools: tuple[str, ...] = ("minikube", "helm")) -> dict[str, Path]:
    """Write an executable per tool into bin_dir that runs its stand-in with this Python."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    made = {}
    for tool in tools:
        path = bin_dir / tool
        path.write_text(
            "#!/bin/sh\n"
            f"# Stand-in for {tool}: see testsupport/replay/{tool}.py\n"
            f"PYTHONPATH={shlex.quote(str(REPO))}${{PYTHONPATH:+:$PYTHONPATH}}\n"
            "export PYTHONPATH\n"
            # -P: the current directory (perhaps another checkout) must not shadow this one.
            f'exec {shlex.quote(sys.executable)} -P -m testsupport.replay.{tool} "$@"\n'
        )
        path.chmod(0o755)
        made[tool] = path
    return made
