"""The Lambda zips (tools/build_lambdas.py): deterministic, complete, and importable with nothing but what
the Lambda Python runtime provides (boto3 and its dependencies).

Unproven here: the zip running in the real Lambda runtime (the emulator cannot run it without Docker);
the import test below comes closest: the zip unpacked as Lambda unpacks it (/var/task), a Python without
site-packages, and only the runtime's own libraries (boto3, botocore, jmespath, s3transfer, dateutil, six,
urllib3) beside it. The weekly report also draws its charts there, with the zip's matplotlib and numpy."""

from __future__ import annotations

import importlib.util
import platform
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tools.build_lambdas import BINARY_DEPENDENCIES, CATALOG, CATALOG_IN_ZIP, PLATFORMS, base64sha256, build, functions

pytestmark = pytest.mark.python
RUNTIME_LIBS = ("boto3", "botocore", "jmespath", "s3transfer", "dateutil", "six", "urllib3")
AMAZON_LINUX_2_GLIBC = 26  # the python3.11 runtime's glibc is 2.26
MB = 1024 * 1024


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("lambda")
    return out, build(out=out)


def test_every_handler_is_built(built):
    _, manifest = built
    assert set(manifest) == set(functions()) == {"remediation", "weekly_report", "health_check"}


def test_zips_are_deterministic(built, tmp_path):
    out, first = built
    again = build(out=tmp_path)
    for name, info in first.items():
        assert (out / f"{name}.zip").read_bytes() == (tmp_path / f"{name}.zip").read_bytes()
        assert info["source_code_hash"] == again[name]["source_code_hash"]
        assert info["source_code_hash"] == base64sha256((out / f"{name}.zip").read_bytes())


def test_zip_holds_its_own_code_and_the_dependencies_only(built):
    out, _ = built
    for name in functions():
        with zipfile.ZipFile(out / f"{name}.zip") as zf:
            names = zf.namelist()
            infos = zf.infolist()
        assert f"lambda_src/{name}/handler.py" in names and "lambda_src/common/aws.py" in names
        with zipfile.ZipFile(out / f"{name}.zip") as zf:  # the signal catalog of modules/job_monitoring, as is
            assert zf.read(CATALOG_IN_ZIP) == CATALOG.read_bytes()
        assert not [
            n for n in names if n.startswith("lambda_src/") and n.split("/")[1] not in ("__init__.py", "common", name)
        ], "another function's code is in the zip"
        assert any(n.startswith("aws_lambda_powertools/") for n in names)
        assert any(n.startswith("aws_xray_sdk/") for n in names)
        assert not [n for n in names if "__pycache__" in n or n.endswith((".pyc", ".pyo"))]
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
        assert names == sorted(names)
        compiled = [n for n in names if re.search(r"\.so(\.|$)", n)]
        if name not in BINARY_DEPENDENCIES:  # pure Python: the zip does not depend on the machine that built it
            assert not compiled, compiled
        else:  # only the declared wheels bring compiled code, none of it from this machine's site-packages
            assert compiled and not [n for n in compiled if n.startswith(("wrapt/", "aws_", "lambda_src/"))]


def test_weekly_report_zip_carries_matplotlib_built_for_the_lambda_runtime(built):
    out, manifest = built
    info = manifest["weekly_report"]
    deps = BINARY_DEPENDENCIES["weekly_report"]
    assert info["runtime"] == "python3.11" and info["architecture"] == deps.architecture == "x86_64"
    assert [w.split("-")[:2] for w in info["wheels"]] == [p.replace("-", "_").split("==") for p in deps.pins]
    assert all(PLATFORMS["x86_64"] in w or w.endswith("-none-any.whl") for w in info["wheels"]), info["wheels"]
    with zipfile.ZipFile(out / "weekly_report.zip") as zf:
        names = set(zf.namelist())
        glibc = {
            n: max([int(m) for m in re.findall(rb"GLIBC_2\.(\d+)", zf.read(n))] or [0])
            for n in names
            if re.search(r"\.so(\.|$)", n)
        }
    for module in ("matplotlib/__init__.py", "numpy/__init__.py", "PIL/Image.py", "kiwisolver/__init__.py"):
        assert module in names
    assert "matplotlib/backends/_backend_agg.cpython-311-x86_64-linux-gnu.so" in names
    assert any(n.startswith("numpy/_core/_multiarray_umath.cpython-311-x86_64") for n in names)
    assert any(n.startswith("numpy.libs/libscipy_openblas") for n in names)  # what numpy links at run time
    assert "matplotlib/mpl-data/fonts/ttf/DejaVuSans.ttf" in names and "matplotlib/mpl-data/matplotlibrc" in names
    # what was left out: tests, stubs, headers, sample data, AVIF, Tk, fontTools' optional speed-ups
    from_wheels = [n for n in names if n.startswith(("matplotlib/", "numpy/", "PIL/", "fontTools/", "contourpy/"))]
    assert not [n for n in from_wheels if "/tests/" in n or n.endswith((".pyi", ".pxd", ".c", ".h"))]
    left_out = ("PIL/_avif.", "pillow.libs/libavif", "PIL/_imagingtk.", "matplotlib/backends/_tkagg.")
    assert not [n for n in names if "sample_data" in n or n.startswith(left_out)]
    assert not [n for n in names if n.startswith("fontTools/") and n.endswith(".so")]
    # every binary loads on Amazon Linux 2: none asks for a newer glibc than 2.26
    assert max(glibc.values()) <= AMAZON_LINUX_2_GLIBC, sorted(glibc.items(), key=lambda kv: -kv[1])[:3]
    # well under Lambda's direct-upload limits (50 MB zipped, 250 MB unzipped)
    assert info["bytes"] < 40 * MB and info["unzipped_bytes"] < 150 * MB, (info["bytes"], info["unzipped_bytes"])


CHARTS = """
from datetime import UTC, datetime
from lambda_src.weekly_report import render
from lambda_src.weekly_report.report import JobStats, Report
import matplotlib, numpy, os, tempfile
report = Report("dev", datetime(2026, 11, 30, tzinfo=UTC), datetime(2026, 12, 7, tzinfo=UTC), 0.44)
report.jobs = [JobStats("orders", runs=2, succeeded=1, failed=1, success_rate=50.0, cost=0.5)]
report.daily = [{"date": "2026-12-01", "succeeded": 1, "failed": 1}]
report.totals = {"runs": 2, "succeeded": 1, "failed": 1, "success_rate": 50.0, "records_processed": 0,
                 "dpu_hours": 1.1, "cost": 0.5}
html = render.html(report)
assert html.count("<svg") == 4 and html.count("Matplotlib v" + matplotlib.__version__) == 4, html[:500]
assert matplotlib.__file__.startswith(sys.argv[1]) and numpy.__file__.startswith(sys.argv[1])
assert matplotlib.get_backend().lower() == "agg"
assert os.environ["MPLCONFIGDIR"] == os.path.join(tempfile.gettempdir(), "matplotlib")
assert os.listdir(os.environ["MPLCONFIGDIR"]), "matplotlib wrote nothing to its config folder"
print("charts")
"""


@pytest.mark.parametrize("name", ["remediation", "weekly_report", "health_check"])
def test_handler_imports_from_the_unpacked_zip_with_the_runtime_libraries_only(built, name, tmp_path):
    out, _ = built
    task = tmp_path / "task"  # Lambda unpacks the zip into /var/task (compiled modules cannot load from a zip)
    with zipfile.ZipFile(out / f"{name}.zip") as zf:
        zf.extractall(task)
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    for lib in RUNTIME_LIBS:
        spec = importlib.util.find_spec(lib)
        origin = Path(spec.origin)
        src = origin.parent if origin.name == "__init__.py" else origin
        (runtime / src.name).symlink_to(src)
    lambda_tmp = tmp_path / "tmp"  # Lambda's /tmp: the only writable folder; no HOME, no MPLCONFIGDIR
    lambda_tmp.mkdir()
    code = (
        "import sys; sys.path[:0] = [sys.argv[1], sys.argv[2]]\n"
        f"import lambda_src.{name}.handler as h, aws_lambda_powertools as p\n"
        "assert h.__file__.startswith(sys.argv[1]) and p.__file__.startswith(sys.argv[1]), (h.__file__, p.__file__)\n"
        "assert callable(h.lambda_handler)\n"
        "from lambda_src.common import alarms  # the signal names come from the catalog the zip carries\n"
        "assert 'job-failure' in alarms.known_signals() and alarms.CATALOG_PATHS[0].is_file(); print('ok')\n"
    )
    draws = name in BINARY_DEPENDENCIES and platform.machine() == "x86_64"  # the wheels are for x86_64
    proc = subprocess.run(
        [sys.executable, "-S", "-c", code + (CHARTS if draws else ""), str(task), str(runtime)],
        capture_output=True,
        text=True,
        timeout=120,
        env={"POWERTOOLS_METRICS_NAMESPACE": "test", "AWS_DEFAULT_REGION": "us-east-1", "TMPDIR": str(lambda_tmp)},
    )
    assert proc.returncode == 0 and proc.stdout.split() == (["ok", "charts"] if draws else ["ok"]), proc.stderr[-3000:]
