"""``ExampleFake``: AWS's own examples (botocore's ``examples-1.json``) served over HTTP in each service's protocol.

botocore ships, for some operations, an example answer written by the service team. This fake answers a real boto3
client with such an example, serialized by moto's response serializer (the same code that writes moto's own
answers) in the protocol the service speaks: AWS JSON (Pricing, Organizations), the EC2 query protocol, or query
XML (STS, Elastic Load Balancing). A test then runs our adapter over it, so what AWS documents is what the adapter
reads:

    with ExampleFake() as examples:
        examples.serve("ec2", "DescribeVolumes")         # the first example; index= picks another
        ctx = aws_context(endpoint_urls={"ec2": examples.url})

A request is routed by the service in its SigV4 credential scope and the operation in ``X-Amz-Target``, the
``Action`` form field, or, for S3 (REST-XML, path-style), the method and the bucket sub-resource (``?lifecycle``).
An operation given no example answers its empty output, and a request that carries a page token (the example's
``NextToken``) gets an empty last page, so paging ends. ``bodies`` keeps what each request sent, by operation.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Mapping
from functools import cache
from http.server import BaseHTTPRequestHandler
from typing import Any, cast

import botocore.session
from moto.core.serialize import get_serializer_class
from moto.core.utils import get_service_model

from tests.fakes.aws.json_service import credential_scope
from tests.fakes.local_server import FakeHandler, LocalServer

SERVICES = ("ec2", "elbv2", "sts", "pricing", "organizations", "ce", "rds", "s3")
PAGE_TOKENS = ("NextToken", "nextToken", "Marker", "NextPageToken")
# S3 bucket operations we call: (method, sub-resource) -> operation.
S3_OPERATIONS = {
    ("GET", "location"): "GetBucketLocation",
    ("GET", "tagging"): "GetBucketTagging",
    ("GET", "lifecycle"): "GetBucketLifecycleConfiguration",
    ("GET", "versioning"): "GetBucketVersioning",
    ("PUT", "lifecycle"): "PutBucketLifecycleConfiguration",
    ("PUT", "tagging"): "PutBucketTagging",
}


@cache
def _examples(service: str) -> dict[str, list[dict[str, Any]]]:
    loader = botocore.session.get_session().get_component("data_loader")
    return cast(dict[str, list[dict[str, Any]]], loader.load_service_model(service, "examples-1")["examples"])


def example(service: str, operation: str, index: int = 0) -> dict[str, Any]:
    """The ``index``-th example of ``operation``: ``{"title", "input", "output", ...}`` as AWS wrote it."""
    found = [e for e in _examples(service).get(operation, []) if e.get("output") is not None]
    if len(found) <= index:
        raise LookupError(f"botocore has {len(found)} examples with an output for {service} {operation}")
    return found[index]


@cache
def _by_signing_name() -> dict[str, str]:
    session = botocore.session.get_session()
    return {str(session.get_service_model(s).signing_name): s for s in SERVICES}


class ExampleFake(LocalServer):
    """Answers with botocore's examples; ``calls`` lists ``(service, operation)`` as they arrive."""

    def __init__(self) -> None:
        self.outputs: dict[tuple[str, str], Mapping[str, Any]] = {}
        self.calls: list[tuple[str, str]] = []
        self.bodies: dict[str, list[str]] = {}
        self._lock = threading.Lock()

    def serve(self, service: str, operation: str, index: int = 0) -> dict[str, Any]:
        """Answer ``operation`` with its ``index``-th example; returns the example (its input, output, title)."""
        chosen = example(service, operation, index)
        self.outputs[(service, operation)] = chosen["output"]
        return chosen

    def respond(self, service: str, operation: str, request: Mapping[str, Any]) -> tuple[int, dict[str, str], str]:
        with self._lock:
            self.calls.append((service, operation))
        output = self.outputs.get((service, operation), {})
        if any(request.get(token) for token in PAGE_TOKENS):
            output = {}
        model = get_service_model(service)
        serializer = get_serializer_class(service, str(model.protocol))(model.operation_model(operation))
        answer = serializer.serialize(dict(output))
        return int(answer["status_code"]), dict(answer["headers"]), str(answer["body"])

    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(FakeHandler):
            methods = frozenset({"GET", "PUT", "POST"})

            def serve(self) -> None:
                raw = self.read_body().decode()
                scope = credential_scope(self.headers.get("Authorization", ""))
                service = _by_signing_name()[scope[3]]
                target = self.headers.get("X-Amz-Target")
                url = urllib.parse.urlsplit(self.path)
                request: dict[str, Any]
                if service == "s3":
                    keys = [k for k, _ in urllib.parse.parse_qsl(url.query, keep_blank_values=True)]
                    sub = next((k for k in keys if (self.command, k) in S3_OPERATIONS), "")
                    operation = S3_OPERATIONS[(self.command, sub)] if sub else "ListBuckets"
                    request = {}
                elif target:
                    operation, request = target.rpartition(".")[2], json.loads(raw or "{}")
                else:
                    form = dict(urllib.parse.parse_qsl(raw))
                    operation, request = form["Action"], form
                fake.bodies.setdefault(operation, []).append(raw)
                status, headers, body = fake.respond(service, operation, request)
                self.reply(status, headers.items(), body.encode())

        return Handler
