"""Removing secrets from text and structured data before it is logged or shown.

Two nets: values under a secret-sounding key are replaced whole; known secret shapes inside any text
(AWS keys, bearer tokens, JWTs, private keys, Azure connection strings and SAS signatures, passwords in
URLs) are replaced wherever they appear.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

REDACTED = "[REDACTED]"

_SECRET_KEY = re.compile(
    r"(secret|token|password|passwd|pwd|credential|api[_-]?key|access[_-]?key|private[_-]?key|"
    r"connection[_-]?string|sas|signature|authorization|cookie|account[_-]?key)",
    re.IGNORECASE,
)
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # PEM private keys (GCP service-account JSON carries one).
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.S), REDACTED),
    # Azure storage / service bus connection strings: keep the structure, drop the key material.
    (
        re.compile(r"(?i)((?:AccountKey|SharedAccessKey|SharedAccessSignature|Password|Pwd)=)[^;\s\"']+"),
        r"\1" + REDACTED,
    ),
    # SAS query parameters.
    (re.compile(r"(?i)([?&](?:sig|se?k|skoid|sktid)=)[^&\s\"']+"), r"\1" + REDACTED),
    # Authorization headers and bare bearer tokens.
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}"), r"\1 " + REDACTED),
    # JWTs (Azure AD and Google OAuth tokens).
    (re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"), REDACTED),
    # AWS access key ids and the secret that usually follows them.
    (re.compile(r"\b(?:AKIA|ASIA|AROA|AIDA)[A-Z0-9]{16}\b"), REDACTED),
    (re.compile(r"(?i)(aws_?secret_?access_?key\s*[=:]\s*[\"']?)[A-Za-z0-9/+=]{40}"), r"\1" + REDACTED),
    (re.compile(r"(?i)(aws_?session_?token\s*[=:]\s*[\"']?)[A-Za-z0-9/+=]{16,}"), r"\1" + REDACTED),
    # Google API keys.
    (re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"), REDACTED),
    # user:password@ in URLs.
    (re.compile(r"([a-z][a-z0-9+.-]*://[^/\s:@]+:)[^@\s/]+@", re.IGNORECASE), r"\1" + REDACTED + "@"),
    # key=value pairs with a secret-sounding key, in free text.
    (
        re.compile(r"(?i)\b((?:client_?secret|password|api_?key|token)\s*[=:]\s*)[^\s,;&\"']+"),
        r"\1" + REDACTED,
    ),
)


def redact_text(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def is_secret_key(key: str) -> bool:
    return bool(_SECRET_KEY.search(key))


def redact(value: Any, key: str | None = None) -> Any:
    """A copy of ``value`` with secrets replaced; mappings and sequences are walked."""
    if key is not None and is_secret_key(key) and value not in (None, "", False):
        return REDACTED
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {k: redact(v, str(k)) for k, v in value.items()}  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
    if isinstance(value, list | tuple):
        return type(value)(redact(v) for v in value)  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
    if isinstance(value, BaseException):
        return redact_text(str(value))
    return value
