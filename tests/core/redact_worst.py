"""Each redaction pattern's worst cases: long runs of what its first part accepts, with no separator that would
end them, and repeated starts without the ending. Kept apart from the tests so that a child process can time
them without importing the test machinery. A new pattern adds its own."""

from __future__ import annotations

MB = 1_000_000

# (before, piece, after): the text is ``before``, then ``piece`` repeated to a megabyte, then ``after``.
WORST_CASES: dict[str, list[tuple[str, str, str]]] = {
    "private key": [("", "-----BEGIN PRIVATE KEY-----", ""), ("-----BEGIN ", "A", ""), ("", "-----BEGIN ", "")],
    "connection string key": [("", "AccountKey=", ""), ("", "Pwd", ""), ("", "A", "")],
    "sas signature": [("", "&sig=", ""), ("", "?se", "")],
    "bearer token": [("bearer", " ", ""), ("", "bearer ", ""), ("", "Basic\t1234567", "")],
    "jwt": [("", "eyJ-", ""), ("eyJaaaaa.", "-eyJbbbbb", ""), ("", "eyJaaaaa.b", ""), ("", "eyJaaaaa.bbbbb.", "")],
    "aws access key id": [("", "AKIA", ""), ("AKIA", "A", "")],
    "aws secret access key": [("aws_secret_access_key", " ", ""), ("", "aws_secret_access_key=", "")],
    "aws session token": [("", "aws_session_token:", ""), ("aws_session_token=", " ", "")],
    "google api key": [("", "AIza", ""), ("AIza", "a", "")],
    "password in url": [
        ("", "A", ""),
        ("", "eyJ-", ""),
        ("a://", "b", ""),
        ("a://x:", "y:", ""),
        ("", "1a", ""),
        ("", "a://x:a://", ""),
    ],
    "secret key=value": [("", "password:", ""), ("token", " ", ""), ("", "token = ", "")],
}


def worst_text(before: str, piece: str, after: str) -> str:
    return before + piece * (MB // len(piece)) + after
