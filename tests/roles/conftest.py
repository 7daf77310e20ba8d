"""What every role test shares: one ansible-playbook run, its environment and its result.

- `Run`: the result of one run: exit code, output, the PLAY RECAP counts, the changed tasks.
- `playbook_env()`: the environment of a run: the given ansible.cfg, no colour, Ansible's temp
  files and the vault password file in the test's own directory (nothing in $HOME).
- `run_playbook()`: runs ansible-playbook and returns its `Run`; the `playbook` fixture runs a
  repository playbook (or YAML text) against the repository's inventories.
- `copy_inventory()`: a copy of the real local inventory, for runs that generate the vault file
  there (it must stay out of the work tree).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # the venv that runs pytest also carries ansible-playbook
LOCAL_INVENTORY = REPO / "inventories" / "local"
RECAP = re.compile(r"localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)")


@dataclass
class Run:
    """One ansible-playbook run: its exit code and its whole output (stdout, then stderr)."""

    rc: int
    output: str

    @classmethod
    def of(cls, proc: subprocess.CompletedProcess) -> Run:
        return cls(proc.returncode, proc.stdout + proc.stderr)

    def _recap(self, key: str) -> int:
        """A PLAY RECAP counter of localhost (ok, changed, unreachable, failed)."""
        match = RECAP.search(self.output)
        assert match, f"no recap in output:\n{self.output[-3000:]}"
        return int(match.group(("ok", "changed", "unreachable", "failed").index(key) + 1))

    @property
    def ok(self) -> int:
        return self._recap("ok")

    @property
    def changed(self) -> int:
        return self._recap("changed")

    @property
    def failed(self) -> int:
        return self._recap("failed")

    @property
    def text(self) -> str:
        """The output with all whitespace runs as one space: the YAML callback wraps long
        messages, so a sentence the play prints is searched for in this."""
        return " ".join(self.output.replace("\\n", " ").split())

    def changed_tasks(self) -> list[str]:
        """The names of the tasks that reported changed (from the default callback's lines)."""
        names, current = [], None
        for line in self.output.splitlines():
            if line.startswith("TASK ["):
                current = line[6 : line.rfind("]")]
            elif line.startswith("changed:") and current:
                names.append(current)
        return names

    def __repr__(self) -> str:  # what pytest shows when an assertion fails
        match = RECAP.search(self.output)
        changed = match.group(2) if match else "(no recap)"
        return f"rc={self.rc} changed={changed}\n{self.output[-8000:]}"


def playbook_env(
    tmp: Path,
    *,
    config: Path = REPO / "ansible.cfg",
    password_file: Path | None = None,
    base: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment of a run: `base` (default os.environ) with config as ANSIBLE_CONFIG, no
    colour, the venv's bin first on PATH, Ansible's local temp files under tmp, and the vault
    password file at password_file (default tmp/vault-password): the vault password client
    would otherwise create ~/.config/todo-app/vault-password."""
    env = dict(os.environ if base is None else base)
    env.update(
        ANSIBLE_CONFIG=str(config),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_LOCAL_TEMP=str(tmp / "ansible-tmp"),
        TODO_APP_VAULT_PASSWORD_FILE=str(password_file or tmp / "vault-password"),
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
    )
    return env


Runner = Callable[..., subprocess.CompletedProcess]


def _subprocess_run(argv: Sequence[str], *, env, cwd, timeout) -> subprocess.CompletedProcess:
    return subprocess.run(
        list(argv), env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )


def run_playbook(
    *args: str | Path,
    env: Mapping[str, str],
    cwd: Path = REPO,
    timeout: float = 600,
    prefix: Sequence[str] = (),
    runner: Runner = _subprocess_run,
) -> Run:
    """`ansible-playbook ARGS` (of the venv running pytest) with exactly env, in cwd.

    prefix wraps the command (e.g. unshare); runner runs it (e.g. testsupport.nonroot.run, to
    run it as an unprivileged user)."""
    argv = [*prefix, str(BIN / "ansible-playbook"), *map(str, args)]
    return Run.of(runner(argv, env=dict(env), cwd=cwd, timeout=timeout))


def copy_inventory(dest: Path) -> Path:
    """The local inventory copied to dest, without a vault file of this machine's: a run there
    generates its own, which the work tree never sees."""
    shutil.copytree(LOCAL_INVENTORY, dest, ignore=shutil.ignore_patterns("vault.yml"))
    return dest


@pytest.fixture
def ansible_env(tmp_path: Path) -> dict[str, str]:
    """The environment of one test's `playbook` runs: the repository's ansible.cfg and roles,
    a TMPDIR of the test's own."""
    (tmp_path / "tmp").mkdir()
    return {
        **playbook_env(tmp_path),
        "ANSIBLE_ROLES_PATH": str(REPO / "roles"),
        "TMPDIR": str(tmp_path / "tmp"),
    }


@pytest.fixture
def playbook(ansible_env: dict[str, str], tmp_path: Path):
    """Run a repository playbook (its path, or YAML text) against the repository's inventories,
    with extra vars passed as JSON so their types stay."""

    def run(
        book: str,
        extra_vars: dict | None = None,
        *args: str,
        inventories: Sequence[str] = ("local",),
        env: Mapping[str, str] | None = None,
        prefix: Sequence[str] = (),
    ) -> Run:
        """Later inventories override earlier ones; env replaces the run's environment; prefix
        wraps the command (e.g. unshare)."""
        path = REPO / book
        if not path.is_file():
            path = tmp_path / f"play-{len(list(tmp_path.glob('play-*.yml')))}.yml"
            path.write_text(book)
        argv: list[str | Path] = [path]
        for name in inventories:
            argv += ["-i", REPO / "inventories" / name]
        if extra_vars:
            argv += ["-e", json.dumps(extra_vars)]
        return run_playbook(*argv, *args, env=env or ansible_env, prefix=prefix)

    return run
