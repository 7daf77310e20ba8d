"""cluster_tools through a file:// mirror: real downloads, real checksum checks, real installs.

The mirror holds the real kubectl found on this machine and small stand-in executables for helm
and minikube (get.helm.sh and GitHub are unreachable here), each with the sha256 the test computes
and passes in through cluster_tools_checksum_overrides, exactly as a user with a mirror would.
The helm archive is unpacked with this machine's GNU tar, and once with a real bsdtar (Debian's
libarchive-tools) as the only `tar` on PATH, which is what a stock macOS has.
"""

import hashlib
import io
import os
import platform
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest
import yaml

PLATFORM = "{}-{}".format(
    {"Linux": "linux", "Darwin": "darwin"}[platform.system()],
    {"x86_64": "amd64", "aarch64": "arm64", "arm64": "arm64"}[platform.machine()],
)
PLAY = """
- name: Install the cluster tools
  hosts: all
  gather_facts: false
  roles:
    - role: cluster_tools
"""


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def script(version_line: str) -> bytes:
    return f"#!/bin/sh\necho '{version_line}'\n".encode()


def helm_archive(helm: bytes, member: str = f"{PLATFORM}/helm") -> bytes:
    """A .tar.gz laid out like helm's releases: <os>-<arch>/ with helm, LICENSE and README.md."""
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w:gz") as tar:
        directory = tarfile.TarInfo(PLATFORM)
        directory.type, directory.mode = tarfile.DIRTYPE, 0o755
        tar.addfile(directory)
        for name, data, mode in (
            (member, helm, 0o755),
            (f"{PLATFORM}/LICENSE", b"Apache License 2.0\n", 0o644),
            (f"{PLATFORM}/README.md", b"Helm\n", 0o644),
        ):
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.uid, info.gid = len(data), mode, 1001, 1001
            tar.addfile(info, io.BytesIO(data))
    return archive.getvalue()


@pytest.fixture
def mirror(tmp_path):
    """A mirror laid out like dl.k8s.io, get.helm.sh and GitHub releases, plus the role's vars."""
    real_kubectl = Path(shutil.which("kubectl") or "/usr/bin/kubectl").resolve()
    reported = subprocess.run(
        [real_kubectl, "version", "--client"], capture_output=True, text=True, check=True
    ).stdout
    kubectl_version = re.search(r"Client Version: v?(\S+)", reported).group(1)
    kubectl = real_kubectl.read_bytes()
    helm = script("v4.1.4+gmirrortest")
    minikube = script("v1.38.1")

    root = tmp_path / "mirror"
    (root / f"kubectl/v{kubectl_version}/bin" / PLATFORM.replace("-", "/")).mkdir(parents=True)
    (root / f"kubectl/v{kubectl_version}/bin" / PLATFORM.replace("-", "/") / "kubectl").write_bytes(
        kubectl
    )
    archive = helm_archive(helm)
    (root / "helm").mkdir()
    (root / f"helm/helm-v4.1.4-{PLATFORM}.tar.gz").write_bytes(archive)
    (root / "minikube/v1.38.1").mkdir(parents=True)
    (root / f"minikube/v1.38.1/minikube-{PLATFORM}").write_bytes(minikube)

    bin_dir = tmp_path / "bin"
    return {
        "root": root,
        "bin": bin_dir,
        "kubectl_file": root
        / f"kubectl/v{kubectl_version}/bin"
        / PLATFORM.replace("-", "/")
        / "kubectl",
        "kubectl": kubectl,
        "helm_file": root / f"helm/helm-v4.1.4-{PLATFORM}.tar.gz",
        "vars": {
            "cluster_tools_bin_dir": str(bin_dir),
            "cluster_tools_platform": PLATFORM,
            "cluster_tools_kubectl_version": kubectl_version,
            "cluster_tools_kubectl_base_url": f"file://{root}/kubectl",
            "cluster_tools_helm_base_url": f"file://{root}/helm",
            "cluster_tools_minikube_base_url": f"file://{root}/minikube",
            "cluster_tools_download_delay": 0,
            "cluster_tools_checksum_overrides": {
                "kubectl": {kubectl_version: {PLATFORM: sha256(kubectl)}},
                "helm": {"4.1.4": {PLATFORM: sha256(archive)}},
                "minikube": {"1.38.1": {PLATFORM: sha256(minikube)}},
            },
        },
    }


def test_installs_all_three_tools_and_a_second_run_changes_nothing(playbook, mirror):
    first = playbook(PLAY, mirror["vars"])
    assert first.rc == 0, first
    assert first.changed > 0, first
    assert (mirror["bin"] / "kubectl").read_bytes() == mirror["kubectl"]
    for tool, expected in (
        ("kubectl", "Client Version"),
        ("helm", "v4.1.4"),
        ("minikube", "v1.38.1"),
    ):
        binary = mirror["bin"] / tool
        assert binary.stat().st_mode & 0o111, f"{tool} is not executable"
        args = ["version", "--client"] if tool == "kubectl" else ["version", "--short"]
        assert expected in subprocess.run([binary, *args], capture_output=True, text=True).stdout

    before = {t: (mirror["bin"] / t).stat() for t in ("kubectl", "helm", "minikube")}
    second = playbook(PLAY, mirror["vars"])
    assert second.rc == 0, second
    assert second.changed == 0, second
    for tool, stat in before.items():  # not even rewritten with the same bytes
        after = (mirror["bin"] / tool).stat()
        assert (after.st_ino, after.st_mtime_ns) == (stat.st_ino, stat.st_mtime_ns), tool


def test_a_corrupted_download_fails_on_its_checksum_and_installs_nothing(
    playbook, mirror, tmp_path
):
    mirror["kubectl_file"].write_bytes(mirror["kubectl"] + b"tampered")
    run = playbook(PLAY, {**mirror["vars"], "cluster_tools_install": ["kubectl"]})
    assert run.rc != 0, run
    assert "Checksum mismatch: kubectl" in run.output, run
    assert sha256(mirror["kubectl"] + b"tampered") in run.output, run
    assert not (mirror["bin"] / "kubectl").exists()
    assert not list((tmp_path / "tmp").glob("todo-kubectl-*")), (
        "the scratch download was left behind"
    )


def test_a_corrupted_download_leaves_the_installed_binary_untouched(playbook, mirror):
    mirror["bin"].mkdir()
    old = script("v1.0.0")
    (mirror["bin"] / "minikube").write_bytes(old)
    (mirror["bin"] / "minikube").chmod(0o755)
    (mirror["root"] / f"minikube/v1.38.1/minikube-{PLATFORM}").write_bytes(b"not minikube")
    run = playbook(PLAY, {**mirror["vars"], "cluster_tools_install": ["minikube"]})
    assert run.rc != 0, run
    assert "Checksum mismatch: minikube 1.38.1" in run.output, run
    assert (mirror["bin"] / "minikube").read_bytes() == old


def test_an_older_installed_version_is_replaced(playbook, mirror):
    mirror["bin"].mkdir()
    (mirror["bin"] / "helm").write_bytes(script("v3.19.0+gold"))
    (mirror["bin"] / "helm").chmod(0o755)
    run = playbook(PLAY, {**mirror["vars"], "cluster_tools_install": ["helm"]})
    assert run.rc == 0, run
    assert b"v4.1.4" in (mirror["bin"] / "helm").read_bytes()


@pytest.fixture
def macos_tar(ansible_env, tmp_path):
    """PATH as on a stock macOS: the `tar` found first is bsdtar (libarchive), no gtar anywhere."""
    bsdtar = shutil.which("bsdtar")
    assert bsdtar, "no bsdtar: apt-get install libarchive-tools (scripts/ci/prepare-machine.sh)"
    bin_dir = tmp_path / "macos-bin"
    bin_dir.mkdir()
    (bin_dir / "tar").symlink_to(bsdtar)
    ansible_env["PATH"] = f"{bin_dir}{os.pathsep}{ansible_env['PATH']}"
    version = subprocess.run(
        ["tar", "--version"], env=ansible_env, capture_output=True, text=True, check=True
    ).stdout
    assert version.startswith("bsdtar"), version
    # ansible's unarchive prefers gtar (Homebrew's GNU tar) when there is one; a stock Mac has none.
    assert shutil.which("gtar", path=ansible_env["PATH"]) is None
    return bin_dir


def with_helm_archive(mirror, archive: bytes) -> dict:
    """Serve another helm archive from the mirror; the role's vars, pinning its sha256."""
    mirror["helm_file"].write_bytes(archive)
    overrides = mirror["vars"]["cluster_tools_checksum_overrides"]
    return {
        **mirror["vars"],
        "cluster_tools_install": ["helm"],
        "cluster_tools_checksum_overrides": {
            **overrides,
            "helm": {"4.1.4": {PLATFORM: sha256(archive)}},
        },
    }


def install_old_helm(mirror) -> bytes:
    old = script("v3.19.0+gold")
    mirror["bin"].mkdir()
    (mirror["bin"] / "helm").write_bytes(old)
    (mirror["bin"] / "helm").chmod(0o755)
    return old


def test_helm_installs_where_tar_is_bsdtar_as_on_macos(playbook, mirror, macos_tar):
    run = playbook(PLAY, {**mirror["vars"], "cluster_tools_install": ["helm"]})
    assert run.rc == 0, run
    reported = subprocess.run(
        [mirror["bin"] / "helm", "version", "--short"], capture_output=True, text=True
    ).stdout
    assert reported == "v4.1.4+gmirrortest\n"
    assert [p.name for p in mirror["bin"].iterdir()] == ["helm"], "a staged file was left behind"

    again = playbook(PLAY, {**mirror["vars"], "cluster_tools_install": ["helm"]})
    assert again.rc == 0, again
    assert again.changed == 0, again


def test_a_download_that_fails_is_reported_as_a_download_failure(playbook, mirror):
    mirror["helm_file"].unlink()
    extra = {
        **mirror["vars"],
        "cluster_tools_install": ["helm"],
        "cluster_tools_download_retries": 1,
    }
    run = playbook(PLAY, extra)
    assert run.rc != 0, run
    assert "Download failed: helm 4.1.4 (" in run.output, run
    assert "could not be fetched in 2 attempts" in run.output, run
    assert "point cluster_tools_helm_base_url at a reachable mirror" in run.output, run
    assert "cluster_tools_show_download_logs=true" in run.output, run
    assert "Checksum mismatch" not in run.output, run

    shown = playbook(PLAY, {**extra, "cluster_tools_show_download_logs": True})
    assert shown.rc != 0, shown
    assert "Download failed: helm 4.1.4" in shown.output, shown
    # get_url's own error, on request
    assert "in 2 attempts (Request failed: " in shown.output, shown
    assert not (mirror["bin"] / "helm").exists()


@pytest.mark.parametrize("tar", ["GNU tar", "bsdtar"])
def test_an_archive_without_the_binary_is_reported_as_an_unpack_failure(
    playbook, mirror, request, tar
):
    if tar == "bsdtar":
        request.getfixturevalue("macos_tar")
    old = install_old_helm(mirror)
    extra = with_helm_archive(mirror, helm_archive(script("v4.1.4"), f"{PLATFORM}/helm.exe"))
    run = playbook(PLAY, extra)
    assert run.rc != 0, run
    assert f"Unpack failed: helm-v4.1.4-{PLATFORM}.tar.gz passed its checksum" in run.output, run
    assert f"from it: tar: {PLATFORM}/helm: Not found in archive" in run.output, run  # tar's words
    assert "network" not in run.output, run
    assert (mirror["bin"] / "helm").read_bytes() == old
    assert [p.name for p in mirror["bin"].iterdir()] == ["helm"]


def test_a_binary_that_reports_another_version_is_not_installed(playbook, mirror):
    old = install_old_helm(mirror)
    run = playbook(PLAY, with_helm_archive(mirror, helm_archive(script("v4.0.0+gother"))))
    assert run.rc != 0, run
    assert (
        'Version mismatch: the downloaded helm reports "v4.0.0+gother", not 4.1.4' in run.output
    ), run
    assert (mirror["bin"] / "helm").read_bytes() == old, "the wrong version was installed"
    assert [p.name for p in mirror["bin"].iterdir()] == ["helm"]


def test_a_binary_that_does_not_run_here_is_not_installed(playbook, mirror):
    old = install_old_helm(mirror)
    # What a binary for another OS or CPU looks like to the kernel: not a format it can execute.
    run = playbook(PLAY, with_helm_archive(mirror, helm_archive(b"\xcf\xfa\xed\xfe" + bytes(60))))
    assert run.rc != 0, run
    assert (
        "Version mismatch: the downloaded helm does not run on this machine (Exec format error"
        in run.output
    ), run
    assert (mirror["bin"] / "helm").read_bytes() == old


def test_a_version_without_a_pinned_checksum_is_refused_before_downloading(playbook, mirror):
    run = playbook(
        PLAY,
        {
            **mirror["vars"],
            "cluster_tools_install": ["helm"],
            "cluster_tools_helm_version": "4.0.0",
        },
    )
    assert run.rc != 0, run
    assert "No sha256 is pinned for helm 4.0.0" in run.output, run
    assert "cluster_tools_checksum_overrides" in run.output, run
    assert not (mirror["bin"] / "helm").exists()


def test_every_pinned_version_has_a_checksum_for_linux_and_macos_on_both_architectures(repo):
    table = yaml.safe_load((repo / "roles/cluster_tools/vars/main/checksums.yml").read_text())
    for tool in ("kubectl", "helm", "minikube"):
        # the pinned version is the first key of the tool's table (what defaults/main.yml reads)
        pinned = next(iter(table["cluster_tools_checksums"][tool].values()))
        for os_arch in ("linux-amd64", "linux-arm64", "darwin-amd64", "darwin-arm64"):
            assert re.fullmatch(r"sha256:[0-9a-f]{64}", pinned[os_arch]), (tool, os_arch)
