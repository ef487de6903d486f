"""tools/build_glue_package.py: the Glue job package is deterministic and holds glue_jobs + structlog only."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import zipfile
from importlib.metadata import version

import pytest

from tools import build_glue_package as pkg
from tools.build_lambdas import FIXED_TIME

pytestmark = pytest.mark.python


@pytest.fixture
def src(tmp_path):
    """A copy of glue_jobs/ to change without touching the checkout."""
    copy = tmp_path / "src" / "glue_jobs"
    shutil.copytree(pkg.SRC, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def _zip(out) -> bytes:
    return (out / pkg.PACKAGE).read_bytes()


def test_the_same_sources_give_the_same_bytes(tmp_path, src):
    first = pkg.build(tmp_path / "a", src)
    for path in src.rglob("*.py"):  # new mtimes, a build elsewhere, a __pycache__: nothing of it in the zip
        os.utime(path, (1_900_000_000, 1_900_000_000))
    (src / "__pycache__").mkdir(exist_ok=True)
    (src / "__pycache__" / "config.cpython-311.pyc").write_bytes(b"\0compiled")
    (src / "stray.pyc").write_bytes(b"\0compiled")
    second = pkg.build(tmp_path / "b", src)
    assert _zip(tmp_path / "a") == _zip(tmp_path / "b")
    assert first[pkg.PACKAGE]["md5"] == second[pkg.PACKAGE]["md5"]


def test_a_changed_source_changes_the_package(tmp_path, src):
    before = pkg.build(tmp_path / "a", src)[pkg.PACKAGE]["md5"]
    with (src / "config.py").open("a") as f:
        f.write("\n# changed\n")
    assert pkg.build(tmp_path / "b", src)[pkg.PACKAGE]["md5"] != before


def test_the_manifest_holds_the_hashes_terraform_computes(tmp_path, src):
    manifest = pkg.build(tmp_path, src)
    assert json.loads((tmp_path / "manifest.json").read_text()) == manifest
    data = _zip(tmp_path)
    info = manifest[pkg.PACKAGE]
    assert info["md5"] == hashlib.md5(data, usedforsecurity=False).hexdigest()  # filemd5(): the object's source_hash
    assert info["base64sha256"] == base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert info["bytes"] == len(data) and info["python"] == "3.11"
    assert set(info["dependencies"]) == {"structlog"}


def test_the_package_holds_the_framework_and_structlog_and_no_bytecode(tmp_path, src):
    pkg.build(tmp_path, src)
    with zipfile.ZipFile(io.BytesIO(_zip(tmp_path))) as zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        assert names == sorted(names)
        assert {"glue_jobs/__init__.py", "glue_jobs/config.py", "glue_jobs/examples/customer_import.py"} <= set(names)
        assert "structlog/__init__.py" in names and "structlog/processors.py" in names
        assert any(n.startswith("structlog-") and "licenses/" in n for n in names)  # the licence ships with it
        dist_info = f"structlog-{version('structlog')}.dist-info"
        assert {n.split("/")[0] for n in names} == {"glue_jobs", "structlog", dist_info}
        assert not [n for n in names if "__pycache__" in n or n.endswith((".pyc", ".pyo", ".so"))]
        assert {i.date_time for i in infos} == {FIXED_TIME}
        assert {i.external_attr >> 16 for i in infos} == {0o644}
        for name in names:  # Glue 5.0 runs Python 3.11: every module of the zip compiles there
            if name.endswith(".py"):
                compile(zf.read(name), name, "exec")


def test_the_checkout_builds(tmp_path):
    manifest = pkg.build(tmp_path)
    assert manifest[pkg.PACKAGE]["entries"] > 10
