"""The release role's values, computed without a cluster (kubernetes.core.helm cannot run here)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import Project

IMAGES = {
    "backend": {"repository": "todo-backend", "tag": "aaaa1111"},
    "ai_agent": {"repository": "todo-ai-agent", "tag": "bbbb2222"},
    "frontend": {"repository": "todo-frontend", "tag": "cccc3333"},
}


@pytest.fixture
def chart(tmp_path: Path) -> Path:
    root = tmp_path / "chart"
    (root / "templates").mkdir(parents=True)
    (root / "Chart.yaml").write_text("apiVersion: v2\nname: todo-app\nversion: 0.1.0\n")
    (root / "values.yaml").write_text("existingSecret: todo-app-secrets\n")
    (root / "templates" / "backend.yaml").write_text("kind: Deployment\n")
    return root


def values(project: Project, chart: Path, **extra: object) -> tuple[int, str, dict]:
    args = {
        "probe_chart_dir": str(chart),
        "probe_images": IMAGES,
        "probe_out": str(project.root / "values.json"),
        "probe_checksum": "f" * 64,
        **extra,
    }
    run = project.playbook("probe_release_values.yml", "-e", json.dumps(args))
    out = project.root / "values.json"
    result = json.loads(out.read_text()) if run.rc == 0 else {}
    out.unlink(missing_ok=True)
    return run.rc, run.output, result


def test_values_carry_images_checksum_and_secret_name_only(project: Project, chart: Path) -> None:
    rc, output, got = values(project, chart)
    assert rc == 0, output
    content_hash = got.pop("releaseContentHash")
    assert len(content_hash) == 64
    assert got == {
        "existingSecret": "todo-app-secrets",
        "checksums": {"secret": "f" * 64},
        "backend": {"image": IMAGES["backend"]},
        "aiAgent": {
            "image": IMAGES["ai_agent"],
            "openai": {"baseUrl": "http://127.0.0.1:9/v1", "model": "test-model"},
        },
        "frontend": {"image": IMAGES["frontend"]},
        "postgresql": {"enabled": True},
    }


def test_content_hash_is_stable_and_follows_template_edits(project: Project, chart: Path) -> None:
    first = values(project, chart)[2]["releaseContentHash"]
    assert values(project, chart)[2]["releaseContentHash"] == first
    # CI values files and editor leftovers are not deployed: no new release for them.
    (chart / "ci").mkdir()
    (chart / "ci" / "minimal-values.yaml").write_text("frontend: {}\n")
    (chart / "templates" / "backend.yaml.swp").write_text("swap\n")
    assert values(project, chart)[2]["releaseContentHash"] == first
    # Same chart version, edited template: the hash (and so the release) must change.
    (chart / "templates" / "backend.yaml").write_text("kind: Deployment\n# edited\n")
    assert values(project, chart)[2]["releaseContentHash"] != first


def test_external_database_turns_the_in_cluster_one_off(project: Project, chart: Path) -> None:
    got = values(project, chart, probe_external_database=True)[2]
    assert got["postgresql"] == {"enabled": False}


def test_extra_values_merge_recursively(project: Project, chart: Path) -> None:
    extra = {"frontend": {"service": {"nodePort": 30080}}}
    got = values(project, chart, probe_extra_values=extra)[2]
    assert got["frontend"] == {"image": IMAGES["frontend"], "service": {"nodePort": 30080}}


def test_missing_image_reference_fails_naming_it(project: Project, chart: Path) -> None:
    images = {key: value for key, value in IMAGES.items() if key != "frontend"}
    rc, output, _ = values(project, chart, probe_images=images)
    assert rc != 0
    assert "release_images.frontend needs repository and tag" in output


def test_missing_chart_fails_with_its_path(project: Project, tmp_path: Path) -> None:
    empty = tmp_path / "no-chart"
    empty.mkdir()
    rc, output, _ = values(project, empty)
    assert rc != 0
    assert f"No Helm chart (Chart.yaml) under {empty}" in output


def test_release_without_helm_4_stops_before_the_cluster(project: Project, chart: Path) -> None:
    args = {
        "release_chart_dir": str(chart),
        "release_images": IMAGES,
        "release_secret_checksum": "f" * 64,
        "release_helm_binary": str(project.root / "no-such-helm"),
    }
    run = project.playbook("probe_release.yml", "-e", json.dumps(args))
    assert run.rc != 0
    assert "Helm 4 is needed at" in run.output
    assert "--tags tools" in run.output
    assert "Install or upgrade the Helm release" not in run.output
