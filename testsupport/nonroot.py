"""Run a command as an unprivileged user, as a user runs the playbooks on a laptop.

minikube's docker driver refuses root, and so does the preflight play. A test that runs the real
plays therefore runs them as a regular user: as itself when it is not root (a developer machine),
else as the user `scripts/ci/test-user.sh` creates (CI machines run as root).
"""

from __future__ import annotations

import grp
import os
import pwd
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

USER = os.environ.get("TODO_TEST_USER", "todo-ci")


def account() -> pwd.struct_passwd:
    """The user the plays run as; fails with the fix when it is missing."""
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid())
    try:
        return pwd.getpwnam(USER)
    except KeyError:
        raise RuntimeError(
            f"the tests run the plays as the unprivileged user {USER!r}, which does not exist: "
            "create it with `bash scripts/ci/test-user.sh` (as root)"
        ) from None


def hand_over(path: Path) -> Path:
    """Give the user the directory tree at path (a test's workspace), and return it."""
    if os.geteuid() == 0:
        user = account()
        for root, dirs, files in os.walk(path):
            for name in [root, *(os.path.join(root, n) for n in dirs + files)]:
                os.lchown(name, user.pw_uid, user.pw_gid)
    return path


def run(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path,
    timeout: float,
) -> subprocess.CompletedProcess:
    """Run argv as the user, with exactly env (HOME and USER set to the user's)."""
    user = account()
    full_env = {**env, "HOME": env.get("HOME", user.pw_dir), "USER": user.pw_name}
    kwargs: dict = {}
    if os.geteuid() == 0:
        groups = [g.gr_gid for g in grp.getgrall() if user.pw_name in g.gr_mem]
        kwargs = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": groups}
    return subprocess.run(
        list(argv),
        env=full_env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        **kwargs,
    )
