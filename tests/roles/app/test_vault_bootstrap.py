"""playbooks/bootstrap-secrets.yml: a first run generates the required secrets, encrypted."""

from __future__ import annotations

import json
import stat

import yaml

from .conftest import Project


def read_probe(project: Project) -> dict:
    return json.loads((project.root / "probe.json").read_text())


def run_bootstrap(project: Project, *extra: str):
    probe_out = f"probe_out={project.root}/probe.json"
    return project.playbook(
        "-v", "playbooks/bootstrap-secrets.yml", "probe_secrets.yml", "-e", probe_out, *extra
    )


def test_fresh_clone_gets_encrypted_secrets_usable_in_the_same_run(project: Project) -> None:
    assert not project.vault_file.exists()
    run = run_bootstrap(project)
    assert run.rc == 0, run.output
    assert run.changed == 1

    raw = project.vault_file.read_text()
    assert raw.startswith("$ANSIBLE_VAULT;1.1;AES256")
    assert stat.S_IMODE(project.vault_file.stat().st_mode) == 0o600
    # The vault password client created the password file for the fresh machine, owner-only.
    assert stat.S_IMODE(project.password_file.stat().st_mode) == 0o600

    stored = yaml.safe_load(project.vault_view())
    assert len(stored["vault_jwt_secret"]) == 64
    assert len(stored["vault_postgres_password"]) == 32
    assert stored["vault_jwt_secret"].isalnum()

    # The later play saw the values written during this run (group_vars were read before).
    seen = read_probe(project)
    assert seen["jwt"] == stored["vault_jwt_secret"]
    assert seen["postgres"] == stored["vault_postgres_password"]

    # Never printed, not even with -v; and never in the clear on disk.
    for value in (stored["vault_jwt_secret"], stored["vault_postgres_password"]):
        assert value not in run.output
        assert value not in raw


def test_second_run_changes_nothing(project: Project) -> None:
    assert run_bootstrap(project).rc == 0
    before = project.vault_file.read_bytes()
    run = run_bootstrap(project)
    assert run.rc == 0, run.output
    assert run.changed == 0
    assert project.vault_file.read_bytes() == before


def test_existing_and_user_added_secrets_are_kept(project: Project) -> None:
    mine = {
        "vault_jwt_secret": "j" * 40,
        "vault_openai_api_key": "sk-test-openai-key-kept",
        "vault_database_url": "postgresql://todo:pw@db.example.com/todo",
    }
    project.vault_write(yaml.safe_dump(mine))
    run = run_bootstrap(project)
    assert run.rc == 0, run.output
    assert run.changed == 1  # only the missing password was added

    stored = yaml.safe_load(project.vault_view())
    assert {key: stored[key] for key in mine} == mine
    assert len(stored["vault_postgres_password"]) == 32
    seen = read_probe(project)
    assert seen["jwt"] == mine["vault_jwt_secret"]
    assert seen["openai"] == mine["vault_openai_api_key"]
    assert seen["postgres"] == stored["vault_postgres_password"]
    for value in [*mine.values(), stored["vault_postgres_password"]]:
        assert value not in run.output


def test_too_short_jwt_secret_fails_naming_it_before_any_change(project: Project) -> None:
    project.vault_write(yaml.safe_dump({"vault_jwt_secret": "short-secret-20chars"}))
    before = project.vault_file.read_bytes()
    run = run_bootstrap(project)
    assert run.rc != 0
    assert "vault_jwt_secret is missing or shorter than 32 characters" in run.output
    assert "ansible-vault edit" in run.output
    assert "Traceback" not in run.output
    assert "short-secret-20chars" not in run.output
    # The missing password was not written either: the check comes before any change.
    assert project.vault_file.read_bytes() == before


def test_missing_secret_without_generation_fails_naming_it(project: Project) -> None:
    run = run_bootstrap(project, "-e", "app_secrets_generate=false")
    assert run.rc != 0
    assert "vault_jwt_secret is missing" in run.output
    assert not project.vault_file.exists()


def test_plain_text_vault_file_is_refused(project: Project) -> None:
    assert run_bootstrap(project).rc == 0  # a machine that has its vault password already
    project.vault_file.write_text("vault_jwt_secret: " + "p" * 40 + "\n")
    run = run_bootstrap(project)
    assert run.rc != 0
    assert "is not encrypted. Encrypt it with: ansible-vault encrypt" in run.output
    assert "p" * 40 not in run.output


def test_check_mode_writes_nothing(project: Project) -> None:
    run = project.playbook("playbooks/bootstrap-secrets.yml", "--check")
    assert run.rc == 0, run.output
    assert "Check mode: would generate vault_jwt_secret, vault_postgres_password" in run.output
    assert not project.vault_file.exists()
