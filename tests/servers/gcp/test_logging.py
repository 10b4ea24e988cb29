"""At DEBUG Google's libraries log each request with its headers in extra fields, and would print them through a
handler of their own; the token never reaches the log (issue 15, item 7)."""

from __future__ import annotations

from collections.abc import Callable

from google.api_core import client_logging
from google.auth.transport.requests import Request

from tests.credentials import GOOGLE_ACCESS_TOKEN, leaked
from tests.fakes.gcp.google_api import GoogleFake


def test_debug_logs_of_a_real_request_with_a_token_carry_no_token(
    google: GoogleFake, debug_logs: Callable[[], str]
) -> None:
    # What GOOGLE_SDK_PYTHON_LOGGING_SCOPE=google makes Google's clients do on their first use.
    client_logging.setup_logging("google")
    # How impersonated credentials ask for a token: the source credentials' token in the Authorization header.
    Request()(
        url=f"{google.url}/v1/projects/-/serviceAccounts/reader@p.iam.gserviceaccount.com:generateAccessToken",
        method="POST",
        headers={"Authorization": f"Bearer {GOOGLE_ACCESS_TOKEN}", "Content-Type": "application/json"},
        body=b'{"scope": ["https://www.googleapis.com/auth/cloud-platform"]}',
    )
    text = debug_logs()
    assert "Making request" in text
    assert leaked(text) == []
