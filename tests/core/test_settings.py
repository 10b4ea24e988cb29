"""Settings come from FINOPS_* variables over a TOML file over defaults, and bad ones say how to fix them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from finops_core.errors import ConfigError
from finops_core.settings import Settings

from tests.credentials import HTTP_PLAN_TOKEN, HTTP_READ_TOKEN, HTTP_TOKEN


def test_defaults_are_read_only_and_keep_the_store_in_finops_home(tmp_path: Path) -> None:
    settings = Settings.load({"FINOPS_HOME": str(tmp_path)})
    assert settings.remediation_enabled is False
    assert settings.store_file == tmp_path / "finops.sqlite"
    assert settings.http.host == "127.0.0.1"


def test_without_finops_home_the_store_goes_to_the_users_data_folder() -> None:
    settings = Settings.load({})
    assert "finops-mcp" in str(settings.home)


def test_the_toml_file_in_finops_home_is_read(tmp_path: Path) -> None:
    (tmp_path / "finops.toml").write_text('log_level = "DEBUG"\n[http]\nport = 9001\n')
    settings = Settings.load({"FINOPS_HOME": str(tmp_path)})
    assert (settings.log_level, settings.http.port) == ("DEBUG", 9001)


def test_environment_variables_win_over_the_file(tmp_path: Path) -> None:
    (tmp_path / "finops.toml").write_text("remediation_enabled = false\n[http]\nport = 9001\n")
    settings = Settings.load(
        {"FINOPS_HOME": str(tmp_path), "FINOPS_REMEDIATION_ENABLED": "true", "FINOPS_HTTP__PORT": "9100"}
    )
    assert settings.remediation_enabled is True
    assert settings.http.port == 9100


def test_finops_config_points_at_another_file(tmp_path: Path) -> None:
    other = tmp_path / "elsewhere.toml"
    other.write_text("demo_seed = 42\n")
    assert Settings.load({"FINOPS_HOME": str(tmp_path), "FINOPS_CONFIG": str(other)}).demo_seed == 42


def test_a_missing_config_file_that_was_asked_for_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        Settings.load({"FINOPS_HOME": str(tmp_path), "FINOPS_CONFIG": str(tmp_path / "nope.toml")})


def test_a_broken_toml_file_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "finops.toml").write_text("log_level = \n")
    with pytest.raises(ConfigError, match=r"finops\.toml"):
        Settings.load({"FINOPS_HOME": str(tmp_path)})


def test_an_unknown_or_invalid_setting_names_the_field_without_echoing_values(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"http\.port") as info:
        Settings.load({"FINOPS_HOME": str(tmp_path), "FINOPS_HTTP__PORT": "not-a-port-s3cr3t"})
    assert "s3cr3t" not in str(info.value)
    with pytest.raises(ConfigError, match="remediaton"):
        Settings.load({"FINOPS_HOME": str(tmp_path), "FINOPS_REMEDIATON": "true"})


def test_the_http_token_is_kept_secret_in_reprs(tmp_path: Path) -> None:
    settings = Settings.load({"FINOPS_HOME": str(tmp_path), "FINOPS_HTTP__TOKEN": HTTP_TOKEN})
    assert HTTP_TOKEN not in repr(settings)
    assert HTTP_TOKEN not in settings.model_dump_json()
    assert settings.http.token is not None
    assert settings.http.token.get_secret_value() == HTTP_TOKEN


def test_named_tokens_jwt_and_host_lists_come_from_the_toml_file(tmp_path: Path) -> None:
    (tmp_path / "finops.toml").write_text(
        f"""
[http]
host = "0.0.0.0"
resource_url = "https://finops.example.com/mcp"
allowed_hosts = ["finops.example.com", "finops.internal:*"]

[http.tokens.dashboard]
token = "{HTTP_READ_TOKEN}"

[http.tokens.ci]
token = "{HTTP_PLAN_TOKEN}"
scopes = ["read", "plan"]

[http.jwt]
jwks_url = "https://login.example.com/.well-known/jwks.json"
issuer = "https://login.example.com/"
audience = "api://finops"
"""
    )
    http = Settings.load({"FINOPS_HOME": str(tmp_path)}).http
    assert http.tokens["dashboard"].scopes == ["read"]  # read-only unless told otherwise
    assert http.tokens["ci"].scopes == ["read", "plan"]
    assert http.tokens["ci"].token.get_secret_value() == HTTP_PLAN_TOKEN
    assert http.jwt is not None
    assert (http.jwt.audience, http.jwt.algorithms) == ("api://finops", ["RS256", "ES256"])
    assert http.allowed_hosts == ["finops.example.com", "finops.internal:*"]
    assert http.authenticates
    assert HTTP_READ_TOKEN not in repr(http) + http.model_dump_json()


def test_named_tokens_and_lists_come_from_the_environment_as_text(tmp_path: Path) -> None:
    http = Settings.load(
        {
            "FINOPS_HOME": str(tmp_path),
            "FINOPS_HTTP__TOKENS__CI__TOKEN": HTTP_TOKEN,
            "FINOPS_HTTP__TOKENS__CI__SCOPES": "read,plan execute",
            "FINOPS_HTTP__JWT__JWKS_URL": "https://login.example.com/jwks",
            "FINOPS_HTTP__JWT__ISSUER": "https://login.example.com/",
            "FINOPS_HTTP__JWT__ALGORITHMS": "RS256",
            "FINOPS_HTTP__ALLOWED_ORIGINS": "https://app.example.com",
        }
    ).http
    assert http.tokens["ci"].scopes == ["read", "plan", "execute"]
    assert http.jwt is not None
    assert http.jwt.algorithms == ["RS256"]
    assert http.allowed_origins == ["https://app.example.com"]


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("FINOPS_HTTP__TOKEN", "short-s3cr3t", "at least 16 characters"),
        ("FINOPS_HTTP__TOKENS__CI__TOKEN", "short-s3cr3t", "at least 16 characters"),
        ("FINOPS_HTTP__TOKENS__CI__SCOPES", "read s3cr3t-admin", "http.tokens.ci.scopes"),
        ("FINOPS_HTTP__RESOURCE_URL", "finops.example.com", "http.resource_url"),
    ],
)
def test_a_bad_security_setting_names_the_field_without_echoing_a_token(
    tmp_path: Path, variable: str, value: str, says: str
) -> None:
    environ = {"FINOPS_HOME": str(tmp_path), "FINOPS_HTTP__TOKENS__CI__TOKEN": HTTP_TOKEN, variable: value}
    with pytest.raises(ConfigError, match=says) as info:
        Settings.load(environ)
    assert "s3cr3t" not in str(info.value)
    assert HTTP_TOKEN not in str(info.value)


def test_the_currency_section_reads_rates_as_exact_decimals_from_strings_or_numbers(tmp_path: Path) -> None:
    (tmp_path / "finops.toml").write_text(
        '[currency]\nreport_currency = "usd"\nrates = { EUR = "1.08", GBP = 1.2716 }\n'
        'rates_as_of = 2026-10-31\nsource = "ECB reference rates"\n'
    )
    currency = Settings.load({"FINOPS_HOME": str(tmp_path)}).currency
    assert currency is not None
    assert currency.report_currency == "USD"
    assert currency.rates == {"EUR": Decimal("1.08"), "GBP": Decimal("1.2716")}
    assert str(currency.rates["GBP"]) == "1.2716"
    assert (currency.rates_as_of, currency.source) == (date(2026, 10, 31), "ECB reference rates")


def test_a_rate_can_come_from_the_environment(tmp_path: Path) -> None:
    currency = Settings.load({"FINOPS_HOME": str(tmp_path), "FINOPS_CURRENCY__RATES__EUR": "1.09"}).currency
    assert currency is not None
    assert currency.rates == {"EUR": Decimal("1.09")}
    assert currency.report_currency == "USD"


def test_without_a_currency_section_there_is_no_rate_table(tmp_path: Path) -> None:
    assert Settings.load({"FINOPS_HOME": str(tmp_path)}).currency is None


@pytest.mark.parametrize("rates", ['{ EUR = "-1.08" }', '{ EUR = "0" }', '{ EUR = "nan" }', '{ EUR = "a lot" }'])
def test_a_rate_that_is_not_a_positive_number_names_the_currency(tmp_path: Path, rates: str) -> None:
    (tmp_path / "finops.toml").write_text(f"[currency]\nrates = {rates}\n")
    with pytest.raises(ConfigError, match=r"currency\.rates"):
        Settings.load({"FINOPS_HOME": str(tmp_path)})


def test_the_report_currency_cannot_have_a_rate_other_than_one(tmp_path: Path) -> None:
    (tmp_path / "finops.toml").write_text('[currency]\nreport_currency = "EUR"\nrates = { EUR = "1.1" }\n')
    with pytest.raises(ConfigError, match="report currency EUR itself must be 1"):
        Settings.load({"FINOPS_HOME": str(tmp_path)})


def test_the_lake_section_names_an_engine_a_path_or_table_and_per_engine_options(tmp_path: Path) -> None:
    (tmp_path / "finops.toml").write_text(
        '[lake]\nengine = "duckdb"\npath = "s3://billing/focus/"\nanswer_from = "rollups"\n'
        '[lake.duckdb]\ns3_endpoint_url = "http://127.0.0.1:9000"\nmemory_limit = "3GB"\n'
    )
    settings = Settings.load({"FINOPS_HOME": str(tmp_path), "FINOPS_LAKE__SYNC_MONTHS": "6"})
    assert settings.lake is not None
    assert (settings.lake.engine, settings.lake.location, settings.lake.answer_from) == (
        "duckdb",
        "s3://billing/focus/",
        "rollups",
    )
    assert settings.lake.duckdb.memory_limit == "3GB"
    assert settings.lake.sync_months == 6
    assert Settings.load({"FINOPS_HOME": str(tmp_path / "none")}).lake is None


@pytest.mark.parametrize(
    ("lake", "says"),
    [
        ('engine = "duckdb"', 'engine "duckdb" reads Parquet files: set path'),
        ('engine = "athena"\npath = "/data"', 'engine "athena" queries a table: set table'),
        ('engine = "spark"\npath = "/a"\ntable = "b.c"', "give path (Parquet files) or table"),
        ('engine = "oracle"\ntable = "x"', "lake.engine: Input should be 'duckdb'"),
    ],
)
def test_a_lake_section_that_cannot_work_says_what_to_set(tmp_path: Path, lake: str, says: str) -> None:
    (tmp_path / "finops.toml").write_text(f"[lake]\n{lake}\n")
    with pytest.raises(ConfigError, match="Invalid settings") as caught:
        Settings.load({"FINOPS_HOME": str(tmp_path)})
    assert says in str(caught.value)


def test_a_lake_password_is_kept_secret_in_reprs(tmp_path: Path) -> None:
    (tmp_path / "finops.toml").write_text(
        '[lake]\nengine = "trino"\ntable = "hive.billing.focus"\n[lake.trino]\nhost = "trino.example.com"\n'
        'user = "finops"\npassword = "not-in-any-repr-0123"\nschema = "billing"\n'
    )
    settings = Settings.load({"FINOPS_HOME": str(tmp_path)})
    assert settings.lake is not None
    assert settings.lake.trino.schema_name == "billing"
    assert "not-in-any-repr-0123" not in repr(settings)


@pytest.mark.parametrize(
    "variables",
    [
        {"FINOPS_TOKENS": "s3cr3t-token-value"},  # not a setting
        {"FINOPS_HTTP__TOKENS": "s3cr3t-token-value"},  # a secret where a table of tokens belongs
        {"FINOPS_AWS": "s3cr3t-token-value"},  # a cloud section given as a value
    ],
)
def test_a_bad_setting_names_where_it_is_and_neither_the_error_nor_its_cause_repeats_the_value(
    tmp_path: Path, variables: dict[str, str]
) -> None:
    # The cause is kept (raise from exc) for whoever debugs it, so it must not carry what was typed either: a
    # traceback of it would print a token or connection string in clear.
    with pytest.raises(ConfigError) as caught:
        Settings.load({"FINOPS_HOME": str(tmp_path), **variables})
    assert "s3cr3t-token-value" not in str(caught.value)
    assert caught.value.__cause__ is not None
    assert "s3cr3t-token-value" not in str(caught.value.__cause__)
