"""Todo backend: a FastAPI + SQLModel REST API with accounts, served on port 8000."""
