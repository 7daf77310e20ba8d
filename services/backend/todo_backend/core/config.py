"""Settings from the environment (pydantic-settings), as fixed by docs/contracts.md.

Database choice, in order: `DATABASE_URL`; else a PostgreSQL URL built from `POSTGRES_HOST`
and friends; else SQLite (development only). Production refuses to start without a real
database or with a missing, placeholder or short `JWT_SECRET`; `startup_problems()` names the
variable and never echoes its value.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal
from urllib.parse import quote

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from todo_common.clients import PRIVATE_NETWORKS, Network, parse_networks
from todo_common.config import ConfigError, load_settings

# Used when JWT_SECRET is unset in development so `uvicorn todo_backend.main:app` just works;
# production refuses it, together with other well-known placeholders.
DEV_JWT_SECRET = "development-only-jwt-secret-not-for-production"  # noqa: S105 - refused in production
PLACEHOLDER_SECRETS = frozenset({DEV_JWT_SECRET, "changethis", "changeme", "secret", "jwt-secret"})
MIN_JWT_SECRET_LENGTH = 32
DEV_SQLITE_URL = "sqlite:///./todo-dev.db"


def normalise_database_url(url: str) -> str:
    """Maps the URL schemes users paste (Neon, Heroku style) to SQLAlchemy's psycopg 3 driver.

    Query parameters such as `sslmode=require` are kept: libpq (under psycopg) honours them.
    """
    url = url.strip()
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=True)

    APP_ENV: Literal["production", "development"] = "development"
    LOG_LEVEL: Literal["CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"] = "INFO"

    DATABASE_URL: SecretStr | None = None
    POSTGRES_HOST: str | None = None
    POSTGRES_PORT: int = Field(default=5432, ge=1, le=65535)
    POSTGRES_DB: str = "todo"
    POSTGRES_USER: str = "todo"
    POSTGRES_PASSWORD: SecretStr | None = None
    # One uvicorn process per container: a pool that covers the thread pool's steady demand
    # without exhausting a small PostgreSQL's max_connections across a few replicas.
    DB_POOL_SIZE: int = Field(default=10, ge=1, le=100)
    DB_MAX_OVERFLOW: int = Field(default=5, ge=0, le=100)

    JWT_SECRET: SecretStr | None = None
    ACCESS_TOKEN_EXPIRE_MINUTES: int = Field(default=60, ge=1, le=60 * 24 * 30)

    # Refuse request bodies larger than this (413); todos are small.
    MAX_BODY_BYTES: int = Field(default=64 * 1024, ge=1024)

    # Peers believed about the client's address (the last X-Forwarded-For entry), for the
    # login and registration limits: comma-separated networks, empty for none. The default,
    # loopback and the private ranges, holds the frontend's pods; see todo_common.clients.
    TRUSTED_PROXIES: str = PRIVATE_NETWORKS

    @field_validator("TRUSTED_PROXIES")
    @classmethod
    def _networks(cls, value: str) -> str:
        parse_networks(value)  # ValueError names the entry
        return value

    @property
    def trusted_proxies(self) -> tuple[Network, ...]:
        return parse_networks(self.TRUSTED_PROXIES)

    @property
    def is_production(self) -> bool:
        return self.APP_ENV == "production"

    @property
    def database_url(self) -> str:
        if self.DATABASE_URL is not None and self.DATABASE_URL.get_secret_value().strip():
            return normalise_database_url(self.DATABASE_URL.get_secret_value())
        if self.POSTGRES_HOST:
            password = self.POSTGRES_PASSWORD.get_secret_value() if self.POSTGRES_PASSWORD else ""
            auth = quote(self.POSTGRES_USER, safe="")
            if password:
                auth += ":" + quote(password, safe="")
            return (
                f"postgresql+psycopg://{auth}@{self.POSTGRES_HOST}:{self.POSTGRES_PORT}/"
                f"{quote(self.POSTGRES_DB, safe='')}"
            )
        return DEV_SQLITE_URL

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def jwt_secret(self) -> str:
        if self.JWT_SECRET is None:
            return DEV_JWT_SECRET
        return self.JWT_SECRET.get_secret_value()

    def startup_problems(self, *, need_jwt: bool = True) -> list[str]:
        """Reasons this configuration must not run (always empty in development)."""
        if not self.is_production:
            return []
        problems = []
        secret = self.JWT_SECRET.get_secret_value() if self.JWT_SECRET else ""
        if not need_jwt:
            pass
        elif not secret:
            problems.append("JWT_SECRET is required when APP_ENV=production")
        elif secret in PLACEHOLDER_SECRETS:
            problems.append("JWT_SECRET is a well-known placeholder; set a random value")
        elif len(secret) < MIN_JWT_SECRET_LENGTH:
            problems.append(
                f"JWT_SECRET must be at least {MIN_JWT_SECRET_LENGTH} characters "
                f"(got {len(secret)})"
            )
        # SQLite is for development only: a container's filesystem is read-only and per pod.
        if self.is_sqlite:
            problems.append(
                "DATABASE_URL (or POSTGRES_HOST) is required when APP_ENV=production; "
                "SQLite is for development only"
            )
        return problems

    def check_startup(self, *, need_jwt: bool = True) -> None:
        problems = self.startup_problems(need_jwt=need_jwt)
        if problems:
            raise ConfigError("; ".join(problems))


__all__ = ["ConfigError", "Settings", "get_settings"]


@lru_cache
def get_settings() -> Settings:
    return load_settings(Settings)  # a bad variable: ConfigError naming it, never its value
