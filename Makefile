# Thin task runner: each target calls one script or tool. `make help` lists them.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
VENV := .venv
# The venv's tools, then the helm binary the chart tests install under .cache/bin.
export PATH := $(CURDIR)/$(VENV)/bin:$(CURDIR)/.cache/bin:$(PATH)
# Args for ansible-playbook, e.g. make deploy ARGS="--tags images,deploy"
ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help setup setup-dev deploy teardown lint test test-foundation test-chart tools-test test-system test-roles

help: ## List the targets.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

setup: ## Create .venv with Ansible and the pinned collections.
	scripts/setup.sh

setup-dev: ## setup, plus the linters and test tools.
	scripts/setup.sh --dev

deploy: setup ## Deploy the app to Minikube: ansible-playbook site.yml $(ARGS).
	ansible-playbook site.yml $(ARGS)

teardown: setup ## Remove the release (keeps the database unless ARGS="-e teardown_purge=true").
	ansible-playbook playbooks/teardown.yml $(ARGS)

test: setup-dev lint test-foundation test-chart test-roles test-system ## Run every linter and test suite.

lint: setup-dev ## yamllint, ansible-lint (production profile), ruff check and format check.
	yamllint -s .
	ansible-lint
	ruff check .
	ruff format --check .

test-foundation: setup-dev ## Tests of the setup, the vault hygiene and these docs.
	python -m pytest tests/foundation

tools-test: ## helm (chart tests) and checkov (in its own venv: its pins clash with pytest's).
	scripts/install-helm.sh
	scripts/install-checkov.sh

test-chart: setup-dev tools-test ## helm lint, schema validation on 3 Kubernetes versions, render assertions.
	python -m pytest tests/chart

test-roles: setup-dev ## The roles and playbooks driven by real ansible-playbook runs on localhost.
	python -m pytest tests/roles

test-system: setup-dev tools-test ## Container system test: the images run as the chart says (needs Docker).
	python -m pytest tests/system
