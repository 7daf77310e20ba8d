"""playbooks/preflight.yml against this machine's real Docker engine and real hardware facts."""

import json
import os

import pytest

BOOK = "playbooks/preflight.yml"
EXISTING_CLUSTER = {"todo_minikube_enabled": False}
# kvm2 is never started here: it only makes the size checks use the machine's own facts, and it
# avoids the docker-driver-as-root refusal on CI machines that run as root.
KVM2 = {"todo_minikube_driver": "kvm2"}
running_as_root = pytest.mark.skipif(os.geteuid() != 0, reason="the refusal needs a root run")


def test_passes_on_a_machine_with_docker_and_no_minikube(playbook):
    # preflight never calls minikube (cluster_tools installs it later); no minikube exists here
    run = playbook(BOOK, {**KVM2, "todo_minikube_cpus": 2, "todo_minikube_memory_mb": 2200})
    assert run.rc == 0, run
    assert run.changed == 0, run


def test_an_existing_cluster_skips_the_minikube_checks(playbook):
    run = playbook(BOOK, {**EXISTING_CLUSTER, "todo_minikube_cpus": 512})
    assert run.rc == 0, run


def test_an_unreachable_docker_fails_with_the_fix(playbook, tmp_path):
    socket = tmp_path / "no-docker.sock"
    run = playbook(BOOK, {**EXISTING_CLUSTER, "preflight_docker_host": f"unix://{socket}"})
    assert run.rc != 0, run
    assert f"Docker is not reachable at unix://{socket}" in run.out, run
    assert "Fix: install Docker" in run.out, run


@running_as_root
def test_root_with_the_docker_driver_fails_with_the_fix(playbook):
    run = playbook(BOOK, {"todo_minikube_driver": "docker"})
    assert run.rc != 0, run
    assert "minikube refuses the docker driver as root" in run.out, run
    assert "Fix: run ansible-playbook as a regular user" in run.out, run


def test_more_cpus_than_the_machine_has_fails_with_the_fix(playbook):
    run = playbook(BOOK, {**KVM2, "todo_minikube_cpus": os.cpu_count() + 1})
    assert run.rc != 0, run
    assert f"Minikube is asked for {os.cpu_count() + 1} CPUs" in run.out, run
    assert "Fix: lower todo_minikube_cpus" in run.out, run


def test_more_memory_than_the_machine_has_fails_with_the_fix(playbook):
    total_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    run = playbook(BOOK, {**KVM2, "todo_minikube_memory_mb": total_mb})
    assert run.rc != 0, run
    assert "Fix: lower todo_minikube_cpus / todo_minikube_memory_mb" in run.out, run


def test_less_than_minikubes_minimum_fails_with_the_fix(playbook):
    run = playbook(BOOK, {**KVM2, "todo_minikube_cpus": 1})
    assert run.rc != 0, run
    assert "minikube needs at least 2 CPUs and 1800 MiB" in run.out, run


def test_the_existing_cluster_example_overrides_local_and_passes_preflight(playbook, tmp_path):
    dump = tmp_path / "vars.json"
    run = playbook(BOOK, {"todo_minikube_cpus": 512}, inventories=("local", "existing-cluster"))
    assert run.rc == 0, run
    merged = playbook(
        f"""
- name: Show the merged inventory
  hosts: all
  gather_facts: false
  tasks:
    - name: Write the cluster settings
      ansible.builtin.copy:
        dest: {dump}
        mode: "0600"
        content: "{{{{ [todo_minikube_enabled, todo_kube_context, todo_image_registry,
                      todo_tools_bin_dir is search('todo-app/bin')] | to_json }}}}"
""",
        inventories=("local", "existing-cluster"),
    )
    assert merged.rc == 0, merged
    assert json.loads(dump.read_text()) == [
        False,
        "my-cluster",
        "registry.example.com/todo-app",
        True,
    ]
