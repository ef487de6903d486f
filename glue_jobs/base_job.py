"""The job contract: what a job declares and implements, and what it may call while it runs.

A job subclasses :class:`BaseJob`, declares its arguments and rules, and implements three methods::

    class CustomerImport(BaseJob):
        job_name = "customer_import"
        job_arguments = (Arg("input_path", required=True), Arg("output_path", required=True))
        rules = (NotNull("email"), Unique("customer_id", keep_first_by="updated_at"))
        freshness_column = "updated_at"

        def extract(self) -> DataFrame: ...
        def transform(self, df: DataFrame) -> DataFrame: ...      # may use self.step(...), self.call_api(...)
        def load(self, df: DataFrame) -> LoadResult: ...          # write with the DataFrame writer

    if __name__ == "__main__":
        sys.exit(CustomerImport.main())

``main()`` parses Glue's ``sys.argv`` and runs the job under a GlueContext inside Glue, or a local
SparkSession elsewhere. Each ``run()`` is a :class:`glue_jobs.run.JobRun`, which holds everything that
belongs to one run (logger, tracer, metrics, stages, DLQ messages, result, I/O threads) and emits the
signals of docs/metrics.md; the methods below that a job calls during a run delegate to it.
"""

from __future__ import annotations

import sys
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import IO, Any, ClassVar, Self, TypeVar

from pyspark.sql import DataFrame, SparkSession

from glue_jobs.clients import ClientFactory, default_clients
from glue_jobs.config import Arg, JobArgumentError, JobConfig, parse_job_args
from glue_jobs.logs import get_logger
from glue_jobs.quality import Rule, RuleError, RuleSet
from glue_jobs.results import JobResult, LoadResult
from glue_jobs.run import JobRun
from glue_jobs.runtime import running_in_glue
from glue_jobs.stage_tracker import Stage
from glue_jobs.tracing import trace_aws_calls

T = TypeVar("T")

__all__ = ["BaseJob", "ClientFactory", "JobResult", "LoadResult", "Stage"]


class BaseJob(ABC):
    """Subclass, set the class attributes, implement ``extract``, ``transform`` and ``load``."""

    job_name: ClassVar[str] = ""
    """Default job name; Glue's ``--JOB_NAME`` wins."""
    job_arguments: ClassVar[tuple[Arg, ...]] = ()
    """The job's own arguments (``--input_path`` ...), besides the framework's (see config.COMMON_ARGS)."""
    rules: ClassVar[tuple[Rule, ...]] = ()
    """Data-quality rules evaluated on the transform's output, before the load."""
    freshness_column: ClassVar[str | None] = None
    """Timestamp column of the loaded data: ``DataAgeHours`` = load end − its newest value."""

    def __init__(
        self,
        config: JobConfig,
        *,
        spark: SparkSession | None = None,
        clients: ClientFactory | None = None,
        log_stream: IO[str] | None = None,
    ) -> None:
        self.config = config
        self.rule_set = RuleSet(self.quality_rules())
        self._spark = spark
        self._clients = clients or default_clients(config.aws_region)
        self._log_stream = log_stream
        self._run: JobRun | None = None

    # -- to implement ---------------------------------------------------------------------------------------

    @abstractmethod
    def extract(self) -> DataFrame:
        """Read the input (lazily where possible)."""

    @abstractmethod
    def transform(self, df: DataFrame) -> DataFrame:
        """Clean and shape the data; wrap sub-steps in ``self.step(name)``."""

    @abstractmethod
    def load(self, df: DataFrame) -> LoadResult | Sequence[str]:
        """Write ``df`` (only the records that passed the rules) with the DataFrame writer."""

    # -- hooks (optional) -----------------------------------------------------------------------------------

    def quality_rules(self) -> Sequence[Rule]:
        """The rules; by default the ``rules`` class attribute (override to build them from arguments)."""
        return self.rules

    def on_start(self) -> None:  # noqa: B027 - optional hook
        """After ``job_started``, with the SparkSession ready."""

    def on_success(self, result: JobResult) -> None:  # noqa: B027 - optional hook
        """After every signal of a successful run went out."""

    def on_failure(self, error: BaseException) -> None:  # noqa: B027 - optional hook
        """After the signals of a failed run went out, before the error propagates."""

    # -- entry points ---------------------------------------------------------------------------------------

    @classmethod
    def from_args(cls, argv: Sequence[str] | None = None, **kwargs: Any) -> Self:
        """Parse Glue-style arguments; raises JobArgumentError / RuleError with every problem named."""
        declared = RuleSet(cls.rules)  # class-level rules are checked before anything else
        config = parse_job_args(
            sys.argv[1:] if argv is None else argv,
            job_args=cls.job_arguments,
            default_job_name=cls.job_name or cls.__name__,
            needs_dlq=declared.quarantines,
        )
        return cls(config, **kwargs)

    @classmethod
    def main(cls, argv: Sequence[str] | None = None, **kwargs: Any) -> int:
        """The script entry point (Glue or local). Bad arguments: message on stderr, exit status 2."""
        try:
            job = cls.from_args(argv, **kwargs)
        except (JobArgumentError, RuleError) as exc:
            if running_in_glue():
                raise  # Glue shows the exception's message as the run's ErrorMessage
            print(f"error: {exc}", file=sys.stderr)
            return 2
        job.run()  # raises on failure: Glue marks the run FAILED
        return 0

    def run(self) -> JobResult:
        """Run the job once: every signal goes out, on success and on failure (then the error propagates)."""
        self._run = JobRun(self, spark=self._spark, log_stream=self._log_stream)
        return self._run.execute()

    @property
    def result(self) -> JobResult | None:
        """The result of the latest run, also when it failed (``run()`` then raised)."""
        return self._run.result if self._run else None

    # -- what a job uses during a run ---------------------------------------------------------------------------

    @property
    def spark(self) -> SparkSession:
        return self._current_run().spark

    @property
    def glue_context(self) -> Any:
        """The GlueContext inside Glue, None elsewhere."""
        return self._run.glue_context if self._run else None

    @property
    def args(self) -> JobConfig:
        return self.config

    @property
    def log(self) -> Any:
        """The run's structured logger (the run's context is bound into every line). Driver only."""
        return get_logger()

    def client(self, service: str) -> Any:
        """A boto3 client for ``service`` (one per service, shared with the run's I/O threads); its calls are
        ``aws`` subsegments of the running job's trace."""
        return trace_aws_calls(self._clients(service), lambda: self._run.tracer if self._run else None)

    @contextmanager
    def step(self, name: str) -> Iterator[Stage]:
        """A custom step inside a phase: X-Ray subsegment, StageDurationSeconds/Throughput per ``Stage``."""
        with self._current_run().step(name) as stage:
            yield stage

    def call_api(self, name: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call an external API from the driver: ApiCalls, ApiErrors, ApiLatencyMs and a remote subsegment."""
        return self._current_run().call_api(name, fn, *args, **kwargs)

    def _current_run(self) -> JobRun:
        if self._run is None:
            raise RuntimeError("the SparkSession exists once run() has started")
        return self._run
