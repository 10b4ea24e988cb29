"""``ResourceGraphFake``: Azure Resource Graph's ``POST /providers/Microsoft.ResourceGraph/resources`` on an
``ArmFake``, over resources held as ARM JSON records (what Resource Graph returns for ``Resources``) and
subscriptions (``ResourceContainers``).

It answers the request shape of api-version 2021-03-01 (``subscriptions``, ``managementGroups``, ``query``,
``options.$top``/``$skipToken``/``resultFormat``) with ``totalRecords``, ``count``, ``resultTruncated``,
``$skipToken`` and ``data`` (object array), paging ``page_size`` rows at a time.

What it interprets of the Kusto query, and nothing more: the table (``Resources`` or ``ResourceContainers``);
``where`` clauses made of ``and``-joined ``field =~ 'value'`` and ``field in~ ('a', 'b')`` on top-level
fields (case-insensitive, as in Kusto); ``project`` of plain column names; ``order by column asc|desc``. Any
other operator or clause (``extend``, ``summarize``, ``mv-expand``, dotted paths in ``where``) is refused
with 400 ``InvalidQuery``, so a query it cannot evaluate fails loudly instead of answering wrongly.

Scopes: the records of the request's ``subscriptions``; of the subscriptions under one of its
``managementGroups``; or, with neither, of every subscription (the tenant, as the credentials see it).
Subscriptions listed in ``denied`` are those the credentials may not read, and the fake treats them as Microsoft
documents ("Permissions in Azure Resource Graph"): a request naming some of them answers 200 with the rows of the
others only, "without any indication that the result might be partial"; only a request naming none the caller can
read is refused, 403 ``AuthorizationFailed``. Every subscription that holds resources has its
``ResourceContainers`` record (as in Azure), whether or not ``add_subscription`` named it.
"""

from __future__ import annotations

import re
from typing import Any

from tests.fakes.azure.arm import ArmError, ArmFake, ArmRequest

API_VERSION = "2021-03-01"
PATH = r"/providers/Microsoft\.ResourceGraph/resources"
_EQ = re.compile(r"(\w+)\s*=~\s*'([^']*)'")
_IN = re.compile(r"(\w+)\s+in~\s*\(\s*('[^']*'(?:\s*,\s*'[^']*')*)\s*\)")
_ORDER = re.compile(r"order\s+by\s+(\w+)(?:\s+(asc|desc))?")


class ResourceGraphFake:
    def __init__(self, arm: ArmFake, page_size: int = 1000) -> None:
        self.arm = arm
        self.page_size = page_size
        self.resources: list[dict[str, Any]] = []
        self.containers: list[dict[str, Any]] = []
        self.groups: dict[str, set[str]] = {}  # subscription id (lower) -> management groups (lower)
        self.denied: set[str] = set()
        self._tokens: dict[str, tuple[str, int]] = {}  # $skipToken -> (query, offset)
        arm.route("resource-graph", "POST", PATH, self._answer)

    def add(self, *records: dict[str, Any]) -> None:
        self.resources.extend(records)

    def add_subscription(
        self, subscription_id: str, name: str = "", state: str = "Enabled", management_groups: tuple[str, ...] = ()
    ) -> None:
        self.containers.append(self._container(subscription_id, name, state, management_groups))
        self.groups[subscription_id.lower()] = {g.lower() for g in management_groups}

    @staticmethod
    def _container(
        subscription_id: str, name: str = "", state: str = "Enabled", management_groups: tuple[str, ...] = ()
    ) -> dict[str, Any]:
        return {
            "id": f"/subscriptions/{subscription_id}",
            "name": name or subscription_id,
            "type": "microsoft.resources/subscriptions",
            "subscriptionId": subscription_id,
            "tenantId": "00000000-0000-0000-0000-0000000000ff",
            "properties": {
                "state": state,
                "managementGroupAncestorsChain": [{"name": g, "displayName": g} for g in management_groups],
            },
        }

    def queries(self) -> list[dict[str, Any]]:
        """The bodies of the requests received, in order."""
        return [r.body for r in self.arm.calls("resource-graph")]

    def resource_queries(self) -> list[dict[str, Any]]:
        """The bodies of the requests that asked for resources (not which subscriptions are visible), in order."""
        return [q for q in self.queries() if not str(q.get("query", "")).startswith("ResourceContainers")]

    # -- answering ---------------------------------------------------------------------------------

    def _answer(self, request: ArmRequest) -> dict[str, Any]:
        if request.query.get("api-version") != API_VERSION:
            raise ArmError(400, "InvalidApiVersionParameter", f"api-version must be {API_VERSION}")
        body: dict[str, Any] = request.body or {}
        query = body.get("query")
        if not isinstance(query, str) or not query.strip():
            raise ArmError(400, "BadRequest", "The request has no query.")
        options: dict[str, Any] = body.get("options") or {}
        if options.get("resultFormat") not in (None, "objectArray"):
            raise ArmError(400, "BadRequest", "The fake answers only resultFormat objectArray.")
        top = int(options.get("$top") or 100)
        if not 1 <= top <= 1000:
            raise ArmError(400, "BadRequest", "$top must be between 1 and 1000.")
        subscriptions = [str(s).lower() for s in body.get("subscriptions") or []]
        groups = [str(g).lower() for g in body.get("managementGroups") or []]
        if len(subscriptions) > 1000:
            raise ArmError(400, "BadRequest", "At most 1000 subscriptions per request.")
        if subscriptions and groups:
            raise ArmError(400, "BadRequest", "Give subscriptions or managementGroups, not both.")
        readable = [s for s in subscriptions if s not in self.denied]
        if subscriptions and not readable:
            raise ArmError(
                403,
                "AuthorizationFailed",
                f"The client has no read access to any of the {len(subscriptions)} subscription(s) in the request.",
            )
        if groups:
            scope = {s for s, gs in self.groups.items() if gs & set(groups)}
        elif subscriptions:
            scope = set(readable)
        else:
            scope = set(self.groups) | {str(r.get("subscriptionId", "")).lower() for r in self.resources}
        scope -= self.denied
        rows = self._evaluate(query, scope)
        offset = 0
        token = options.get("$skipToken")
        if token:
            known = self._tokens.get(str(token))
            if known is None or known[0] != query:
                raise ArmError(400, "BadRequest", "$skipToken does not belong to this query.")
            offset = known[1]
        size = min(top, self.page_size)
        page = rows[offset : offset + size]
        answer: dict[str, Any] = {
            "totalRecords": len(rows),
            "count": len(page),
            "resultTruncated": "false",
            "data": page,
            "facets": [],
        }
        if offset + size < len(rows):
            next_token = f"token-{len(self._tokens) + 1}"
            self._tokens[next_token] = (query, offset + size)
            answer["$skipToken"] = next_token
        return answer

    def _evaluate(self, query: str, scope: set[str]) -> list[dict[str, Any]]:
        parts = [p.strip() for p in query.split("|")]
        table = parts[0].lower()
        if table == "resources":
            rows = list(self.resources)
        elif table == "resourcecontainers":
            named = {str(c.get("subscriptionId", "")).lower() for c in self.containers}
            implicit = sorted({str(r.get("subscriptionId", "")) for r in self.resources} - {""})
            rows = list(self.containers) + [self._container(s) for s in implicit if s.lower() not in named]
        else:
            raise ArmError(400, "InvalidQuery", f"The fake knows no table {parts[0]!r}.")
        rows = [r for r in rows if str(r.get("subscriptionId", "")).lower() in scope]
        for part in parts[1:]:
            if part.startswith("where "):
                for condition in re.split(r"\s+and\s+", part[len("where ") :].strip()):
                    rows = [r for r in rows if self._matches(r, condition.strip())]
            elif part.startswith("project "):
                columns = [c.strip() for c in part[len("project ") :].split(",")]
                if not all(re.fullmatch(r"\w+", c) for c in columns):
                    raise ArmError(400, "InvalidQuery", f"The fake projects only plain columns: {part!r}.")
                rows = [{c: r.get(c) for c in columns} for r in rows]
            elif (order := _ORDER.fullmatch(part)) is not None:
                column, direction = order.group(1), order.group(2) or "asc"
                rows.sort(key=lambda r: str(r.get(column) or "").lower(), reverse=direction == "desc")
            else:
                raise ArmError(400, "InvalidQuery", f"The fake cannot evaluate {part!r}.")
        return rows

    @staticmethod
    def _matches(row: dict[str, Any], condition: str) -> bool:
        if (eq := _EQ.fullmatch(condition)) is not None:
            return str(row.get(eq.group(1)) or "").lower() == eq.group(2).lower()
        if (within := _IN.fullmatch(condition)) is not None:
            values = {v.strip().strip("'").lower() for v in within.group(2).split(",")}
            return str(row.get(within.group(1)) or "").lower() in values
        raise ArmError(400, "InvalidQuery", f"The fake cannot evaluate the condition {condition!r}.")
