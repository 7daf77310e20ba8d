"""The first `make deploy` on a fresh laptop, the runs after it, and `make teardown` in every
state of the profile, through the real site.yml and teardown.yml (see conftest.py for what is
real and what is replayed)."""

from __future__ import annotations

import json

from .conftest import PROFILE, World

URL = "http://127.0.0.1:30080"


def test_a_fresh_machine_deploys_and_a_second_run_changes_nothing(world: World) -> None:
    first = world.site()
    assert first.rc == 0, first
    # minikube status for a missing profile prints two event lines and exits 85: read, not parsed
    # as one document, and the profile is created with the NodePort on 127.0.0.1.
    starts = [c for c in world.calls("minikube") if c[0] == "start"]
    assert len(starts) == 1, world.calls("minikube")
    assert "--ports=127.0.0.1:30080:30080" in starts[0]
    assert "--container-runtime=docker" in starts[0] and "--cni=calico" in starts[0]
    assert world.profile()["state"] == "Running"
    assert "Creating Minikube profile todo-app" in first.out
    assert "takes about 3 to 10 minutes" in first.out
    assert f"Open {URL} in a browser." in first.out, first
    assert "closed the account" in first.out

    world.forget_calls()
    second = world.site()
    assert second.rc == 0, second
    assert second.changed == 0, second.changed_tasks()
    assert "[WARNING]" not in second.out, second
    assert not [c for c in world.calls("minikube") if c[0] in ("start", "stop", "delete")]
    helm_writes = [c for c in world.calls("helm") if c[0] in ("upgrade", "install", "rollback")]
    assert not helm_writes, helm_writes


def test_a_stopped_profile_is_started_with_its_own_configuration(world: World) -> None:
    assert world.site().rc == 0
    assert world.minikube("stop", "--profile", PROFILE).returncode == 0
    world.forget_calls()
    run = world.site(extra={"todo_minikube_cpus": 4, "todo_kubernetes_version": "v1.34.0"})
    assert run.rc == 0, run
    (start,) = [c for c in world.calls("minikube") if c[0] == "start"]
    assert start == ["start", f"--profile={PROFILE}", "--interactive=false"], start
    assert "Starting Minikube profile todo-app (it is stopped)" in run.out
    assert "it has 2 CPUs and 2200 MiB, the inventory asks for 4 CPUs" in run.out
    assert "newer than the v1.34.0 the inventory asks for" in run.out
    assert world.profile()["state"] == "Running"
    assert world.profile()["config"]["CPUs"] == 2


def test_a_paused_profile_is_resumed(world: World) -> None:
    assert world.site().rc == 0
    assert world.minikube("pause", "--profile", PROFILE).returncode == 0
    world.forget_calls()
    run = world.site("--skip-tags", "verify")
    assert run.rc == 0, run
    assert ["unpause", "--profile", PROFILE] in world.calls("minikube")
    assert world.profile()["state"] == "Running"


def test_a_stale_kubeconfig_context_is_repaired(world: World) -> None:
    assert world.site().rc == 0
    world.edit_minikube_state(lambda s: s["profiles"][PROFILE].update(kubeconfig_stale=True))
    world.forget_calls()
    run = world.site("--skip-tags", "verify")
    assert run.rc == 0, run
    assert ["update-context", "--profile", PROFILE] in world.calls("minikube")


def test_teardown_in_every_state_of_the_profile_twice(world: World) -> None:
    # Missing profile: nothing to remove, twice.
    for _ in range(2):
        run = world.teardown()
        assert run.rc == 0 and run.changed == 0, run
        assert "does not exist, so there is nothing to remove" in run.out

    assert world.site().rc == 0
    # Running: the release goes, the database's volume and the namespace stay; again: no change.
    run = world.teardown()
    assert run.rc == 0, run
    assert "Kept namespace todo-app with 1 PersistentVolumeClaim(s) (data-todo-postgresql-0)" in run.out
    assert not [s for s in world.kube.list("v1", "Secret", "todo-app") if s["type"] == "helm.sh/release.v1"]
    again = world.teardown()
    assert again.rc == 0 and again.changed == 0, again

    # Stopped and asked to keep running: it says what to do, and changes nothing.
    assert world.site("--skip-tags", "verify").rc == 0
    assert world.minikube("stop", "--profile", PROFILE).returncode == 0
    run = world.teardown()
    assert run.rc != 0, run
    assert "Minikube profile todo-app is stopped, so release todo-app inside it cannot be" in run.out
    assert 'make teardown ARGS="-e teardown_minikube=delete"' in run.out

    # Paused: resumed to remove the release, then stopped as asked; twice.
    assert world.minikube("start", f"--profile={PROFILE}").returncode == 0
    assert world.minikube("pause", "--profile", PROFILE).returncode == 0
    run = world.teardown(extra={"teardown_minikube": "stop"})
    assert run.rc == 0, run
    assert ["unpause", "--profile", PROFILE] in world.calls("minikube")
    assert world.profile()["state"] == "Stopped"
    again = world.teardown(extra={"teardown_minikube": "stop"})
    assert again.rc == 0 and again.changed == 0, again

    # Delete: the profile goes with everything in it, without an uninstall first; twice.
    world.forget_calls()
    run = world.teardown(extra={"teardown_minikube": "delete"})
    assert run.rc == 0, run
    assert world.profile() is None
    assert not world.calls("helm"), world.calls("helm")
    again = world.teardown(extra={"teardown_minikube": "delete"})
    assert again.rc == 0 and again.changed == 0, again


def test_teardown_of_an_unreachable_cluster_says_why_and_delete_still_works(world: World) -> None:
    assert world.site("--skip-tags", "verify").rc == 0
    world.kube.stop()
    run = world.teardown()
    assert run.rc != 0, run
    assert 'Could not remove release todo-app from namespace todo-app (context todo-app) at "Uninstall' in (
        run.out
    )
    assert "Kubernetes cluster unreachable" in run.out
    deleted = world.teardown(extra={"teardown_minikube": "delete"})
    assert deleted.rc == 0, deleted
    assert world.profile() is None


def test_check_mode_on_a_fresh_machine_predicts_and_changes_nothing(world: World) -> None:
    run = world.site("--check", "--diff")
    assert run.rc == 0, run
    assert "Check mode: would create Minikube profile todo-app" in run.out
    assert "check mode cannot predict them and skips them" in run.out
    assert world.profile() is None
    assert not (world.inventory / "group_vars/all/vault.yml").exists()
    assert not [c for c in world.calls("minikube") if c[0] != "status" and c[0] != "version"]


def test_check_mode_on_a_deployed_cluster_reports_a_change_without_making_it(world: World) -> None:
    assert world.site().rc == 0
    world.forget_calls()
    run = world.site("--check", "--diff", extra={"todo_openai_model": "gpt-4.1-mini"})
    assert run.rc == 0, run
    assert "Check mode: would Upgrading" not in run.out
    assert '-            "model": "gpt-4o-mini"' in run.out or 'model: gpt-4o-mini' in run.out, run
    assert not [c for c in world.calls("helm") if c[0] in ("upgrade", "install", "rollback")]
    values = json.loads(
        world.kube.get("v1", "Secret", "todo-app", "sh.helm.release.v1.todo-app.v1") is not None
        and "{}"
    )
    assert values == {}
