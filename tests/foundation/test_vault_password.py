"""scripts/vault-password.sh: creates the password once (0600), then always prints the same."""

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest


@pytest.fixture
def project(tmp_path: Path, repo: Path) -> Path:
    """A copy of the password client in a project-shaped tree, with its own HOME."""
    (tmp_path / "scripts").mkdir()
    shutil.copy(repo / "scripts/vault-password.sh", tmp_path / "scripts")
    (tmp_path / "inventories/local/group_vars/all").mkdir(parents=True)
    (tmp_path / "home").mkdir()
    return tmp_path


def run(project: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(project / "scripts/vault-password.sh")], capture_output=True, text=True,
        env={"PATH": os.environ["PATH"], "HOME": str(project / "home"), **env}, check=False,
    )  # fmt: skip


def test_fresh_machine_gets_a_private_random_password(project: Path) -> None:
    first = run(project)
    assert first.returncode == 0, first.stderr
    secret_file = project / "home/.config/todo-app/vault-password"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert len(first.stdout) >= 40  # 32 random bytes, base64
    assert run(project).stdout == first.stdout  # stable: the vault stays decryptable


def test_refuses_to_invent_a_password_for_an_existing_vault(project: Path) -> None:
    (project / "inventories/local/group_vars/all/vault.yml").write_text(
        "$ANSIBLE_VAULT;1.1;AES256\n"
    )
    result = run(project)
    assert result.returncode != 0
    assert "vault-password is missing" in result.stderr
    assert not (project / "home/.config/todo-app/vault-password").exists()


def test_password_file_location_can_be_overridden(project: Path, tmp_path: Path) -> None:
    custom = tmp_path / "elsewhere" / "pw"
    custom.parent.mkdir()
    custom.write_text("s3cret-from-a-password-manager")
    assert run(project, TODO_APP_VAULT_PASSWORD_FILE=str(custom)).stdout == (
        "s3cret-from-a-password-manager"
    )
