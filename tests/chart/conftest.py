"""Fixtures for the chart tests (tests/chart): helm, and the rendered scenarios."""

import subprocess

import pytest
from chart_helm import INSTALL_SCRIPT, SCENARIOS, Helm, find_helm


@pytest.fixture(scope="session")
def helm() -> Helm:
    binary = find_helm()
    if binary is None:
        pytest.fail(
            f"helm not found (looked at $HELM_BIN, .cache/bin/helm and PATH): "
            f"run `{INSTALL_SCRIPT}` to install helm v4 into .cache/bin/, or set HELM_BIN",
            pytrace=False,
        )
    try:
        version = subprocess.run(
            [binary, "version", "--template", "{{ .Version }}"],
            capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
    except OSError as exc:
        pytest.fail(f"cannot run helm at {binary}: {exc}; run `{INSTALL_SCRIPT}`", pytrace=False)
    if version.returncode != 0 or not version.stdout.startswith("v4."):
        pytest.fail(
            f"{binary} is not a working helm v4 ({version.stdout or version.stderr!r}): "
            f"run `{INSTALL_SCRIPT}` or point HELM_BIN at helm v4",
            pytrace=False,
        )
    return Helm(binary)


@pytest.fixture(params=list(SCENARIOS), scope="session")
def scenario(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def scenario_docs(helm: Helm, scenario: str) -> list[dict]:
    return helm.render(SCENARIOS[scenario])
