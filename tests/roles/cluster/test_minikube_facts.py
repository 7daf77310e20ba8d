"""The facts provision.yml publishes, and its refusals, in runs that need no Minikube.

Starting a profile cannot happen here (no minikube, no cluster image); those paths are covered by
the Molecule scenario on a workstation. What runs here is real: tag-only runs of the real
provision.yml, with the facts read back by a later play exactly as playbooks/images.yml will.
"""

import json


def provision_then_dump(repo, tmp_path):
    dump = tmp_path / "facts.json"
    return (
        dump,
        f"""
- name: Provision
  ansible.builtin.import_playbook: {repo}/playbooks/provision.yml

- name: Read the published facts the way the images play does
  hosts: all
  gather_facts: false
  tags: [images]
  tasks:
    - name: Write the facts to a file
      ansible.builtin.copy:
        dest: {dump}
        mode: "0600"
        content: "{{{{ {{'env': minikube_docker_env, 'ip': minikube_ip,
                      'context': minikube_kube_context}} | to_json }}}}"
""",
    )


def test_images_only_run_on_an_existing_cluster_has_the_facts(playbook, repo, tmp_path):
    dump, book = provision_then_dump(repo, tmp_path)
    extra = {
        "todo_minikube_enabled": False,
        "todo_kube_context": "prod-cluster",
        "todo_tools_bin_dir": str(tmp_path / "bin"),
    }
    run = playbook(book, extra, "--tags", "images")
    assert run.rc == 0, run
    assert json.loads(dump.read_text()) == {"env": {}, "ip": "", "context": "prod-cluster"}
    assert "Create the tools directory" not in run.output, (
        "the tools step ran in an images-only run"
    )
    assert not (tmp_path / "bin").exists()


def test_images_only_run_without_a_running_profile_stops_with_the_fix(playbook, repo, tmp_path):
    _, book = provision_then_dump(repo, tmp_path)
    extra = {"todo_tools_bin_dir": str(tmp_path / "bin"), "todo_minikube_profile": "absent"}
    run = playbook(book, extra, "--tags", "images")
    assert run.rc != 0, run
    assert "Minikube profile absent is missing, so images and deploy" in run.output, run
    assert "Fix: run site.yml without --tags" in run.output, run
