"""The helm binary and the rendered manifests of charts/todo-app, for the chart tests.

Nothing here talks to a cluster: `helm lint` and `helm template` run offline. (A module with
its own name rather than conftest.py, so test modules can import it next to other suites.)
"""

import copy
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
CHART_DIR = REPO_ROOT / "charts" / "todo-app"
INSTALL_SCRIPT = "scripts/install-helm.sh"
RELEASE = "todo-app"
NAMESPACE = "todo-app"

# Every extra values file under ci/ is a scenario (Helm's chart-testing convention), plus the
# chart's own defaults.
SCENARIOS = {"default": None} | {
    path.name.removesuffix("-values.yaml"): path
    for path in sorted((CHART_DIR / "ci").glob("*-values.yaml"))
}


def find_helm() -> str | None:
    """HELM_BIN, then the repo-local install, then PATH."""
    if env := os.environ.get("HELM_BIN"):
        return env
    local = REPO_ROOT / ".cache" / "bin" / "helm"
    if local.is_file() and os.access(local, os.X_OK):
        return str(local)
    return shutil.which("helm")


@dataclass(frozen=True)
class HelmResult:
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


class Helm:
    def __init__(self, binary: str) -> None:
        self.binary = binary
        self._cache: dict[tuple, list[dict]] = {}

    def run(self, *args: str) -> HelmResult:
        proc = subprocess.run(
            [self.binary, *args], capture_output=True, text=True, timeout=120, check=False
        )
        return HelmResult(proc.returncode, proc.stdout, proc.stderr)

    @staticmethod
    def value_args(values_file: Path | None, sets: tuple[str, ...]) -> list[str]:
        args = ["-f", str(values_file)] if values_file else []
        for item in sets:
            args += ["--set", item]
        return args

    def template(self, values_file: Path | None = None, *sets: str) -> HelmResult:
        return self.run(
            "template", RELEASE, str(CHART_DIR), "--namespace", NAMESPACE,
            *self.value_args(values_file, sets),
        )  # fmt: skip

    def render(self, values_file: Path | None = None, *sets: str) -> list[dict]:
        """Rendered objects (helm test hooks included); a failed render fails the test."""
        key = (values_file, sets)
        if key not in self._cache:
            result = self.template(values_file, *sets)
            assert result.returncode == 0, f"helm template failed:\n{result.output}"
            self._cache[key] = [doc for doc in yaml.safe_load_all(result.stdout) if doc]
        return copy.deepcopy(self._cache[key])  # tests may edit their copy

    def render_text(self, values_file: Path | None = None, *sets: str) -> str:
        result = self.template(values_file, *sets)
        assert result.returncode == 0, f"helm template failed:\n{result.output}"
        return result.stdout
