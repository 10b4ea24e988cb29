"""Redaction is linear in its input: each pattern's worst case, a megabyte long, is redacted well under a second;
and the linear patterns redact exactly what the earlier (quadratic) ones did."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from finops_core.redact import LOG_TEXT_MAX, PATTERNS, REDACTED, redact_clipped, redact_text
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import REPO
from tests.core.redact_worst import MB, WORST_CASES


def test_every_pattern_has_its_worst_cases() -> None:
    assert sorted(WORST_CASES) == sorted(PATTERNS)


_TIMER = """
import json, sys, time
from finops_core.redact import PATTERNS
from tests.core.redact_worst import WORST_CASES, worst_text
pattern, replacement = PATTERNS[sys.argv[1]]
times = []
for case in WORST_CASES[sys.argv[1]]:
    text = worst_text(*case)
    started = time.perf_counter()
    pattern.sub(replacement, text)
    times.append(time.perf_counter() - started)
print(json.dumps(times))
"""


@pytest.mark.parametrize("name", sorted(WORST_CASES))
def test_each_pattern_redacts_a_megabyte_of_its_worst_case_well_under_a_second(name: str) -> None:
    # In a child process: a quadratic pattern holds the interpreter (the regex engine keeps the GIL) for
    # hours on these inputs, and only a process can be stopped.
    try:
        done = subprocess.run(
            [sys.executable, "-c", _TIMER, name], cwd=REPO, capture_output=True, text=True, timeout=60, check=True
        )
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f"{name}: its worst cases took more than a minute") from exc
    times = json.loads(done.stdout)
    assert max(times) < 1.0, f"{name}: {times}"


# The earlier patterns, as the reference for what is redacted (only ever run on short text: they are quadratic).
_EARLIER: dict[str, tuple[str, str]] = {
    # The one deliberate change: a key cut off before its END line is redacted to the end of the text.
    "private key": (r"(?s)-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|\Z)", REDACTED),
    "connection string key": (
        r"(?i)((?:AccountKey|SharedAccessKey|SharedAccessSignature|Password|Pwd)=)[^;\s\"']+",
        r"\1" + REDACTED,
    ),
    "sas signature": (r"(?i)([?&](?:sig|se?k|skoid|sktid)=)[^&\s\"']+", r"\1" + REDACTED),
    "bearer token": (r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}", r"\1 " + REDACTED),
    "jwt": (r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*", REDACTED),
    "aws access key id": (r"\b(?:AKIA|ASIA|AROA|AIDA)[A-Z0-9]{16}\b", REDACTED),
    "aws secret access key": (r"(?i)(aws_?secret_?access_?key\s*[=:]\s*[\"']?)[A-Za-z0-9/+=]{40}", r"\1" + REDACTED),
    "aws session token": (r"(?i)(aws_?session_?token\s*[=:]\s*[\"']?)[A-Za-z0-9/+=]{16,}", r"\1" + REDACTED),
    "google api key": (r"\bAIza[0-9A-Za-z_-]{35}\b", REDACTED),
    "password in url": (r"(?i)([a-z][a-z0-9+.-]*://[^/\s:@]+:)[^@\s/]+@", r"\1" + REDACTED + "@"),
    "secret key=value": (
        r"(?i)\b((?:client_?secret|password|api_?key|token)\s*[=:]\s*)[^\s,;&\"']+",
        r"\1" + REDACTED,
    ),
}
# Text made of the pieces the patterns look for, so that near misses are common.
_PIECES = st.sampled_from(
    [
        *"aA1-_.:/@=+ \t\n;&?\"'~eyJ",
        "eyJ",
        "eyJhbGciOi",
        "-----BEGIN ",
        "RSA ",
        "PRIVATE KEY-----",
        "-----END ",
        "AccountKey=",
        "Pwd=",
        "&sig=",
        "?sk=",
        "Bearer ",
        "basic ",
        "AKIA",
        "ASIA",
        "IOSFODNN7EXAMPLE",
        "aws_secret_access_key",
        "aws_session_token",
        "AIza",
        "SyA1234567890abcdefghijklmnopqrstuv",
        "https://",
        "x1+",
        "user:pw@",
        "client_secret",
        "password",
        "token",
        "abcdefgh",
    ]
)


@pytest.mark.parametrize("name", sorted(_EARLIER))
def test_each_linear_pattern_redacts_what_the_earlier_pattern_did(name: str) -> None:
    earlier = re.compile(_EARLIER[name][0])
    pattern, replacement = PATTERNS[name]

    @settings(max_examples=300, deadline=None, database=None)
    @given(st.lists(_PIECES, max_size=40).map("".join))
    def same(text: str) -> None:
        assert pattern.sub(replacement, text) == earlier.sub(_EARLIER[name][1], text), repr(text)

    same()


def test_a_private_key_cut_off_before_its_end_line_is_redacted_to_the_end() -> None:
    text = "loaded -----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7bq"
    assert redact_text(text) == f"loaded {REDACTED}"


def test_a_long_log_text_keeps_its_start_and_end_and_says_how_much_was_left_out() -> None:
    text = "start " + "x" * MB + " AKIAIOSFODNN7EXAMPLE end"
    clipped = redact_clipped(text)
    assert clipped.startswith("start xxx")
    assert clipped.endswith(f" {REDACTED} end")
    assert "characters left out" in clipped
    assert len(clipped) < LOG_TEXT_MAX + 100


def test_a_secret_cut_by_the_clip_is_still_redacted() -> None:
    jwt = "eyJhbGciOiJSUzI1NiJ9." + "eyJzdWIiOiIxMjM0NTY3ODkwIn0" * 80 + ".c2lnbmF0dXJlLXBhcnQ"
    for where in range(LOG_TEXT_MAX // 4 - 2000, LOG_TEXT_MAX // 4 + 100, 700):
        text = "x" * where + f" {jwt} " + "y" * MB
        assert "eyJhbGciOiJSUzI1NiJ9" not in redact_clipped(text)
