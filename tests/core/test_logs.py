"""Logs go to stderr, never stdout, and never carry a secret."""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Iterator

import pytest
import structlog
from finops_core.logs import configure_logging, get_logger, redact_wire, scrub_text
from finops_core.redact import LOG_TEXT_MAX, REDACTED, redact, redact_text

from tests.captured_logs import captured_json_logs

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
    with captured_json_logs() as stream:
        yield stream


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


WIRE = {
    "botocore request headers": (
        "headers={'X-Amz-Date': b'20261207T174317Z', 'X-Amz-Security-Token': b'IQoJb3JpZ2luX2VjEXAMPLE', "
        "'Authorization': b'AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/20261207/us-east-1/sts/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=0b5e'}",
        ["IQoJb3JpZ2luX2VjEXAMPLE", "Signature=0b5e"],
    ),
    "canonical request line": ("POST\n/\n\nhost:sts\nx-amz-security-token:IQoJb3JpZ2luX2VjEXAMPLE\n", ["IQoJb3J"]),
    "sigv4 signature": ("Signature:\n" + "ab" * 32, ["ab" * 32]),
    "assume role answer": (
        "<Credentials><SecretAccessKey>wJalrXUtnFEMIEXAMPLE</SecretAccessKey>"
        "<SessionToken>IQoJb3JpZ2luX2VjEXAMPLE</SessionToken></Credentials>",
        ["wJalrXUtnFEMIEXAMPLE", "IQoJb3JpZ2luX2VjEXAMPLE"],
    ),
    "json credentials": ('{"accessToken": "ya29.EXAMPLE", "sessionToken": "IQoJEXAMPLE"}', ["ya29.EXAMPLE", "IQoJ"]),
    "presigned url": ("https://b.s3.amazonaws.com/k?X-Amz-Security-Token=IQoJEXAMPLE&X-Amz-Signature=0b5e", ["IQoJ"]),
    "header line": ("Authorization: SharedKey acct:c2lnbmF0dXJlEXAMPLE", ["c2lnbmF0dXJlEXAMPLE"]),
}


@pytest.mark.parametrize("kind", sorted(WIRE))
def test_secrets_where_sdks_print_them_on_the_wire_are_redacted(kind: str) -> None:
    text, hidden = WIRE[kind]
    cleaned = scrub_text(text)
    assert all(h not in cleaned for h in hidden), cleaned
    assert REDACTED in cleaned


def test_fields_with_ordinary_names_keep_their_values() -> None:
    text = "{'Content-Type': b'application/json', 'X-Amz-Date': b'20261207T174317Z', \"Account\": \"123456789012\"}"
    assert scrub_text(text) == text


@pytest.mark.parametrize(
    "hostile",
    [
        "authorization:'" * 70_000,
        "'token': '" + "a" * 1_000_000,
        "<SessionToken>" + "x" * 1_000_000,
        "'a'" * 350_000,
        '"' + "a" * 64 + '" :' + " " * 1_000_000,
        "Signature=" + "a" * 1_000_000,
        "x-amz-security-token" * 50_000,
    ],
    ids=["header names", "unclosed value", "unclosed element", "quoted names", "spaces", "hex", "names only"],
)
def test_the_wire_patterns_take_a_megabyte_of_hostile_text_in_linear_time(hostile: str) -> None:
    started = time.perf_counter()
    redact_wire(hostile)
    assert time.perf_counter() - started < 1.0


def test_extra_fields_of_a_record_are_redacted(captured: io.StringIO) -> None:
    record = logging.LogRecord("google.auth.transport.requests", logging.DEBUG, "", 0, "Making request...", None, None)
    record.__dict__["httpRequest"] = {"headers": {"Authorization": "Bearer ya29.EXAMPLE-TOKEN"}, "url": "https://x"}
    logging.getLogger().handle(record)
    assert record.__dict__["httpRequest"] == {"headers": {"Authorization": REDACTED}, "url": "https://x"}


def test_the_google_logger_is_left_to_this_handler() -> None:
    google = logging.getLogger("google")
    saved = (google.level, google.propagate)
    google.propagate = False  # what Google's libraries do to an unconfigured "google" logger on first use
    try:
        configure_logging("DEBUG", "console", stream=io.StringIO())
        # A level of its own marks it configured: Google's libraries then add no handler of their own to it.
        assert google.level == logging.DEBUG
        assert google.propagate
    finally:
        structlog.reset_defaults()
        logging.getLogger().handlers.clear()
        google.setLevel(saved[0])
        google.propagate = saved[1]


def test_a_wire_secret_cut_by_the_clip_of_a_long_line_is_redacted_up_to_the_cut(captured: io.StringIO) -> None:
    token = "IQoJb3JpZ2luX2Vj" + "Z" * 1000
    line = "x" * (LOG_TEXT_MAX // 4 - 30) + f"headers={{'X-Amz-Security-Token': b'{token}'}}" + "y" * 20_000
    logging.getLogger("botocore.endpoint").debug("Sending http request: %s", line)
    text = captured.getvalue()
    assert "characters left out" in text
    assert "IQoJb3JpZ2lu" not in text
