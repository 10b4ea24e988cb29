"""Proof that a person approved one exact change, for a per-cloud server run remotely.

The orchestrator asks a person to approve a whole plan. When it then applies a step through a per-cloud server
in another process (``[providers.aws] mode = "stdio" | "http"``), that server must not take the orchestrator's
word for it: each step carries a token signed with a key both sides share (``approval_key``), naming the plan,
its hash, the step, the exact action, who approved and until when, and the policy's tag guardrails for that step
(``finops_core.guardrails``). The server checks the signature, the expiry and that the action it is asked to apply
is the one signed, accepts each token once, and reads the resource's tags again just before the change, refusing
it when they are protected: a tag added after the approval stops the step even if the orchestrator missed it. A
model calling the server's tool directly cannot make such a token: it never sees the key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import threading
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from finops_core.errors import RemediationRefused
from finops_core.guardrails import TagGuardrails
from finops_core.models import RemediationAction


def canonical_json(data: Any) -> str:
    """One spelling of ``data`` as JSON (sorted keys, no spaces), so equal content hashes and signs equally."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def content_hash(data: Any) -> str:
    """The SHA-256 of ``data``'s canonical JSON, as hex."""
    return hashlib.sha256(canonical_json(data).encode()).hexdigest()


class ApprovalClaims(BaseModel):
    """What one approval token says: this person approved this action as step ``step`` of this plan."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    plan_id: str
    plan_hash: str
    step: int
    approval_id: str
    approved_by: str
    expires_at: int  # epoch seconds
    action: RemediationAction
    guardrails: TagGuardrails  # required: a token from a version that sent none is refused as not understood


def sign_approval(key: bytes, claims: ApprovalClaims) -> str:
    payload = canonical_json(claims.model_dump(mode="json")).encode()
    signature = hmac.new(key, payload, hashlib.sha256).digest()
    return f"{_b64(payload)}.{_b64(signature)}"


def verify_approval(key: bytes, token: str, action: RemediationAction, now: datetime) -> ApprovalClaims:
    """The claims of ``token`` if it is signed with ``key``, unexpired at ``now`` and approves exactly ``action``;
    otherwise ``RemediationRefused`` saying which check failed (never echoing the token)."""
    refused = "Nothing was changed: the approval sent with this change"
    try:
        payload_text, signature_text = token.split(".")
        payload, signature = _unb64(payload_text), _unb64(signature_text)
    except (ValueError, binascii.Error) as exc:
        raise RemediationRefused(f"{refused} is not an approval token.") from exc
    if not hmac.compare_digest(hmac.new(key, payload, hashlib.sha256).digest(), signature):
        raise RemediationRefused(
            f"{refused} is not signed with this server's approval_key. Approve the plan in the finops orchestrator "
            "(finops approve PLAN_ID, or when it asks); set the same approval_key on both sides."
        )
    try:
        claims = ApprovalClaims.model_validate_json(payload)
    except ValidationError as exc:
        raise RemediationRefused(f"{refused} is not one this version understands.") from exc
    if claims.expires_at <= now.timestamp():
        expired = datetime.fromtimestamp(claims.expires_at, UTC)
        raise RemediationRefused(f"{refused} expired at {expired:%Y-%m-%d %H:%M:%S} UTC; ask the person again.")
    if claims.action != action:
        raise RemediationRefused(
            f"{refused} approves a different change (step {claims.step} of plan {claims.plan_id}: "
            f"{claims.action.kind} on {claims.action.resource_id})."
        )
    return claims


class UsedApprovals:
    """The tokens this server has accepted, so each is used once (kept in memory until it expires)."""

    def __init__(self) -> None:
        self._used: dict[tuple[str, int, str], int] = {}
        self._lock = threading.Lock()

    def claim(self, claims: ApprovalClaims, now: datetime) -> None:
        key = (claims.plan_id, claims.step, claims.approval_id)
        with self._lock:
            self._used = {k: expiry for k, expiry in self._used.items() if expiry > now.timestamp()}
            if key in self._used:
                raise RemediationRefused(
                    f"Nothing was changed: the approval for step {claims.step} of plan {claims.plan_id} was already "
                    "used. Each approval applies a step once; ask the person to approve again."
                )
            self._used[key] = claims.expires_at


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
