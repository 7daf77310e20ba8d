"""Hardened pods, secrets by reference, traffic rules and the footprint on a default Minikube."""

import base64

import pytest
from chart_helm import SCENARIOS
from chart_manifests import (
    by_kind,
    containers,
    get,
    labels_match,
    memory_bytes,
    pod_templates,
    replicas,
)

APP_UID = 10001
POSTGRES_UID = 70  # `postgres` in the official postgres:*-alpine image


def test_every_pod_meets_the_hardening_baseline(scenario_docs):
    accounts = {a["metadata"]["name"]: a for a in by_kind(scenario_docs, "ServiceAccount")}
    pods = list(pod_templates(scenario_docs))
    assert len(pods) >= 4
    for name, meta, spec in pods:
        assert spec["automountServiceAccountToken"] is False, name
        assert accounts[spec["serviceAccountName"]]["automountServiceAccountToken"] is False, name
        assert not {"hostNetwork", "hostPID", "hostIPC"} & spec.keys(), name
        pod_sc = spec["securityContext"]
        assert pod_sc["runAsNonRoot"] is True, name
        assert isinstance(pod_sc["runAsUser"], int), name
        assert pod_sc["runAsUser"] > 0, name
        assert pod_sc["seccompProfile"] == {"type": "RuntimeDefault"}, name
        volumes = {v["name"]: v for v in spec.get("volumes", [])}
        for c in containers(spec):
            where = f"{name} container {c['name']}"
            sc = c["securityContext"]
            assert sc["allowPrivilegeEscalation"] is False, where
            assert sc["privileged"] is False, where
            assert sc["readOnlyRootFilesystem"] is True, where
            assert sc["capabilities"] == {"drop": ["ALL"]}, where
            assert sc.get("runAsUser", pod_sc["runAsUser"]) > 0, where
            for bound in ("requests", "limits"):
                assert {"cpu", "memory"} <= c["resources"][bound].keys(), where
            assert memory_bytes(c["resources"]["requests"]["memory"]) <= memory_bytes(
                c["resources"]["limits"]["memory"]
            ), where
            tmp = [m for m in c.get("volumeMounts", []) if m["mountPath"] == "/tmp"]
            assert len(tmp) == 1, where
            assert "emptyDir" in volumes[tmp[0]["name"]], where
        if meta.get("annotations", {}).get("helm.sh/hook") != "test":
            for c in spec["containers"]:
                assert "livenessProbe" in c, f"{name} {c['name']}"
                assert "readinessProbe" in c, f"{name} {c['name']}"


def test_numeric_users_match_the_images(helm):
    users = {
        name: spec["securityContext"]["runAsUser"]
        for name, _m, spec in pod_templates(helm.render())
    }
    assert users == {
        "Deployment/todo-backend": APP_UID,
        "Deployment/todo-ai-agent": APP_UID,
        "Deployment/todo-frontend": APP_UID,
        "StatefulSet/todo-postgresql": POSTGRES_UID,
        "Pod/todo-app-test-health": APP_UID,
    }
    sts = get(helm.render(), "StatefulSet", "todo-postgresql")["spec"]["template"]["spec"]
    assert sts["securityContext"]["fsGroup"] == POSTGRES_UID  # the data volume is writable


def emptydir_mounts(spec: dict, container_name: str) -> set[str]:
    volumes = {v["name"] for v in spec["volumes"] if "emptyDir" in v}
    c = next(c for c in spec["containers"] if c["name"] == container_name)
    return {m["mountPath"] for m in c["volumeMounts"] if m["name"] in volumes}


def test_writable_paths_for_a_read_only_root(helm):
    docs = helm.render()
    frontend = get(docs, "Deployment", "todo-frontend")["spec"]["template"]["spec"]
    assert emptydir_mounts(frontend, "frontend") == {"/tmp", "/app/.next/cache"}
    postgres = get(docs, "StatefulSet", "todo-postgresql")["spec"]["template"]["spec"]
    assert emptydir_mounts(postgres, "postgresql") == {"/tmp", "/var/run/postgresql"}


SENTINELS = {
    "createSecret.jwtSecret": "sentinel-jwt-value-7f3a9c1e5b2d4f6a8c0e",
    "createSecret.postgresPassword": "sentinel-db-password-4d2b",
    "createSecret.databaseUrl": "postgresql://todo:sentinel-url-pw-91ce@db.example.test/todo",
    "createSecret.openaiApiKey": "sk-sentinel-openai-0c7d",
}


@pytest.mark.parametrize("scenario_name", [s for s in SCENARIOS if s != "managed-secret"])
def test_no_secret_value_appears_when_existing_secret_is_used(helm, scenario_name):
    """Values that might reach the chart by mistake never surface while it reads a Secret."""
    sets = [f"{k}={v}" for k, v in SENTINELS.items()] + ["existingSecret=vault-made-secret"]
    text = helm.render_text(SCENARIOS[scenario_name], *sets)
    for value in SENTINELS.values():
        assert value not in text
        assert base64.b64encode(value.encode()).decode() not in text
    docs = helm.render(SCENARIOS[scenario_name], *sets)
    assert by_kind(docs, "Secret") == []
    refs = [
        env["valueFrom"]["secretKeyRef"]
        for _n, _m, spec in pod_templates(docs)
        for c in containers(spec)
        for env in c.get("env", [])
        if "secretKeyRef" in env.get("valueFrom", {})
    ]
    assert len(refs) >= 4
    assert {r["name"] for r in refs} == {"vault-made-secret"}
    for _n, _m, spec in pod_templates(docs):
        for c in containers(spec):
            assert "envFrom" not in c  # every secret key is read by name, none by wholesale import


def test_chart_managed_secret_is_opt_in_and_complete(helm):
    docs = helm.render(SCENARIOS["managed-secret"])
    (secret,) = by_kind(docs, "Secret")
    assert secret["metadata"]["name"] == "todo-app-secrets"
    decoded = {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}
    assert decoded == {
        "JWT_SECRET": "ci-fixture-jwt-secret-0123456789abcdef",
        "POSTGRES_PASSWORD": "ci-fixture-postgres-password",
        "OPENAI_API_KEY": "ci-fixture-openai-key",
    }
    backend = get(docs, "Deployment", "todo-backend")["spec"]["template"]["metadata"]["annotations"]
    assert len(backend["checksum/secret"]) == 64  # a changed Secret rolls the pods here too


@pytest.mark.parametrize(
    ("sets", "message"),
    [
        (["createSecret.enabled=true"], "createSecret.jwtSecret is required"),
        (
            ["createSecret.enabled=true", "createSecret.jwtSecret=short"],
            "createSecret.jwtSecret must be at least 32 characters",
        ),
        (
            ["createSecret.enabled=true", "createSecret.jwtSecret=" + "x" * 40],
            "createSecret.postgresPassword is required",
        ),
        (
            [
                "createSecret.enabled=true",
                "createSecret.jwtSecret=" + "x" * 40,
                "postgresql.enabled=false",
            ],
            "createSecret.databaseUrl is required",
        ),
    ],
)
def test_chart_managed_secret_refuses_missing_values(helm, sets, message):
    result = helm.template(None, *sets)
    assert result.returncode != 0
    assert message in result.stderr


def component_of(peer: dict) -> str:
    return peer["podSelector"]["matchLabels"]["app.kubernetes.io/component"]


def ingress_peers(policy: dict) -> set[str]:
    return {component_of(peer) for rule in policy["spec"]["ingress"] for peer in rule["from"]}


def allows_dns(policy: dict) -> bool:
    return any(
        {"port": 53, "protocol": "UDP"} in rule.get("ports", []) and rule.get("to")
        for rule in policy["spec"]["egress"]
    )


def test_network_policies_isolate_every_component(scenario_docs, scenario):
    policies = {p["metadata"]["name"]: p for p in by_kind(scenario_docs, "NetworkPolicy")}
    deny = policies.pop("todo-app-default-deny")["spec"]
    assert deny["policyTypes"] == ["Ingress", "Egress"]
    assert "ingress" not in deny  # no rules: nothing is allowed until a component policy says so
    assert "egress" not in deny
    for name, meta, _spec in pod_templates(scenario_docs):
        assert labels_match(deny["podSelector"]["matchLabels"], meta["labels"]), name
        assert any(
            labels_match(p["spec"]["podSelector"]["matchLabels"], meta["labels"])
            for p in policies.values()
        )

    backend = policies["todo-backend"]
    assert ingress_peers(backend) == {"frontend", "ai-agent", "test"}
    assert [p["port"] for r in backend["spec"]["ingress"] for p in r["ports"]] == [8000]
    assert ingress_peers(policies["todo-ai-agent"]) == {"frontend", "test"}
    for name in ("todo-backend", "todo-ai-agent", "todo-frontend", "todo-app-test"):
        assert allows_dns(policies[name]), name

    db_egress = [
        r for r in backend["spec"]["egress"] if {"port": 5432, "protocol": "TCP"} in r["ports"]
    ]
    assert len(db_egress) == 1
    if scenario == "external-db":
        assert "todo-postgresql" not in policies
        assert "to" not in db_egress[0]  # the external database is outside the cluster
    else:
        assert [component_of(peer) for peer in db_egress[0]["to"]] == ["postgresql"]
        database = policies["todo-postgresql"]
        assert ingress_peers(database) == {"backend"}
        assert database["spec"]["egress"] == []


def agent_external_ports(docs: list[dict]) -> list[int]:
    """Ports of the agent's egress rules that have no `to`: destinations outside the cluster."""
    rules = get(docs, "NetworkPolicy", "todo-ai-agent")["spec"]["egress"]
    return [p["port"] for rule in rules if "to" not in rule for p in rule["ports"]]


def test_agent_may_reach_the_openai_api_and_a_configured_model_server(helm):
    assert agent_external_ports(helm.render()) == [443]
    local = helm.render(None, "aiAgent.openai.baseUrl=http://llm.lan:11434/v1")
    assert agent_external_ports(local) == [443, 11434]
    plain = helm.render(None, "aiAgent.openai.baseUrl=http://llm.lan/v1")
    assert agent_external_ports(plain) == [443, 80]
    same = helm.render(None, "aiAgent.openai.baseUrl=https://api.example.test/v1")
    assert agent_external_ports(same) == [443]


def pod_memory_request(spec: dict) -> int:
    """Kubernetes schedules a pod on max(largest init container, sum of app containers)."""
    app = sum(memory_bytes(c["resources"]["requests"]["memory"]) for c in spec["containers"])
    init = [
        memory_bytes(c["resources"]["requests"]["memory"]) for c in spec.get("initContainers", [])
    ]
    return max([app, *init])


def test_memory_requests_fit_a_default_minikube(helm):
    docs = helm.render()
    total = sum(
        pod_memory_request(d["spec"]["template"]["spec"]) * replicas(d, docs)
        for d in docs
        if d["kind"] in {"Deployment", "StatefulSet"}
    )
    print(f"memory requests of all pods: {total // 2**20} MiB")
    assert total <= 640 * 2**20  # a default Minikube has about 2 GiB, shared with the system pods
