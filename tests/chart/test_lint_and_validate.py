"""helm lint, the Kubernetes schemas of three minor versions, and the chart's values schema."""

import copy
import json
import random
import re
import sys

import kubernetes_validate
import pytest
from chart_helm import CHART_DIR, REPO_ROOT, SCENARIOS

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
        (
            "aiAgent.chatRateLimit.unauthenticated=20/fortnight",
            "at '/aiAgent/chatRateLimit/unauthenticated': '20/fortnight' does not match pattern",
        ),
    ],
)
def test_values_schema_rejects_unsafe_or_invalid_settings(helm, setting, message):
    result = helm.template(None, setting)
    assert result.returncode != 0
    assert message in result.stderr


# Characters Python's \s matches, which the agent's rate notation allows around each part,
# and near misses it does not (zero-width space, byte order mark, Mongolian vowel separator).
SPACES = [chr(c) for c in range(0x110000) if chr(c).isspace()]
NOT_SPACES = ["\u200b", "\ufeff", "\u180e", "\x1b", "_"]


@pytest.fixture(scope="module")
def parse_rates():
    """The agent's own check of AGENT_CHAT_RATE_LIMIT_* (it refuses to start on a bad one)."""
    sys.path.insert(0, str(REPO_ROOT / "services" / "ai-agent"))
    try:
        from todo_agent.ratelimit import parse_rates
    finally:
        sys.path.pop(0)
    return parse_rates


def agent_accepts(parse_rates, value: str) -> bool:
    try:
        parse_rates(value)
    except ValueError:
        return False
    return True


def rate_pattern() -> re.Pattern:
    """values.schema.json's rate pattern as JSON Schema reads it: `$` is the end of the text
    (ECMA-262 and Go, Helm's engine); Python's `$` would also match before a final newline."""
    pattern = json.loads((CHART_DIR / "values.schema.json").read_text())["$defs"]["rate"]["pattern"]
    assert pattern.endswith("$")
    assert pattern.count("$") == 1
    return re.compile(pattern.removesuffix("$") + r"\Z")


def rate_candidates(rng: random.Random) -> str:
    """A string near the notation: rates with random case, spacing and separators, each part
    now and then replaced by a near miss, and often one character inserted or replaced."""

    def pick(valid: list[str], wrong: list[str]) -> str:
        return rng.choice(valid if rng.random() < 0.92 else wrong)

    def space() -> str:
        return "".join(pick(SPACES, NOT_SPACES) for _ in range(rng.choice([0, 0, 1, 2])))

    def rate() -> str:
        unit = pick(["second", "minute", "hour", "day", "month", "year"], ["min", "week"])
        unit = "".join(ch.upper() if rng.random() < 0.3 else ch for ch in unit)
        return space().join([
            pick(["1", "20", "007"], ["0", "00", ""]),
            pick(["/", "per", "PeR"], ["//", "-", "pr"]),
            pick(["", "", "2", "0"], ["1.5", "-1"]),
            unit + pick(["", "s", "S"], ["es", "x"]),
        ])  # fmt: skip

    text = space() + rate()
    for _ in range(rng.choice([0, 0, 1, 2])):
        text += space() + pick(["", "", ":"], ["::", ";:"]) + pick(list(";,|"), [" ", ""])
        text += space() + rate()
    text += space()
    if rng.random() < 0.3:
        at = rng.randrange(len(text) + 1)
        text = text[:at] + rng.choice("0123456789/;,|:perSMHDY ") + text[at + rng.randrange(2) :]
    return text


def test_rate_pattern_accepts_exactly_what_the_agent_accepts(parse_rates):
    """So a chat rate limit the schema lets through starts the agent, and one it refuses
    would have stopped it (the agent's message names the variable, never the value)."""
    pattern = rate_pattern()
    rng = random.Random(20)
    # \u017f and \u0130 match [a-z] in limits' case-insensitive expression, but no unit.
    tricky = ["20/minute", "5 per 2 Seconds;100/HOUR", "20/minute:;5/hour", "1/0 day",
              "20/minute;", "0/minute", "20/fortnight", "20/\u017fecond", "20/m\u0130nute",
              "20 5/minute", "\n", "20/minute\n", " "]  # fmt: skip
    tricky += [f"{ch}20/minute{ch}" for ch in SPACES + NOT_SPACES]
    candidates = tricky + [rate_candidates(rng) for _ in range(20000)]
    verdicts = {text: agent_accepts(parse_rates, text) for text in candidates}
    disagree = [text for text, ok in verdicts.items() if ok != bool(pattern.search(text))]
    assert disagree == []
    accepted = sum(verdicts.values())
    assert accepted > len(verdicts) / 5  # the corpus tries both verdicts often
    assert len(verdicts) - accepted > len(verdicts) / 5
    assert pattern.search("")  # empty: the chart renders no variable, the agent's default holds


@pytest.mark.parametrize(
    "value", ["20/minute\u3000", "\u202820/minute", "20/minute\u200b", "20/minute\n", "\n"]
)
def test_helm_refuses_a_rate_exactly_when_the_agent_would(helm, parse_rates, tmp_path, value):
    """Helm's own regex engine (Go's) agrees where dialects differ: Unicode whitespace, `$`."""
    values = tmp_path / "values.json"  # JSON is YAML: the exact characters, no --set escaping
    values.write_text(json.dumps({"aiAgent": {"chatRateLimit": {"perUser": value}}}))
    result = helm.template(values)
    assert (result.returncode == 0) == agent_accepts(parse_rates, value), result.stderr
