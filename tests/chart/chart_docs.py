"""The chart README's values table and values.schema.json, generated from values.yaml.

bitnami's readme-generator-for-helm (scripts/install-readme-generator.sh) writes both from the
`## @param` comments: names, descriptions, defaults and the types of the defaults. The generator
knows no constraints (its modifiers are types, nullable and default only), so the ones the chart
enforces (required keys, no unknown keys, enums, patterns, minimums, integers) live in one
hand-written file, values.schema.constraints.json, merged over the generated schema:
objects merge key by key, the constraint wins on a conflict, and a constraint node with a
`$ref` replaces the generated node (the referenced definition then owns the whole shape).

    python tests/chart/chart_docs.py     # regenerate README.md and values.schema.json
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from chart_helm import CHART_DIR, REPO_ROOT

INSTALL_SCRIPT = "scripts/install-readme-generator.sh"
CONSTRAINTS = "values.schema.constraints.json"
GENERATED = ("README.md", "values.schema.json")


def find_generator() -> str | None:
    """$README_GENERATOR_BIN, then the repo-local install."""
    if env := os.environ.get("README_GENERATOR_BIN"):
        return env
    local = REPO_ROOT / ".cache" / "readme-generator" / "node_modules" / ".bin" / "readme-generator"
    return str(local) if local.is_file() else None


def merge(generated: object, constraints: object) -> object:
    if not isinstance(constraints, dict) or not isinstance(generated, dict):
        return constraints
    if "$ref" in constraints:
        return constraints
    merged = dict(generated)
    for key, value in constraints.items():
        merged[key] = merge(generated[key], value) if key in generated else value
    return merged


def generate(chart_dir: Path, workdir: Path, generator: str) -> dict[str, str]:
    """The generated files' text for the chart in `chart_dir`, built in `workdir`."""
    shutil.copy(chart_dir / "values.yaml", workdir / "values.yaml")
    shutil.copy(chart_dir / "README.md", workdir / "README.md")
    proc = subprocess.run(
        [generator, "--values", "values.yaml", "--readme", "README.md",
         "--schema", "generated.schema.json"],
        cwd=workdir, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        raise RuntimeError(f"readme-generator failed:\n{proc.stdout}{proc.stderr}")
    generated = json.loads((workdir / "generated.schema.json").read_text())
    constraints = json.loads((chart_dir / CONSTRAINTS).read_text())
    schema = merge(generated, constraints)
    schema = {"$schema": schema.pop("$schema")} | schema if "$schema" in schema else schema
    return {
        "README.md": (workdir / "README.md").read_text(),
        "values.schema.json": json.dumps(schema, indent=2, ensure_ascii=False) + "\n",
    }


def main() -> int:
    import tempfile

    generator = find_generator()
    if generator is None:
        print(f"readme-generator not found: run {INSTALL_SCRIPT}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in generate(CHART_DIR, Path(tmp), generator).items():
            (CHART_DIR / name).write_text(text)
            print(f"wrote {(CHART_DIR / name).relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
