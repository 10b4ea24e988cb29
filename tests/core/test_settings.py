"""Settings come from FINOPS_* variables over a TOML file over defaults, and bad ones say how to fix them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from finops_core.errors import ConfigError
from finops_core.settings import Settings


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
    settings = Settings.load({"FINOPS_HOME": str(tmp_path), "FINOPS_HTTP__TOKEN": "hunter2-token"})
    assert "hunter2" not in repr(settings)
    assert "hunter2" not in settings.model_dump_json()
    assert settings.http.token is not None
    assert settings.http.token.get_secret_value() == "hunter2-token"


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
