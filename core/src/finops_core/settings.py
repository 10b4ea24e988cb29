"""Settings: one object built in ``main()`` from a TOML file and ``FINOPS_*`` environment variables, then
passed down. Nothing reads the environment at import.

Precedence: environment variable > TOML file > default. ``FINOPS_<FIELD>`` sets a top-level field
(``FINOPS_REMEDIATION_ENABLED=true``); ``FINOPS_<SECTION>__<FIELD>`` a field of a section.
The TOML file is ``$FINOPS_CONFIG``, else ``finops.toml`` in the home folder.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from finops_core.currency import CurrencySettings
from finops_core.errors import ConfigError

ENV_PREFIX = "FINOPS_"


class HttpSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    host: str = Field(default="127.0.0.1", description="Bind address; anything but loopback needs a token.")
    port: int = Field(default=8765, ge=1, le=65535)
    token: SecretStr | None = Field(default=None, description="Bearer token clients must send.")


class Settings(BaseModel):
    """Everything configurable, in one place."""

    model_config = ConfigDict(extra="forbid")

    home: Path = Field(description="Folder for the store and config (FINOPS_HOME).")
    store_path: Path | None = Field(default=None, description="SQLite file; default <home>/finops.sqlite.")
    remediation_enabled: bool = Field(default=False, description="Register tools that change resources.")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["console", "json"] = "console"
    demo_seed: int = 7
    demo_as_of: date | None = Field(default=None, description="Last day of demo data; default today (UTC).")
    http: HttpSettings = Field(default_factory=HttpSettings)
    currency: CurrencySettings | None = Field(
        default=None, description="Report currency and exchange rates for converted totals; none: never convert."
    )

    @property
    def store_file(self) -> Path:
        return self.store_path or self.home / "finops.sqlite"

    @classmethod
    def load(cls, environ: Mapping[str, str], *, overrides: Mapping[str, Any] | None = None) -> Settings:
        """Build settings from ``environ`` (pass ``os.environ`` from ``main()``) and the TOML file."""
        home = Path(environ.get("FINOPS_HOME") or platformdirs.user_data_dir("finops-mcp", appauthor=False))
        config_file = Path(environ["FINOPS_CONFIG"]) if environ.get("FINOPS_CONFIG") else home / "finops.toml"
        data: dict[str, Any] = {}
        if config_file.is_file():
            try:
                # Floats as Decimal: a rate written `EUR = 1.08` stays exactly what was typed.
                data = tomllib.loads(config_file.read_text(encoding="utf-8"), parse_float=Decimal)
            except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError) as exc:
                raise ConfigError(
                    f"Cannot read {config_file}: {exc}. Fix the file or point FINOPS_CONFIG elsewhere."
                ) from exc
        elif environ.get("FINOPS_CONFIG"):
            raise ConfigError(f"FINOPS_CONFIG names {config_file}, which does not exist.")
        for name, value in environ.items():
            if not name.startswith(ENV_PREFIX) or name in ("FINOPS_HOME", "FINOPS_CONFIG"):
                continue
            path = name[len(ENV_PREFIX) :].lower().split("__")
            target = data
            for part in path[:-1]:
                target = target.setdefault(part, {})
            target[path[-1]] = value
        data["home"] = home
        data.update(overrides or {})
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors(include_input=False)
            )
            raise ConfigError(f"Invalid settings ({problems}). Check {config_file} and FINOPS_* variables.") from None
