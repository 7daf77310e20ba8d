"""Tag-only runs of site.yml's plays resolve the facts they need.

The cluster plays cannot reach a cluster here, so the runs are those of an existing cluster
(no Minikube) and stop at the first step that would reach it (the release's Helm 4 check), or
never reach one (`--tags images`).
"""

from __future__ import annotations

import json

import yaml

from .conftest import NODE_BASE, PYTHON_BASE, Contexts, Project

APP_PLAYS = (  # site.yml's imports, in its order
    "playbooks/preflight.yml",
    "playbooks/bootstrap-secrets.yml",
    "playbooks/provision.yml",
    "playbooks/images.yml",
    "playbooks/secrets.yml",
    "playbooks/deploy.yml",
    "playbooks/verify.yml",
)


def run_tags(project: Project, contexts: Contexts, tags: str):
    extra = {
        "images_services": contexts.services,
        "todo_python_image": PYTHON_BASE,
        "todo_node_image": NODE_BASE,
        "todo_tools_bin_dir": str(project.root / "no-tools-yet"),
        "todo_minikube_enabled": False,
    }
    return project.playbook("-v", *APP_PLAYS, "--tags", tags, "-e", json.dumps(extra))


def test_images_tag_builds_without_touching_the_cluster(
    project: Project, contexts: Contexts
) -> None:
    run = run_tags(project, contexts, "images")
    assert run.rc == 0, run.output
    assert len(contexts.images()) == 3
    for name in ("Create the application namespace", "Install or upgrade the Helm release"):
        assert name not in run.output
    again = run_tags(project, contexts, "images")
    assert again.rc == 0, again.output
    assert again.changed == 0


def test_deploy_tag_alone_has_image_tags_and_secret_checksum(
    project: Project, contexts: Contexts
) -> None:
    chart = project.root / "charts" / "todo-app"  # the real chart is written elsewhere
    chart.mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: todo-app\nversion: 0.1.0\n")
    run = run_tags(project, contexts, "deploy")
    assert contexts.images() == []  # nothing built by a deploy-only run
    # The release got as far as its own Helm check, with every value resolved from facts.
    assert "Helm 4 is needed at" in run.output, run.output
    assert run.rc != 0
    tags = [line for line in run.output.splitlines() if "tag:" in line]
    assert len(tags) >= 3
    assert "checksums:" in run.output
    assert "Build the image" not in run.output
    for value in yaml.safe_load(project.vault_view()).values():
        assert value not in run.output
