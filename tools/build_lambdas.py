"""Build the Lambda zips: build/lambda/<name>.zip for every package of lambda_src/ with a handler.py.

    python -m tools.build_lambdas            # all of them, into build/lambda/
    python -m tools.build_lambdas --out DIR remediation

Each zip holds `lambda_src/__init__.py`, `lambda_src/common/`, `lambda_src/<name>/` (handler
`lambda_src.<name>.handler.lambda_handler`) and the run-time dependencies the Lambda Python runtime lacks
(aws-lambda-powertools, aws-xray-sdk for the Tracer, wrapt, typing-extensions), copied from the installed
distributions, pure Python only (compiled extensions are left out: wrapt falls back to Python), so a zip
does not depend on the machine that built it. boto3 comes with the runtime.

The zips are deterministic (sorted entries, fixed timestamps and permissions, no __pycache__), so the same
sources give the same bytes and `source_code_hash` (filebase64sha256) stays put: re-plans stay empty.
A manifest (build/lambda/manifest.json) lists each zip's base64 SHA-256, the value Terraform computes.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import os
import sys
import zipfile
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "lambda_src"
OUT = ROOT / "build" / "lambda"
DEPENDENCIES = ("aws-lambda-powertools", "aws-xray-sdk", "wrapt", "typing-extensions")
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
SKIP_SUFFIXES = (".pyc", ".pyo", ".so", ".pyd", ".dylib")
SKIP_PARTS = {"__pycache__", "tests", ".pytest_cache"}


def functions() -> list[str]:
    return sorted(p.parent.name for p in SRC.glob("*/handler.py"))


def _source_files(name: str) -> dict[str, bytes]:
    files: dict[str, bytes] = {"lambda_src/__init__.py": (SRC / "__init__.py").read_bytes()}
    for package in ("common", name):
        for path in sorted((SRC / package).rglob("*")):
            rel = path.relative_to(ROOT)
            if path.is_file() and not SKIP_PARTS & set(rel.parts) and not path.name.endswith(SKIP_SUFFIXES):
                files[rel.as_posix()] = path.read_bytes()
    return files


def _dependency_files() -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for dist_name in DEPENDENCIES:
        dist = metadata.distribution(dist_name)
        for entry in dist.files or []:
            rel = Path(str(entry))
            if rel.parts[0].endswith(".dist-info") or rel.parts[0] == ".." or SKIP_PARTS & set(rel.parts):
                if not (rel.parts[0].endswith(".dist-info") and rel.name in ("METADATA", "LICENSE", "NOTICE")):
                    continue
            if rel.name.endswith(SKIP_SUFFIXES) or rel.name == "RECORD":
                continue
            path = Path(dist.locate_file(entry))
            if path.is_file():
                files[rel.as_posix()] = path.read_bytes()
    return files


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # unix, whatever the build machine
            zf.writestr(info, files[name], compresslevel=9)
    return buf.getvalue()


def base64sha256(data: bytes) -> str:
    """What Terraform's filebase64sha256() returns for these bytes."""
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def build(names: list[str] | None = None, out: Path = OUT, with_dependencies: bool = True) -> dict[str, dict]:
    """Write the zips (only when their bytes changed) and the manifest; return the manifest."""
    out.mkdir(parents=True, exist_ok=True)
    deps = _dependency_files() if with_dependencies else {}
    manifest = {}
    for name in names or functions():
        if not (SRC / name / "handler.py").is_file():
            raise SystemExit(f"lambda_src/{name}/handler.py does not exist (have: {', '.join(functions())})")
        data = zip_bytes({**deps, **_source_files(name)})
        target = out / f"{name}.zip"
        if not target.exists() or target.read_bytes() != data:
            _write_atomically(target, data)
        manifest[name] = {
            "zip": str(target.relative_to(ROOT) if target.is_relative_to(ROOT) else target),
            "source_code_hash": base64sha256(data),
            "bytes": len(data),
            "handler": f"lambda_src.{name}.handler.lambda_handler",
            "runtime": f"python{sys.version_info.major}.{sys.version_info.minor}",
        }
    _write_atomically(out / "manifest.json", (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode())
    return manifest


def _write_atomically(target: Path, data: bytes) -> None:
    """Parallel builds (pytest-xdist workers) and readers never see a half-written file."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}")
    tmp.write_bytes(data)
    tmp.replace(target)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.build_lambdas", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("names", nargs="*", help=f"functions to build (default: {', '.join(functions())})")
    parser.add_argument("--out", type=Path, default=OUT, help="output folder (default: build/lambda)")
    parser.add_argument(
        "--code-only", action="store_true", help="leave the dependencies out (use the Powertools Lambda layer instead)"
    )
    args = parser.parse_args(argv)
    for name, info in build(args.names or None, args.out.resolve(), not args.code_only).items():
        print(f"{info['zip']}  {info['bytes']:>9,} bytes  {info['source_code_hash']}  ({name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
