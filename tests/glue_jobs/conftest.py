"""Fixtures of the job-framework tests: the emulator and per-test AWS resources (the SparkSession and the
emulator are the suite's session fixtures `spark` and `emulator`, tests/conftest.py)."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from gluejobs_support import AS_OF, SAMPLE_BAD_EVERY, SAMPLE_ROWS, Aws, Run


@pytest.fixture(scope="session")
def aws_emulator(emulator):
    return emulator  # the suite's one (tests/conftest.py): LocalStack + moto, with its own TMPDIR


@pytest.fixture(scope="session")
def aws(aws_emulator) -> Aws:
    return Aws(aws_emulator)


@pytest.fixture
def run_job(spark) -> Callable[..., Run]:
    """Run a job class with Glue-style arguments on the shared session, capturing its log lines."""

    def run(
        job_cls: type,
        argv: list[str],
        *,
        clients: Callable[[str], Any] | None = None,
        expect_failure: bool = False,
        **kwargs: Any,
    ) -> Run:
        stream = io.StringIO()
        job = job_cls.from_args(argv, spark=spark, clients=clients, log_stream=stream, **kwargs)
        error = None
        try:
            result = job.run()
        except Exception as exc:  # noqa: BLE001
            if not expect_failure:
                raise AssertionError(f"the job failed:\n{stream.getvalue()[-4000:]}") from exc
            error = exc
            result = job.result
        else:
            assert not expect_failure, "the job was expected to fail"
        return Run(job, result, stream.getvalue(), error)

    return run


@pytest.fixture(scope="session")
def sample_input(spark, tmp_path_factory) -> Iterator[str]:
    """200 raw customer rows, one bad row of each kind per 20 (60 bad rows), written once."""
    from glue_jobs.examples import sample_data

    path = str(tmp_path_factory.mktemp("raw") / "customers")
    sample_data.write_sample(spark, path, SAMPLE_ROWS, bad_every=SAMPLE_BAD_EVERY, as_of=AS_OF)
    yield path
