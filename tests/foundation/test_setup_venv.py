"""setup.sh on a machine whose Python cannot make a venv with pip, as on Ubuntu 24.04 without
python3.12-venv: it refuses that Python and names the package, and once a good Python is there
it replaces the half-made .venv that the failed first attempt left behind.

The Python without ensurepip is this machine's own interpreter laid out like Debian's python3.X
without python3.X-venv: the same binary and standard library, less the ensurepip package. Its
`python -m venv` fails exactly as there, leaving bin/python without pip. The install runs use a
copy of setup.sh in a small checkout whose requirements are one local wheel providing the three
ansible commands setup.sh calls, so they take seconds instead of a full Ansible install, and
the real testsupport/pyproject.toml over a one-line package (what `--dev` installs editable).
"""

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

VERSION = "{}.{}".format(*sys.version_info[:2])
BASE = Path(sys.base_prefix)  # the interpreter behind the venv running pytest (3.12+)
BASE_PYTHON = BASE / "bin" / f"python{VERSION}"
DEBIAN = Path("/etc/debian_version").exists()


def run_setup(checkout: Path, env: dict, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(checkout / "scripts/setup.sh"), *args],
        cwd=checkout, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def python_without_ensurepip(root: Path) -> Path:
    """ROOT/bin/pythonX.Y with its standard library but no ensurepip (as Debian splits it).

    Put ROOT/bin itself on PATH, like /usr/bin: a symlink elsewhere would make `-m venv` record
    that other directory as the venv's home, whose Python then falls back to this machine's
    full standard library."""
    lib = root / "lib" / f"python{VERSION}"
    lib.mkdir(parents=True)
    for entry in (BASE / "lib" / f"python{VERSION}").iterdir():
        if entry.name not in ("ensurepip", "site-packages"):
            (lib / entry.name).symlink_to(entry)
    (lib / "site-packages").mkdir()
    for shared in (BASE / "lib").glob("libpython*"):
        (root / "lib" / shared.name).symlink_to(shared)
    (root / "bin").mkdir()
    python = root / "bin" / f"python{VERSION}"
    shutil.copy2(BASE_PYTHON, python)  # a copy finds its stdlib next to itself, not in BASE
    probe = subprocess.run(
        [python, "-c", "import venv, sys; print(sys.prefix); import ensurepip"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert probe.stdout.strip() == str(root), probe
    assert "No module named 'ensurepip'" in probe.stderr, probe
    return python


@pytest.fixture(scope="module")
def tools(tmp_path_factory) -> Path:
    """Every command of /usr/bin except Python, so the only Pythons found are the test's own."""
    tools = tmp_path_factory.mktemp("tools")
    for entry in Path("/usr/bin").iterdir():
        if not entry.name.startswith("python") and not entry.is_dir():
            (tools / entry.name).symlink_to(entry)
    return tools


@pytest.fixture
def env(tmp_path, tools) -> dict:
    """setup.sh's environment: no Python on PATH yet, a HOME without pyenv, no PYTHON."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    (tmp_path / "home").mkdir()
    env.update(PATH=str(tools), HOME=str(tmp_path / "home"), VENV=".venv")
    return env


def stub_ansible_wheel(dest: Path) -> Path:
    """A wheel with `ansible`, `ansible-galaxy` and `ansible-playbook` console scripts."""
    dist = "todo_stub_ansible-1.0.dist-info"
    files = {
        "todo_stub_ansible.py": (
            "def ansible():\n    print('ansible [core 0.0-stub]')\n\n\n"
            "def galaxy():\n    print('Nothing to do. All requested collections are already"
            " installed.')\n\n\ndef playbook():\n    raise SystemExit('stub')\n"
        ),
        f"{dist}/METADATA": "Metadata-Version: 2.1\nName: todo-stub-ansible\nVersion: 1.0\n",
        f"{dist}/WHEEL": (
            "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        ),
        f"{dist}/entry_points.txt": (
            "[console_scripts]\nansible = todo_stub_ansible:ansible\n"
            "ansible-galaxy = todo_stub_ansible:galaxy\n"
            "ansible-playbook = todo_stub_ansible:playbook\n"
        ),
    }
    record = []
    for name, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
        record.append(f"{name},sha256={digest.decode()},{len(text.encode())}")
    files[f"{dist}/RECORD"] = "\n".join([*record, f"{dist}/RECORD,,"]) + "\n"
    wheel = dest / "todo_stub_ansible-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return wheel


@pytest.fixture
def checkout(tmp_path, repo) -> Path:
    """The real setup.sh in a checkout whose requirements are the stub wheel and no collections."""
    root = tmp_path / "checkout"
    (root / "scripts").mkdir(parents=True)
    shutil.copy2(repo / "scripts/setup.sh", root / "scripts/setup.sh")
    wheel = stub_ansible_wheel(root)
    (root / "requirements.txt").write_text(f"./{wheel.name}\n")
    (root / "requirements-dev.txt").write_text("-r requirements.txt\n")
    (root / "requirements.yml").write_text("collections: []\n")
    (root / "testsupport").mkdir()
    shutil.copy2(repo / "testsupport/pyproject.toml", root / "testsupport/pyproject.toml")
    (root / "testsupport/__init__.py").write_text('"""test helpers"""\n')
    (root / "testsupport/replay").mkdir()
    (root / "testsupport/replay/__init__.py").write_text("")
    return root


def test_a_python_without_ensurepip_is_refused_with_the_package_to_install(tmp_path, env, checkout):
    broken = python_without_ensurepip(tmp_path / "py")
    (broken.parent / "python3").symlink_to(broken.name)  # as /usr/bin/python3 -> python3.12
    env["PATH"] = f"{broken.parent}:{env['PATH']}"

    run = run_setup(checkout, env)

    assert run.returncode == 1, run
    assert "Python >= 3.11 with venv is required" in run.stderr, run
    assert f"(Python {VERSION}) has no ensurepip" in run.stderr, run
    if DEBIAN:
        assert f"sudo apt install python{VERSION}-venv" in run.stderr, run
    assert not (checkout / ".venv").exists(), "a half-made venv was left behind"


def test_an_explicit_python_without_ensurepip_is_refused_too(tmp_path, env, checkout):
    broken = python_without_ensurepip(tmp_path / "py")
    run = run_setup(checkout, {**env, "PYTHON": str(broken)})
    assert run.returncode == 1, run
    assert f"PYTHON={broken} is not one" in run.stderr, run
    if DEBIAN:
        assert f"sudo apt install python{VERSION}-venv" in run.stderr, run
    assert not (checkout / ".venv").exists()


def test_a_python_without_ensurepip_is_passed_over_for_the_next_one(tmp_path, env, checkout):
    # pythonX.Y (tried first) lacks ensurepip; python3, from another directory, is a good one.
    broken = python_without_ensurepip(tmp_path / "py")
    good = BASE_PYTHON.parent / "python3"
    assert good.exists(), good
    env["PATH"] = f"{broken.parent}:{good.parent}:{env['PATH']}"

    run = run_setup(checkout, env)

    assert run.returncode == 0, run
    assert f"creating .venv with {good} (Python {VERSION})" in run.stdout, run
    assert "ready: ansible [core 0.0-stub]" in run.stdout, run


def test_a_venv_left_without_pip_is_recreated_once_a_good_python_is_there(tmp_path, env, checkout):
    # The first attempt on a machine without pythonX.Y-venv: `python3 -m venv` fails in ensurepip
    # but leaves .venv/bin/python behind, with no pip in it.
    broken = python_without_ensurepip(tmp_path / "py")
    made = subprocess.run(
        [broken, "-m", "venv", checkout / ".venv"], capture_output=True, text=True
    )
    assert made.returncode != 0, made
    assert "ensurepip" in made.stdout + made.stderr, made
    pip = subprocess.run(
        [checkout / ".venv/bin/python", "-m", "pip", "--version"], capture_output=True, text=True
    )
    assert "No module named pip" in pip.stderr, pip

    # The user installs the venv package: now a Python of the same version can make venvs.
    env["PATH"] = f"{BASE_PYTHON.parent}:{env['PATH']}"
    run = run_setup(checkout, env)

    assert run.returncode == 0, run
    assert "recreating .venv: its pip does not run" in run.stdout, run
    assert "No module named pip" not in run.stderr, run
    assert "ready: ansible [core 0.0-stub]" in run.stdout, run
    pip = subprocess.run(
        [checkout / ".venv/bin/python", "-m", "pip", "--version"], capture_output=True, text=True
    )
    assert pip.returncode == 0, pip

    again = run_setup(checkout, env)
    assert again.returncode == 0, again
    assert "up to date (.venv" in again.stdout, again


def test_a_dev_setup_installs_testsupport_editable_and_reinstalls_when_it_changes(
    tmp_path, env, checkout
):
    env["PATH"] = f"{BASE_PYTHON.parent}:{env['PATH']}"
    where = [
        str(checkout / ".venv/bin/python"),
        "-c",
        "import testsupport; print(testsupport.__file__)",
    ]

    run = run_setup(checkout, env, "--dev")

    assert run.returncode == 0, run
    assert "installing testsupport (editable)" in run.stdout, run
    # Imported from anywhere (no sys.path edit, no PYTHONPATH), it is the checkout's own files.
    found = subprocess.run(where, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert found.stdout.strip() == str(checkout / "testsupport/__init__.py"), found

    again = run_setup(checkout, env, "--dev")
    assert "up to date (.venv" in again.stdout, again

    # A changed description of the package (its dependencies, say) installs it again.
    pyproject = checkout / "testsupport/pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('version = "1.0.0"', 'version = "1.0.1"'))
    changed = run_setup(checkout, env, "--dev")
    assert changed.returncode == 0, changed
    assert "installing testsupport (editable)" in changed.stdout, changed
    version = subprocess.run(
        [str(checkout / ".venv/bin/python"), "-m", "pip", "show", "todo-testsupport"],
        cwd=tmp_path, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert "Version: 1.0.1" in version.stdout, version
