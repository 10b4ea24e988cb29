"""Logs go to stderr, never stdout, and never carry a secret."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
import structlog
from finops_core.logs import configure_logging, get_logger
from finops_core.redact import LOG_TEXT_MAX, REDACTED, redact, redact_text

SECRETS = {
    "aws access key id": "AKIAIOSFODNN7EXAMPLE",
    "aws secret": "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "bearer token": "Authorization: Bearer abc.def-ghi_jkl123456",
    "jwt": "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXBhcnQ",
    "azure connection string": "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=Zm9vYmFyYmF6cXV4==;"
    "EndpointSuffix=core.windows.net",
    "sas signature": "https://acct.blob.core.windows.net/c/f.csv?sv=2022-11-02&se=2026-01-01&sig=abc%2Bdef%3D",
    "private key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----",
    "password in url": "postgresql://finops:pa55word@db.internal:5432/costs",
    "client secret": "client_secret=Q~8abcDEF123ghi",
    "google api key": "key AIzaSyA1234567890abcdefghijklmnopqrstuv",
}
HIDDEN = {
    "aws access key id": "AKIAIOSFODNN7EXAMPLE",
    "aws secret": "wJalrXUtnFEMI",
    "bearer token": "abc.def-ghi_jkl123456",
    "jwt": "eyJzdWIiOiIxMjM0NTY3ODkwIn0",
    "azure connection string": "Zm9vYmFyYmF6cXV4",
    "sas signature": "abc%2Bdef",
    "private key": "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC",
    "password in url": "pa55word",
    "client secret": "Q~8abcDEF123ghi",
    "google api key": "AIzaSyA1234567890",
}


@pytest.mark.parametrize("kind", sorted(SECRETS))
def test_known_secret_shapes_are_redacted_from_text(kind: str) -> None:
    cleaned = redact_text(f"calling with {SECRETS[kind]} now")
    assert HIDDEN[kind] not in cleaned
    assert REDACTED in cleaned


def test_values_under_secret_sounding_keys_are_redacted_whole() -> None:
    data = {"aws_secret_access_key": "plain", "nested": {"password": "p", "sas_token": "t"}, "region": "us-east-1"}
    assert redact(data) == {
        "aws_secret_access_key": REDACTED,
        "nested": {"password": REDACTED, "sas_token": REDACTED},
        "region": "us-east-1",
    }


def test_ordinary_text_is_left_alone() -> None:
    text = "EC2 cost 1,234.56 USD in us-east-1 for account 123456789012 (i-0abc)"
    assert redact_text(text) == text


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    configure_logging("DEBUG", "json", stream=stream)
    yield stream
    structlog.reset_defaults()
    logging.getLogger().handlers.clear()


def test_structlog_entries_are_redacted(captured: io.StringIO) -> None:
    get_logger("t").info("connecting", conn=SECRETS["azure connection string"], token="abc123", note=SECRETS["jwt"])
    text = captured.getvalue()
    assert "Zm9vYmFyYmF6cXV4" not in text
    assert "abc123" not in text
    assert HIDDEN["jwt"] not in text
    assert "connecting" in text


def test_standard_library_logs_from_sdks_are_redacted_too(captured: io.StringIO) -> None:
    logging.getLogger("botocore.endpoint").warning("retrying with %s", SECRETS["aws access key id"])
    try:
        raise RuntimeError(SECRETS["password in url"])
    except RuntimeError:
        logging.getLogger("azure.core").exception("failed")
    text = captured.getvalue()
    assert "AKIAIOSFODNN7EXAMPLE" not in text
    assert "pa55word" not in text
    assert "retrying" in text


def test_a_megabyte_in_a_log_entry_is_written_clipped_with_its_secrets_redacted(captured: io.StringIO) -> None:
    # What the SDK logs for a refused call echoes the argument: a caller decides how long that line is.
    huge = "x " * 500_000 + SECRETS["aws access key id"]
    logging.getLogger("mcp.server").info("Tool %r failed: %r", "finops_cost_query", huge)
    get_logger("t").info("echo", value=huge, nested={"values": [huge]})
    text = captured.getvalue()
    assert len(text) < 4 * LOG_TEXT_MAX
    assert text.count("characters left out") == 3
    assert HIDDEN["aws access key id"] not in text
    assert "finops_cost_query" in text


def test_logging_writes_to_stderr_by_default_and_never_to_stdout(capfd: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", "console")
    try:
        get_logger("t").info("hello-stderr")
        logging.getLogger("mcp").warning("sdk-warning")
        out, err = capfd.readouterr()
        assert out == ""
        assert "hello-stderr" in err
        assert "sdk-warning" in err
    finally:
        structlog.reset_defaults()
        logging.getLogger().handlers.clear()
