"""Where the harness keeps things: the checkout, the per-machine cache, the per-checkout emulator state."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(
    os.environ.get("GLUEMON_CACHE")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "glue-etl-monitoring"
)
# `make emulator-up` saves its endpoints here for other shells and for `make plan/apply/destroy`.
EMULATOR_DIR = ROOT / ".emulator"

REGION = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
