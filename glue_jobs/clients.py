"""boto3 clients for a run, made once per service and shared by the driver and the I/O threads."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

ClientFactory = Callable[[str], Any]
"""``service name -> boto3 client`` (tests pass the emulator's)."""


def default_clients(region: str | None) -> ClientFactory:
    """boto3 clients with short timeouts and standard retries. Endpoints come from boto3's own
    ``AWS_ENDPOINT_URL`` / ``AWS_ENDPOINT_URL_<SERVICE>`` variables (an emulator locally, AWS otherwise)."""
    cache: dict[str, Any] = {}
    lock = threading.Lock()  # clients are made from the I/O threads too

    def get(service: str) -> Any:
        with lock:
            if service not in cache:
                import boto3
                from botocore.config import Config

                cache[service] = boto3.session.Session().client(
                    service,
                    region_name=region,
                    config=Config(
                        retries={"mode": "standard", "max_attempts": 3},
                        connect_timeout=5,
                        read_timeout=20,
                        max_pool_connections=16,
                    ),
                )
            return cache[service]

    return get
