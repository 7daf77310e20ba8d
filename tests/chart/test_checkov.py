"""checkov's Kubernetes policies on every rendered scenario, with each accepted finding justified
in checkov.yaml (chart-wide) or in a `checkov.io/skip` annotation (one object)."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from chart_helm import SCENARIOS

CONFIG = Path(__file__).with_name("checkov.yaml")
INSTALL_SCRIPT = "scripts/install-checkov.sh"


@pytest.fixture(scope="session")
def checkov() -> str:
    """CHECKOV_BIN, then the venv of scripts/install-checkov.sh, then PATH."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    local = cache / "todo-app" / "checkov-venv" / "bin" / "checkov"
    found = os.environ.get("CHECKOV_BIN") or (str(local) if local.is_file() else None)
    found = found or shutil.which("checkov")
    if found is None:
        pytest.fail(
            f"checkov not found (looked at $CHECKOV_BIN, {local} and PATH): "
            f"run `{INSTALL_SCRIPT}` (checkov needs its own venv: it pins packaging<24)",
            pytrace=False,
        )
    if not os.access(found, os.X_OK):
        pytest.fail(f"{found} is not an executable checkov: run `{INSTALL_SCRIPT}`", pytrace=False)
    return found


def test_checkov_finds_nothing_unjustified(helm, checkov, tmp_path):
    for name, values in SCENARIOS.items():
        (tmp_path / f"{name}.yaml").write_text(helm.render_text(values))
    result = subprocess.run(
        [checkov, "--config-file", str(CONFIG), "-d", str(tmp_path), "-o", "json"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    report = json.loads(result.stdout)
    report = report[0] if isinstance(report, list) else report
    summary = report["summary"]
    failures = [
        f"{c['check_id']} {c['resource']}: {c['check_name']}"
        for c in report["results"]["failed_checks"]
    ]
    assert failures == []
    assert summary["failed"] == 0
    assert summary["passed"] > 1000  # every scenario was really scanned
    skipped = {c["check_id"] for c in report["results"]["skipped_checks"]}
    assert skipped == {"CKV_K8S_8", "CKV_K8S_9", "CKV_K8S_40"}  # the per-object annotations
