"""What the rendered chart promises the services, the Ansible roles and the user."""

import ast

import pytest
from chart_helm import CHART_DIR, NAMESPACE, REPO_ROOT, SCENARIOS
from chart_manifests import (
    by_kind,
    containers,
    env_by_name,
    get,
    labels_match,
    pod_templates,
)

# Fixed Service names the services use to reach each other (docs/contracts.md).
SERVICE_PORTS = {"todo-backend": 8000, "todo-ai-agent": 8001, "todo-frontend": 3000}


def config_value(docs: list[dict], env: dict) -> str:
    """Resolve an env entry read from the chart's ConfigMap to its value."""
    ref = env["valueFrom"]["configMapKeyRef"]
    return get(docs, "ConfigMap", ref["name"])["data"][ref["key"]]


def container(docs: list[dict], kind: str, name: str, container_name: str) -> dict:
    spec = get(docs, kind, name)["spec"]["template"]["spec"]
    return next(c for c in containers(spec) if c["name"] == container_name)


def test_workload_selectors_match_their_pod_labels(scenario_docs):
    workloads = [d for d in scenario_docs if d["kind"] in {"Deployment", "StatefulSet"}]
    assert len(workloads) >= 3
    for doc in workloads:
        selector = doc["spec"]["selector"]["matchLabels"]
        labels = doc["spec"]["template"]["metadata"]["labels"]
        assert labels_match(selector, labels), doc["metadata"]["name"]
    # No two workloads select each other's pods.
    for doc in workloads:
        owners = [
            w["metadata"]["name"]
            for w in workloads
            if labels_match(
                w["spec"]["selector"]["matchLabels"], doc["spec"]["template"]["metadata"]["labels"]
            )
        ]
        assert owners == [doc["metadata"]["name"]]


def test_every_service_selects_pods_that_expose_its_target_port(scenario_docs):
    pods = [
        (name, meta, spec)
        for name, meta, spec in pod_templates(scenario_docs)
        if "Pod/" not in name
    ]
    for svc in by_kind(scenario_docs, "Service"):
        selector = svc["spec"]["selector"]
        backing = [
            (name, spec) for name, meta, spec in pods if labels_match(selector, meta["labels"])
        ]
        assert len(backing) == 1, f"Service {svc['metadata']['name']} selects {backing}"
        port_names = {p["name"] for c in backing[0][1]["containers"] for p in c.get("ports", [])}
        for port in svc["spec"]["ports"]:
            assert port["targetPort"] in port_names, svc["metadata"]["name"]


def test_services_keep_the_names_and_ports_of_the_contract(scenario_docs, scenario):
    services = {s["metadata"]["name"]: s["spec"] for s in by_kind(scenario_docs, "Service")}
    for name, port in SERVICE_PORTS.items():
        assert [p["port"] for p in services[name]["ports"]] == [port]
    assert services["todo-backend"]["type"] == "ClusterIP"
    assert services["todo-ai-agent"]["type"] == "ClusterIP"
    expected_frontend = "LoadBalancer" if scenario == "loadbalancer-hpa-pdb" else "NodePort"
    assert services["todo-frontend"]["type"] == expected_frontend
    if scenario == "external-db":
        assert "todo-postgresql" not in services
    else:
        assert services["todo-postgresql"]["clusterIP"] == "None"
        assert [p["port"] for p in services["todo-postgresql"]["ports"]] == [5432]


def test_every_namespaced_object_lands_in_the_release_namespace(scenario_docs):
    for doc in scenario_docs:
        if doc["kind"] != "Namespace":
            assert doc["metadata"]["namespace"] == NAMESPACE, doc["metadata"]["name"]


def test_frontend_node_port_is_used_when_given(helm):
    docs = helm.render(None, "frontend.service.nodePort=30080")
    assert get(docs, "Service", "todo-frontend")["spec"]["ports"][0]["nodePort"] == 30080
    default = helm.render()
    assert "nodePort" not in get(default, "Service", "todo-frontend")["spec"]["ports"][0]


def test_backend_environment_follows_the_contract(helm):
    docs = helm.render()
    for name in ("migrate", "backend"):
        env = env_by_name(container(docs, "Deployment", "todo-backend", name))
        assert config_value(docs, env["POSTGRES_HOST"]) == "todo-postgresql"
        assert config_value(docs, env["POSTGRES_PORT"]) == "5432"
        assert config_value(docs, env["POSTGRES_DB"]) == "todo"
        assert config_value(docs, env["POSTGRES_USER"]) == "todo"
        assert config_value(docs, env["APP_ENV"]) == "production"
        assert config_value(docs, env["LOG_LEVEL"]) == "INFO"
        for key, optional in (
            ("JWT_SECRET", False),
            ("POSTGRES_PASSWORD", False),
            ("DATABASE_URL", True),
        ):
            ref = env[key]["valueFrom"]["secretKeyRef"]
            assert ref == {"name": "todo-app-secrets", "key": key, "optional": optional}


def test_migrations_run_before_the_backend_with_the_backend_image(helm):
    docs = helm.render()
    spec = get(docs, "Deployment", "todo-backend")["spec"]["template"]["spec"]
    wait, migrate = spec["initContainers"]
    assert wait["name"] == "wait-for-database"
    assert wait["command"] == ["python", "-m", "todo_backend.wait_for_db", "--timeout", "180"]
    assert config_value(docs, env_by_name(wait)["POSTGRES_HOST"]) == "todo-postgresql"
    assert migrate["command"] == ["python", "-m", "todo_backend.migrate"]
    assert migrate["image"] == wait["image"] == spec["containers"][0]["image"]
    external = helm.render(SCENARIOS["external-db"])
    spec = get(external, "Deployment", "todo-backend")["spec"]["template"]["spec"]
    assert [c["name"] for c in spec["initContainers"]] == ["migrate"]
    off = helm.render(SCENARIOS["external-db"], "backend.migrations.enabled=false")
    assert (
        "initContainers" not in get(off, "Deployment", "todo-backend")["spec"]["template"]["spec"]
    )


def test_agent_and_frontend_find_their_upstreams(helm):
    docs = helm.render(None, "aiAgent.openai.model=gpt-4.1-mini", "logLevel=DEBUG")
    agent = env_by_name(container(docs, "Deployment", "todo-ai-agent", "ai-agent"))
    assert config_value(docs, agent["BACKEND_URL"]) == "http://todo-backend:8000"
    assert config_value(docs, agent["OPENAI_MODEL"]) == "gpt-4.1-mini"
    assert config_value(docs, agent["LOG_LEVEL"]) == "DEBUG"
    assert "OPENAI_BASE_URL" not in agent  # unset: the SDK's default, never an empty URL
    assert agent["OPENAI_API_KEY"]["valueFrom"]["secretKeyRef"]["optional"] is True
    frontend = env_by_name(container(docs, "Deployment", "todo-frontend", "frontend"))
    assert config_value(docs, frontend["BACKEND_URL"]) == "http://todo-backend:8000"
    assert config_value(docs, frontend["AI_AGENT_URL"]) == "http://todo-ai-agent:8001"
    assert frontend["HOSTNAME"]["value"] == "0.0.0.0"  # noqa: S104 - the pod's own interfaces


# Optional settings: the chart value, the variable it becomes, and the containers that read it.
OPTIONAL_SETTINGS = [
    ("backend.trustedProxies", "TRUSTED_PROXIES", "10.0.0.0/8,fd00::/8",
     ("todo-backend", {"migrate", "backend"})),
    ("aiAgent.chatRateLimit.perUser", "AGENT_CHAT_RATE_LIMIT_PER_USER", "5/second;100/hour",
     ("todo-ai-agent", {"ai-agent"})),
    ("aiAgent.chatRateLimit.unauthenticated", "AGENT_CHAT_RATE_LIMIT_UNAUTHENTICATED",
     "10/minute", ("todo-ai-agent", {"ai-agent"})),
]  # fmt: skip


@pytest.mark.parametrize(("key", "variable", "setting", "readers"), OPTIONAL_SETTINGS)
def test_optional_setting_reaches_only_its_service_and_only_when_set(
    helm, key, variable, setting, readers
):
    # Unset: the variable is nowhere, so the service's own default applies.
    default = helm.render()
    assert variable not in get(default, "ConfigMap", "todo-app-config")["data"]
    for _name, _meta, spec in pod_templates(default):
        for c in containers(spec):
            assert variable not in env_by_name(c)
    docs = helm.render(None, f"{key}={setting}".replace(",", "\\,"))  # --set splits at commas
    deployment, names = readers
    seen = set()
    for name, _meta, spec in pod_templates(docs):
        for c in containers(spec):
            env = env_by_name(c)
            if name == f"Deployment/{deployment}" and c["name"] in names:
                assert config_value(docs, env[variable]) == setting
                seen.add(c["name"])
            else:
                assert variable not in env, f"{name} {c['name']}"
    assert seen == names


def settings_names(service: str) -> set[str]:
    """The fields of `Settings` in services/<service>'s core/config.py. It reads them
    case-sensitively and ignores unknown variables, so these are the only names it hears."""
    package = {"backend": "todo_backend", "ai-agent": "todo_agent"}[service]
    source = REPO_ROOT / "services" / service / package / "core" / "config.py"
    tree = ast.parse(source.read_text())
    (cls,) = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Settings"]
    return {n.target.id for n in cls.body if isinstance(n, ast.AnnAssign)}


def test_python_services_read_every_variable_the_chart_gives_them(helm):
    """A misspelt or wrongly cased name would be ignored without a word: the setting would
    silently keep the service's default."""
    sets = [f"{key}={setting}".replace(",", "\\,") for key, _, setting, _ in OPTIONAL_SETTINGS]
    docs = helm.render(None, "aiAgent.openai.baseUrl=http://models:8080/v1", *sets)
    for deployment, service in (("todo-backend", "backend"), ("todo-ai-agent", "ai-agent")):
        known = settings_names(service)
        spec = get(docs, "Deployment", deployment)["spec"]["template"]["spec"]
        for c in containers(spec):
            unknown = set(env_by_name(c)) - known
            assert not unknown, f"{deployment} {c['name']} gets {unknown}"


def test_probes_use_the_contract_endpoints(helm):
    docs = helm.render()
    for deployment, name in (("todo-backend", "backend"), ("todo-ai-agent", "ai-agent")):
        c = container(docs, "Deployment", deployment, name)
        assert c["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert c["readinessProbe"]["httpGet"]["path"] == "/readyz"
    c = container(docs, "Deployment", "todo-frontend", "frontend")
    assert c["livenessProbe"]["httpGet"]["path"] == "/api/healthz"
    assert c["readinessProbe"]["httpGet"]["path"] == "/api/healthz"


def test_image_references_come_from_values(helm):
    docs = helm.render(
        None,
        "backend.image.repository=reg.local/todo-backend",
        "backend.image.tag=abc123",
        "aiAgent.image.tag=def456",
        "frontend.image.pullPolicy=Never",
    )
    assert (
        container(docs, "Deployment", "todo-backend", "backend")["image"]
        == "reg.local/todo-backend:abc123"
    )
    assert (
        container(docs, "Deployment", "todo-ai-agent", "ai-agent")["image"]
        == "todo-ai-agent:def456"
    )
    frontend = container(docs, "Deployment", "todo-frontend", "frontend")
    assert frontend["image"] == "todo-frontend:0.1.0"  # no tag: the chart's appVersion
    assert frontend["imagePullPolicy"] == "Never"


def test_default_pull_policy_never_pulls_images_built_into_minikube(helm):
    for _name, _meta, spec in pod_templates(helm.render()):
        for c in containers(spec):
            assert c["imagePullPolicy"] == "IfNotPresent"


def test_installer_checksum_rolls_the_pods_that_read_the_secret(helm):
    docs = helm.render(None, "checksums.secret=5f0c9e")
    for kind, name in (
        ("Deployment", "todo-backend"),
        ("Deployment", "todo-ai-agent"),
        ("StatefulSet", "todo-postgresql"),
    ):
        annotations = get(docs, kind, name)["spec"]["template"]["metadata"]["annotations"]
        assert annotations["checksum/secret"] == "5f0c9e"
    frontend = get(docs, "Deployment", "todo-frontend")["spec"]["template"]["metadata"]
    assert "checksum/secret" not in frontend["annotations"]  # the frontend reads no secret


def test_release_content_hash_only_annotates_the_config_map(helm):
    plain = helm.render(None)
    hashed = helm.render(None, "releaseContentHash=0a1b2c3d")
    config = get(hashed, "ConfigMap", "todo-app-config")
    assert config["metadata"]["annotations"] == {"todo-app/release-content-hash": "0a1b2c3d"}
    config["metadata"].pop("annotations")
    assert hashed == plain  # nothing else differs, so no pod restarts for a chart-only change


def test_database_does_not_roll_for_application_settings(helm):
    def db_pod(*sets):
        return get(helm.render(None, *sets), "StatefulSet", "todo-postgresql")["spec"]["template"]

    assert db_pod() == db_pod("logLevel=DEBUG", "aiAgent.openai.model=other")


def test_config_change_rolls_the_pods(helm):
    before = get(helm.render(), "Deployment", "todo-ai-agent")
    after = get(helm.render(None, "aiAgent.openai.model=other"), "Deployment", "todo-ai-agent")
    key = "checksum/config"
    old = before["spec"]["template"]["metadata"]["annotations"][key]
    assert old != after["spec"]["template"]["metadata"]["annotations"][key]


def test_external_database_renders_no_database_objects(helm):
    docs = helm.render(SCENARIOS["external-db"])
    names = {(d["kind"], d["metadata"]["name"]) for d in docs}
    assert not [n for n in names if "postgresql" in n[1]]
    env = env_by_name(container(docs, "Deployment", "todo-backend", "backend"))
    assert env["DATABASE_URL"]["valueFrom"]["secretKeyRef"]["optional"] is False
    assert not {"POSTGRES_HOST", "POSTGRES_PASSWORD"} & env.keys()
    agent = env_by_name(container(docs, "Deployment", "todo-ai-agent", "ai-agent"))
    assert config_value(docs, agent["OPENAI_BASE_URL"]) == "http://ollama.models.svc:11434/v1"


def test_database_keeps_its_volume(helm):
    sts = get(helm.render(), "StatefulSet", "todo-postgresql")["spec"]
    (claim,) = sts["volumeClaimTemplates"]
    assert claim["spec"]["resources"]["requests"]["storage"] == "1Gi"
    assert sts["persistentVolumeClaimRetentionPolicy"] == {
        "whenDeleted": "Retain",
        "whenScaled": "Retain",
    }
    mounts = {
        m["mountPath"]: m["name"] for m in sts["template"]["spec"]["containers"][0]["volumeMounts"]
    }
    assert mounts["/var/lib/postgresql/data"] == claim["metadata"]["name"]
    env = env_by_name(sts["template"]["spec"]["containers"][0])
    assert env["PGDATA"]["value"].startswith("/var/lib/postgresql/data/")


def test_autoscalers_and_budgets_target_the_deployments(helm):
    docs = helm.render(SCENARIOS["loadbalancer-hpa-pdb"])
    deployments = {d["metadata"]["name"]: d for d in by_kind(docs, "Deployment")}
    hpas = by_kind(docs, "HorizontalPodAutoscaler")
    assert sorted(h["spec"]["scaleTargetRef"]["name"] for h in hpas) == sorted(deployments)
    for name in deployments:
        assert "replicas" not in deployments[name]["spec"]  # the HPA owns the count
    pdbs = by_kind(docs, "PodDisruptionBudget")
    assert len(pdbs) == 3
    for pdb in pdbs:
        target = deployments[pdb["metadata"]["name"]]
        assert labels_match(
            pdb["spec"]["selector"]["matchLabels"], target["spec"]["template"]["metadata"]["labels"]
        )
    assert get(docs, "PodDisruptionBudget", "todo-backend")["spec"]["maxUnavailable"] == "50%"


def test_default_renders_no_optional_objects(helm):
    kinds = {d["kind"] for d in helm.render()}
    assert not kinds & {"HorizontalPodAutoscaler", "PodDisruptionBudget", "Secret", "Namespace"}


def test_chart_managed_namespace_survives_uninstall(helm):
    (namespace,) = by_kind(helm.render(SCENARIOS["managed-secret"]), "Namespace")
    assert namespace["metadata"]["name"] == "todo-app"
    assert namespace["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"


def test_helm_test_pod_checks_every_service_through_its_service(helm):
    (pod,) = by_kind(helm.render(), "Pod")
    assert pod["metadata"]["annotations"]["helm.sh/hook"] == "test"
    assert pod["spec"]["restartPolicy"] == "Never"
    script = pod["spec"]["containers"][0]["command"][-1]
    for url in (
        "http://todo-backend:8000/readyz",
        "http://todo-ai-agent:8001/readyz",
        "http://todo-frontend:3000/api/healthz",
    ):
        assert url in script
    assert by_kind(helm.render(None, "tests.enabled=false"), "Pod") == []


@pytest.mark.parametrize("service_type", ["NodePort", "LoadBalancer"])
def test_notes_tell_the_user_how_to_open_the_app(helm, service_type):
    result = helm.run(
        "install", "todo-app", str(CHART_DIR), "--dry-run=client", "-n", "todo-app",
        "--set", f"frontend.service.type={service_type}",
    )  # fmt: skip
    assert result.returncode == 0, result.output
    notes = result.stdout.split("NOTES:", 1)[1]
    if service_type == "NodePort":
        assert "minikube service todo-frontend -n todo-app --url" in notes
    else:
        assert "minikube tunnel" in notes
    assert "helm test todo-app -n todo-app" in notes
