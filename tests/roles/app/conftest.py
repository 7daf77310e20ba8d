"""Fixtures for the application roles' tests: real ansible-playbook runs on localhost.

Each test gets a private copy of the project (ansible.cfg, scripts, roles, playbooks, the local
inventory's group_vars) with its own vault password file, so the generated vault file and the
password never touch the working tree or the user's ~/.config.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
PROBES = Path(__file__).resolve().parent / "playbooks"
BIN = Path(sys.executable).parent

# The real hosts.yml belongs to the cluster workstream; the tests need only a local localhost.
HOSTS_YML = """\
all:
  hosts:
    localhost:
      ansible_connection: local
      ansible_python_interpreter: "{{ ansible_playbook_python }}"
"""


@dataclass
class Run:
    rc: int
    output: str

    def recap(self, key: str) -> int:
        """The PLAY RECAP counter for localhost (summed over plays' final recap)."""
        match = re.search(rf"localhost\s*:.*?\b{key}=(\d+)", self.output)
        assert match, f"no recap in output:\n{self.output[-3000:]}"
        return int(match.group(1))


@dataclass
class Project:
    root: Path
    password_file: Path

    @property
    def inventory(self) -> Path:
        return self.root / "inventories" / "local"

    @property
    def vault_file(self) -> Path:
        return self.inventory / "group_vars" / "all" / "vault.yml"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
            ANSIBLE_CONFIG=str(self.root / "ansible.cfg"),
            TODO_APP_VAULT_PASSWORD_FILE=str(self.password_file),
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_FORCE_COLOR="0",
            ANSIBLE_LOCAL_TEMP=str(self.root / ".ansible-tmp"),
            ANSIBLE_REMOTE_TEMP=str(self.root / ".ansible-tmp"),
        )
        return env

    def playbook(self, *args: str | Path, timeout: int = 600, env: dict | None = None) -> Run:
        """Run ansible-playbook in the project copy; playbook names resolve there or in PROBES."""
        argv = [str(BIN / "ansible-playbook"), "-i", str(self.inventory)]
        for arg in args:
            text = str(arg)
            if text.endswith(".yml") and not os.path.isabs(text):
                local = self.root / text
                text = str(local if local.exists() else PROBES / text)
            argv.append(text)
        proc = subprocess.run(
            argv,
            cwd=self.root,
            env={**self.env(), **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        return Run(proc.returncode, proc.stdout + proc.stderr)

    def vault_view(self) -> str:
        proc = subprocess.run(
            [str(BIN / "ansible-vault"), "view", str(self.vault_file)],
            cwd=self.root,
            env=self.env(),
            capture_output=True,
            text=True,
            check=True,
        )
        return proc.stdout

    def vault_write(self, text: str) -> None:
        """Encrypt text into the vault file as a user would with ansible-vault."""
        self.vault_file.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [str(BIN / "ansible-vault"), "encrypt", "--output", str(self.vault_file), "-"],
            cwd=self.root,
            env=self.env(),
            input=text,
            capture_output=True,
            text=True,
            check=True,
        )


@pytest.fixture
def project(tmp_path: Path) -> Project:
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(REPO / "ansible.cfg", root / "ansible.cfg")
    for name in ("scripts", "roles", "playbooks"):
        shutil.copytree(REPO / name, root / name)
    inventory = root / "inventories" / "local"
    shutil.copytree(REPO / "inventories" / "local" / "group_vars", inventory / "group_vars")
    (inventory / "group_vars" / "all" / "vault.yml").unlink(missing_ok=True)
    (inventory / "hosts.yml").write_text(HOSTS_YML)
    return Project(root=root, password_file=tmp_path / "config" / "vault-password")
