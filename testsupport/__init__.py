"""Test helpers shared by every test suite of the repository (one home, no copies), installed
editable into the dev venv (scripts/setup.sh --dev; testsupport/pyproject.toml).

- `postgres.running_postgres()`: a throwaway PostgreSQL server for a test session.
- `servers.run_server()`: starts a real HTTP service as a subprocess and waits for its health;
  `servers.free_port()`: a loopback port nothing listens on.
- `docker_tls.docker_tls_endpoint()`: the local Docker engine behind mutual TLS, as Minikube's.
"""
