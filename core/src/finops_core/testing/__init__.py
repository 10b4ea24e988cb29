"""Reusable test suites for provider implementations (import only from tests; needs pytest)."""
