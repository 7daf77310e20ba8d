"""The images role on the real Docker engine, with small build contexts made by the test.

The main build / no-op / rebuild sequence reaches the engine through a mutual-TLS endpoint
(testsupport/docker_tls.py), as Minikube users reach the node's daemon; the other tests use the
local socket.

The services' real Dockerfiles are written elsewhere; these contexts have the same shape
(base image as a build argument; the Python services share one context with a shared
directory, each with its own <Dockerfile>.dockerignore; the frontend has its own .dockerignore)
so the role's behaviour is what is tested.
"""

from __future__ import annotations

import json

from testsupport.docker_tls import DockerTLSEndpoint
from testsupport.servers import free_port

from .conftest import NODE_BASE, PYTHON_BASE, Contexts, Project, docker, image_exists


def build(
    project: Project,
    contexts: Contexts,
    *extra: str,
    python_base: str = PYTHON_BASE,
    node_base: str = NODE_BASE,
    env: dict[str, str] | None = None,
    services: dict | None = None,
):
    """One run of the images role on `services` (default: all three of contexts); `env` is
    added to ansible-playbook's own environment."""
    run = project.playbook(
        "probe_images.yml",
        "-e",
        json.dumps(
            {
                "probe_services": services or contexts.services,
                "probe_python_image": python_base,
                "probe_node_image": node_base,
                "probe_out": str(project.root / "refs.json"),
            }
        ),
        *extra,
        env=env,
    )
    refs = json.loads((project.root / "refs.json").read_text()) if run.rc == 0 else {}
    return run, refs


def rebuild(project: Project, contexts: Contexts, before: dict) -> tuple[dict, set[str]]:
    """Runs the role again: the new refs and the services whose tag changed, each rebuilt."""
    run, refs = build(project, contexts)
    assert run.rc == 0, run.output
    retagged = {name for name, ref in refs.items() if ref != before[name]}
    assert run.changed == len(retagged)
    return refs, retagged


def with_endpoint(env: dict[str, str]) -> tuple[str, str]:
    """ansible-playbook arguments passing a Docker endpoint as playbooks/images.yml does."""
    return "-e", json.dumps({"images_docker_env": env})


def test_builds_once_then_changes_nothing_then_rebuilds_only_the_changed_service(
    project: Project, contexts: Contexts, docker_tls: DockerTLSEndpoint, unrelated_ca_env: dict
) -> None:
    """Every run goes through a mutual-TLS endpoint, as Minikube's daemon is reached, on a
    machine whose REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE name a bundle unrelated to its CA."""
    relayed = docker_tls.relayed()
    first, refs = build(project, contexts, *with_endpoint(docker_tls.env), env=unrelated_ca_env)
    assert first.rc == 0, first.output
    assert first.changed == 3
    assert set(refs) == {"backend", "ai_agent", "frontend"}
    for name, ref in refs.items():
        assert ref["repository"] == contexts.services[name]["repository"]
        assert image_exists(f"{ref['repository']}:{ref['tag']}")
    # The lookup and the three builds reached the daemon through the TLS endpoint.
    assert docker_tls.relayed() >= relayed + 4
    # The base image build argument reached the build: the frontend sits on the Node base.
    node = docker(
        "run",
        "--rm",
        f"{refs['frontend']['repository']}:{refs['frontend']['tag']}",
        "node",
        "--version",
    )
    assert node.stdout.startswith("v20.")

    relayed = docker_tls.relayed()
    second, again = build(project, contexts, *with_endpoint(docker_tls.env), env=unrelated_ca_env)
    assert second.rc == 0, second.output
    assert second.changed == 0
    assert again == refs
    assert docker_tls.relayed() > relayed  # the no-op asked the endpoint, not the local socket

    # A file the .dockerignore excludes does not change the image. This run takes the endpoint
    # from the shell (`eval $(minikube docker-env)`), with images_docker_env empty.
    (contexts.dir("backend") / "cache" / "junk.bin").write_text("other\n")
    (contexts.dir("backend") / "debug.log").write_text("noise\n")
    relayed = docker_tls.relayed()
    shell_env = {**unrelated_ca_env, **docker_tls.env}
    ignored, same = build(project, contexts, *with_endpoint({}), env=shell_env)
    assert ignored.rc == 0, ignored.output
    assert ignored.changed == 0
    assert same == refs
    assert docker_tls.relayed() > relayed

    # A real change to one service rebuilds that image only.
    (contexts.dir("ai_agent") / "app" / "main.txt").write_text("v2\n")
    third, changed = build(project, contexts, *with_endpoint(docker_tls.env), env=unrelated_ca_env)
    assert third.rc == 0, third.output
    assert third.changed == 1
    assert changed["backend"] == refs["backend"]
    assert changed["frontend"] == refs["frontend"]
    assert changed["ai_agent"]["tag"] != refs["ai_agent"]["tag"]
    agent = f"{changed['ai_agent']['repository']}:{changed['ai_agent']['tag']}"
    assert docker("run", "--rm", agent, "cat", "/app/main.txt").stdout == "v2\n"


def test_a_shared_context_tags_each_image_by_the_files_its_ignore_file_lets_in(
    project: Project, contexts: Contexts
) -> None:
    """The Python services share a context, as they share services/python-common: a change in
    the shared directory rebuilds both, a change elsewhere in the context rebuilds neither."""
    first, refs = build(project, contexts)
    assert first.rc == 0, first.output

    # The frontend's files sit in the shared context too, but neither Python image takes them.
    (contexts.dir("frontend") / "app" / "main.txt").write_text("frontend v2\n")
    (contexts.root / "notes.txt").write_text("not in any image\n")
    refs, retagged = rebuild(project, contexts, refs)
    assert retagged == {"frontend"}

    (contexts.root / "common" / "shared.txt").write_text("common v2\n")
    refs, retagged = rebuild(project, contexts, refs)
    assert retagged == {"backend", "ai_agent"}
    for name in retagged:
        image = f"{refs[name]['repository']}:{refs[name]['tag']}"
        assert docker("run", "--rm", image, "cat", "/common/shared.txt").stdout == "common v2\n"


def test_another_base_image_gives_another_tag(project: Project, contexts: Contexts) -> None:
    docker("tag", PYTHON_BASE, f"{contexts.prefix}-base:1")
    _, refs = build(project, contexts)
    run, other = build(project, contexts, python_base=f"{contexts.prefix}-base:1")
    assert run.rc == 0, run.output
    assert run.changed == 2  # the two Python services
    assert other["backend"]["tag"] != refs["backend"]["tag"]
    assert other["frontend"] == refs["frontend"]


def test_refs_are_published_without_building_for_a_deploy_only_run(
    project: Project, contexts: Contexts
) -> None:
    run, refs = build(project, contexts, "--tags", "deploy")
    assert run.rc == 0, run.output
    assert set(refs) == {"backend", "ai_agent", "frontend"}
    assert contexts.images() == []


def test_a_failing_build_shows_the_failing_step(project: Project, contexts: Contexts) -> None:
    dockerfile = contexts.dir("backend") / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text() + "RUN echo step-output-marker && exit 3\n")
    run, _ = build(project, contexts)
    assert run.rc != 0
    assert "step-output-marker" in run.output
    assert "Building backend" in run.output
    assert "exit code: 3" in run.output
    assert "Traceback" not in run.output


def test_the_docker_endpoint_comes_from_images_docker_env(
    project: Project, contexts: Contexts
) -> None:
    """Minikube's daemon is reached through images_docker_env; here it names a closed port,
    so the build must fail there (and say so) instead of silently using the local engine."""
    port = free_port()
    env = json.dumps({"images_docker_env": {"DOCKER_HOST": f"tcp://127.0.0.1:{port}"}})
    run, _ = build(project, contexts, "-e", env)
    assert run.rc != 0
    assert f"Cannot reach the Docker daemon at tcp://127.0.0.1:{port}" in run.output
    assert "Traceback" not in run.output
    assert contexts.images() == []


def test_default_services_are_the_three_real_build_contexts(project: Project) -> None:
    """Without images_services the role builds the backend and the agent from services/ (their
    Dockerfiles in services/{backend,ai-agent}) and the frontend from services/frontend; this
    copy of the project has no services/, so the role must name each missing context."""
    run = project.playbook(
        "playbooks/preflight.yml",
        "playbooks/provision.yml",
        "playbooks/images.yml",
        "--tags",
        "images",
        "-e",
        '{"todo_minikube_enabled": false}',
    )
    assert run.rc != 0
    assert f"build context {project.root}/services is not a directory" in run.output
    assert f"build context {project.root}/services/frontend is not a directory" in run.output
    for name in ("backend", "ai_agent", "frontend"):
        assert f"failed: [localhost] (item={name})" in run.output
    assert "Traceback" not in run.output
