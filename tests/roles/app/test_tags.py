"""Tag-only runs of site.yml's plays resolve the facts they need.

The runs are those of an existing cluster (no Minikube) whose images are built into this
machine's Docker engine (no registry). Most stop at the first step that would reach a cluster
(the release's Helm 4 check) or never reach one (`--tags images`); the deploy-only runs that go
further deploy against the stand-ins of Helm's cluster side and the Kubernetes API
(testsupport/replay), with the real helm rendering the real chart.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from testsupport import replay
from testsupport.replay.helm import command_of
from testsupport.replay.kube_api import KubeAPI

from .conftest import NODE_BASE, PYTHON_BASE, REPO, Contexts, Project

APP_PLAYS = (  # site.yml's imports, in its order
    "playbooks/preflight.yml",
    "playbooks/bootstrap-secrets.yml",
    "playbooks/provision.yml",
    "playbooks/images.yml",
    "playbooks/secrets.yml",
    "playbooks/deploy.yml",
    "playbooks/verify.yml",
)


def run_tags(
    project: Project,
    contexts: Contexts,
    tags: str,
    extra: dict | None = None,
    env: dict | None = None,
):
    extra = {
        "images_services": contexts.services,
        "todo_python_image": PYTHON_BASE,
        "todo_node_image": NODE_BASE,
        "todo_tools_bin_dir": str(project.root / "no-tools-yet"),
        "todo_minikube_enabled": False,
        **(extra or {}),
    }
    return project.playbook("-v", *APP_PLAYS, "--tags", tags, "-e", json.dumps(extra), env=env)


@dataclass
class Cluster:
    """The stand-ins' cluster: its API, the replay directory the helm stand-in records in, and
    what a run needs to reach it."""

    kube: KubeAPI
    replay: Path
    extra: dict
    env: dict

    def helm_commands(self) -> list[str | None]:
        """The command of each helm call (version, list, upgrade, ...)."""
        return [command_of(c["argv"]) for c in replay.calls(self.replay, "helm")]

    def release_records(self) -> list[dict]:
        return [
            s for s in self.kube.list("Secret", "todo-app") if s.get("type") == "helm.sh/release.v1"
        ]


@pytest.fixture
def cluster(project: Project, tmp_path: Path) -> Iterator[Cluster]:
    """An existing cluster with the application's namespace, reached through a kubeconfig; helm
    in the tools directory is the stand-in, and the project carries the real chart."""
    real_helm = REPO / ".cache" / "bin" / "helm"
    assert real_helm.exists(), "run scripts/install-helm.sh first (make tools-test)"
    shutil.copytree(REPO / "charts" / "todo-app", project.root / "charts" / "todo-app")
    tools = tmp_path / "tools"
    replay.install(tools, ("helm",))
    with KubeAPI(tmp_path / "replay", context="todo-test") as kube:
        kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "todo-app"}})
        yield Cluster(
            kube=kube,
            replay=kube.dir,
            extra={"todo_tools_bin_dir": str(tools), "todo_kube_context": "todo-test"},
            env={
                "KUBECONFIG": str(kube.kubeconfig),
                "TODO_REPLAY_DIR": str(kube.dir),
                "TODO_REPLAY_REAL_HELM": str(real_helm),
            },
        )


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


def test_deploy_tag_alone_stops_before_helm_when_the_images_were_never_built(
    project: Project, contexts: Contexts, cluster: Cluster
) -> None:
    run = run_tags(project, contexts, "deploy", cluster.extra, cluster.env)
    assert run.rc != 0, run
    message = run.text[run.text.index("The images ") :]
    for service in contexts.services.values():
        assert f"{service['repository']}:ctx-" in message
    assert "are not in the Docker daemon the cluster runs from" in message
    assert 'Build them and deploy with: make deploy ARGS="--tags images,deploy"' in message
    assert "(or: ansible-playbook site.yml --tags images,deploy)" in message
    # Nothing reached the cluster: helm was asked for its version only, no release was written.
    assert cluster.helm_commands() == ["version"]
    assert cluster.release_records() == []
    assert contexts.images() == []

    # The command the message names builds the images and deploys them.
    built = run_tags(project, contexts, "images,deploy", cluster.extra, cluster.env)
    assert built.rc == 0, built
    assert len(contexts.images()) == 3
    assert "upgrade" in cluster.helm_commands()
    assert len(cluster.release_records()) == 1

    # With the images present, a deploy-only run deploys a change as before.
    changed = {**cluster.extra, "todo_openai_model": "gpt-4.1-mini"}
    again = run_tags(project, contexts, "deploy", changed, cluster.env)
    assert again.rc == 0, again
    assert "Release todo-app in todo-app: revision 2 deployed" in again.text
    assert len(cluster.release_records()) == 2
