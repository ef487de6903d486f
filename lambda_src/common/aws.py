"""boto3 clients, created once per process and per endpoint.

boto3 reads `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>` itself, so the same code talks to AWS and
to the emulator (see harness.emulator.Emulator.shell_env). The cache key includes those variables and the
access key, so a test that points the process at another endpoint or account gets a new client.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import boto3
from botocore.config import Config

_CONFIG = Config(retries={"max_attempts": 4, "mode": "standard"}, connect_timeout=5, read_timeout=30)
_clients: dict[tuple[str, ...], Any] = {}
_lock = threading.Lock()


def _key(service: str) -> tuple[str, ...]:
    env_name = "AWS_ENDPOINT_URL_" + service.upper().replace("-", "_")
    return (
        service,
        os.environ.get(env_name, ""),
        os.environ.get("AWS_ENDPOINT_URL", ""),
        os.environ.get("AWS_ACCESS_KEY_ID", ""),
        os.environ.get("AWS_REGION", os.environ.get("AWS_DEFAULT_REGION", "")),
    )


def client(service: str) -> Any:
    """A boto3 client for `service`, reused while the endpoint, account and region stay the same."""
    key = _key(service)
    with _lock:
        if key not in _clients:
            # a session of its own: boto3's default session keeps the first credentials it resolved, so a
            # client made after AWS_ACCESS_KEY_ID changed would still sign for the previous account
            _clients[key] = boto3.session.Session().client(service, config=_CONFIG)
        return _clients[key]


def reset() -> None:
    """Forget the cached clients (tests)."""
    with _lock:
        _clients.clear()


def error_code(exc: BaseException) -> str:
    """The AWS error code of a botocore ClientError, or the exception class name."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", type(exc).__name__))
    return type(exc).__name__
