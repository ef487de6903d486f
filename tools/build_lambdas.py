"""Build the Lambda zips: build/lambda/<name>.zip for every package of lambda_src/ with a handler.py.

    python -m tools.build_lambdas            # all of them, into build/lambda/
    python -m tools.build_lambdas --out DIR remediation

Each zip holds `lambda_src/__init__.py`, `lambda_src/common/`, `lambda_src/<name>/` (handler
`lambda_src.<name>.handler.lambda_handler`), the signal catalog of modules/job_monitoring as
`lambda_src/common/signals.json` (the signal names lambda_src/common/alarms.py knows), and the run-time
dependencies the Lambda Python runtime lacks (aws-lambda-powertools, aws-xray-sdk for the Tracer, wrapt,
typing-extensions), copied from the installed distributions, pure Python only (compiled extensions are left
out: wrapt falls back to Python), so a zip does not depend on the machine that built it. boto3 comes with the
runtime.

A function that needs compiled packages declares them in BINARY_DEPENDENCIES: an exact pinned list of wheels
for the Lambda Python 3.11 runtime and the function's architecture (x86_64 by default, or arm64), fetched with
`pip download --only-binary=:all: --platform manylinux2014_<arch> --python-version 3.11 --no-deps` into
~/.cache/glue-etl-monitoring/wheels and unpacked into that function's zip, less the files it does not need at
run time. The wheels go into the zip rather than into a layer: one artefact per function, whose
source_code_hash covers the libraries too, with nothing else to publish, version or share between accounts.
manylinux2014 (glibc 2.17) because the python3.11 runtime is Amazon Linux 2 (glibc 2.26): newer manylinux
wheels do not load there, which is why the pins can be older than the project's virtualenv (numpy, pillow).

The zips are deterministic (sorted entries, fixed timestamps and permissions, no __pycache__), so the same
sources give the same bytes and `source_code_hash` (filebase64sha256) stays put: re-plans stay empty.
A manifest (build/lambda/manifest.json) lists each zip's base64 SHA-256, the value Terraform computes.
"""

from __future__ import annotations

import argparse
import base64
import fnmatch
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "lambda_src"
# job_monitoring's signal catalog: one file that the module and the Lambdas read, bundled next to common/alarms.py
CATALOG = ROOT / "modules" / "job_monitoring" / "signals.json"
CATALOG_IN_ZIP = "lambda_src/common/signals.json"
OUT = ROOT / "build" / "lambda"
DEPENDENCIES = ("aws-lambda-powertools", "aws-xray-sdk", "wrapt", "typing-extensions")
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
SKIP_SUFFIXES = (".pyc", ".pyo", ".so", ".pyd", ".dylib")
SKIP_PARTS = {"__pycache__", "tests", ".pytest_cache"}

RUNTIME_PYTHON = "3.11"  # the functions' runtime (python3.11 on Amazon Linux 2, glibc 2.26)
PLATFORMS = {"x86_64": "manylinux2014_x86_64", "arm64": "manylinux2014_aarch64"}


def _cache_dir() -> Path:
    """The harness's cache folder (GLUEMON_CACHE, else ~/.cache/glue-etl-monitoring), found without importing
    the harness, so that building the zips needs nothing but this file and pip."""
    if os.environ.get("GLUEMON_CACHE"):
        return Path(os.environ["GLUEMON_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "glue-etl-monitoring"


WHEEL_CACHE = _cache_dir() / "wheels"
KEPT_METADATA = ("METADATA", "LICENSE", "LICENCE", "NOTICE", "COPYING", "AUTHORS")


@dataclass(frozen=True)
class BinaryDependencies:
    """Compiled packages a function needs: exact `name==version` pins (the whole closure: fetched with
    --no-deps, so nothing unpinned comes in), the function's architecture, and glob patterns (fnmatch, on the
    path inside the zip) of files the function never loads at run time."""

    pins: tuple[str, ...]
    architecture: str = "x86_64"
    leave_out: tuple[str, ...] = ()


# matplotlib 3.11.2 and everything it imports, as wheels for python3.11 on Amazon Linux 2. python-dateutil and
# six come too (botocore in the runtime has them, but the zip should not lean on the runtime's copies).
MATPLOTLIB = BinaryDependencies(
    pins=(
        "matplotlib==3.11.2",
        "numpy==2.2.6",  # the last numpy with manylinux2014 wheels (2.3 needs glibc 2.27)
        "pillow==12.1.0",  # manylinux2014 (pillow 12.3 needs glibc 2.27)
        "contourpy==1.3.2",  # manylinux2014 (1.3.3 has no such wheel for CPython 3.11)
        "kiwisolver==1.5.1",
        "fonttools==4.66.1",
        "cycler==0.12.1",
        "pyparsing==3.3.3",
        "packaging==26.4",
        "python-dateutil==2.9.0.post0",
        "six==1.17.0",
    ),
    leave_out=(
        "*.pyi",  # type stubs and Cython declarations: never imported
        "*.pxd",
        "*.pyx",
        "*.c",  # C sources of compiled modules (fontTools ships its Cython output)
        "numpy/_core/include/*",  # C headers, for building extensions
        "numpy/f2py/*",  # the Fortran wrapper generator (numpy loads it only when asked for numpy.f2py)
        "numpy/distutils/*",  # the legacy build system
        "numpy/_core/_simd.*",  # numpy's SIMD test module
        "fontTools/*.cpython-*.so",  # Cython speed-ups of modules whose .py is in the wheel too (same as
        #                              fonttools' pure-Python wheel); matplotlib only reads font tables
        "PIL/_avif.*",  # AVIF images (7.5 MB of libavif): matplotlib writes and reads PNG
        "pillow.libs/libavif*",
        "PIL/_imagingtk.*",  # Tk, and matplotlib's Tk backend: no display in Lambda
        "matplotlib/backends/_tkagg.*",
        "matplotlib/mpl-data/sample_data/*",  # example data for the gallery
    ),
)
BINARY_DEPENDENCIES: dict[str, BinaryDependencies] = {"weekly_report": MATPLOTLIB}


def functions() -> list[str]:
    return sorted(p.parent.name for p in SRC.glob("*/handler.py"))


def _source_files(name: str) -> dict[str, bytes]:
    files: dict[str, bytes] = {"lambda_src/__init__.py": (SRC / "__init__.py").read_bytes()}
    for package in ("common", name):
        for path in sorted((SRC / package).rglob("*")):
            rel = path.relative_to(ROOT)
            if path.is_file() and not SKIP_PARTS & set(rel.parts) and not path.name.endswith(SKIP_SUFFIXES):
                files[rel.as_posix()] = path.read_bytes()
    files[CATALOG_IN_ZIP] = CATALOG.read_bytes()
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


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _cached_wheel(folder: Path, pin: str) -> Path | None:
    """The wheel of `name==version` in the cache folder, if there."""
    name, version = pin.split("==")
    for wheel in sorted(folder.glob("*.whl")):
        wheel_name, wheel_version = wheel.name.split("-")[:2]
        if _normalise(wheel_name) == _normalise(name) and wheel_version == version:
            return wheel
    return None


def wheels(deps: BinaryDependencies, cache: Path = WHEEL_CACHE) -> list[Path]:
    """The pinned wheels for the runtime and the function's architecture, downloaded once into the cache."""
    unpinned = [pin for pin in deps.pins if not re.fullmatch(r"[A-Za-z0-9._-]+==[A-Za-z0-9.+!_-]+", pin)]
    if unpinned:
        raise SystemExit(f"binary dependencies must be pinned exactly (name==version): {unpinned}")
    platform = PLATFORMS[deps.architecture]
    folder = cache / f"cp{RUNTIME_PYTHON.replace('.', '')}-{platform}"
    missing = [pin for pin in deps.pins if _cached_wheel(folder, pin) is None]
    if missing:
        _download(missing, platform, folder)
    found = {pin: _cached_wheel(folder, pin) for pin in deps.pins}
    if None in found.values():
        raise SystemExit(f"pip did not download {[p for p, w in found.items() if w is None]} for {platform}")
    return [w for w in found.values() if w is not None]


def _download(pins: list[str], platform: str, folder: Path) -> None:
    """pip download into a temporary folder, then move the wheels in: parallel builds never see half a wheel."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".download-") as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
               "--only-binary=:all:", "--no-deps", "--platform", platform, "--python-version", RUNTIME_PYTHON,
               "--dest", tmp, *pins]  # fmt: skip
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
        for wheel in Path(tmp).glob("*.whl"):
            wheel.replace(folder / wheel.name)


def _in_zip(name: str) -> str | None:
    """Where a wheel entry goes in the zip, or None when it is not needed at run time (as pip would
    install it: .data/purelib and .data/platlib at the top, scripts, headers and data files not at all)."""
    parts = name.split("/")
    if parts[0].endswith(".data"):
        return "/".join(parts[2:]) if len(parts) > 2 and parts[1] in ("purelib", "platlib") else None
    if parts[0].endswith(".dist-info"):
        keep = parts[-1].startswith(KEPT_METADATA) or "licenses" in parts
        return name if keep else None
    if SKIP_PARTS & set(parts) or name.endswith(("/", ".pyc", ".pyo")):
        return None
    return name


def wheel_files(deps: BinaryDependencies, cache: Path = WHEEL_CACHE) -> dict[str, bytes]:
    """The pinned wheels unpacked as the zip should hold them, less `leave_out`."""
    files: dict[str, bytes] = {}
    for wheel in wheels(deps, cache):
        with zipfile.ZipFile(wheel) as zf:
            for info in zf.infolist():
                target = _in_zip(info.filename)
                if target and not any(fnmatch.fnmatch(target, pattern) for pattern in deps.leave_out):
                    files[target] = zf.read(info)
    return files


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # unix, whatever the build machine
            zf.writestr(info, files[name], compresslevel=6)  # 9 takes 3x as long on matplotlib's binaries for 1% less
    return buf.getvalue()


def base64sha256(data: bytes) -> str:
    """What Terraform's filebase64sha256() returns for these bytes."""
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def inputs_key(name: str, binary: BinaryDependencies | None, with_dependencies: bool) -> str:
    """What a zip is made of, cheaply: its sources, the installed dependencies' versions, the wheel pins and
    this script. A zip whose key is unchanged is not built again (compressing the plotting wheels costs
    seconds, and every `make apply` asks for the zips)."""
    h = hashlib.sha256(Path(__file__).read_bytes())
    for rel, content in sorted(_source_files(name).items()):
        h.update(rel.encode() + b"\0" + content)
    if with_dependencies:
        h.update(json.dumps([[d, metadata.version(d)] for d in DEPENDENCIES]).encode())
    h.update(repr(binary).encode())
    return h.hexdigest()


def build(names: list[str] | None = None, out: Path = OUT, with_dependencies: bool = True) -> dict[str, dict]:
    """Write the zips (only when their inputs changed) and the manifest; return the manifest."""
    out.mkdir(parents=True, exist_ok=True)
    try:
        previous = json.loads((out / "manifest.json").read_text())
    except (OSError, ValueError):
        previous = {}
    deps: dict[str, bytes] | None = None
    manifest = {}
    for name in names or functions():
        if not (SRC / name / "handler.py").is_file():
            raise SystemExit(f"lambda_src/{name}/handler.py does not exist (have: {', '.join(functions())})")
        binary = BINARY_DEPENDENCIES.get(name) if with_dependencies else None
        key = inputs_key(name, binary, with_dependencies)
        target = out / f"{name}.zip"
        if previous.get(name, {}).get("inputs") == key and target.exists():
            manifest[name] = previous[name]
            continue
        if deps is None:
            deps = _dependency_files() if with_dependencies else {}
        files = {**deps, **(wheel_files(binary) if binary else {}), **_source_files(name)}
        data = zip_bytes(files)
        target = out / f"{name}.zip"
        if not target.exists() or target.read_bytes() != data:
            _write_atomically(target, data)
        manifest[name] = {
            "zip": str(target.relative_to(ROOT) if target.is_relative_to(ROOT) else target),
            "source_code_hash": base64sha256(data),
            "bytes": len(data),
            "unzipped_bytes": sum(len(content) for content in files.values()),
            "handler": f"lambda_src.{name}.handler.lambda_handler",
            "inputs": key,
            "runtime": f"python{RUNTIME_PYTHON if binary else f'{sys.version_info.major}.{sys.version_info.minor}'}",
        }
        if binary:
            manifest[name] |= {"architecture": binary.architecture, "wheels": [w.name for w in wheels(binary)]}
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
        "--code-only",
        action="store_true",
        help="leave the dependencies out, the wheels too (use the Powertools Lambda layer instead)",
    )
    args = parser.parse_args(argv)
    for name, info in build(args.names or None, args.out.resolve(), not args.code_only).items():
        print(
            f"{info['zip']}  {info['bytes']:>11,} bytes ({info['unzipped_bytes']:,} unzipped)  "
            f"{info['source_code_hash']}  ({name})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
