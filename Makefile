# Thin task runner: each target calls one script or tool. `make help` lists them.
# Every recipe line runs as `bash -eu -o pipefail -c LINE`, with GNU make 3.81 (macOS's
# /usr/bin/make) as with 4.x. The flags sit in SHELL itself: 3.81 has no .SHELLFLAGS (new in
# 3.82, see its NEWS) and always runs "$(SHELL) -c LINE"; both split a multi-word SHELL into
# its words (job.c, construct_command_argv_internal: "SHELL may be a multi-word command").
SHELL := bash -eu -o pipefail
.SHELLFLAGS := -c
VENV := .venv
# The venv's tools, then the helm binary the chart tests install under .cache/bin.
export PATH := $(CURDIR)/$(VENV)/bin:$(CURDIR)/.cache/bin:$(PATH)
# Base images for the image builds in tests: the local stand-ins when present (CI machines reach
# no registry; scripts/ci/build-base-images.sh makes them), else the official images.
local_or = $(shell docker image inspect $(1) >/dev/null 2>&1 && echo $(1) || echo $(2))
ifndef TODO_PYTHON_IMAGE
TODO_PYTHON_IMAGE := $(call local_or,todo-ci/python:3.13-trixie,python:3.13-slim)
endif
ifndef TODO_NODE_IMAGE
TODO_NODE_IMAGE := $(call local_or,todo-ci/node:20-trixie,node:24-slim)
endif
ifndef TODO_POSTGRES_IMAGE
TODO_POSTGRES_IMAGE := $(call local_or,todo-ci/postgres:17-trixie,postgres:17-alpine)
endif
export TODO_PYTHON_IMAGE TODO_NODE_IMAGE TODO_POSTGRES_IMAGE
# Args for ansible-playbook, e.g. make deploy ARGS="--tags images,deploy"
ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help setup setup-dev deploy teardown lint test test-foundation test-chart tools-test test-system test-roles test-backend test-agent test-frontend frontend-deps

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

test: setup-dev lint test-foundation test-chart test-roles test-backend test-agent test-frontend test-system ## Run every linter and test suite.

lint: setup-dev ## yamllint, ansible-lint (production profile), ruff check and format check.
	yamllint -s .
	ansible-lint
	ruff check .
	ruff format --check .

test-foundation: setup-dev ## Tests of the setup, the vault hygiene and these docs.
	python -m pytest tests/foundation

tools-test: ## helm, checkov (own venv: its pins clash with pytest's), the chart's README generator.
	scripts/install-helm.sh
	scripts/install-checkov.sh
	scripts/install-readme-generator.sh

test-chart: setup-dev tools-test ## helm lint, schema validation on 3 Kubernetes versions, render assertions.
	python -m pytest tests/chart

test-roles: setup-dev ## The roles and playbooks driven by real ansible-playbook runs on localhost.
	python -m pytest tests/roles

test-backend: setup-dev ## Backend API, migrations and fuzz on real PostgreSQL and SQLite; its image.
	cd services/backend && python -m pytest

test-agent: setup-dev ## Agent: offline parser, model path via a local OpenAI-compatible server, real backend.
	cd services/ai-agent && python -m pytest

frontend-deps: ## npm ci for the frontend (its tests and the browser walk of the system test).
	cd services/frontend && npm ci --no-audit --no-fund --loglevel=error

test-frontend: setup-dev frontend-deps ## Frontend: unit tests, types, browser e2e on the real services, its image.
	cd services/frontend && npm test && npm run typecheck
	cd services/frontend && TODO_PYTHON=$(CURDIR)/$(VENV)/bin/python npm run test:e2e
	cd services/frontend && npm run test:image

test-system: setup-dev tools-test frontend-deps ## The images role's images run as the chart says; walked by verify and a browser.
	python -m pytest tests/system
	molecule test -s images
