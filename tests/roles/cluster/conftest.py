"""Helpers for the cluster-role tests: real ansible-playbook runs against localhost."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent  # the venv that runs pytest also carries ansible-playbook

RECAP = re.compile(r"localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)")


class Run:
    def __init__(self, proc: subprocess.CompletedProcess):
        self.rc = proc.returncode
        self.out = proc.stdout + proc.stderr
        match = RECAP.search(self.out)
        self.ok, self.changed, _, self.failed = (
            (int(g) for g in match.groups()) if match else (0,) * 4
        )

    def __repr__(self) -> str:  # shown by pytest when an assertion fails
        return f"rc={self.rc} changed={self.changed}\n{self.out[-6000:]}"


@pytest.fixture
def ansible_env(tmp_path):
    """Environment of one ansible-playbook run: the repo's ansible.cfg, nothing written to $HOME."""
    env = dict(os.environ)
    env.update(
        ANSIBLE_CONFIG=str(REPO / "ansible.cfg"),
        ANSIBLE_ROLES_PATH=str(REPO / "roles"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"),
        TMPDIR=str(tmp_path / "tmp"),
        # the vault password client would otherwise create ~/.config/todo-app/vault-password
        TODO_APP_VAULT_PASSWORD_FILE=str(tmp_path / "vault-password"),
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
    )
    (tmp_path / "tmp").mkdir()
    return env


@pytest.fixture
def playbook(ansible_env, tmp_path):
    """Run a playbook (a repo path or YAML text) with extra vars passed as JSON, so types stay."""

    def run(
        book: str,
        extra_vars: dict | None = None,
        *args: str,
        inventories=("local",),
        env: dict | None = None,
        prefix: list[str] | tuple[str, ...] = (),
    ) -> Run:
        """env replaces the run's environment; prefix wraps the command (e.g. unshare)."""
        path = REPO / book
        if not path.is_file():
            path = tmp_path / f"play-{len(list(tmp_path.glob('play-*.yml')))}.yml"
            path.write_text(book)
        cmd = [str(BIN / "ansible-playbook"), str(path)]
        for name in inventories:  # later inventories override earlier ones
            cmd += ["-i", str(REPO / "inventories" / name)]
        if extra_vars:
            cmd += ["-e", json.dumps(extra_vars)]
        proc = subprocess.run(
            [*prefix, *cmd, *args],
            cwd=REPO,
            env=env or ansible_env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        return Run(proc)

    return run


@pytest.fixture
def repo() -> Path:
    return REPO
