"""Remediation: plans, approvals, guardrails and their execution."""
