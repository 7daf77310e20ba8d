"""Settings from the environment (pydantic-settings), as fixed by docs/contracts.md.

The field names are the variables' names, as in the backend's todo_backend/core/config.py; a
bad one stops the agent with a line that names it and never echoes its value.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from todo_common.config import load_settings

from todo_agent.ratelimit import DEFAULT_PER_USER, DEFAULT_UNAUTHENTICATED, parse_rates


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=True)

    # The image and the chart set production; development serves /docs and /openapi.json.
    APP_ENV: Literal["production", "development"] = "development"
    LOG_LEVEL: Literal["CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"] = "INFO"

    BACKEND_URL: str = "http://todo-backend:8000"
    BACKEND_TIMEOUT_SECONDS: float = Field(default=10.0, gt=0)

    # Unset (or empty) means the deterministic offline intent parser answers.
    OPENAI_API_KEY: SecretStr | None = None
    OPENAI_BASE_URL: str | None = None
    OPENAI_MODEL: str = "gpt-4o-mini"
    OPENAI_TIMEOUT_SECONDS: float = Field(default=30.0, gt=0)
    OPENAI_MAX_RETRIES: int = Field(default=2, ge=0, le=5)
    # Bound on model round trips per chat turn, so a looping model cannot run up cost or time.
    AGENT_MAX_STEPS: int = Field(default=6, ge=1, le=20)
    # Bound on the time one turn spends waiting for the model, retries included (the per-call
    # timeout alone allows steps x (1 + retries) x timeout).
    AGENT_TURN_TIMEOUT_SECONDS: float = Field(default=60.0, gt=0, le=600)

    # Chat rate limits, in the `limits` notation (todo_agent/ratelimit.py).
    AGENT_CHAT_RATE_LIMIT_PER_USER: str = DEFAULT_PER_USER
    AGENT_CHAT_RATE_LIMIT_UNAUTHENTICATED: str = DEFAULT_UNAUTHENTICATED

    # Refuse request bodies larger than this (413). Earlier replies come back in the history,
    # so the largest valid body (with JSON escaping) is far larger than the backend's.
    MAX_BODY_BYTES: int = Field(default=1024 * 1024, ge=1024)

    @field_validator("OPENAI_API_KEY", "OPENAI_BASE_URL", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        # Helm and Compose render an absent optional secret as an empty string.
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("AGENT_CHAT_RATE_LIMIT_PER_USER", "AGENT_CHAT_RATE_LIMIT_UNAUTHENTICATED")
    @classmethod
    def _rate(cls, value: str) -> str:
        parse_rates(value)  # the message names the rule, never the value
        return value

    @field_validator("BACKEND_URL")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @property
    def is_production(self) -> bool:
        return self.APP_ENV == "production"

    @property
    def model_enabled(self) -> bool:
        return self.OPENAI_API_KEY is not None


@lru_cache
def get_settings() -> Settings:
    return load_settings(Settings)  # a bad variable: ConfigError naming it, never its value
