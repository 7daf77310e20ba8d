"""Every Makefile recipe stops at its first failing command, at a failing stage of a pipe and at
an unset variable, under GNU make 4.x and under 3.81 (macOS's /usr/bin/make) alike.

3.81 has no .SHELLFLAGS (new in 3.82, GNU make's NEWS) and runs each line as "$(SHELL) -c LINE"
(job.c, construct_command_argv_internal). No make 3.81 can be installed here (Debian's archive
carries 4.3 and later), so 3.81 is modelled by this machine's make with .SHELLFLAGS=-c given on
the command line, which overrides the Makefile's own value: the recipe shell is then invoked
exactly as 3.81 invokes it.
"""

import os
import subprocess
from pathlib import Path

import pytest

MAKES = {
    "make 4.x": [],
    "make 3.81": [".SHELLFLAGS=-c"],  # what 3.81 passes, whatever the Makefile says
}
# Recipes in the Makefile's own shell; each leaves a file behind only if it ran past the failure.
PROBES = """
first-failure: ; false; touch ran-on
pipe-failure: ; false | cat; touch ran-on
unset-variable: ; echo "$$TODO_SURELY_UNSET_VARIABLE"; touch ran-on
"""


def make(repo: Path, tmp_path: Path, flags: list[str], *args: str, path: str | None = None):
    env = dict(os.environ)
    env.pop("TODO_SURELY_UNSET_VARIABLE", None)
    # Set, so the Makefile does not ask docker which base images exist: that is not under test.
    env.update(TODO_PYTHON_IMAGE="p", TODO_NODE_IMAGE="n", TODO_POSTGRES_IMAGE="g")
    if path:
        env["PATH"] = f"{path}:{env['PATH']}"
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(repo), *flags, *args],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


@pytest.fixture
def probes(tmp_path) -> Path:
    """An extra makefile read after the real one, so its recipes run with the real SHELL."""
    probes = tmp_path / "probes.mk"
    probes.write_text(PROBES.replace("touch ran-on", f"touch {tmp_path}/ran-on"))
    return probes


@pytest.mark.parametrize("flags", MAKES.values(), ids=MAKES.keys())
@pytest.mark.parametrize("target", ["first-failure", "pipe-failure", "unset-variable"])
def test_a_recipe_line_stops_at_its_first_failure(repo, tmp_path, probes, flags, target):
    run = make(repo, tmp_path, flags, "-f", "Makefile", "-f", str(probes), target)
    assert run.returncode != 0, run
    assert not (tmp_path / "ran-on").exists(), f"{target}: the recipe went on after the failure"


@pytest.mark.parametrize("flags", MAKES.values(), ids=MAKES.keys())
def test_make_help_fails_when_the_grep_of_its_pipe_fails(repo, tmp_path, flags):
    listed = make(repo, tmp_path, flags, "help")
    assert listed.returncode == 0, listed
    assert "deploy" in listed.stdout, listed

    # grep is the first stage of help's pipe: the awk after it succeeds on empty input.
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin/grep").write_text("#!/bin/sh\necho 'grep: broken' >&2\nexit 2\n")
    (tmp_path / "bin/grep").chmod(0o755)
    broken = make(repo, tmp_path, flags, "help", path=str(tmp_path / "bin"))
    assert broken.returncode != 0, broken
    assert "grep: broken" in broken.stderr, broken
