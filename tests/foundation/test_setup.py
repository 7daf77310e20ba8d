"""The control-node setup is idempotent: a second run changes nothing in the venv."""

import json
import os
import subprocess
from pathlib import Path

import yaml


def snapshot(venv: Path) -> dict[str, float]:
    """mtime of every file under the venv's bin and site-packages top level, and the stamps."""
    paths = [*venv.glob("bin/*"), *venv.glob("lib/python*/site-packages/*"), *venv.glob(".stamp-*")]
    return {str(p): p.lstat().st_mtime_ns for p in paths}


def run_setup(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["scripts/setup.sh", *args], cwd=repo, capture_output=True, text=True, check=True,
        env={**os.environ, "VENV": ".venv"},
    )  # fmt: skip


def test_second_setup_run_changes_nothing(repo: Path) -> None:
    venv = repo / ".venv"
    run_setup(repo, "--dev")  # converge first: the test must not depend on what ran before
    before = snapshot(venv)
    assert before, "the venv is empty"

    again = run_setup(repo, "--dev")
    plain = run_setup(repo)  # a plain setup after a dev one needs nothing either

    assert "up to date" in again.stdout
    assert "up to date" in plain.stdout
    assert snapshot(venv) == before


def test_setup_installs_the_pinned_collections(repo: Path) -> None:
    out = subprocess.run(
        [str(repo / ".venv/bin/ansible-galaxy"), "collection", "list", "--format", "json"],
        cwd=repo, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    installed = {
        name: info["version"] for path in json.loads(out).values() for name, info in path.items()
    }
    wanted = yaml.safe_load((repo / "requirements.yml").read_text())["collections"]
    for collection in wanted:
        assert installed.get(collection["name"]) == collection["version"], collection["name"]
