"""The helm stand-in against kube_api: the CLI's formats and errors, the release records it
keeps, and kubernetes.core.helm / helm_info driving it through ansible-playbook the way the
release and teardown roles do."""

from __future__ import annotations

import base64
import gzip
import json
import re
import subprocess
from pathlib import Path

from testsupport.replay import calls
from testsupport.replay.helm import interrupt_next

REPO = Path(__file__).resolve().parents[2]

NS = "todo-app"
CHART = str(REPO / "charts" / "todo-app")
IMAGES = {
    "backend": {"repository": "todo-backend", "tag": "b1"},
    "ai_agent": {"repository": "todo-ai-agent", "tag": "a1"},
    "frontend": {"repository": "todo-frontend", "tag": "f1"},
}
CHECKSUM = "0" * 63 + "1"


def seed(kube_api, namespace: str = NS) -> None:
    """What the app_secrets role leaves: the namespace and the Secret the chart reads."""
    kube_api.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
    kube_api.apply(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "todo-app-secrets", "namespace": namespace},
            "data": {"JWT_SECRET": base64.b64encode(b"x" * 40).decode()},
        }
    )


def values_file(tmp_path, **overrides) -> str:
    values = {
        "existingSecret": "todo-app-secrets",
        "backend": {"image": IMAGES["backend"]},
        "aiAgent": {"image": IMAGES["ai_agent"]},
        "frontend": {"image": IMAGES["frontend"]},
    }
    values.update(overrides)
    path = tmp_path / f"values-{len(list(tmp_path.glob('values-*')))}.json"
    path.write_text(json.dumps(values))
    return str(path)


def release_record(kube_api, name: str, revision: int, namespace: str = NS) -> tuple[dict, dict]:
    secret = kube_api.get("Secret", f"sh.helm.release.v1.{name}.v{revision}", namespace)
    assert secret is not None, f"no record of revision {revision}"
    blob = base64.b64decode(base64.b64decode(secret["data"]["release"]))
    assert blob[:3] == b"\x1f\x8b\x08"  # gzip, as pkg/storage/driver/util.go encodeRelease
    return secret, json.loads(gzip.decompress(blob))


def statuses(kube_api, name: str = "todo-app", namespace: str = NS) -> dict[int, str]:
    found = kube_api.list("Secret", namespace, labels=f"owner=helm,name={name}")
    return {
        int(s["metadata"]["labels"]["version"]): s["metadata"]["labels"]["status"] for s in found
    }


# --------------------------------------------------------------------------------------------
# the CLI
# --------------------------------------------------------------------------------------------
def test_an_install_is_recorded_and_read_back_as_helm_4_does(kube_api, helm, tmp_path):
    seed(kube_api)
    vals = values_file(tmp_path)
    done = helm(
        "upgrade",
        "--install",
        "todo-app",
        CHART,
        "-n",
        NS,
        f"-f={vals}",
        "--wait",
        "--timeout",
        "60s",
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == 'Release "todo-app" does not exist. Installing it now.'
    assert lines[1] == "NAME: todo-app"
    assert lines[2].startswith("LAST DEPLOYED: ")
    assert lines[3:7] == [
        f"NAMESPACE: {NS}",
        "STATUS: deployed",
        "REVISION: 1",
        "DESCRIPTION: Install complete",
    ]
    assert "NOTES:" in lines

    secret, record = release_record(kube_api, "todo-app", 1)
    assert secret["type"] == "helm.sh/release.v1"
    labels = secret["metadata"]["labels"]
    assert {k: labels[k] for k in ("name", "owner", "status", "version")} == {
        "name": "todo-app",
        "owner": "helm",
        "status": "deployed",
        "version": "1",
    }
    assert labels["modifiedAt"].isdigit()
    assert record["name"] == "todo-app"
    assert record["namespace"] == NS
    assert record["version"] == 1
    assert record["info"]["status"] == "deployed"
    assert record["info"]["description"] == "Install complete"
    assert record["config"]["backend"]["image"] == IMAGES["backend"]
    assert record["chart"]["metadata"]["name"] == "todo-app"
    assert "kind: Deployment" in record["manifest"]
    assert [h["name"] for h in record["hooks"]] == ["todo-app-test-health"]
    assert record["apply_method"] == "ssa"

    backend = kube_api.get("Deployment", "todo-backend", NS, "apps/v1")
    assert backend["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "Helm"
    assert backend["metadata"]["annotations"]["meta.helm.sh/release-name"] == "todo-app"
    assert backend["metadata"]["annotations"]["meta.helm.sh/release-namespace"] == NS
    assert backend["status"]["readyReplicas"] == 1
    assert backend["spec"]["template"]["spec"]["containers"][0]["image"] == "todo-backend:b1"
    assert kube_api.get("Pod", "todo-app-test-health", NS) is None  # a test hook, not applied
    assert kube_api.get("PersistentVolumeClaim", "data-todo-postgresql-0", NS) is not None

    table = helm("list", "-n", NS)
    assert table.stdout.splitlines()[0].split("\t")[0].strip() == "NAME"
    row = [c.strip() for c in table.stdout.splitlines()[1].split("\t")]
    assert row[:3] == ["todo-app", NS, "1"]
    assert row[4:] == ["deployed", "todo-app-0.1.0", "0.1.0"]
    listed = json.loads(helm("list", "-n", NS, "-o", "json", "--filter", "^todo").stdout)
    assert [
        (r["name"], r["revision"], r["status"], r["chart"], r["app_version"]) for r in listed
    ] == [("todo-app", "1", "deployed", "todo-app-0.1.0", "0.1.0")]
    assert helm("list", "-n", NS, "-o", "json", "--failed").stdout == "[]\n"
    assert helm("list", "-n", NS, "-o", "yaml", "--filter", "^nothing").stdout == "[]\n"
    assert helm("list", "-n", "default", "-o", "json").stdout == "[]\n"

    assert json.loads(helm("status", "todo-app", "-n", NS, "-o", "json").stdout)["version"] == 1
    values = json.loads(helm("get", "values", "todo-app", "-n", NS, "-o", "json").stdout)
    assert values["frontend"] == {"image": IMAGES["frontend"]}
    everything = helm("get", "values", "todo-app", "-n", NS, "--all").stdout
    assert everything.startswith("COMPUTED VALUES:\n")
    assert "replicaCount:" in everything  # the chart's defaults, coalesced
    assert "kind: StatefulSet" in helm("get", "manifest", "todo-app", "-n", NS).stdout
    assert helm("get", "notes", "todo-app", "-n", NS).stdout.startswith("NOTES:\n")
    hooks = helm("get", "hooks", "todo-app", "-n", NS).stdout
    assert hooks.startswith("---\n# Source: todo-app/templates/tests/test-health.yaml\n")

    again = helm("install", "todo-app", CHART, "-n", NS, f"-f={vals}")
    assert again.returncode == 1
    assert again.stderr == (
        "Error: INSTALLATION FAILED: release name check failed: cannot reuse a name that is "
        "still in use\n"
    )
    missing = helm("status", "nothing", "-n", NS)
    assert (missing.returncode, missing.stderr) == (1, "Error: release: not found\n")
    wrong = helm("list", "--all")
    assert (wrong.returncode, wrong.stderr) == (1, "Error: unknown flag: --all\n")
    recorded = calls(kube_api.dir, "helm")
    assert recorded[0]["argv"][:3] == ["upgrade", "--install", "todo-app"]
    assert recorded[0]["rc"] == 0
    assert recorded[-1] == {"tool": "helm", "argv": ["list", "--all"], "rc": 1}


def test_the_real_helm_reads_the_records_the_stand_in_writes(kube_api, helm, env, real_helm):
    """Real helm 4.1.4 against the same API: what it prints from the stand-in's records is what
    the stand-in prints (helm status: the same RESOURCES blocks, in Go's random map order)."""
    seed(kube_api)
    assert helm("upgrade", "-i", "todo-app", CHART, "-n", NS, "--wait").returncode == 0
    assert (
        helm(
            "upgrade", "todo-app", CHART, "-n", NS, "--set", "frontend.replicaCount=1", "--wait"
        ).returncode
        == 0
    )

    def both(*args):
        real = subprocess.run(
            [str(real_helm), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        mine = helm(*args)
        assert (real.returncode, real.stderr) == (0, ""), real.stderr
        return real.stdout, mine.stdout

    for args in (
        ["list", "-n", NS],
        ["list", "-n", NS, "-o", "yaml", "--superseded"],
        ["history", "todo-app", "-n", NS],
        ["get", "values", "todo-app", "-n", NS],
        ["get", "values", "todo-app", "-n", NS, "--all", "-o", "json"],
        ["get", "manifest", "todo-app", "-n", NS],
    ):
        real, mine = both(*args)
        assert mine == real, args

    def blocks(text):
        text = re.sub(r"\b\d+s\b", "AGE", text)  # ages tick between the two calls
        head, _, rest = text.partition("RESOURCES:\n")
        resources, _, notes = rest.partition("\nNOTES:\n")
        return head, sorted(b.strip("\n") for b in resources.split("==> ")), notes

    real, mine = both("status", "todo-app", "-n", NS)
    assert blocks(mine) == blocks(real)
    assert "==> v1/Pod(related)" in mine
    real, mine = both("status", "todo-app", "-n", NS, "-o", "json")
    real, mine = json.loads(real), json.loads(mine)
    assert {k: len(v) for k, v in mine["info"].pop("resources").items()} == {
        k: len(v) for k, v in real["info"].pop("resources").items()
    }
    assert mine == real


def test_helm_says_the_cluster_is_unreachable_and_works_again_when_it_is_back(
    kube_api, helm, env, tmp_path
):
    seed(kube_api)
    # no $KUBECONFIG: ~/.kube/config, as client-go's loading rules
    home_config = Path(env["HOME"]) / ".kube" / "config"
    home_config.write_text(kube_api.kubeconfig.read_text())
    found = helm("list", "-n", NS, "-o", "json", extra_env={"KUBECONFIG": ""})
    assert (found.returncode, found.stdout) == (0, "[]\n"), found.stderr
    home_config.unlink()
    port = kube_api.port
    kube_api.stop()
    expected = (
        f'Error: kubernetes cluster unreachable: Get "https://127.0.0.1:{port}/version": '
        f"dial tcp 127.0.0.1:{port}: connect: connection refused\n"
    )
    listed = helm("list", "-n", NS)
    assert (listed.returncode, listed.stdout, listed.stderr) == (1, "", expected)
    up = helm("upgrade", "-i", "todo-app", CHART, "-n", NS, f"-f={values_file(tmp_path)}")
    assert (up.returncode, up.stderr) == (1, expected)
    ctx = helm("list", "--kube-context", "elsewhere")
    assert ctx.stderr == (
        "Error: kubernetes cluster unreachable: invalid configuration: "
        "context was not found for specified context: elsewhere\n"
    )
    kube_api.start()
    assert kube_api.port == port
    back = helm("list", "-n", NS, "-o", "json")
    assert (back.returncode, back.stdout) == (0, "[]\n")


def test_a_failed_first_install_with_rollback_on_failure_is_uninstalled(kube_api, helm, tmp_path):
    seed(kube_api)
    kube_api.set_failing("todo-backend", reason="sqlalchemy.exc.OperationalError: no database")
    run = helm(
        "upgrade",
        "--install",
        "todo-app",
        CHART,
        "-n",
        NS,
        f"-f={values_file(tmp_path)}",
        "--wait",
        "--timeout",
        "5s",
        "--rollback-on-failure",
    )
    assert run.returncode == 1
    # pkg/cmd/upgrade.go returns runInstall's error unwrapped
    assert run.stderr == (
        "Error: release todo-app failed, and has been uninstalled due to rollback-on-failure "
        "being set: resource Deployment/todo-app/todo-backend not ready. status: InProgress, "
        "message: Available: 0/1\ncontext deadline exceeded\n"
    )
    assert statuses(kube_api) == {}
    assert kube_api.get("Deployment", "todo-backend", NS, "apps/v1") is None
    # the StatefulSet's claim is no release object: it stays, as in Kubernetes
    assert kube_api.get("PersistentVolumeClaim", "data-todo-postgresql-0", NS) is not None


def test_an_interrupted_upgrade_stays_pending_until_rolled_back(kube_api, helm, tmp_path):
    seed(kube_api)
    vals = values_file(tmp_path)
    assert helm("upgrade", "-i", "todo-app", CHART, "-n", NS, f"-f={vals}").returncode == 0
    interrupt_next(kube_api.dir)  # as an OOM kill: the process dies after the pending record
    newer = values_file(tmp_path, frontend={"image": {"repository": "todo-frontend", "tag": "f2"}})
    killed = helm("upgrade", "todo-app", CHART, "-n", NS, f"-f={newer}", "--wait")
    assert killed.returncode == -9
    assert statuses(kube_api) == {1: "deployed", 2: "pending-upgrade"}
    pending = json.loads(helm("list", "-n", NS, "--pending", "-o", "json").stdout)
    assert [(r["revision"], r["status"]) for r in pending] == [("2", "pending-upgrade")]
    # Helm 4 lists every state by default; --deployed finds nothing, the latest is pending
    assert json.loads(helm("list", "-n", NS, "--deployed", "-o", "json").stdout) == []
    blocked = helm("upgrade", "todo-app", CHART, "-n", NS, f"-f={newer}")
    assert (blocked.returncode, blocked.stderr) == (
        1,
        "Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress\n",
    )
    back = helm("rollback", "todo-app", "-n", NS, "--wait", "--timeout", "30s")
    assert (back.returncode, back.stdout) == (0, "Rollback was a success! Happy Helming!\n")
    assert statuses(kube_api) == {1: "superseded", 2: "pending-upgrade", 3: "deployed"}
    history = json.loads(helm("history", "todo-app", "-n", NS, "-o", "json").stdout)
    assert [(h["revision"], h["status"], h["description"]) for h in history] == [
        (1, "superseded", "Install complete"),
        (2, "pending-upgrade", "Preparing upgrade"),
        (3, "deployed", "Rollback to 1"),
    ]
    assert helm("upgrade", "todo-app", CHART, "-n", NS, f"-f={newer}").returncode == 0
    assert calls(kube_api.dir, "helm")[1]["rc"] == -9

    interrupt_next(kube_api.dir, mode="sigint")  # Ctrl-C: helm handles it and marks it failed
    cancelled = helm("upgrade", "todo-app", CHART, "-n", NS, f"-f={vals}")
    assert cancelled.returncode == 1
    assert "Release todo-app has been cancelled.\n" in cancelled.stdout
    assert cancelled.stderr == "Error: UPGRADE FAILED: context canceled\n"
    assert statuses(kube_api)[5] == "failed"


def test_every_ci_values_scenario_installs_waits_and_uninstalls(kube_api, helm, tmp_path):
    seed(kube_api)
    hpa = helm(
        "upgrade",
        "-i",
        "todo-app",
        CHART,
        "-n",
        NS,
        f"-f={values_file(tmp_path)}",
        "-f",
        f"{CHART}/ci/loadbalancer-hpa-pdb-values.yaml",
        "--wait",
        "--timeout",
        "60s",
    )
    assert hpa.returncode == 0, hpa.stderr
    assert {
        h["metadata"]["name"]
        for h in kube_api.list("HorizontalPodAutoscaler", NS, "autoscaling/v2")
    } == {"todo-frontend", "todo-backend", "todo-ai-agent"}
    assert len(kube_api.list("PodDisruptionBudget", NS, "policy/v1")) == 3
    frontend = kube_api.get("Service", "todo-frontend", NS)
    assert frontend["spec"]["type"] == "LoadBalancer"
    assert frontend["spec"]["clusterIP"]
    # the autoscaler brings the frontend to its minReplicas (the chart leaves replicas to it)
    kube_api.wait_for(
        lambda: (
            kube_api.get("Deployment", "todo-frontend", NS, "apps/v1")["status"].get(
                "readyReplicas"
            )
            == 2
        ),
        5,
        "two frontend pods",
    )
    assert helm("uninstall", "todo-app", "-n", NS, "--wait").returncode == 0
    assert kube_api.list("HorizontalPodAutoscaler", NS, "autoscaling/v2") == []

    external = helm(
        "upgrade",
        "-i",
        "todo-app",
        CHART,
        "-n",
        NS,
        f"-f={values_file(tmp_path)}",
        "-f",
        f"{CHART}/ci/external-db-values.yaml",
        "--wait",
        "--timeout",
        "60s",
    )
    assert external.returncode == 0, external.stderr
    assert kube_api.get("StatefulSet", "todo-postgresql", NS, "apps/v1") is None
    assert helm("uninstall", "todo-app", "-n", NS).returncode == 0

    # plain `helm install`: the release lives in default, the chart makes its namespace (one
    # made before by someone else would block it: not owned by the release)
    kube_api.delete("Namespace", NS)
    kube_api.wait_for(lambda: kube_api.get("Namespace", NS) is None, 5, "the namespace to go")
    plain = helm(
        "install",
        "todo-app",
        CHART,
        "-n",
        "default",
        "-f",
        f"{CHART}/ci/managed-secret-values.yaml",
        "--wait",
        "--timeout",
        "60s",
    )
    assert plain.returncode == 0, plain.stderr
    ns = kube_api.get("Namespace", NS)
    assert ns["metadata"]["annotations"]["meta.helm.sh/release-namespace"] == "default"
    assert statuses(kube_api, namespace="default") == {1: "deployed"}
    gone = helm("uninstall", "todo-app", "-n", "default", "--wait")
    assert gone.stdout == (
        "These resources were kept due to the resource policy:\n[Namespace] todo-app\n\n"
        'release "todo-app" uninstalled\n'
    )
    assert kube_api.get("Namespace", NS)["status"]["phase"] == "Active"
    assert kube_api.get("Deployment", "todo-backend", NS, "apps/v1") is None


def test_an_object_of_someone_else_blocks_the_install(kube_api, helm, tmp_path):
    seed(kube_api)
    kube_api.apply(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "todo-app-config", "namespace": NS},
        }
    )
    run = helm("install", "todo-app", CHART, "-n", NS, f"-f={values_file(tmp_path)}")
    assert run.returncode == 1
    assert run.stderr == (
        'Error: INSTALLATION FAILED: unable to continue with install: ConfigMap "todo-app-config"'
        ' in namespace "todo-app" exists and cannot be imported into the current release: '
        "invalid ownership metadata; label validation error: missing key "
        '"app.kubernetes.io/managed-by": must be set to "Helm"; annotation validation error: '
        'missing key "meta.helm.sh/release-name": must be set to "todo-app"; annotation '
        'validation error: missing key "meta.helm.sh/release-namespace": must be set to '
        '"todo-app"\n'
    )
    assert statuses(kube_api) == {}
    adopted = helm(
        "install", "todo-app", CHART, "-n", NS, f"-f={values_file(tmp_path)}", "--take-ownership"
    )
    assert adopted.returncode == 0, adopted.stderr
    config = kube_api.get("ConfigMap", "todo-app-config", NS)
    assert config["metadata"]["annotations"]["meta.helm.sh/release-name"] == "todo-app"
    assert config["data"]  # now the chart's


def test_history_max_prunes_old_revisions_and_rollback_takes_a_revision(kube_api, helm, tmp_path):
    seed(kube_api)
    for tag in ("f1", "f2", "f3", "f4"):
        vals = values_file(
            tmp_path, frontend={"image": {"repository": "todo-frontend", "tag": tag}}
        )
        run = helm(
            "upgrade",
            "-i",
            "todo-app",
            CHART,
            "--namespace",
            NS,
            f"--values={vals}",
            "--history-max=2",
            "--kube-context",
            "todo-app",
        )
        assert run.returncode == 0, run.stderr
    # pkg/storage/storage.go removeLeastRecent keeps history-max - 1 before adding one
    assert statuses(kube_api) == {3: "superseded", 4: "deployed"}
    back = helm("rollback", "todo-app", "3", "-n", NS)
    assert back.returncode == 0, back.stderr
    assert statuses(kube_api) == {3: "superseded", 4: "superseded", 5: "deployed"}
    frontend = kube_api.get("Deployment", "todo-frontend", NS, "apps/v1")
    assert frontend["spec"]["template"]["spec"]["containers"][0]["image"] == "todo-frontend:f3"
    nothing = helm("rollback", "todo-app", "1", "-n", NS)
    assert (nothing.returncode, nothing.stderr) == (1, "Error: release has no 1 version\n")


# --------------------------------------------------------------------------------------------
# kubernetes.core.helm and helm_info, as the release and teardown roles call them
# --------------------------------------------------------------------------------------------
DEPLOY_PLAY = """
- hosts: localhost
  gather_facts: false
  vars:
    helm_args: &helm
      binary_path: "{{ helm_bin }}"
      context: todo-app
      name: todo-app
      chart_ref: "{{ chart }}"
      release_namespace: todo-app
      create_namespace: false
      release_state: present
      wait: true
      wait_for_jobs: true
      timeout: 60s
      atomic: true
      history_max: 5
  tasks:
    - name: compute the values as the release role does
      ansible.builtin.include_role:
        name: release
        tasks_from: values
      vars:
        release_images: "{{ images }}"
        release_secret_checksum: "{{ checksum }}"
        release_chart_dir: "{{ chart }}"
    - name: install the release
      kubernetes.core.helm:
        <<: *helm
        release_values: "{{ release_values }}"
    - name: install it again
      kubernetes.core.helm:
        <<: *helm
        release_values: "{{ release_values }}"
    - name: upgrade the frontend
      kubernetes.core.helm:
        <<: *helm
        release_values: "{{ release_values | combine({'frontend': {'image': {'tag': 'f2'}}},
                            recursive=true) }}"
    - name: upgrade to a backend that crash-loops
      kubernetes.core.helm:
        <<: *helm
        timeout: 5s
        release_values: "{{ release_values | combine({'frontend': {'image': {'tag': 'f2'}},
                            'backend': {'image': {'tag': 'broken'}}}, recursive=true) }}"
      ignore_errors: true
    - name: read the release
      kubernetes.core.helm_info:
        binary_path: "{{ helm_bin }}"
        name: todo-app
        release_namespace: todo-app
"""


def test_the_release_roles_helm_calls_install_upgrade_and_roll_back(
    kube_api, playbook, bin_dir, real_helm
):
    seed(kube_api)
    kube_api.set_failing(
        "todo-backend", image=":broken", reason="ImportError: cannot import name 'app'"
    )
    play = playbook(
        DEPLOY_PLAY,
        {"helm_bin": str(bin_dir / "helm"), "chart": CHART, "images": IMAGES, "checksum": CHECKSUM},
    )
    installed = play["install the release"]
    assert installed.get("failed") is not True, play
    assert installed["changed"] is True
    assert installed["status"]["status"] == "deployed"
    assert installed["status"]["revision"] == "1"
    assert installed["status"]["release_values"]["existingSecret"] == "todo-app-secrets"
    assert installed["status"]["release_values"]["checksums"] == {"secret": CHECKSUM}
    assert "--rollback-on-failure" in installed["command"]
    assert "--wait" in installed["command"]

    again = play["install it again"]
    assert again["changed"] is False
    assert again["status"]["revision"] == "1"

    upgraded = play["upgrade the frontend"]
    assert upgraded["changed"] is True
    assert upgraded["status"]["revision"] == "2"
    frontend = kube_api.get("Deployment", "todo-frontend", NS, "apps/v1")
    assert frontend["spec"]["template"]["spec"]["containers"][0]["image"] == "todo-frontend:f2"

    broken = play["upgrade to a backend that crash-loops"]
    assert broken["failed"] is True
    assert (
        "Error: UPGRADE FAILED: release todo-app failed, and has been rolled back due to "
        "rollback-on-failure being set: resource Deployment/todo-app/todo-backend not ready. "
        "status: InProgress, message: Pending termination: 1\ncontext deadline exceeded"
    ) in broken["stderr"]

    info = play["read the release"]["status"]
    assert info["status"] == "deployed"
    assert info["revision"] == "4"
    assert info["release_values"]["backend"]["image"]["tag"] == "b1"
    assert statuses(kube_api) == {1: "superseded", 2: "superseded", 3: "failed", 4: "deployed"}
    _, failed = release_record(kube_api, "todo-app", 3)
    assert failed["info"]["description"].startswith('Upgrade "todo-app" failed: resource ')
    _, rolled = release_record(kube_api, "todo-app", 4)
    assert rolled["info"]["description"] == "Rollback to 2"
    backend = kube_api.get("Deployment", "todo-backend", NS, "apps/v1")
    assert backend["spec"]["template"]["spec"]["containers"][0]["image"] == "todo-backend:b1"
    kube_api.wait_for(
        lambda: (
            not [
                p
                for p in kube_api.list("Pod", NS)
                if p["status"].get("containerStatuses", [{}])[0].get("state", {}).get("waiting")
            ]
        ),
        5,
        "the broken pod to go",
    )


RECOVER_PLAY = """
- hosts: localhost
  gather_facts: false
  vars:
    helm_args: &helm
      binary_path: "{{ helm_bin }}"
      name: todo-app
      chart_ref: "{{ chart }}"
      release_namespace: todo-app
      release_values: {existingSecret: todo-app-secrets, frontend: {image: {tag: f3}}}
      wait: true
      timeout: 60s
      atomic: true
  tasks:
    - name: let the next helm operation be killed
      ansible.builtin.copy: {content: '{"mode": "kill"}', dest: "{{ interrupt }}", mode: "0600"}
    - name: upgrade, killed half way
      kubernetes.core.helm: *helm
      ignore_errors: true
    - name: find the pending release
      kubernetes.core.helm_info:
        binary_path: "{{ helm_bin }}"
        name: todo-app
        release_namespace: todo-app
        release_state: [pending]
    - name: upgrade again while it is pending
      kubernetes.core.helm: *helm
      ignore_errors: true
    - name: roll the pending upgrade back
      ansible.builtin.command: "{{ helm_bin }} rollback todo-app -n todo-app --wait --timeout 60s"
      changed_when: true
    - name: let the next helm operation be killed again
      ansible.builtin.copy: {content: '{"mode": "kill"}', dest: "{{ interrupt }}", mode: "0600"}
    - name: install into a second namespace, killed half way
      kubernetes.core.helm:
        <<: *helm
        release_namespace: todo-second
        create_namespace: true
      ignore_errors: true
    - name: find the pending install
      kubernetes.core.helm_info:
        binary_path: "{{ helm_bin }}"
        name: todo-app
        release_namespace: todo-second
        release_state: [pending]
    - name: uninstall the stuck install
      kubernetes.core.helm:
        binary_path: "{{ helm_bin }}"
        name: todo-app
        release_namespace: todo-second
        release_state: absent
        wait: true
    - name: uninstall the release
      kubernetes.core.helm: &absent
        binary_path: "{{ helm_bin }}"
        name: todo-app
        release_namespace: todo-app
        release_state: absent
        wait: true
    - name: uninstall the release again
      kubernetes.core.helm: *absent
"""


def test_interrupted_operations_are_found_pending_and_recovered(
    kube_api, helm, playbook, bin_dir, tmp_path
):
    seed(kube_api)
    first = helm(
        "upgrade", "-i", "todo-app", CHART, "-n", NS, f"-f={values_file(tmp_path)}", "--wait"
    )
    assert first.returncode == 0, first.stderr
    play = playbook(
        RECOVER_PLAY,
        {
            "helm_bin": str(bin_dir / "helm"),
            "chart": CHART,
            "interrupt": str(kube_api.dir / "helm-interrupt.json"),
        },
    )
    killed = play["upgrade, killed half way"]
    assert killed["failed"] is True, play
    assert "Exited -9" in killed["msg"]
    pending = play["find the pending release"]["status"]
    assert (pending["status"], pending["revision"]) == ("pending-upgrade", "2")

    blocked = play["upgrade again while it is pending"]
    assert blocked["failed"] is True
    assert (
        "Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress"
    ) in blocked["stderr"]
    assert play["roll the pending upgrade back"]["stdout"] == (
        "Rollback was a success! Happy Helming!"
    )

    stuck = play["install into a second namespace, killed half way"]
    assert stuck["failed"] is True
    assert "Exited -9" in stuck["msg"]
    found = play["find the pending install"]["status"]
    assert (found["status"], found["revision"], found["namespace"]) == (
        "pending-install",
        "1",
        "todo-second",
    )
    freed = play["uninstall the stuck install"]
    assert freed["changed"] is True
    assert 'release "todo-app" uninstalled' in freed["stdout"]
    assert statuses(kube_api, namespace="todo-second") == {}

    removed = play["uninstall the release"]
    assert removed["changed"] is True
    assert "uninstall" in removed["command"]
    assert "--wait" in removed["command"]
    assert play["uninstall the release again"]["changed"] is False
    assert statuses(kube_api) == {}
    assert kube_api.get("Deployment", "todo-backend", NS, "apps/v1") is None
    assert kube_api.get("Secret", "todo-app-secrets", NS) is not None  # not the release's
    assert kube_api.get("PersistentVolumeClaim", "data-todo-postgresql-0", NS) is not None
    rcs = [c["rc"] for c in calls(kube_api.dir, "helm") if c["argv"][:1] == ["upgrade"]]
    assert rcs.count(-9) == 2
