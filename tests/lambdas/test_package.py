"""The Lambda zips (tools/build_lambdas.py): deterministic, complete, and importable with nothing but what
the Lambda Python runtime provides (boto3 and its dependencies).

Unproven here: the zip running in the real Lambda runtime (the emulator cannot run it without Docker);
the import test below comes closest: a Python without site-packages, the zip first on its path, and only
the runtime's own libraries (boto3, botocore, jmespath, s3transfer, dateutil, six, urllib3) beside it."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tools.build_lambdas import base64sha256, build, functions

pytestmark = pytest.mark.python
RUNTIME_LIBS = ("boto3", "botocore", "jmespath", "s3transfer", "dateutil", "six", "urllib3")


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
        assert not [
            n for n in names if n.startswith("lambda_src/") and n.split("/")[1] not in ("__init__.py", "common", name)
        ], "another function's code is in the zip"
        assert any(n.startswith("aws_lambda_powertools/") for n in names)
        assert any(n.startswith("aws_xray_sdk/") for n in names)
        assert not [n for n in names if "__pycache__" in n or n.endswith((".pyc", ".so"))]
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}


@pytest.mark.parametrize("name", ["remediation", "weekly_report", "health_check"])
def test_handler_imports_from_the_zip_with_the_runtime_libraries_only(built, name, tmp_path):
    out, _ = built
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    for lib in RUNTIME_LIBS:
        spec = importlib.util.find_spec(lib)
        origin = Path(spec.origin)
        src = origin.parent if origin.name == "__init__.py" else origin
        (runtime / src.name).symlink_to(src)
    code = (
        "import sys; sys.path[:0] = [sys.argv[1], sys.argv[2]]\n"
        f"import lambda_src.{name}.handler as h, aws_lambda_powertools as p\n"
        "assert h.__file__.startswith(sys.argv[1]) and p.__file__.startswith(sys.argv[1]), (h.__file__, p.__file__)\n"
        "assert callable(h.lambda_handler); print('ok')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-S", "-c", code, str(out / f"{name}.zip"), str(runtime)],
        capture_output=True,
        text=True,
        timeout=60,
        env={"POWERTOOLS_METRICS_NAMESPACE": "test", "AWS_DEFAULT_REGION": "us-east-1"},
    )
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr[-3000:]
