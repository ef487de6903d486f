"""Build the job framework's package for AWS Glue: build/glue/glue_jobs.zip and build/glue/manifest.json.

    python -m tools.build_glue_package            # into build/glue/
    python -m tools.build_glue_package --out DIR

A Glue job runs a script that imports `glue_jobs`; Glue puts the zip given in `--extra-py-files` on the
Python path (modules/glue_job uploads it and sets that argument). The zip holds `glue_jobs/` (the framework and
its examples) and the run-time dependency Glue 5.0 lacks: structlog, pure Python, copied from the installed
distribution (the version pinned in pyproject.toml), with its METADATA and licence files. pyspark and boto3 come
with Glue.

The zip is deterministic (sorted entries, fixed timestamps and permissions, no __pycache__ or .pyc), so the
same sources give the same bytes: the S3 object's `source_hash` (filemd5) stays put and re-plans stay empty.
The manifest lists its MD5 (what filemd5() returns), base64 SHA-256, size, the Python that built it and the
dependency versions.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from importlib import metadata
from pathlib import Path

from tools.build_lambdas import _write_atomically, base64sha256, zip_bytes  # one zip format for every build

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "glue_jobs"
OUT = ROOT / "build" / "glue"
PACKAGE = "glue_jobs.zip"
DEPENDENCIES = ("structlog",)  # pure Python; Glue 5.0 has pyspark and boto3 but not structlog
LEFT_OUT_DIRS = {"__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache"}
LEFT_OUT_SUFFIXES = (".pyc", ".pyo", ".so", ".pyd", ".dylib")


def _kept(rel: Path) -> bool:
    return (
        not (LEFT_OUT_DIRS & set(rel.parts))
        and not rel.name.startswith(".")
        and not rel.name.endswith(LEFT_OUT_SUFFIXES)
    )


def framework_files(src: Path = SRC) -> dict[str, bytes]:
    """Every file of the framework folder, by its path in the zip (glue_jobs/...)."""
    return {
        path.relative_to(src.parent).as_posix(): path.read_bytes()
        for path in sorted(src.rglob("*"))
        if path.is_file() and _kept(path.relative_to(src.parent))
    }


def dependency_files(names: tuple[str, ...] = DEPENDENCIES) -> dict[str, bytes]:
    """The installed distributions' modules, plus METADATA and licences from their .dist-info."""
    files: dict[str, bytes] = {}
    for name in names:
        dist = metadata.distribution(name)
        for entry in dist.files or []:
            rel = Path(str(entry))
            if rel.parts[0] == ".." or not _kept(rel):
                continue
            if rel.parts[0].endswith(".dist-info") and not (rel.name == "METADATA" or "licenses" in rel.parts):
                continue
            path = Path(dist.locate_file(entry))
            if path.is_file():
                files[rel.as_posix()] = path.read_bytes()
    return files


def build(out: Path = OUT, src: Path = SRC) -> dict:
    """Write the zip (only when its bytes changed) and the manifest; return the manifest."""
    out.mkdir(parents=True, exist_ok=True)
    files = {**dependency_files(), **framework_files(src)}
    data = zip_bytes(files)
    target = out / PACKAGE
    if not target.exists() or target.read_bytes() != data:
        _write_atomically(target, data)
    manifest = {
        PACKAGE: {
            "zip": str(target.relative_to(ROOT) if target.is_relative_to(ROOT) else target),
            "md5": hashlib.md5(data, usedforsecurity=False).hexdigest(),
            "base64sha256": base64sha256(data),
            "bytes": len(data),
            "entries": len(files),
            "python": f"{sys.version_info.major}.{sys.version_info.minor}",
            "dependencies": {name: metadata.version(name) for name in DEPENDENCIES},
        }
    }
    _write_atomically(out / "manifest.json", (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode())
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.build_glue_package",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--out", type=Path, default=OUT, help="output folder (default: build/glue)")
    args = parser.parse_args(argv)
    for name, info in build(args.out.resolve()).items():
        print(f"{info['zip']}  {info['bytes']:>9,} bytes  md5 {info['md5']}  ({name}, {info['entries']} entries)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
