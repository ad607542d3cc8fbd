"""Atelier's one settings class: every knob, read from the environment (prefix ``ATELIER_``).

Standard names stay standard and are read by their own libraries: ``OPENAI_API_KEY``,
``OPENAI_BASE_URL``, ``LANGSMITH_*``, ``GOOGLE_APPLICATION_CREDENTIALS``.
This module imports nothing of the project.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Configuration of one Atelier process. Unset values select the embedded defaults."""

    model_config = SettingsConfigDict(env_prefix="ATELIER_", env_file=".env", extra="ignore")

    database_url: str | None = Field(
        default=None,
        description="PostgreSQL URL (postgresql://user:pass@host/db). Unset: embedded server.",
    )
    redis_url: str | None = Field(
        default=None,
        description="Redis for Celery (redis://host:6379/0): pipeline runs go to `atelier "
        "worker` processes. Unset: runs stay in the API process.",
    )
    data_dir: Path = Path("var")
    drive_dir: Path | None = Field(
        default=None, description="Local Drive root; default DATA_DIR/drive"
    )
    storage: Literal["local", "google"] = "local"
    google_root_folder_id: str | None = Field(
        default=None,
        description="storage=google: the shop's root folder (the id at the end of its Drive URL)",
    )
    google_access_token: SecretStr | None = Field(
        default=None,
        description="storage=google: a bearer token used as is; unset: Application Default "
        "Credentials (GOOGLE_APPLICATION_CREDENTIALS)",
    )
    google_api_url: str | None = Field(
        default=None,
        description="storage=google: one root URL for Drive, Sheets and uploads (an emulator, "
        "a proxy); unset: Google's",
    )
    llm: str = "offline"
    design_engine: Literal["layout", "diffusers", "openai"] = "layout"
    design_model: str | None = Field(
        default=None, description="diffusers: a local directory or hub id; openai: image model name"
    )
    design_steps: int = Field(default=30, ge=1, le=200)
    design_fallback: Literal["openai", "none"] = "openai"
    design_slots_per_customer: int = Field(
        default=2, ge=1, le=32, description="Designs one customer's orders generate at once"
    )
    jwt_secret: SecretStr | None = None
    jwt_keys: dict[str, SecretStr] = Field(
        default_factory=dict,
        description='Signing keys by id, as JSON {"2026-12": "…", "2026-11": "…"}; the old '
        "ones keep verifying until removed. Overrides JWT_SECRET.",
    )
    jwt_kid: str | None = Field(default=None, description="Which of JWT_KEYS signs new tokens")
    encryption_keys: dict[str, SecretStr] = Field(
        default_factory=dict,
        description='AES-256 keys by id, base64 of 32 bytes, as JSON {"2026-12": "…"}; old '
        "ones keep decrypting. Unset: one generated under DATA_DIR (not in production).",
    )
    encryption_kid: str | None = Field(
        default=None, description="Which of ENCRYPTION_KEYS encrypts new data"
    )
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    cors_origins: list[str] = Field(
        default_factory=list,
        description='Browser origins allowed to call the API, as JSON: ["https://shop.example"]',
    )
    max_body_bytes: int = Field(
        default=12 * 1024 * 1024,
        ge=1024,
        description="Largest request body; a 10 MB reference image plus its order must fit",
    )
    access_token_ttl_s: int = Field(default=900, ge=60, description="POST /auth/token access")
    refresh_token_ttl_s: int = Field(default=7 * 86400, ge=300, description="… and refresh")
    rate_limit_logins: str = Field(
        default="10/minute",
        description="Failed POST /auth/token per username and client address, e.g. 10/minute",
    )
    rate_limit_logins_per_client: str = Field(
        default="30/minute", description="Password sign-ins per client address, any username"
    )
    rate_limit_logins_global: str = Field(
        default="300/minute", description="Password sign-ins across the service (per process)"
    )
    password_checks_at_once: int = Field(
        default=4,
        ge=1,
        le=256,
        description="Argon2 password checks running at once (64 MiB each); others wait briefly, "
        "then get 503",
    )
    rate_limit_orders: str = Field(
        default="30/minute", description="POST /orders per caller, e.g. 30/minute"
    )
    rate_limit_commands: str = Field(
        default="60/minute", description="POST /admin/commands per caller"
    )
    production: bool = Field(
        default=False,
        description="Refuse to start on development defaults (a generated JWT secret)",
    )
    environment: str = Field(
        default="development", description="Named in every trace's tags (env:NAME)"
    )
    pipeline_workers: int = Field(
        default=4, ge=1, le=64, description="Runs at once in the API process (no Redis)"
    )
    run_lease_s: float = Field(
        default=20,
        ge=2,
        le=600,
        description="How long a run's claim on an order lasts unless "
        "renewed (4 heartbeats): an order whose run died carries on after about this long",
    )
    sweep_interval_s: float = Field(
        default=5, gt=0, le=600, description="How often orders waiting without a run are queued"
    )

    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    mail_from: str = "atelier@localhost"
    operator_email: str | None = None

    @model_validator(mode="after")
    def _default_drive_dir(self) -> Settings:
        if self.drive_dir is None:
            self.drive_dir = self.data_dir / "drive"
        return self

    @property
    def drive_root(self) -> Path:
        """The local Drive root, always set after validation."""
        assert self.drive_dir is not None
        return self.drive_dir


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once from the environment."""
    return Settings()
