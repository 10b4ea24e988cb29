"""``finops-<cloud>`` over the test emulators: ``python cloud_server.py CLOUD [--transport http --port N]``.

The console scripts' own entry point (``run_cloud_server``: settings from the environment, the real adapter, the
server factory, stdio or streamable HTTP), with the two things a test has to give it: credentials the emulators
take (offline, Azure's and Google's default credential chains would ask their identity endpoints on the network)
and the emulators' "today". From the environment: ``EMULATED_CLOUD_SECTION`` (the cloud's settings section as JSON),
``EMULATED_CLOUD_TODAY`` (YYYY-MM-DD) and, for Azure, ``EMULATED_CLOUD_AZURE_TOKEN``. AWS uses its real credential
chain (the environment's keys).

Run as a script (a stdio command or an HTTP server process): it imports nothing from the tests package.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import date
from typing import Any


class StaticToken:
    """An Azure ``TokenCredential`` with the emulator's token."""

    def __init__(self, token: str) -> None:
        self.token = token

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken

        return AccessToken(self.token, int(time.time()) + 3600)

    def get_token_info(self, *scopes: str, options: Any = None) -> Any:
        from azure.core.credentials import AccessTokenInfo

        return AccessTokenInfo(self.token, int(time.time()) + 3600)


def main() -> int:
    from finops_core.serve import run_cloud_server
    from finops_core.settings import Settings

    cloud, *argv = sys.argv[1:]
    section = json.loads(os.environ["EMULATED_CLOUD_SECTION"])
    day = date.fromisoformat(os.environ["EMULATED_CLOUD_TODAY"])

    def today() -> date:
        return day

    def provider(settings: Settings) -> Any:
        settings = settings.model_copy(update={"clouds": {**settings.clouds, cloud: section}})
        if cloud == "aws":
            from finops_aws.provider import create_provider as aws

            return aws(settings, today=today)
        if cloud == "azure":
            from finops_azure.provider import create_provider as azure

            token = os.environ["EMULATED_CLOUD_AZURE_TOKEN"]
            return azure(settings, credential_factory=lambda: StaticToken(token), today=today)
        from finops_gcp.provider import create_provider as gcp
        from google.auth.credentials import AnonymousCredentials

        return gcp(settings, credentials_factory=AnonymousCredentials, today=today)

    return run_cloud_server(cloud, argv, real_provider=provider)


if __name__ == "__main__":
    sys.exit(main())
