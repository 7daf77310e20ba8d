"""What `ansible-doc -t role` shows for each role's inputs is what the role really uses.

A role's defaults come from defaults/main.yml; the `default:` of meta/argument_specs.yml is only
what ansible-doc prints (ansible-core's role argument spec docs: "the actual default for the role
variable will always come from defaults/main.yml"). The two are read here as the tools read them:
the defaults file with a YAML loader, the documented inputs from the real ansible-doc.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
ROLES = sorted(p.parent.parent.name for p in (REPO / "roles").glob("*/meta/argument_specs.yml"))
ANSIBLE_DOC = Path(sys.executable).parent / "ansible-doc"


def role_defaults(role: str) -> dict:
    path = REPO / "roles" / role / "defaults" / "main.yml"
    return (yaml.safe_load(path.read_text()) or {}) if path.is_file() else {}


@pytest.fixture(scope="module")
def documented() -> dict:
    """Every role's entry points and options as `ansible-doc -t role --json` prints them."""
    out = subprocess.run(
        [str(ANSIBLE_DOC), "-t", "role", "-r", str(REPO / "roles"), "--json", *ROLES],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    return json.loads(out)


def test_every_role_is_documented(documented: dict) -> None:
    assert ROLES, "no role with meta/argument_specs.yml found"
    assert sorted(documented) == ROLES


@pytest.mark.parametrize("role", ROLES)
def test_documented_defaults_are_the_ones_the_role_uses(documented: dict, role: str) -> None:
    defaults = role_defaults(role)
    wrong = []
    for entry, spec in documented[role]["entry_points"].items():
        for name, option in (spec.get("options") or {}).items():
            if name in defaults:
                if option.get("default") != defaults[name]:
                    wrong.append(
                        f"{entry}.{name}: ansible-doc shows {option.get('default')!r}, "
                        f"defaults/main.yml has {defaults[name]!r}"
                    )
            elif option.get("default") is not None:
                wrong.append(
                    f"{entry}.{name}: ansible-doc shows the default {option['default']!r}, "
                    "but defaults/main.yml does not set it (the variable is undefined)"
                )
    assert not wrong, f"roles/{role}: " + "; ".join(wrong)


@pytest.mark.parametrize("role", ROLES)
def test_every_default_is_a_documented_input(documented: dict, role: str) -> None:
    declared = {
        name
        for spec in documented[role]["entry_points"].values()
        for name in spec.get("options") or {}
    }
    undocumented = sorted(set(role_defaults(role)) - declared)
    assert not undocumented, (
        f"roles/{role}/defaults/main.yml sets {undocumented}, which no entry point of "
        "meta/argument_specs.yml declares, so ansible-doc does not show them"
    )
