"""The README's quick start is the truth: its two commands are what the Makefile and CI run."""

import os
import re
import subprocess
from pathlib import Path


def quick_start_commands(repo: Path) -> list[str]:
    readme = (repo / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```(?:sh|bash|console)?\n(.*?)```", section, re.S)
    assert block, "README quick start has no code block"
    return [
        ln.strip()
        for ln in block.group(1).splitlines()
        if ln.strip() and not ln.strip().startswith("#")
    ]


def make_dry_run(repo: Path, target: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}  # run under make too
    return subprocess.run(
        ["make", "--no-print-directory", "-n", target],
        cwd=repo, capture_output=True, text=True, check=True, env=env,
    ).stdout  # fmt: skip


def test_quick_start_is_exactly_deploy_and_test(repo: Path) -> None:
    assert quick_start_commands(repo) == ["make deploy", "make test"]


def test_deploy_command_sets_up_and_runs_site_yml(repo: Path) -> None:
    commands = make_dry_run(repo, "deploy").splitlines()
    assert commands[0] == "scripts/setup.sh"
    assert any(re.fullmatch(r"ansible-playbook site\.yml\s*", c) for c in commands)


def test_test_command_sets_up_the_dev_tools_first(repo: Path) -> None:
    commands = make_dry_run(repo, "test").splitlines()
    assert commands[0] == "scripts/setup.sh --dev"
    assert "yamllint -s ." in commands
    assert "ansible-lint" in commands


def test_ci_runs_the_readme_test_command(repo: Path) -> None:
    ci = (repo / ".ci/run").read_text().splitlines()
    runs = [ln.strip() for ln in ci if ln.strip() and not ln.lstrip().startswith("#")]
    readme_test = quick_start_commands(repo)[1]
    assert readme_test in runs, f".ci/run does not run {readme_test!r}"
    # and nothing after it but reporting, so its exit status is CI's
    tail = runs[runs.index(readme_test) + 1 :]
    assert all(ln.startswith("echo ") for ln in tail), tail
