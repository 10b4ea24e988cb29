"""The test suite's credentials: distinctive strings, so a hook in ``tests/conftest.py`` can fail any test whose
captured stdout, stderr or logs carry one (``leaked``). Use these wherever a test hands a secret to our code.

None of them opens anything real.
"""

from __future__ import annotations

import base64
import json

HTTP_TOKEN = "finops-test-http-token-94b73a7e0b1c3919"  # every scope
HTTP_READ_TOKEN = "finops-test-read-token-bd76b1a7fca7afab"  # read only
HTTP_PLAN_TOKEN = "finops-test-plan-token-1729f4f16ac5"  # read and plan
APPROVAL_KEY = "finops-test-approval-key-5d9125a9e63e217c"
AWS_ACCESS_KEY_ID = "AKIAFINOPSTESTKEY000"  # an id, not a secret
AWS_SECRET_ACCESS_KEY = "finops-test-aws-secret-Rv5p3suP85ebjVfh55rj"
AWS_SESSION_TOKEN = "finops-test-aws-session-token-FwoGZXIvYXdzE3b8c1d0"  # moto takes any session token
AZURE_CLIENT_SECRET = "finops-test-azure-client-secret-c68048afbcb3186a"
AZURE_ACCESS_TOKEN = "finops-test-azure-token-0a6e2f43d9"
GOOGLE_ACCESS_TOKEN = "finops-test-google-token-ya29c4e1f7"
# A storage account key is base64 (Azurite decodes it to sign): this is b"finops-test-azure-storage-key-7d41c0e9".
AZURE_STORAGE_KEY = "Zmlub3BzLXRlc3QtYXp1cmUtc3RvcmFnZS1rZXktN2Q0MWMwZTk="
JWT_KID = "finops-test-kid-7f3e"


def _jwt_header(kid: str) -> str:
    # PyJWT writes the header with sorted keys and no spaces, so every test JWT signed under JWT_KID with RS256
    # starts with exactly this text.
    header = json.dumps({"alg": "RS256", "kid": kid, "typ": "JWT"}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(header.encode()).decode().rstrip("=")


JWT_PREFIX = _jwt_header(JWT_KID)

CREDENTIALS: dict[str, str] = {
    "HTTP_TOKEN": HTTP_TOKEN,
    "HTTP_READ_TOKEN": HTTP_READ_TOKEN,
    "HTTP_PLAN_TOKEN": HTTP_PLAN_TOKEN,
    "APPROVAL_KEY": APPROVAL_KEY,
    "AWS_SECRET_ACCESS_KEY": AWS_SECRET_ACCESS_KEY,
    "AWS_SESSION_TOKEN": AWS_SESSION_TOKEN,
    "AZURE_CLIENT_SECRET": AZURE_CLIENT_SECRET,
    "AZURE_ACCESS_TOKEN": AZURE_ACCESS_TOKEN,
    "GOOGLE_ACCESS_TOKEN": GOOGLE_ACCESS_TOKEN,
    "AZURE_STORAGE_KEY": AZURE_STORAGE_KEY,
    "a test JWT": JWT_PREFIX,
}


def leaked(text: str) -> list[str]:
    """The names of the test credentials ``text`` contains (never the credentials themselves)."""
    return [name for name, secret in CREDENTIALS.items() if secret in text]


def masked(text: str) -> str:
    """``text`` with each test credential replaced by its name in angle brackets."""
    for name, secret in CREDENTIALS.items():
        text = text.replace(secret, f"<{name}>")
    return text
