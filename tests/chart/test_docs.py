"""values.yaml documents every value once; the chart README's table and values.schema.json are
generated from those comments (chart_docs.py) and are current."""

import re
import shutil

import pytest
import yaml
from chart_docs import CONSTRAINTS, GENERATED, INSTALL_SCRIPT, find_generator, generate
from chart_helm import CHART_DIR

PARAM = re.compile(r"^## @param (\S+) \S", re.MULTILINE)


def leaf_keys(values: dict, prefix: str = "") -> set[str]:
    """Dotted keys of every documented unit: scalars, lists and free-form maps (`{}`)."""
    keys = set()
    for key, value in values.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value and key not in {"dnsPodLabels"}:
            keys |= leaf_keys(value, f"{path}.")
        else:
            keys.add(path)
    return keys


def test_every_value_has_exactly_one_param_comment():
    text = (CHART_DIR / "values.yaml").read_text()
    params = PARAM.findall(text)
    assert len(params) == len(set(params)), "a value is documented twice"
    assert set(params) == leaf_keys(yaml.safe_load(text))


def test_readme_values_table_lists_every_param():
    params = set(PARAM.findall((CHART_DIR / "values.yaml").read_text()))
    readme = (CHART_DIR / "README.md").read_text()
    table = set(re.findall(r"^\| `([^`]+)`\s+\|", readme, re.MULTILINE))
    assert params <= table


@pytest.fixture(scope="session")
def generator() -> str:
    binary = find_generator()
    if binary is None:
        pytest.fail(
            f"readme-generator-for-helm not found (looked at $README_GENERATOR_BIN and "
            f".cache/readme-generator): run `{INSTALL_SCRIPT}`",
            pytrace=False,
        )
    return binary


@pytest.mark.parametrize("name", GENERATED)
def test_generated_file_is_current(generator, tmp_path, name):
    """README.md's values table and values.schema.json are what the generator makes of
    values.yaml (and the constraints file): regenerate with `python tests/chart/chart_docs.py`."""
    expected = generate(CHART_DIR, tmp_path, generator)[name]
    assert (CHART_DIR / name).read_text() == expected, (
        f"charts/todo-app/{name} is out of date: run `python tests/chart/chart_docs.py`"
    )


def test_an_edited_param_comment_changes_both_generated_files(generator, tmp_path):
    """The check above can fail: a description edited in values.yaml reaches both files."""
    chart = tmp_path / "chart"
    chart.mkdir()
    for name in ("values.yaml", "README.md", CONSTRAINTS):
        shutil.copy(CHART_DIR / name, chart / name)
    values = chart / "values.yaml"
    values.write_text(
        values.read_text().replace(
            "## @param logLevel Log level", "## @param logLevel Verbosity of the logs"
        )
    )
    work = tmp_path / "work"
    work.mkdir()
    edited = generate(chart, work, generator)
    for name in GENERATED:
        assert "Verbosity of the logs" in edited[name]
        assert "Verbosity of the logs" not in (CHART_DIR / name).read_text()
