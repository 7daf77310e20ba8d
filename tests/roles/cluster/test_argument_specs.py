"""A wrong type, a bad choice or a missing required variable stops each role at its door,
naming the variable, before any of the role's own tasks runs."""

import pytest

CASES = [
    ("preflight", {"preflight_minikube_memory_mb": "lots"}, "preflight_minikube_memory_mb"),
    ("preflight", {"preflight_minikube_enabled": "perhaps"}, "preflight_minikube_enabled"),
    ("cluster_tools", {}, "missing required arguments: cluster_tools_bin_dir"),
    (
        "cluster_tools",
        {"cluster_tools_bin_dir": "/tmp/x", "cluster_tools_download_retries": "many"},
        "cluster_tools_download_retries",
    ),
    (
        "cluster_tools",
        {"cluster_tools_bin_dir": "/tmp/x", "cluster_tools_install": ["kubectl", "oc"]},
        "cluster_tools_install",
    ),
    ("minikube", {}, "missing required arguments: minikube_binary"),
    ("minikube", {"minikube_binary": "/x/minikube", "minikube_cpus": "two"}, "minikube_cpus"),
    (
        "minikube",
        {"minikube_binary": "/x/minikube", "minikube_node_port": "high"},
        "minikube_node_port",
    ),
    (
        "minikube",
        {"minikube_binary": "/x/minikube", "minikube_addons": {"ingress": True}},
        "minikube_addons",
    ),
    ("teardown", {}, "missing required arguments: teardown_helm_binary"),
    (
        "teardown",
        {"teardown_helm_binary": "/x/helm", "teardown_minikube": "explode"},
        "teardown_minikube",
    ),
    ("teardown", {"teardown_helm_binary": "/x/helm", "teardown_purge": "maybe"}, "teardown_purge"),
]


@pytest.mark.parametrize(("role", "role_vars", "expected"), CASES)
def test_bad_input_fails_at_the_role_door_naming_the_variable(playbook, role, role_vars, expected):
    params = "".join(
        f"\n      {k}: {v!r}" if isinstance(v, str) else f"\n      {k}: {v}"
        for k, v in role_vars.items()
    )
    run = playbook(
        f"""
- name: Call {role} with bad input
  hosts: all
  gather_facts: false
  roles:
    - role: {role}{params}
"""
    )
    assert run.rc != 0, run
    assert "Validating arguments against arg spec" in run.output, run
    assert expected in run.output, run
    assert run.ok == 0, f"a task ran before the validation failed\n{run}"
