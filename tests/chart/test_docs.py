"""values.yaml documents every value once, and the chart README's table lists them all."""

import re

import yaml
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
