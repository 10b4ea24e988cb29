"""The scanner that fails a test whose output or logs carry a test credential."""

from __future__ import annotations

from tests.credentials import APPROVAL_KEY, AWS_SECRET_ACCESS_KEY, HTTP_TOKEN, JWT_PREFIX, leaked, masked


def test_the_scanner_names_each_credential_found_and_nothing_else() -> None:
    text = f"connecting with Bearer {HTTP_TOKEN}\naws_secret_access_key={AWS_SECRET_ACCESS_KEY} key={APPROVAL_KEY}"
    assert leaked(text) == ["HTTP_TOKEN", "APPROVAL_KEY", "AWS_SECRET_ACCESS_KEY"]
    assert leaked(f"token={JWT_PREFIX}.eyJzdWIiOiJ4In0.c2ln") == ["a test JWT"]
    assert leaked("Bearer finops-test-http-token-(redacted) and a sha256:94b73a7e fingerprint") == []
    assert (
        masked(text)
        == "connecting with Bearer <HTTP_TOKEN>\naws_secret_access_key=<AWS_SECRET_ACCESS_KEY> key=<APPROVAL_KEY>"
    )
