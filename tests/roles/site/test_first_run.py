"""The first `make deploy` on a fresh laptop, the runs after it, and `make teardown` in every
state of the profile, through the real site.yml and teardown.yml (conftest.py says what is real
and what is replayed).

The tests share one laptop and run in this order, as a user's days would: check mode on the
fresh machine, the first deploy and a no-op run, then changes, failures and restarts on the
deployed app, then teardown in each state. Each test states what it starts from.
"""

from __future__ import annotations

import json
import urllib.request

from testsupport.replay.helm import interrupt_next

from .conftest import PROFILE, World

NS = "todo-app"
RELEASE_SECRET = "helm.sh/release.v1"


def releases(world: World) -> list[dict]:
    """The release's revisions as `helm history` prints them (the stand-in, as a user would)."""
    proc = world.helm("history", "todo-app", "--namespace", NS, "--output", "json")
    return json.loads(proc.stdout) if proc.returncode == 0 else []


def app_answers(world: World) -> bool:
    try:
        with urllib.request.urlopen(f"{world.url}/api/healthz", timeout=5) as resp:  # noqa: S310
            return resp.status == 200
    except OSError:
        return False


def test_check_mode_on_a_fresh_machine_predicts_and_changes_nothing(world: World) -> None:
    run = world.site("--check", "--diff")
    assert run.rc == 0, run
    assert "Check mode: would install minikube 1.38.1" in run.text
    assert "Check mode: would generate vault_jwt_secret, vault_postgres_password" in run.text
    assert (
        "Check mode: Minikube profile todo-app is missing, and a real run would create it"
        in run.text
    )
    assert "check mode cannot predict them and skips them" in run.text
    assert world.profile() is None
    assert not (world.inventory / "group_vars/all/vault.yml").exists()
    assert not list(world.tools.glob("*")), "check mode installed a tool"


def test_a_tools_only_run_installs_the_tools_before_any_profile_exists(world: World) -> None:
    run = world.site("--tags", "tools")
    assert run.rc == 0, run
    assert "not published in this tools-only run" in run.text
    assert sorted(p.name for p in world.tools.iterdir()) == ["helm", "kubectl", "minikube"]
    assert world.profile() is None


def test_a_fresh_machine_deploys_and_a_second_run_changes_nothing(world: World) -> None:
    first = world.site()
    assert first.rc == 0, first
    # `minikube status` of the missing profile printed two event lines and exited 85; the role
    # read it as "missing" and created the profile with the NodePort published on 127.0.0.1.
    assert ["status", "--profile", PROFILE, "--output", "json"] in world.calls("minikube")
    (start,) = [c for c in world.calls("minikube") if c[0] == "start"]
    assert f"--ports=127.0.0.1:{world.port}:{world.port}" in start
    assert "--container-runtime=docker" in start
    assert "--cni=calico" in start
    assert world.profile()["state"] == "Running"
    # Long steps say so before they start.
    assert "Creating Minikube profile todo-app" in first.text
    assert "takes about 3 to 10 minutes" in first.text
    assert (
        "Installing release todo-app in todo-app. Helm waits until every pod is ready" in first.text
    )
    # The walk went through the URL the play prints, and left no account behind.
    assert f"Open {world.url} in a browser." in first.text, first
    assert "deleted it, closed the account" in first.text
    assert app_answers(world)

    world.forget_calls()
    second = world.site()
    assert second.rc == 0, second
    assert second.changed == 0, second.changed_tasks()
    assert "WARNING" not in second.text, second
    assert not [c for c in world.calls("minikube") if c[0] in ("start", "stop", "unpause")]
    assert not [c for c in world.calls("helm") if c[0] in ("upgrade", "install", "rollback")]


def test_check_mode_on_the_deployed_app_reports_a_change_without_making_it(world: World) -> None:
    world.forget_calls()
    revisions = len(releases(world))
    run = world.site("--check", "--diff", extra={"todo_openai_model": "gpt-4.1-mini"})
    assert run.rc == 0, run
    assert "Check mode: would Upgrading release todo-app" in run.text, run
    assert '"model": "gpt-4o-mini"' in run.text
    assert '"model": "gpt-4.1-mini"' in run.text
    assert "Check mode: the walk would create and delete an account" in run.text
    assert not [c for c in world.calls("helm") if c[0] in ("upgrade", "install", "rollback")]
    assert len(releases(world)) == revisions


def test_molecule_verify_reads_the_cluster_in_a_run_of_its_own(world: World) -> None:
    """molecule/default's verify is a separate ansible-playbook run without converge's facts."""
    run = world.playbook("molecule/default/verify.yml")
    assert run.rc == 0, run
    assert "Check that the frontend answers on this machine's 127.0.0.1" in run.text
    assert f"Open {world.url} in a browser." in run.text


def test_a_deploy_left_pending_by_a_killed_helm_is_recovered(world: World) -> None:
    # A deploy killed half way (the terminal closed, an out-of-memory kill): helm wrote the
    # pending-upgrade record and died, and with it every later upgrade would be refused.
    before = releases(world)[-1]["revision"]
    interrupt_next(world.replay)
    killed = world.helm("upgrade", "todo-app", world.chart, "--namespace", NS, "--reuse-values")
    assert killed.returncode != 0
    assert releases(world)[-1]["status"] == "pending-upgrade"

    run = world.site("--tags", "deploy", extra={"todo_openai_model": "gpt-4.1-mini"})
    assert run.rc == 0, run
    assert "was left pending-upgrade at revision" in run.text
    assert "Rolling it back to the revision before" in run.text
    history = releases(world)
    assert history[-1]["status"] == "deployed"
    assert history[-1]["revision"] == before + 3  # pending, its rollback, the new upgrade
    assert app_answers(world)


def test_a_failing_upgrade_prints_why_then_rolls_back(world: World) -> None:
    good = releases(world)[-1]["revision"]
    world.kube.set_failing(
        "todo-backend", reason="alembic: database is locked", image="todo-backend:broken"
    )
    try:
        run = world.site(
            "--tags",
            "deploy",
            # Helm waits for a crash-looping backend until its timeout, as the real one does:
            # 60 s instead of the 10 minutes a user's deploy may take.
            extra={"release_timeout": "60s",
                   "todo_chart_values": {**world.extra["todo_chart_values"],
                                         "backend": {"image": {"tag": "broken"}}}},
        )  # fmt: skip
    finally:
        world.kube.clear_failing()
    assert run.rc != 0, run
    # First why (the pods, the events, the last log line), then the rollback, then the error.
    why = run.text.index("CrashLoopBackOff")
    assert "Warning BackOff" in run.text or "BackOff" in run.text[why:]
    assert "alembic: database is locked" in run.text[why:]
    assert run.text.index("Roll the release back to its last good revision") > why
    assert "Deploying release todo-app failed:" in run.text
    assert f"Rolled back to revision {good}, which runs again." in run.text
    assert releases(world)[-1]["status"] == "deployed"
    assert app_answers(world)


def test_an_existing_cluster_walks_the_url_it_is_given(world: World) -> None:
    overlay = {
        "todo_minikube_enabled": False,
        "todo_kube_context": PROFILE,
        "todo_image_registry": "",
    }
    # The API is this machine's loopback here; a user's proxy settings for a remote cluster
    # are their own.
    env = {"NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    world.forget_calls()
    without = world.site("--tags", "verify", extra=overlay, env=env)
    assert without.rc != 0, without
    assert "No URL reaches the frontend from this machine: Service todo-frontend has no load" in (
        without.text
    )
    assert "Fix: set todo_app_url" in without.text
    assert not world.calls("minikube"), "an existing cluster has no minikube to call"

    given = world.site(
        "--tags", "verify", extra={**overlay, "todo_app_url": world.url + "/"}, env=env
    )
    assert given.rc == 0, given
    assert f"Open {world.url} in a browser." in given.text


def test_a_stopped_profile_starts_again_with_its_own_configuration(world: World) -> None:
    assert world.minikube("stop", "--profile", PROFILE).returncode == 0
    world.forget_calls()
    asked = {
        "todo_minikube_memory_mb": 4096,
        "todo_kubernetes_version": "v1.34.0",
        "todo_minikube_cni": "auto",
    }
    run = world.site("--tags", "minikube", extra=asked)
    assert run.rc == 0, run
    (start,) = [c for c in world.calls("minikube") if c[0] == "start"]
    assert start == ["start", f"--profile={PROFILE}", "--interactive=false"]
    assert "Starting Minikube profile todo-app (it is stopped): about 1 to 2 minutes" in run.text
    assert "it has 2 CPUs and 3072 MiB, the inventory asks for 2 CPUs and 4096 MiB" in run.text
    assert (
        "newer than the v1.34.0 the inventory asks for, and minikube cannot downgrade" in run.text
    )
    assert 'it was created with the CNI "calico", the inventory asks for "auto"' in run.text
    assert world.profile()["state"] == "Running"
    assert world.profile()["config"]["Memory"] == 3072


def test_a_paused_profile_is_resumed_and_a_stale_context_repaired(world: World) -> None:
    assert world.minikube("pause", "--profile", PROFILE).returncode == 0
    world.forget_calls()
    run = world.site("--tags", "minikube")
    assert run.rc == 0, run
    assert ["unpause", "--profile", PROFILE] in world.calls("minikube")
    assert world.profile()["state"] == "Running"

    # Docker Desktop gives the node a new port after a restart: the context points at the old one.
    world.edit_minikube_state(lambda s: s["profiles"][PROFILE].update(kubeconfig_stale=True))
    run = world.site("--tags", "minikube,secrets")
    assert run.rc == 0, run
    assert ["update-context", "--profile", PROFILE] in world.calls("minikube")


def test_teardown_of_an_unreachable_cluster_says_what_failed(world: World) -> None:
    world.kube.stop()
    try:
        run = world.teardown()
    finally:
        world.kube.start()
    assert run.rc != 0, run
    assert (
        "Could not remove release todo-app from namespace todo-app (context todo-app) at"
        in run.text
    )
    assert "cluster unreachable" in run.text
    assert "Fix: check that the cluster answers (kubectl --context todo-app get nodes)" in run.text


def test_teardown_keeps_the_data_and_a_second_run_changes_nothing(world: World) -> None:
    world.values_seen = world.deployed_values()
    run = world.teardown()
    assert run.rc == 0, run
    assert (
        "Kept namespace todo-app with 1 PersistentVolumeClaim(s) (data-todo-postgresql-0)"
        in run.text
    )
    assert not releases(world)
    assert not app_answers(world)
    again = world.teardown()
    assert again.rc == 0, again
    assert again.changed == 0, again.changed_tasks()


def test_an_interrupted_first_install_is_removed_and_installed_again(world: World) -> None:
    values = world.root / "first-values.json"
    values.write_text(json.dumps(world.values_seen))
    interrupt_next(world.replay)
    killed = world.helm("install", "todo-app", world.chart, "--namespace", NS, "-f", str(values))
    assert killed.returncode != 0
    assert releases(world)[-1]["status"] == "pending-install"

    run = world.site("--tags", "deploy,verify")
    assert run.rc == 0, run
    assert "Removing the unfinished first install (the database volume stays)" in run.text
    assert releases(world)[-1]["status"] == "deployed"
    assert f"Open {world.url} in a browser." in run.text


def test_teardown_of_a_stopped_profile_says_what_to_do(world: World) -> None:
    assert world.minikube("stop", "--profile", PROFILE).returncode == 0
    run = world.teardown()
    assert run.rc != 0, run
    assert (
        "Minikube profile todo-app is stopped, so release todo-app inside it cannot be" in run.text
    )
    assert 'make teardown ARGS="-e teardown_minikube=delete"' in run.text
    stop = world.teardown(extra={"teardown_minikube": "stop"})
    assert stop.rc == 0, stop
    assert stop.changed == 0, stop.changed_tasks()
    assert "it stays in the profile and comes back when the profile starts again" in stop.text


def test_teardown_of_a_paused_profile_resumes_it_to_remove_the_release(world: World) -> None:
    assert world.minikube("start", f"--profile={PROFILE}").returncode == 0
    assert world.minikube("pause", "--profile", PROFILE).returncode == 0
    world.forget_calls()
    run = world.teardown(extra={"teardown_minikube": "stop"})
    assert run.rc == 0, run
    assert ["unpause", "--profile", PROFILE] in world.calls("minikube")
    assert not releases(world)
    assert world.profile()["state"] == "Stopped"


def test_teardown_delete_removes_the_profile_and_twice_changes_nothing(world: World) -> None:
    world.forget_calls()
    run = world.teardown(extra={"teardown_minikube": "delete"})
    assert run.rc == 0, run
    assert world.profile() is None
    assert not world.calls("helm"), "the profile goes with the release: no uninstall first"
    for _ in range(2):
        again = world.teardown(extra={"teardown_minikube": "delete"})
        assert again.rc == 0, again
        assert again.changed == 0, again.changed_tasks()
        assert "does not exist, so there is nothing to remove" in again.text


def test_a_profile_created_without_the_published_port_gets_the_fallback_or_the_fix(
    world: World,
) -> None:
    # A profile the user made before, with plain `minikube start`.
    created = world.minikube(
        "start", f"--profile={PROFILE}", "--driver=docker", "--cpus=2", "--memory=2200",
        "--kubernetes-version=v1.35.1", "--container-runtime=docker", "--cni=calico",
    )  # fmt: skip
    assert created.returncode == 0, created.stdout + created.stderr
    run = world.site("--tags", "minikube")
    assert run.rc == 0, run
    assert f"was created without --ports=127.0.0.1:{world.port}:{world.port}" in run.text
    assert "Its node IP 192.168.49.2 cannot be reached from this machine either" in run.text
    assert "set todo_app_url to a URL you reach yourself" in run.text

    # Where the node IP answers (Linux with native Docker), the URL is the node IP's: here the
    # node's API server is the stand-in's, on 127.0.0.1.
    def move_node(state: dict) -> None:
        profile = state["profiles"][PROFILE]
        profile["node_ip"] = "127.0.0.1"
        for node in profile["config"]["Nodes"]:
            node["IP"], node["Port"] = "127.0.0.1", world.kube.port

    world.edit_minikube_state(move_node)
    run = world.site("--tags", "minikube")
    assert run.rc == 0, run
    assert f"Its node IP is reachable here, so the app is at {world.url}." in run.text
