"""Every setting of the harness, read from the environment in this one place.

    GLUEMON_CACHE         the per-machine cache (virtualenvs, plans, verdicts)   ~/.cache/glue-etl-monitoring
    GLUEMON_EMULATOR_DIR  make emulator-up's emulator, state and process list  <checkout>/.emulator
    GLUEMON_ONLY          narrow the bundles to these modules (a,b,...)        all modules
    GLUEMON_TF_TIMEOUT    seconds a terraform command may run                  900
    TF_PROVIDER_MIRROR    the provider filesystem mirror ("" = the registry)   found on the machine
    LOCALSTACK_ENDPOINT   a LocalStack you run instead of the embedded one     embedded
    LOCALSTACK_VENV       the Python 3.13 virtualenv of the embedded LocalStack <checkout>/.venv-localstack
    AWS_REGION            the region of the emulator and of the plans          us-east-1
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(
    os.environ.get("GLUEMON_CACHE")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "glue-etl-monitoring"
)
EMULATOR_DIR = Path(os.environ.get("GLUEMON_EMULATOR_DIR") or ROOT / ".emulator")
REGION = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
TF_TIMEOUT = int(os.environ.get("GLUEMON_TF_TIMEOUT", "900"))
LOCALSTACK_ENDPOINT = (os.environ.get("LOCALSTACK_ENDPOINT") or "").rstrip("/") or None
LOCALSTACK_VENV = Path(os.environ.get("LOCALSTACK_VENV") or ROOT / ".venv-localstack")
PROVIDER_MIRROR = os.environ.get("TF_PROVIDER_MIRROR")  # None = look for one; "" = use the registry


def only_modules() -> set[str] | None:
    """GLUEMON_ONLY=notifications,log_groups narrows the bundles to those modules (for iterating on one)."""
    only = os.environ.get("GLUEMON_ONLY")
    return {m.strip() for m in only.split(",") if m.strip()} if only else None
