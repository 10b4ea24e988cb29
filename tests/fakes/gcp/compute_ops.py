"""``ComputeOps``: Compute Engine's resources and mutations on a ``GoogleFake``, with long-running operations.

In-memory instances, disks, addresses (regional and global), snapshots and machine types, served in the REST
shapes of Compute Engine v1: GET of each resource; POST ``instances/X/stop``, ``/start``, ``/setMachineType``,
``/setLabels``; POST ``disks/X/createSnapshot``, ``disks/X/setLabels``; DELETE disks, addresses, snapshots; POST
``.../setLabels`` of addresses and snapshots; GET ``machineTypes/X``. Every mutation answers an Operation in
status ``RUNNING`` and changes nothing yet: the change happens when the operation is polled to ``DONE`` (a GET
of ``.../operations/{op}`` after ``polls_to_finish`` polls, or POST ``.../operations/{op}/wait``), so a client
that does not wait sees the old state. Requests are checked as Compute Engine checks them (label fingerprints,
resources in use, an instance that must be stopped to change its machine type) and refused with its errors.
The records are built by ``compute_records``, as those of ``ComputeState`` (``compute.py``, the inventory's lists).

    ops = ComputeOps(google)
    ops.add_instance("p", "us-central1-a", "web-1", status="RUNNING", labels={"team": "web"})
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from tests.fakes.gcp import compute_records as records
from tests.fakes.gcp.compute_records import API, fingerprint
from tests.fakes.gcp.google_api import GoogleError, GoogleFake, GoogleRequest

_NAME = re.compile(r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")
_P = r"/compute/v1/projects/([^/]+)"
INSTANCE = _P + r"/zones/([^/]+)/instances/([^/]+)"
DISK = _P + r"/zones/([^/]+)/disks/([^/]+)"
ADDRESS = _P + r"/(regions/[^/]+|global)/addresses/([^/]+)"
SNAPSHOT = _P + r"/global/snapshots/([^/]+)"
K = TypeVar("K", bound=tuple[str, ...])


def _not_found(what: str) -> GoogleError:
    return GoogleError(404, "notFound", f"The resource '{what}' was not found")


def _lookup(request: GoogleRequest, pattern: str, store: dict[K, dict[str, Any]]) -> tuple[K, dict[str, Any]]:
    """The stored resource a request is about (its path may go on: ``.../instances/X/stop``), by the pattern's
    groups, or Compute Engine's 404 naming it as the path does."""
    m = re.match(pattern, request.path)
    assert m is not None
    key = cast(K, m.groups())
    if key not in store:
        raise _not_found(m[0].removeprefix("/compute/v1/"))
    return key, store[key]


def _in_use(noun: str, record: dict[str, Any]) -> GoogleError:
    return GoogleError(
        400,
        "resourceInUseByAnotherResource",
        f"The {noun} resource '{record['selfLink']}' is already being used by '{record['users'][0]}'",
    )


@dataclass
class _Operation:
    project: str
    scope: str  # "zones/Z", "regions/R" or "global"
    name: str
    operation_type: str
    target_link: str
    effect: Callable[[], object]
    status: str = "RUNNING"
    polls: int = 0
    error: tuple[int, str, str] | None = None  # (http status, reason, message) when the operation fails

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "kind": "compute#operation",
            "id": str(abs(hash(self.name)) % 10**18),
            "name": self.name,
            "operationType": self.operation_type,
            "targetLink": self.target_link,
            "status": self.status,
            "progress": 100 if self.status == "DONE" else 0,
            "selfLink": f"{API}/projects/{self.project}/{self.scope}/operations/{self.name}",
        }
        if self.scope.startswith("zones/"):
            body["zone"] = f"{API}/projects/{self.project}/{self.scope}"
        elif self.scope.startswith("regions/"):
            body["region"] = f"{API}/projects/{self.project}/{self.scope}"
        if self.status == "DONE" and self.error is not None:
            status, reason, message = self.error
            body["error"] = {"errors": [{"code": reason, "message": message}]}
            body["httpErrorStatusCode"] = status
            body["httpErrorMessage"] = "BAD REQUEST" if status == 400 else "ERROR"
        return body


@dataclass
class ComputeOps:
    """The emulated Compute Engine state of every project, served on ``google`` (routes are added on creation)."""

    google: GoogleFake
    polls_to_finish: int = 1
    snapshot_reads_to_ready: int = 0  # a new snapshot reads UPLOADING this many times before READY
    instances: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    disks: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    addresses: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)  # scope: regions/R|global
    snapshots: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    machine_types: dict[str, set[str]] = field(default_factory=dict)  # zone -> names
    operations: dict[tuple[str, str, str], _Operation] = field(default_factory=dict)
    failures: dict[str, tuple[int, str, str]] = field(default_factory=dict)  # operationType -> error
    lost_answers: int = 0  # this many mutations are made, then answered 503 (the answer lost on the way)
    by_request_id: dict[str, str] = field(default_factory=dict)  # requestId -> the operation's name
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        g = self.google
        g.route("instances.get", "GET", INSTANCE, lambda r: self._instance(r)[1])
        once = self._idempotent
        for verb in ("stop", "start", "setMachineType", "setLabels"):
            g.route(f"instances.{verb}", "POST", INSTANCE + "/" + verb, once(self._instance_verb(verb)))
        g.route("disks.get", "GET", DISK, lambda r: self._disk(r)[1])
        g.route("disks.delete", "DELETE", DISK, once(self._delete_disk))
        g.route("disks.createSnapshot", "POST", DISK + "/createSnapshot", once(self._create_snapshot))
        g.route("disks.setLabels", "POST", DISK + "/setLabels", once(self._set_disk_labels))
        g.route("addresses.get", "GET", ADDRESS, lambda r: self._address(r)[1])
        g.route("addresses.delete", "DELETE", ADDRESS, once(self._delete_address))
        g.route("addresses.setLabels", "POST", ADDRESS + "/setLabels", once(self._set_address_labels))
        g.route("snapshots.get", "GET", SNAPSHOT, self._get_snapshot)
        g.route("snapshots.delete", "DELETE", SNAPSHOT, once(self._delete_snapshot))
        g.route("snapshots.setLabels", "POST", SNAPSHOT + "/setLabels", once(self._set_snapshot_labels))
        g.route("machineTypes.get", "GET", _P + r"/zones/([^/]+)/machineTypes/([^/]+)", self._get_machine_type)
        operation = _P + r"/(zones/[^/]+|regions/[^/]+|global)/operations/([^/]+)"
        g.route("operations.get", "GET", operation, self._poll)
        g.route("operations.wait", "POST", operation + "/wait", self._wait)

    # -- building the world ------------------------------------------------------------------------------

    def add_instance(
        self,
        project: str,
        zone: str,
        name: str,
        *,
        status: str = "RUNNING",
        machine_type: str = "e2-standard-4",
        labels: dict[str, str] | None = None,
        disks: list[str] | None = None,
        local_ssd: bool = False,
        group: str | None = None,
    ) -> dict[str, Any]:
        """An instance; ``disks`` names zonal disks to attach (made if missing), ``group`` a managed group."""
        base = f"{API}/projects/{project}/zones/{zone}"
        link = f"{base}/instances/{name}"
        attached: list[dict[str, Any]] = []
        for i, disk in enumerate(disks or []):
            if (project, zone, disk) not in self.disks:
                self.add_disk(project, zone, disk)
            self.disks[(project, zone, disk)]["users"].append(link)
            attached.append({"source": f"{base}/disks/{disk}", "boot": i == 0, "type": "PERSISTENT"})
        if local_ssd:
            attached.append({"type": "SCRATCH", "interface": "NVME", "deviceName": "local-ssd-0"})
        record = records.instance(project, zone, name, machine_type, status, labels, attached)
        if group:
            created_by = f"projects/123456/zones/{zone}/instanceGroupManagers/{group}"
            record["metadata"] = {"items": [{"key": "created-by", "value": created_by}]}
        self.machine_types.setdefault(zone, set()).add(machine_type)
        return self._add(self.instances, (project, zone, name), record)

    def add_disk(
        self, project: str, zone: str, name: str, *, size_gb: int = 100, labels: dict[str, str] | None = None
    ) -> dict[str, Any]:
        record = records.disk(project, zone, name, size_gb, "pd-balanced", "READY", labels)
        return self._add(self.disks, (project, zone, name), record)

    def add_address(
        self,
        project: str,
        region: str | None,
        name: str,
        *,
        ip: str = "34.1.2.3",
        user: str | None = None,
        labels: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """A static external address, regional (``region``) or global (``region=None``); ``user`` makes it IN_USE."""
        scope = f"regions/{region}" if region else "global"
        users = [user] if user else []
        status = "IN_USE" if users else "RESERVED"
        record = records.address(project, scope, name, ip, "EXTERNAL", status, users, labels)
        return self._add(self.addresses, (project, scope, name), record)

    def add_snapshot(
        self, project: str, name: str, *, source_disk: str = "", labels: dict[str, str] | None = None
    ) -> dict[str, Any]:
        record = records.snapshot(project, name, 100, 20 * 2**30, labels)
        return self._add(self.snapshots, (project, name), {**record, "sourceDisk": source_disk})

    def _add(self, store: dict[K, dict[str, Any]], key: K, record: dict[str, Any]) -> dict[str, Any]:
        """Keep a record of ``compute_records`` under ``key``, with this fake's id and the label fingerprint
        ``setLabels`` checks."""
        store[key] = {**record, "id": str(next(self._ids)), "labelFingerprint": fingerprint(record["labels"])}
        return store[key]

    def fail_operation(self, operation_type: str, status: int, reason: str, message: str) -> None:
        """The next operation of ``operation_type`` (``stop``, ``delete``, ``createSnapshot``, ...) ends in error."""
        self.failures[operation_type] = (status, reason, message)

    # -- operations --------------------------------------------------------------------------------------

    def _idempotent(self, handler: Callable[[GoogleRequest], dict[str, Any]]) -> Callable[[GoogleRequest], Any]:
        """Compute Engine's ``requestId``: a mutation sent again with the same id answers the operation the first
        one started, and changes nothing more. ``lost_answers`` makes the change, then answers 503."""

        def handle(request: GoogleRequest) -> dict[str, Any]:
            request_id = request.query.get("requestId")
            if request_id and request_id in self.by_request_id:
                name = self.by_request_id[request_id]
                return next(op for op in self.operations.values() if op.name == name).body()
            body = handler(request)
            if request_id:
                self.by_request_id[request_id] = body["name"]
            if self.lost_answers:
                self.lost_answers -= 1
                raise GoogleError(503, "backendError", "The service is unavailable (the change was made).")
            return body

        return handle

    def _operation(self, project: str, scope: str, kind: str, target: str, effect: Callable[[], object]) -> dict:
        name = f"operation-{next(self._ids)}-{kind.lower()}"
        op = _Operation(project, scope, name, kind, target, effect, error=self.failures.pop(kind, None))
        self.operations[(project, scope, name)] = op
        return op.body()

    def _finish(self, op: _Operation) -> None:
        if op.status != "DONE":
            op.status = "DONE"
            if op.error is None:
                op.effect()

    def _find_operation(self, request: GoogleRequest, path: str) -> _Operation:
        m = re.fullmatch(_P + r"/(zones/[^/]+|regions/[^/]+|global)/operations/([^/]+?)(?:/wait)?", path)
        assert m is not None
        op = self.operations.get((m[1], m[2], m[3]))
        if op is None:
            raise _not_found(f"projects/{m[1]}/{m[2]}/operations/{m[3]}")
        return op

    def _poll(self, request: GoogleRequest) -> dict[str, Any]:
        op = self._find_operation(request, request.path)
        op.polls += 1
        if op.polls >= self.polls_to_finish:
            self._finish(op)
        return op.body()

    def _wait(self, request: GoogleRequest) -> dict[str, Any]:
        op = self._find_operation(request, request.path)
        self._finish(op)
        return op.body()

    # -- instances ---------------------------------------------------------------------------------------

    def _instance(self, request: GoogleRequest) -> tuple[tuple[str, str, str], dict[str, Any]]:
        return _lookup(request, INSTANCE, self.instances)

    def _instance_verb(self, verb: str) -> Callable[[GoogleRequest], dict[str, Any]]:
        def handle(request: GoogleRequest) -> dict[str, Any]:
            (project, zone, _), record = self._instance(request)
            effect: Callable[[], None]
            if verb == "stop":
                assert request.body is None, "stop takes no body"

                def effect() -> None:
                    record["status"] = "TERMINATED"

            elif verb == "start":
                assert request.body is None, "start takes no body"

                def effect() -> None:
                    record["status"] = "RUNNING"

            elif verb == "setMachineType":
                wanted = str((request.body or {}).get("machineType", ""))
                name = wanted.rsplit("/", 1)[-1]
                if not wanted or name not in self.machine_types.get(zone, set()):
                    raise GoogleError(400, "invalid", f"Invalid value for field 'machineType': '{wanted}'.")
                if record["status"] != "TERMINATED":
                    raise GoogleError(
                        400, "resourceNotReady", f"The resource '{record['selfLink']}' is not ready (instance running)"
                    )

                def effect() -> None:
                    record["machineType"] = f"{API}/projects/{project}/zones/{zone}/machineTypes/{name}"

            else:
                effect = self._set_labels(record, request.body)
            return self._operation(project, f"zones/{zone}", verb, record["selfLink"], effect)

        return handle

    def _set_labels(self, record: dict[str, Any], body: Any) -> Callable[[], None]:
        labels = dict((body or {}).get("labels") or {})
        if (body or {}).get("labelFingerprint") != record["labelFingerprint"]:
            raise GoogleError(
                412, "conditionNotMet", "Labels fingerprint either invalid or resource labels have changed"
            )

        def effect() -> None:
            record["labels"] = labels
            record["labelFingerprint"] = fingerprint(labels)

        return effect

    # -- disks and snapshots -----------------------------------------------------------------------------

    def _disk(self, request: GoogleRequest) -> tuple[tuple[str, str, str], dict[str, Any]]:
        return _lookup(request, DISK, self.disks)

    def _delete_disk(self, request: GoogleRequest) -> dict[str, Any]:
        key, record = self._disk(request)
        if record["users"]:
            raise _in_use("disk", record)
        return self._operation(key[0], f"zones/{key[1]}", "delete", record["selfLink"], lambda: self.disks.pop(key))

    def _set_disk_labels(self, request: GoogleRequest) -> dict[str, Any]:
        key, record = self._disk(request)
        effect = self._set_labels(record, request.body)
        return self._operation(key[0], f"zones/{key[1]}", "setLabels", record["selfLink"], effect)

    def _create_snapshot(self, request: GoogleRequest) -> dict[str, Any]:
        (project, zone, _), disk = self._disk(request)
        body = request.body or {}
        name = str(body.get("name", ""))
        if not _NAME.match(name):
            raise GoogleError(400, "invalid", f"Invalid value for field 'resource.name': '{name}'.")
        if (project, name) in self.snapshots:
            raise GoogleError(
                409, "alreadyExists", f"The resource 'projects/{project}/global/snapshots/{name}' already exists"
            )

        def effect() -> None:
            snap = self.add_snapshot(project, name, source_disk=disk["selfLink"], labels=body.get("labels") or {})
            snap["description"] = body.get("description", "")
            snap["diskSizeGb"] = disk["sizeGb"]
            if self.snapshot_reads_to_ready:
                snap["status"] = "UPLOADING"
                snap["_reads_to_ready"] = self.snapshot_reads_to_ready

        return self._operation(project, f"zones/{zone}", "createSnapshot", disk["selfLink"], effect)

    def _snapshot(self, request: GoogleRequest) -> tuple[tuple[str, str], dict[str, Any]]:
        return _lookup(request, SNAPSHOT, self.snapshots)

    def _get_snapshot(self, request: GoogleRequest) -> dict[str, Any]:
        record = self._snapshot(request)[1]
        if record.get("_reads_to_ready"):
            record["_reads_to_ready"] -= 1
            if not record["_reads_to_ready"]:
                record["status"] = "READY"
                del record["_reads_to_ready"]
        return {k: v for k, v in record.items() if not k.startswith("_")}

    def _delete_snapshot(self, request: GoogleRequest) -> dict[str, Any]:
        key, record = self._snapshot(request)
        return self._operation(key[0], "global", "delete", record["selfLink"], lambda: self.snapshots.pop(key))

    def _set_snapshot_labels(self, request: GoogleRequest) -> dict[str, Any]:
        key, record = self._snapshot(request)
        return self._operation(
            key[0], "global", "setLabels", record["selfLink"], self._set_labels(record, request.body)
        )

    # -- addresses and machine types ---------------------------------------------------------------------

    def _address(self, request: GoogleRequest) -> tuple[tuple[str, str, str], dict[str, Any]]:
        return _lookup(request, ADDRESS, self.addresses)

    def _delete_address(self, request: GoogleRequest) -> dict[str, Any]:
        key, record = self._address(request)
        if record["status"] == "IN_USE":
            raise _in_use("address", record)
        return self._operation(key[0], key[1], "delete", record["selfLink"], lambda: self.addresses.pop(key))

    def _set_address_labels(self, request: GoogleRequest) -> dict[str, Any]:
        key, record = self._address(request)
        return self._operation(key[0], key[1], "setLabels", record["selfLink"], self._set_labels(record, request.body))

    def _get_machine_type(self, request: GoogleRequest) -> dict[str, Any]:
        m = re.fullmatch(_P + r"/zones/([^/]+)/machineTypes/([^/]+)", request.path)
        assert m is not None
        if m[3] not in self.machine_types.get(m[2], set()):
            raise GoogleError(
                404, "notFound", f"The resource 'projects/{m[1]}/zones/{m[2]}/machineTypes/{m[3]}' was not found"
            )
        return {
            "kind": "compute#machineType",
            "name": m[3],
            "zone": m[2],
            "selfLink": f"{API}/projects/{m[1]}/zones/{m[2]}/machineTypes/{m[3]}",
        }
