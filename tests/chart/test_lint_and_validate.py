"""helm lint, the Kubernetes schemas of three minor versions, and the chart's values schema."""

import copy

import kubernetes_validate
import pytest
from chart_helm import CHART_DIR, SCENARIOS

# Three recent minors kubernetes-validate 1.37 ships schemas for (it has 1.34 .. 1.37).
KUBERNETES_VERSIONS = ["1.35.0", "1.36.0", "1.37.0"]


def validation_errors(docs: list[dict], version: str) -> list[str]:
    errors = []
    for doc in docs:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            path = "/".join(str(p) for p in exc.path)
            errors.append(f"{doc['kind']}/{doc['metadata']['name']} at {path}: {exc.message}")
        except kubernetes_validate.SchemaNotFoundError as exc:
            errors.append(f"{doc['kind']}/{doc['metadata']['name']}: {exc}")
    return errors


def test_helm_lint_strict_passes(helm, scenario):
    values = SCENARIOS[scenario]
    result = helm.run("lint", "--strict", str(CHART_DIR), *helm.value_args(values, ()))
    assert result.returncode == 0, result.output
    assert "0 chart(s) failed" in result.stdout
    assert "[WARNING]" not in result.output
    assert "[ERROR]" not in result.output


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_rendered_objects_validate_against_kubernetes_schema(scenario_docs, version):
    assert len(scenario_docs) >= 10
    assert validation_errors(scenario_docs, version) == []


def test_schema_validation_catches_a_broken_object(helm):
    """The validation above is not vacuous: a typo in a container field is reported."""
    docs = copy.deepcopy(helm.render())
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    deployment["spec"]["template"]["spec"]["containers"][0]["imagePullPolicyy"] = "Never"
    errors = validation_errors(docs, KUBERNETES_VERSIONS[-1])
    assert len(errors) == 1
    assert "imagePullPolicyy" in errors[0]


def test_values_schema_rejects_a_misspelled_key(helm):
    result = helm.template(None, "backend.imgae.tag=v2")
    assert result.returncode != 0
    assert "values don't meet the specifications of the schema" in result.stderr
    assert "at '/backend': additional properties 'imgae' not allowed" in result.stderr


def test_values_schema_rejects_a_misspelled_top_level_key(helm):
    result = helm.template(None, "existingSecrets=other")
    assert result.returncode != 0
    assert "additional properties 'existingSecrets' not allowed" in result.stderr


def test_values_schema_rejects_a_wrong_type(helm):
    result = helm.template(None, "backend.replicaCount=two")
    assert result.returncode != 0
    assert "at '/backend/replicaCount': got string, want integer" in result.stderr


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("frontend.service.type=Ingress", "at '/frontend/service/type'"),
        ("frontend.service.nodePort=80", "at '/frontend/service/nodePort': minimum: got 80"),
        ("backend.image.pullPolicy=Sometimes", "at '/backend/image/pullPolicy'"),
        ("podSecurityContext.runAsUser=0", "at '/podSecurityContext/runAsUser': minimum: got 0"),
        ("backend.resources.requests.memory=lots", "'lots' does not match pattern"),
        ("postgresql.enabled=maybe", "at '/postgresql/enabled': got string, want boolean"),
        ("backend.trustedProxies=true", "at '/backend/trustedProxies': got boolean, want string"),
        ("aiAgent.chatRateLimit.perUser=20", "at '/aiAgent/chatRateLimit/perUser': got number"),
    ],
)
def test_values_schema_rejects_unsafe_or_invalid_settings(helm, setting, message):
    result = helm.template(None, setting)
    assert result.returncode != 0
    assert message in result.stderr
