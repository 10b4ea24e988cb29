"""Removing secrets from text and structured data before it is logged or shown.

Two nets: values under a secret-sounding key are replaced whole; known secret shapes inside any text
(AWS keys, bearer tokens, JWTs, private keys, Azure connection strings and SAS signatures, passwords in
URLs) are replaced wherever they appear.

Every pattern runs in time linear in its input, whatever the input: text here is often a caller's
(an argument echoed in an error, a request logged at DEBUG), and a pattern that backtracks over a long run
once per starting position made one 1 MB argument hold the server for minutes. The rules that keep it so:
a pattern never starts inside a run its own first part would scan again (a lookbehind, or a match that
consumes the run), and runs that cannot give characters back are possessive (``*+``, ``++``). Each pattern's
worst cases are in ``tests/core/redact_worst.py``, timed on a megabyte by the tests; a new pattern adds its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

REDACTED = "[REDACTED]"

_SECRET_KEY = re.compile(
    r"(secret|token|password|passwd|pwd|credential|api[_-]?key|access[_-]?key|private[_-]?key|"
    r"connection[_-]?string|sas|signature|authorization|cookie|account[_-]?key)",
    re.IGNORECASE,
)

_Replacement = str | Callable[[re.Match[str]], str]


def _jwt(match: re.Match[str]) -> str:
    # The pattern consumes a whole header run even when no payload and signature follow, so that no later
    # start inside the run scans it again; only a full header.payload.signature is a token.
    return REDACTED if match.group(1) is not None else match.group(0)


PATTERNS: dict[str, tuple[re.Pattern[str], _Replacement]] = {
    # PEM private keys (GCP service-account JSON carries one). A key cut off before its END line (a clipped
    # log line) is redacted to the end of the text; a lazy scan to the END line per BEGIN was quadratic.
    "private key": (
        re.compile(r"-----BEGIN [A-Z ]{0,64}PRIVATE KEY-----.*?(?:-----END [A-Z ]{0,64}PRIVATE KEY-----|\Z)", re.S),
        REDACTED,
    ),
    # Azure storage / service bus connection strings: keep the structure, drop the key material.
    "connection string key": (
        re.compile(r"(?i)((?:AccountKey|SharedAccessKey|SharedAccessSignature|Password|Pwd)=)[^;\s\"']++"),
        r"\1" + REDACTED,
    ),
    # SAS query parameters.
    "sas signature": (re.compile(r"(?i)([?&](?:sig|se?k|skoid|sktid)=)[^&\s\"']++"), r"\1" + REDACTED),
    # Authorization headers and bare bearer tokens.
    "bearer token": (re.compile(r"(?i)\b(bearer|basic)\s++[A-Za-z0-9._~+/=-]{8,}+"), r"\1 " + REDACTED),
    # JWTs (Azure AD and Google OAuth tokens): header.payload.signature, base64url.
    "jwt": (re.compile(r"\beyJ[A-Za-z0-9_-]{5,}+(\.[A-Za-z0-9_-]{5,}+\.[A-Za-z0-9_-]*+)?"), _jwt),
    # AWS access key ids and the secret that usually follows them.
    "aws access key id": (re.compile(r"\b(?:AKIA|ASIA|AROA|AIDA)[A-Z0-9]{16}\b"), REDACTED),
    "aws secret access key": (
        re.compile(r"(?i)(aws_?secret_?access_?key\s*+[=:]\s*+[\"']?)[A-Za-z0-9/+=]{40}"),
        r"\1" + REDACTED,
    ),
    "aws session token": (
        re.compile(r"(?i)(aws_?session_?token\s*+[=:]\s*+[\"']?)[A-Za-z0-9/+=]{16,}+"),
        r"\1" + REDACTED,
    ),
    # Google API keys.
    "google api key": (re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"), REDACTED),
    # user:password@ in URLs. The scheme is matched from the start of its run of scheme characters (digits
    # and symbols first kept in the group): starting at every letter of a long run rescanned it each time.
    "password in url": (
        re.compile(r"(?<![a-z0-9+.-])([0-9+.-]*+[a-z][a-z0-9+.-]*+://[^/\s:@]++:)[^@\s/]++@", re.IGNORECASE),
        r"\1" + REDACTED + "@",
    ),
    # key=value pairs with a secret-sounding key, in free text.
    "secret key=value": (
        re.compile(r"(?i)\b((?:client_?secret|password|api_?key|token)\s*+[=:]\s*+)[^\s,;&\"']++"),
        r"\1" + REDACTED,
    ),
}

# A log line longer than this keeps its start and its end (a traceback's last lines name the error); the
# rest is left out before redaction, so a huge argument echoed in an error costs the event loop nothing.
LOG_TEXT_MAX = 8 * 1024
# Each kept part is redacted with this much of its neighbouring text, so a secret cut by the clip is still
# seen whole (Azure AD tokens run to about 2.5 KB, a 4096-bit PEM key to 3.3 KB).
_CLIP_CONTEXT = 4 * 1024


def redact_text(text: str) -> str:
    for pattern, replacement in PATTERNS.values():
        text = pattern.sub(replacement, text)
    return text


def redact_clipped(text: str, limit: int = LOG_TEXT_MAX) -> str:
    """``redact_text(text)`` for a log: at most about ``limit`` characters, its start and end around a note
    of how many were left out. Linear in ``limit``, not in ``len(text)``."""
    if len(text) <= limit:
        return redact_text(text)
    head, tail = limit // 4, limit - limit // 4
    start = redact_text(text[: head + _CLIP_CONTEXT])[:head]
    end = redact_text(text[-(tail + _CLIP_CONTEXT) :])[-tail:]
    return f"{start} …[{len(text) - head - tail:,} characters left out]… {end}"


def is_secret_key(key: str) -> bool:
    return bool(_SECRET_KEY.search(key))


def redact(value: Any, key: str | None = None, *, limit: int | None = None) -> Any:
    """A copy of ``value`` with secrets replaced; mappings and sequences are walked. With ``limit``, every text
    is clipped to about that many characters first (``redact_clipped``)."""
    if key is not None and is_secret_key(key) and value not in (None, "", False):
        return REDACTED
    if isinstance(value, BaseException):
        value = str(value)
    if isinstance(value, str):
        return redact_text(value) if limit is None else redact_clipped(value, limit)
    if isinstance(value, Mapping):
        return {k: redact(v, str(k), limit=limit) for k, v in value.items()}  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
    if isinstance(value, list | tuple):
        return type(value)(redact(v, limit=limit) for v in value)  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
    return value
