"""Secrets never reach git in plain text: vault files are encrypted or ignored."""

import subprocess
from pathlib import Path

import pytest

VAULT_HEADER = "$ANSIBLE_VAULT;"


def tracked_files(repo: Path) -> list[str]:
    out = subprocess.run(["git", "ls-files", "-z"], cwd=repo, capture_output=True, check=True)
    return [f for f in out.stdout.decode().split("\0") if f]


def is_vault_name(path: str) -> bool:
    name = Path(path).name
    return name.startswith("vault") and name.endswith((".yml", ".yaml"))


def test_every_vault_file_in_the_tree_is_encrypted(repo: Path) -> None:
    """Tracked or not (a generated vault.yml lives in the work tree), each one is encrypted."""
    candidates = set(filter(is_vault_name, tracked_files(repo)))
    candidates |= {
        str(p.relative_to(repo)) for p in repo.glob("inventories/**/vault*.y*ml") if p.is_file()
    }
    plain = [f for f in sorted(candidates) if not (repo / f).read_text().startswith(VAULT_HEADER)]
    assert not plain, f"vault files in plain text: {plain}"


@pytest.mark.parametrize(
    "path",
    ["inventories/local/group_vars/all/vault.yml", "inventories/other/group_vars/all/vault.yml"],
)
def test_generated_vault_files_are_ignored_by_git(repo: Path, path: str) -> None:
    """The per-machine vault file can never be committed by accident, encrypted or not."""
    result = subprocess.run(["git", "check-ignore", "-q", path], cwd=repo, check=False)
    assert result.returncode == 0, f"{path} is not git-ignored"


def test_no_tracked_file_holds_a_plain_vault_variable_value(repo: Path) -> None:
    """A `vault_*: value` line may only appear in encrypted files or examples with placeholders."""
    offenders = []
    for f in tracked_files(repo):
        p = repo / f
        if not f.endswith((".yml", ".yaml")) or not p.is_file():
            continue
        text = p.read_text(errors="replace")
        if text.startswith(VAULT_HEADER):
            continue
        for line in text.splitlines():
            stripped = line.strip()
            if stripped.startswith("vault_") and ":" in stripped:
                value = stripped.split(":", 1)[1].strip().strip("\"'")
                # References ("{{ vault_x }}"), empty values and example placeholders are fine.
                if value and not value.startswith(("{{", "CHANGE-ME", "#")) and "example" not in f:
                    offenders.append(f"{f}: {stripped.split(':', 1)[0]}")
    assert not offenders, f"plain-text vault values: {offenders}"
