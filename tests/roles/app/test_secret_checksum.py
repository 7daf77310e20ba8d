"""app_secrets_checksum: computed from the vault alone, stable, and changed by a changed secret."""

from __future__ import annotations

import hashlib
import json

import yaml

from .conftest import Project


def deploy_only(project: Project):
    """`--tags deploy`: the namespace/Secret tasks must not run (there is no cluster here)."""
    return project.playbook(
        "-v",
        "playbooks/bootstrap-secrets.yml",
        "playbooks/provision.yml",
        "playbooks/secrets.yml",
        "probe_secrets.yml",
        "--tags",
        "deploy",
        "-e",
        f"probe_out={project.root}/probe.json",
        "-e",
        '{"todo_minikube_enabled": false}',
    )


def probe(project: Project) -> dict:
    return json.loads((project.root / "probe.json").read_text())


def test_checksum_is_published_without_a_cluster_and_is_stable(project: Project) -> None:
    first = deploy_only(project)
    assert first.rc == 0, first.output
    assert "Create the application namespace" not in first.output
    checksum = probe(project)["checksum"]

    stored = yaml.safe_load(project.vault_view())
    canonical = json.dumps(
        {
            "JWT_SECRET": stored["vault_jwt_secret"],
            "POSTGRES_PASSWORD": stored["vault_postgres_password"],
        },
        sort_keys=True,
    )
    assert checksum == hashlib.sha256(canonical.encode()).hexdigest()

    second = deploy_only(project)
    assert second.rc == 0, second.output
    assert second.changed == 0
    assert probe(project)["checksum"] == checksum
    for value in stored.values():
        assert value not in first.output
        assert value not in second.output


def test_adding_an_optional_secret_changes_the_checksum(project: Project) -> None:
    assert deploy_only(project).rc == 0
    before = probe(project)["checksum"]
    stored = yaml.safe_load(project.vault_view())
    stored["vault_openai_api_key"] = "sk-test-key-for-checksum"
    project.vault_write(yaml.safe_dump(stored))

    run = deploy_only(project)
    assert run.rc == 0, run.output
    after = probe(project)["checksum"]
    assert after != before
    assert "sk-test-key-for-checksum" not in run.output
    canonical = json.dumps(
        {
            "JWT_SECRET": stored["vault_jwt_secret"],
            "OPENAI_API_KEY": "sk-test-key-for-checksum",
            "POSTGRES_PASSWORD": stored["vault_postgres_password"],
        },
        sort_keys=True,
    )
    assert after == hashlib.sha256(canonical.encode()).hexdigest()
