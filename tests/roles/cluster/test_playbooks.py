"""The cluster playbooks parse, and the pinned collections resolve offline from the pip package."""

import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


@pytest.mark.parametrize(
    "book", ["playbooks/preflight.yml", "playbooks/provision.yml", "playbooks/teardown.yml"]
)
def test_playbook_passes_the_syntax_check(repo, ansible_env, book):
    proc = subprocess.run(
        [BIN / "ansible-playbook", "--syntax-check", book],
        cwd=repo,
        env=ansible_env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_requirements_are_satisfied_without_reaching_galaxy(repo, ansible_env):
    # Galaxy is unreachable here: "Nothing to do" proves every pin matches what pip installed.
    proc = subprocess.run(
        [BIN / "ansible-galaxy", "collection", "install", "-r", "requirements.yml"],
        cwd=repo,
        env=ansible_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Nothing to do" in proc.stdout, proc.stdout + proc.stderr
