"""Each pinned tool version is written once: as the first key of the tool's checksum table.

cluster_tools' defaults read it from there, and so does scripts/install-helm.sh (the helm the
chart tests use), so moving to another release is one edit in one file.
"""

import platform
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
CHECKSUMS = REPO / "roles/cluster_tools/vars/main/checksums.yml"
TABLE = yaml.safe_load(CHECKSUMS.read_text())["cluster_tools_checksums"]
# Where the deployment's own files live (tests, docs and the replays name the versions they
# were derived from, which is a statement about them, not a pin).
SCOPE = ["roles", "playbooks", "inventories", "molecule", "scripts", "site.yml"]
LINUX_AMD64 = (platform.system(), platform.machine()) == ("Linux", "x86_64")


@pytest.mark.parametrize("tool", ["kubectl", "helm", "minikube"])
def test_the_pinned_version_is_written_once(tool: str) -> None:
    version = next(iter(TABLE[tool]))
    hits = subprocess.run(
        ["git", "grep", "-n", "-F", version, "--", *SCOPE],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.splitlines()
    assert hits == [
        f'{CHECKSUMS.relative_to(REPO)}:{line}:    "{version}":'
        for line in [CHECKSUMS.read_text().splitlines().index(f'    "{version}":') + 1]
    ], f"{tool} {version} is written outside its checksum table: {hits}"


def fake_helm(bin_dir: Path, version: str) -> None:
    """A helm that answers `helm version --template '{{ .Version }}'` as the real one does."""
    bin_dir.mkdir(parents=True)
    helm = bin_dir / "helm"
    helm.write_text(f"#!/bin/sh\nprintf '%s' '{version}'\n")
    helm.chmod(0o755)


def run_install_helm(repo: Path, bin_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(repo / "scripts/install-helm.sh"), str(bin_dir)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.skipif(not LINUX_AMD64, reason="install-helm.sh only serves linux/amd64")
def test_install_helm_wants_the_version_cluster_tools_pins(tmp_path: Path) -> None:
    version = next(iter(TABLE["helm"]))
    fake_helm(tmp_path / "bin", f"v{version}")
    run = run_install_helm(REPO, tmp_path / "bin")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == f"helm v{version} already at {tmp_path / 'bin/helm'}"


@pytest.mark.skipif(not LINUX_AMD64, reason="install-helm.sh only serves linux/amd64")
def test_install_helm_follows_a_changed_checksum_table(tmp_path: Path) -> None:
    """A copy of the tree whose table pins another helm first: the script wants that one."""
    copy = tmp_path / "repo"
    (copy / "scripts").mkdir(parents=True)
    shutil.copy(REPO / "scripts/install-helm.sh", copy / "scripts")
    table = {**TABLE, "helm": {"9.8.7": {"linux-amd64": "sha256:" + "0" * 64}, **TABLE["helm"]}}
    target = copy / CHECKSUMS.relative_to(REPO)
    target.parent.mkdir(parents=True)
    target.write_text(yaml.safe_dump({"cluster_tools_checksums": table}, sort_keys=False))
    fake_helm(tmp_path / "bin", "v9.8.7")
    run = run_install_helm(copy, tmp_path / "bin")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == f"helm v9.8.7 already at {tmp_path / 'bin/helm'}"

    target.write_text(yaml.safe_dump({"cluster_tools_checksums": {"kubectl": TABLE["kubectl"]}}))
    run = run_install_helm(copy, tmp_path / "bin")
    assert run.returncode == 1
    assert "no helm version found under cluster_tools_checksums.helm" in run.stderr
