"""Settings from the environment (names fixed by docs/contracts.md)."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from todo_agent.ratelimit import DEFAULT_PER_USER, DEFAULT_UNAUTHENTICATED, parse_rates


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    backend_url: str = "http://todo-backend:8000"
    backend_timeout_seconds: float = Field(default=10.0, gt=0)

    # Unset (or empty) means the deterministic offline intent parser answers.
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    openai_model: str = "gpt-4o-mini"
    openai_timeout_seconds: float = Field(default=30.0, gt=0)
    openai_max_retries: int = Field(default=2, ge=0, le=5)
    # Bound on model round trips per chat turn, so a looping model cannot run up cost or time.
    agent_max_steps: int = Field(default=6, ge=1, le=20)
    # Bound on the time one turn spends waiting for the model, retries included (the per-call
    # timeout alone allows steps x (1 + retries) x timeout).
    agent_turn_timeout_seconds: float = Field(default=60.0, gt=0, le=600)

    # Chat rate limits, in the `limits` notation (todo_agent/ratelimit.py).
    agent_chat_rate_limit_per_user: str = DEFAULT_PER_USER
    agent_chat_rate_limit_unauthenticated: str = DEFAULT_UNAUTHENTICATED

    log_level: str = "INFO"
    app_env: Literal["production", "development"] = "production"

    @field_validator("openai_api_key", "openai_base_url", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        # Helm and Compose render an absent optional secret as an empty string.
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("agent_chat_rate_limit_per_user", "agent_chat_rate_limit_unauthenticated")
    @classmethod
    def _rate(cls, value: str) -> str:
        parse_rates(value)  # the message names the rule, never the value
        return value

    @field_validator("backend_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @property
    def model_enabled(self) -> bool:
        return self.openai_api_key is not None


@lru_cache
def get_settings() -> Settings:
    return Settings()
