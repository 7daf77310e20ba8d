"""The verify role's failure paths: a clear message naming the step and the URL, no stack trace.

The happy path runs against the real containers (images scenario); here nothing listens.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from testsupport.servers import free_port

from .conftest import Project


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on."""
    return free_port()


def test_unreachable_frontend_fails_with_a_clear_message(
    project: Project, closed_port: int
) -> None:
    url = f"http://127.0.0.1:{closed_port}"
    run = project.playbook("probe_verify.yml", "-e", json.dumps({"probe_base_url": url + "/"}))
    assert run.rc != 0
    assert f'Verification failed at "Check the frontend\'s health endpoint" against {url}' in (
        run.output
    )
    assert "Connection refused" in run.output
    assert "Traceback" not in run.output
    # Without a cluster (plain containers) there is no rollout step and no cluster diagnostics.
    assert "Wait for the rollout of each workload" not in run.output
    assert "Show the pods' status" not in run.output


def test_unreachable_cluster_prints_diagnostics_then_a_clear_message(
    project: Project, closed_port: int, tmp_path: Path
) -> None:
    """kubectl against an API server address where nothing listens: rollouts fail, the rescue
    still runs every diagnostic step and ends with the failing step's name."""
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [
                    {"name": "c", "cluster": {"server": f"https://127.0.0.1:{closed_port}"}}
                ],
                "users": [{"name": "u", "user": {"token": "not-a-real-token"}}],
                "contexts": [{"name": "closed", "context": {"cluster": "c", "user": "u"}}],
                "current-context": "closed",
            }
        )
    )
    args = {
        "probe_base_url": f"http://127.0.0.1:{closed_port}",
        "verify_check_rollouts": True,
        "verify_rollouts": ["deployment/todo-backend"],
        "verify_rollout_timeout": "5s",
    }
    run = project.playbook(
        "probe_verify.yml", "-e", json.dumps(args), env={"KUBECONFIG": str(kubeconfig)}
    )
    assert run.rc != 0, run.output
    assert "Show the pods' status" in run.output
    assert "Show the namespace's recent events" in run.output
    assert (
        'Verification failed at "Wait for the rollout of each workload": '
        "deployment/todo-backend: The connection to the server 127.0.0.1:"
    ) in run.output
    assert "Traceback" not in run.output


def test_the_chat_timeouts_give_up_innermost_first(repo: Path) -> None:
    """The agent's turn limit < the frontend's wait for the agent < the walk's wait for the chat,
    so a slow model ends in the agent's own answer, which reaches the walk (not a walk timeout)."""
    import re

    import yaml

    agent = re.search(
        r"AGENT_TURN_TIMEOUT_SECONDS: float = Field\(default=([\d.]+)",
        (repo / "services/ai-agent/todo_agent/core/config.py").read_text(),
    )
    frontend = re.search(
        r"agent: \{[^}]*timeoutMs: ([\d_]+)",
        (repo / "services/frontend/lib/server/upstream.ts").read_text(),
    )
    walk = yaml.safe_load((repo / "roles/verify/defaults/main.yml").read_text())[
        "verify_chat_timeout"
    ]
    assert agent, "the agent's turn limit moved: update this test with its new home"
    assert frontend, "the frontend's agent timeout moved: update this test with its new home"
    assert float(agent.group(1)) < int(frontend.group(1).replace("_", "")) / 1000 < walk
