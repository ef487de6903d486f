"""The instrumented job: extract → transform → (quality) → load, with every signal the modules watch.

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
SparkSession elsewhere. One run emits:

- JSON log lines: ``job_started``, ``<phase>_phase_completed``, ``job_completed_successfully`` or
  ``job_failed``, each with the run's context (job_name, job_run_id, environment, trace_id,
  correlation_id) bound once;
- metrics (docs/metrics.md), batched, flushed on success and on failure;
- an X-Ray trace (segment documents through PutTraceSegments at phase ends);
- per-stage rows from observations computed during the load's own Spark job;
- the quality report, failed records to the DLQ, schema-change detection;
- the audit trail in S3.

Spark is lazy: extract and transform normally only build a plan, and their rows are counted while the
load's write runs. Their ``*_phase_completed`` lines are therefore written right after the load, when their
row counts exist; ``processing_time_seconds`` is the time spent in the phase itself (for a lazy phase, the
planning) and ``StageThroughput`` divides the rows by the Spark time that produced them (the load's, for a
lazy phase). A phase that runs Spark jobs itself (a cache, a JDBC read) is measured on its own.
"""

from __future__ import annotations

import contextvars
import sys
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any, ClassVar, Self, TypeVar

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from glue_jobs.audit import AuditTrail, LocalStore, ObjectStore, S3Store, SchemaStore, schema_diff, schema_fields
from glue_jobs.config import Arg, JobArgumentError, JobConfig, argument_names, parse_job_args
from glue_jobs.contract import AuditEventType, AuditStatus, LogEvent, Metric, Phase, phase_completed_event
from glue_jobs.dlq import DeadLetterQueue, make_message
from glue_jobs.logs import bind_run_context, clear_run_context, configure_logging, get_logger, iso_utc
from glue_jobs.metrics import MetricsBuffer, cloudwatch_sender
from glue_jobs.quality import Dimension, Evaluation, QualityReport, Rule, RuleError, RuleSet
from glue_jobs.runtime import Runtime, build_runtime, running_in_glue
from glue_jobs.stages import ObservedStage, SparkJobCounter, StageStats, observe, row_count
from glue_jobs.tracing import Span, Tracer, xray_sender

T = TypeVar("T")
ClientFactory = Callable[[str], Any]
"""``service name -> boto3 client`` (tests pass the emulator's)."""


@dataclass(frozen=True)
class LoadResult:
    """What ``load`` returns: where the data went, and the row count if the sink knows it.

    ``records_written`` is only the fallback for sinks that bypass the DataFrame writer (the observation
    then never fires); with ``df.write`` the framework counts the rows itself.
    """

    output_paths: tuple[str, ...] = ()
    records_written: int | None = None


@dataclass
class JobResult:
    """The outcome of a run, with what it emitted (for callers, tests and the benchmark)."""

    job_name: str
    job_run_id: str
    trace_id: str
    correlation_id: str
    status: AuditStatus = AuditStatus.RUNNING
    duration_seconds: float = 0.0
    records_processed: int | None = None
    output_paths: tuple[str, ...] = ()
    quality: QualityReport | None = None
    stages: dict[str, StageStats] = field(default_factory=dict)
    schema_changed: bool | None = None
    data_age_hours: float | None = None
    dlq_sent: int = 0
    dlq_calls: int = 0
    metric_calls: int = 0
    trace_calls: int = 0
    spark_job_ids: list[int] = field(default_factory=list)
    audit_objects: list[str] = field(default_factory=list)
    error: BaseException | None = None


def default_clients(region: str | None) -> ClientFactory:
    """boto3 clients with short timeouts and standard retries (endpoints from the AWS_ENDPOINT_URL* vars)."""
    cache: dict[str, Any] = {}
    lock = threading.Lock()  # clients are made from the I/O threads too

    def get(service: str) -> Any:
        with lock:
            if service not in cache:
                import boto3
                from botocore.config import Config

                cache[service] = boto3.session.Session().client(
                    service,
                    region_name=region,
                    config=Config(
                        retries={"mode": "standard", "max_attempts": 3},
                        connect_timeout=5,
                        read_timeout=20,
                        max_pool_connections=16,
                    ),
                )
            return cache[service]

    return get


class Stage:
    """A phase or a step being measured; ``track(df)`` counts its rows during the next action."""

    def __init__(self, job: BaseJob, name: str, span: Span, counter: SparkJobCounter, is_phase: bool) -> None:
        self._job = job
        self.name = name
        self.span = span
        self.counter = counter
        self.is_phase = is_phase
        self.observed: ObservedStage | None = None
        self.extra_jobs = 0  # jobs launched by nested steps

    def track(self, df: DataFrame) -> DataFrame:
        """Return ``df`` with a row count attached, computed by whatever action later consumes it.

        In a step this is honoured only with ``--track_step_rows true``: each tracked point is one more
        observation in the plan (about 2 % CPU on a light job), so the operator chooses; an untracked step
        still reports its duration and its subsegment.
        """
        if not self.is_phase and not self._job.config.track_step_rows:
            return df
        df, self.observed = observe(df, self.name, row_count())
        return df


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
        self.runtime: Runtime | None = None
        self._stages: dict[str, StageStats] = {}
        self._observed: dict[str, ObservedStage] = {}
        self._phase_order: list[str] = []
        self._open: list[Stage] = []
        self._api = {"calls": 0, "errors": 0}
        self._failed_stage: str | None = None
        self._stage_metrics_sent = False
        self._completed: list[str] = []  # stages that ended without an error
        self._dlq_messages: list[Any] = []
        self._completion_logged = False

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

    # -- what a job uses -------------------------------------------------------------------------------------

    @property
    def spark(self) -> SparkSession:
        if self.runtime is None:
            raise RuntimeError("the SparkSession exists once run() has started")
        return self.runtime.spark

    @property
    def glue_context(self) -> Any:
        """The GlueContext inside Glue, None elsewhere."""
        return self.runtime.glue_context if self.runtime else None

    @property
    def args(self) -> JobConfig:
        return self.config

    def client(self, service: str) -> Any:
        return self._clients(service)

    @contextmanager
    def step(self, name: str) -> Iterator[Stage]:
        """A custom step inside a phase: X-Ray subsegment, StageDurationSeconds/Throughput per ``Stage``."""
        with self._stage(name, is_phase=False) as stage:
            yield stage

    def call_api(self, name: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call an external API from the driver: ApiCalls, ApiErrors, ApiLatencyMs and a remote subsegment."""
        span = self.tracer.start(name, namespace="remote", annotations={"api": name})
        self._api["calls"] += 1
        t0 = time.perf_counter()
        try:
            value = fn(*args, **kwargs)
        except BaseException as exc:
            latency = (time.perf_counter() - t0) * 1000
            self._api["errors"] += 1
            self.metrics.put(Metric.API_LATENCY_MS, latency)
            self.tracer.end(span, exc)
            self.log.warning(
                "api_call_failed",
                api=name,
                latency_ms=round(latency, 3),
                error_type=type(exc).__name__,
                error_message=str(exc)[:500],
            )
            raise
        latency = (time.perf_counter() - t0) * 1000
        self.metrics.put(Metric.API_LATENCY_MS, latency)
        self.tracer.end(span)
        return value

    # -- the run ------------------------------------------------------------------------------------------------

    def run(self) -> JobResult:
        cfg = self.config
        configure_logging(self._log_stream, cfg.log_level)
        self.log = get_logger()
        local = cfg.is_local
        self.tracer = Tracer(
            cfg.job_name,
            None if local else xray_sender(lambda: self.client("xray")),
            self.log,
            enabled=cfg.enable_tracing,
            annotations={
                "job_name": cfg.job_name,
                "job_run_id": cfg.job_run_id,
                "environment": cfg.environment,
                "correlation_id": cfg.correlation_id,
            },
        )
        bind_run_context(
            job_name=cfg.job_name,
            job_run_id=cfg.job_run_id,
            environment=cfg.environment,
            trace_id=self.tracer.trace_id,
            correlation_id=cfg.correlation_id,
        )
        self.log = get_logger()
        self.metrics = MetricsBuffer(
            cfg.job_name,
            cfg.environment,
            None if local else cloudwatch_sender(lambda: self.client("cloudwatch")),
            self.log,
        )
        self.store = self._object_store()
        self.audit = AuditTrail(self.store, cfg.job_name, cfg.job_run_id) if self.store else None
        self.result = JobResult(cfg.job_name, cfg.job_run_id, self.tracer.trace_id, cfg.correlation_id)
        self._io = ThreadPoolExecutor(max_workers=6, thread_name_prefix="glue-jobs-io")
        self._pending: list[tuple[str, Future[Any]]] = []
        self._t0 = time.monotonic()
        try:
            retry = (
                {"remediation_of": cfg.remediation_of, "remediation_attempt": cfg.remediation_attempt}
                if cfg.remediation_of
                else {}
            )
            self.tracer.root.annotations.update({k: v for k, v in retry.items() if v is not None})
            self.log.info(
                LogEvent.JOB_STARTED.value, job_arguments=argument_names(cfg), job_class=type(self).__name__, **retry
            )
            if self.audit:  # synchronous: a wrong audit bucket fails the run before any work
                self.audit.job_event(AuditEventType.JOB_STARTED, AuditStatus.RUNNING)
            else:
                self.log.warning("audit_disabled", reason="no --audit_uri (allowed in the local environment)")
            self._warm_up()
            self.runtime = build_runtime(cfg.job_name, dict(cfg.args), self._spark)
            self.on_start()
            self._run_phases()
            self._succeed()
        except BaseException as exc:
            self._fail(exc)
            raise
        finally:
            self._io.shutdown(wait=True)
            clear_run_context()
        return self.result

    # -- background I/O: the driver waits for Spark, not for AWS --------------------------------------------

    def _submit(self, what: str, fn: Callable[[], Any]) -> Future[Any]:
        """Run ``fn`` on the I/O threads, with this run's log context (contextvars are per thread)."""
        future = self._io.submit(contextvars.copy_context().run, fn)
        self._pending.append((what, future))
        return future

    def _drain(self) -> None:
        """Wait for every submitted send; a failure is logged (``signal_error``), never raised."""
        while self._pending:
            what, future = self._pending.pop(0)
            try:
                future.result()
            except Exception as exc:  # noqa: BLE001
                self.log.error("signal_error", signal=what, error_type=type(exc).__name__, error_message=str(exc)[:500])

    def _warm_up(self) -> None:
        """Create the AWS clients and read the last known schema while Spark works."""
        cfg = self.config
        services = [] if cfg.is_local else ["cloudwatch"] + (["xray"] if cfg.enable_tracing else [])
        if cfg.dlq_queue_url:
            services.append("sqs")
        for service in services:
            self._submit("client", lambda service=service: self.client(service))
        self._schema_future = self._io.submit(contextvars.copy_context().run, self._previous_schema)

    def _run_phases(self) -> None:
        with self._stage(Phase.EXTRACT.value) as stage:
            df = stage.track(_dataframe(self.extract(), "extract()"))
        with self._stage(Phase.TRANSFORM.value) as stage:
            df = _dataframe(self.transform(df), "transform()")
            if not self.rule_set.rules:
                df = stage.track(df)

        evaluation: Evaluation | None = None
        if self.rule_set.rules:
            # the rules' observation sits on the transform's output: its row count is the transform's
            evaluation = self.rule_set.evaluate(df)
            self._observed[Phase.TRANSFORM.value] = evaluation.stage
            df = evaluation.valid
        load_obs = self._load_observation(df)

        with self._stage(Phase.LOAD.value) as stage:
            df, stage.observed = load_obs
            returned = self.load(df)
        load = returned if isinstance(returned, LoadResult) else LoadResult(tuple(returned or ()))
        self.result.output_paths = tuple(load.output_paths)
        load_end = datetime.now(UTC)
        self._after_load(load, evaluation, df, load_end)

    def _load_observation(self, df: DataFrame) -> tuple[DataFrame, ObservedStage]:
        aggregates: list[Column] = [row_count()]
        if self.freshness_column:
            if self.freshness_column not in df.columns:
                raise ValueError(
                    f"freshness_column {self.freshness_column!r} is not a column of the loaded "
                    f"data; columns: {', '.join(df.columns)}"
                )
            aggregates.append(
                F.max(F.unix_micros(F.col(self.freshness_column).cast("timestamp"))).alias("newest_micros")
            )
        return observe(df, Phase.LOAD.value, *aggregates)

    # -- stages ----------------------------------------------------------------------------------------------

    @contextmanager
    def _stage(self, name: str, is_phase: bool = True) -> Iterator[Stage]:
        if name in self._stages or any(s.name == name for s in self._open):
            raise ValueError(f"stage {name!r} is used twice in one run; stage names must be unique")
        span = self.tracer.start(name, annotations={"stage": name, "phase": is_phase})
        counter = SparkJobCounter(
            self.spark.sparkContext, f"{self.config.job_run_id}:{name}", f"{self.config.job_name}: {name}"
        )
        stage = Stage(self, name, span, counter, is_phase)
        self._open.append(stage)
        t0 = time.perf_counter()
        try:
            with counter:
                yield stage
        except BaseException as exc:
            self._failed_stage = self._failed_stage or name
            self._close_stage(stage, time.perf_counter() - t0, exc, is_phase)
            raise
        self._close_stage(stage, time.perf_counter() - t0, None, is_phase)

    def _close_stage(self, stage: Stage, seconds: float, exc: BaseException | None, is_phase: bool) -> None:
        self._open.remove(stage)
        jobs = stage.counter.job_ids()
        self.result.spark_job_ids.extend(jobs)
        spark_jobs = len(jobs) + stage.extra_jobs
        if self._open:
            self._open[-1].extra_jobs += spark_jobs
        self._stages[stage.name] = StageStats(stage.name, seconds, spark_jobs=spark_jobs)
        self._phase_order.append(stage.name)
        if exc is None:
            self._completed.append(stage.name)
        if stage.observed is not None:
            self._observed[stage.name] = stage.observed
        stage.span.metadata.update({"processing_time_seconds": round(seconds, 6), "spark_jobs": spark_jobs})
        self.tracer.end(stage.span, exc)
        if is_phase:
            self.tracer.flush(self._submit)  # one batched PutTraceSegments per phase end, in the background

    # -- after the load --------------------------------------------------------------------------------------

    def _after_load(self, load: LoadResult, evaluation: Evaluation | None, out: DataFrame, load_end: datetime) -> None:
        """Read the observations, then compute every signal; the sends go to the I/O threads."""
        deadline = time.monotonic() + self.config.observation_timeout_seconds
        observed: dict[str, dict[str, Any] | None] = {
            name: obs.result(deadline) for name, obs in self._observed.items()
        }
        quality_obs = evaluation.stage.result(deadline) if evaluation else None
        missing = sorted(n for n, v in observed.items() if v is None)
        if evaluation and quality_obs is None:
            missing.append(evaluation.stage.label)
        if missing:
            self.log.warning(
                "observation_unavailable",
                stages=missing,
                timeout_seconds=self.config.observation_timeout_seconds,
                hint="the load did not go through the DataFrame writer (or failed); return "
                "LoadResult(records_written=...) to report the rows",
            )

        load_stats = self._stages[Phase.LOAD.value]
        for name in self._phase_order:
            stats = self._stages[name]
            values = observed.get(name)
            if values is not None:
                stats.records = int(values.get("rows") or 0)
            elif name == Phase.LOAD.value:
                stats.records = load.records_written
            stats.compute_seconds = load_stats.duration_seconds if stats.lazy else stats.duration_seconds
        self.result.stages = dict(self._stages)
        self.result.records_processed = load_stats.records

        self._log_completed_stages()
        self._stage_metrics(with_throughput=True)

        if load_stats.records is not None:
            self.metrics.put(Metric.RECORDS_PROCESSED, load_stats.records)
        if self.audit:
            audit, records, paths = self.audit, load_stats.records, list(load.output_paths)
            self._submit(
                "audit",
                lambda: audit.job_event(
                    AuditEventType.LOAD_COMPLETED, AuditStatus.SUCCESS, records_processed=records, output_paths=paths
                ),
            )

        if evaluation is not None and quality_obs is not None:
            self._quality(evaluation, quality_obs)

        load_values = observed.get(Phase.LOAD.value) or {}
        newest = load_values.get("newest_micros")
        if self.freshness_column and newest is not None:
            age = (load_end.timestamp() - newest / 1e6) / 3600
            self.result.data_age_hours = age
            self.metrics.put(Metric.DATA_AGE_HOURS, age)
            self.log.info(
                "data_freshness",
                freshness_column=self.freshness_column,
                newest_record=iso_utc(datetime.fromtimestamp(newest / 1e6, UTC)),
                data_age_hours=round(age, 4),
            )

        self._schema(out)

    def _log_completed_stages(self) -> None:
        """``<phase>_phase_completed`` / ``step_completed`` in stage order, once row counts exist (or the
        run failed: then the counts of lazy stages are unknown, null)."""
        if self._completion_logged:
            return
        self._completion_logged = True
        for name in self._completed:
            stats = self._stages[name]
            event = phase_completed_event(Phase(name)).value if name in _PHASES else "step_completed"
            self.log.info(
                event,
                stage=name,
                row_count=stats.records,
                processing_time_seconds=round(stats.duration_seconds, 6),
                spark_jobs=stats.spark_jobs,
                lazy=stats.lazy,
                throughput_records_per_second=_round(stats.throughput),
            )

    def _stage_metrics(self, with_throughput: bool) -> None:
        if self._stage_metrics_sent:
            return
        self._stage_metrics_sent = True
        for name in self._phase_order:
            stats = self._stages[name]
            self.metrics.put(Metric.STAGE_DURATION_SECONDS, stats.duration_seconds, stage=name)
            if with_throughput and stats.throughput is not None:
                self.metrics.put(Metric.STAGE_THROUGHPUT, stats.throughput, stage=name)

    def _quality(self, evaluation: Evaluation, observed: dict[str, Any]) -> None:
        report = evaluation.report(observed)
        self.result.quality = report
        scores = report.dimension_scores
        self.log.info(
            "data_quality_evaluated",
            data_quality_score=_round(report.score),
            **{f"{d.value}_score": _round(s) for d, s in scores.items()},
            rules_passed_ratio=_round(report.rules_passed_ratio),
            validation_pass_rate=_round(report.validation_pass_rate),
            records_checked=report.records_checked,
            records_failed=report.records_failed,
            rules=[r.as_dict() for r in report.rules],
        )
        if report.score is not None:
            self.metrics.put(Metric.DATA_QUALITY_SCORE, report.score)
        if report.validation_pass_rate is not None:
            self.metrics.put(Metric.VALIDATION_PASS_RATE, report.validation_pass_rate)
        self.metrics.put(Metric.RECORDS_FAILED_VALIDATION, report.records_failed)
        if self.audit:
            audit = self.audit
            self._submit(
                "audit",
                lambda: audit.data_quality_event(
                    quality_score=report.score,
                    completeness_score=scores[Dimension.COMPLETENESS],
                    uniqueness_score=scores[Dimension.UNIQUENESS],
                    validity_score=scores[Dimension.VALIDITY],
                    consistency_score=scores[Dimension.CONSISTENCY],
                    validation_pass_rate=report.validation_pass_rate,
                    records_checked=report.records_checked,
                    records_failed=report.records_failed,
                ),
            )
        self._prepare_rejected(evaluation, observed)

    def _prepare_rejected(self, evaluation: Evaluation, observed: dict[str, Any]) -> None:
        """Turn the rejected records into DLQ messages; they are sent at the end, with the trace."""
        rejected = evaluation.rejected_records(observed)
        if not rejected:
            return
        cfg = self.config
        context = {
            "job_name": cfg.job_name,
            "job_run_id": cfg.job_run_id,
            "environment": cfg.environment,
            "trace_id": self.tracer.trace_id,
            "timestamp": iso_utc(),
        }
        messages = [
            make_message(r["record"], r["failed_rules"], self.rule_set.describe(r["failed_rules"]), context)
            for r in rejected
        ]
        if not cfg.dlq_queue_url:
            self.log.warning(
                "dlq_disabled", records=len(messages), reason="no --dlq_queue_url (allowed in the local environment)"
            )
            return
        self._dlq_messages = messages

    def _send_rejected(self) -> None:
        """SendMessageBatch on the DLQ's threads; what SQS refuses is kept in the audit store."""
        messages, self._dlq_messages = self._dlq_messages, []
        if not messages:
            return
        cfg = self.config
        with self.tracer.subsegment("dead_letter_queue", namespace="aws", annotations={"records": len(messages)}):
            outcome = DeadLetterQueue(self.client("sqs"), cfg.dlq_queue_url or "", cfg.job_name, max_workers=8).send(
                messages
            )
        self.result.dlq_sent, self.result.dlq_calls = outcome.sent, outcome.calls
        self.log.info(
            "failed_records_routed", records=len(messages), sent=outcome.sent, send_message_batch_calls=outcome.calls
        )
        if outcome.unsent:
            where = None
            if self.store:
                key = f"_dlq_unsent/{cfg.job_name}/{cfg.job_run_id}.jsonl"
                where = self.store.put(key, ("\n".join(outcome.unsent) + "\n").encode(), "application/x-ndjson")
            self.log.error("dlq_send_failed", unsent=len(outcome.unsent), kept_at=where, errors=outcome.errors[:5])

    def _previous_schema(self) -> dict[str, Any] | None:
        if not self.store:
            return None
        return SchemaStore(self.store).load(self.config.job_name)

    def _schema(self, out: DataFrame) -> None:
        if not self.store:
            return
        try:
            previous = self._schema_future.result()
        except Exception as exc:  # noqa: BLE001 - an unreadable store must not fail a loaded run
            self.log.error("signal_error", signal="schema", error_type=type(exc).__name__, error_message=str(exc)[:500])
            return
        current = out.schema.jsonValue()
        if previous is None:
            changed = False
            self.log.info("schema_recorded", columns=len(current.get("fields", [])))
        else:
            diff = schema_diff(schema_fields(previous.get("schema", {})), schema_fields(current))
            changed = any(diff.values())
            if changed:
                self.log.warning("schema_changed", previous_job_run_id=previous.get("job_run_id"), **diff)
        self.result.schema_changed = changed
        self.metrics.put(Metric.SCHEMA_CHANGES, 1 if changed else 0)
        if changed or previous is None:
            store, cfg = SchemaStore(self.store), self.config
            self._submit("schema", lambda: store.save(cfg.job_name, cfg.job_run_id, current))

    # -- the end ------------------------------------------------------------------------------------------------

    def _elapsed(self) -> float:
        return time.monotonic() - self._t0

    def _api_totals(self) -> None:
        if self._api["calls"]:
            self.metrics.put(Metric.API_CALLS, self._api["calls"])
            self.metrics.put(Metric.API_ERRORS, self._api["errors"])

    def _final_sends(self, exc: BaseException | None, audit_event: Callable[[], Any] | None) -> None:
        """The last signals, concurrently: one PutMetricData; the DLQ then the trace (its root segment and
        the DLQ subsegment in one call); the audit event. Then wait for everything submitted."""
        self._submit("metrics", self.metrics.flush)

        def dlq_then_trace() -> None:
            try:
                self._send_rejected()
            finally:
                self.tracer.finish(exc)

        self._submit("dlq_and_trace", dlq_then_trace)
        if audit_event is not None:
            self._submit("audit", audit_event)
        self._drain()

    def _succeed(self) -> None:
        result = self.result
        result.status = AuditStatus.SUCCESS
        self._api_totals()
        result.duration_seconds = self._elapsed()
        self.metrics.put(Metric.JOB_DURATION_SECONDS, result.duration_seconds)
        self.tracer.root.metadata.update(self._trace_summary())
        score = result.quality.score if result.quality else None
        audit = self.audit
        self._final_sends(
            None,
            audit
            and (
                lambda: audit.job_event(
                    AuditEventType.JOB_COMPLETED,
                    AuditStatus.SUCCESS,
                    records_processed=result.records_processed,
                    output_paths=list(result.output_paths),
                    data_quality_score=score,
                )
            ),
        )
        self.log.info(
            LogEvent.JOB_COMPLETED_SUCCESSFULLY.value,
            row_count=result.records_processed,
            processing_time_seconds=round(result.duration_seconds, 6),
            data_quality_score=_round(score),
            metric_calls=self.metrics.calls,
            trace_calls=self.tracer.calls,
            dlq_messages=result.dlq_sent,
        )
        self._finalize_result()
        if self.runtime:
            self.runtime.commit()
        self.on_success(result)

    def _fail(self, exc: BaseException) -> None:
        """Every signal of a failed run, each one guarded: nothing here may hide ``exc``."""
        result = self.result
        result.status = AuditStatus.FAILED
        result.error = exc
        result.duration_seconds = self._elapsed()
        stage = self._failed_stage or (self._open[-1].name if self._open else None)

        def guarded(what: str, fn: Callable[[], Any]) -> None:
            try:
                fn()
            except Exception as inner:  # noqa: BLE001
                self.log.error(
                    "signal_error", signal=what, error_type=type(inner).__name__, error_message=str(inner)[:500]
                )

        self.log.error(
            LogEvent.JOB_FAILED.value,
            error_type=type(exc).__name__,
            error_message=str(exc)[:2000],
            processing_time_seconds=round(result.duration_seconds, 6),
            failed_stage=stage,
            exc_info=exc,
        )
        guarded("stage_events", self._log_completed_stages)
        guarded("stage_metrics", lambda: self._stage_metrics(with_throughput=False))
        guarded("api_metrics", self._api_totals)
        guarded("duration", lambda: self.metrics.put(Metric.JOB_DURATION_SECONDS, result.duration_seconds))
        self.tracer.root.metadata.update({"failed_stage": stage})
        audit = self.audit
        guarded(
            "final_sends",
            lambda: self._final_sends(
                exc,
                audit
                and (
                    lambda: audit.job_event(
                        AuditEventType.JOB_COMPLETED,
                        AuditStatus.FAILED,
                        records_processed=result.records_processed,
                        output_paths=list(result.output_paths),
                    )
                ),
            ),
        )
        self._finalize_result()
        guarded("on_failure", lambda: self.on_failure(exc))

    def _trace_summary(self) -> dict[str, Any]:
        return {
            "records_processed": self.result.records_processed,
            "stages": {
                n: {"records": s.records, "seconds": round(s.duration_seconds, 6), "spark_jobs": s.spark_jobs}
                for n, s in self._stages.items()
            },
        }

    def _finalize_result(self) -> None:
        self.result.metric_calls = self.metrics.calls
        self.result.trace_calls = self.tracer.calls
        self.result.stages = dict(self._stages)
        if self.audit:
            self.result.audit_objects = list(self.audit.written)

    def _object_store(self) -> ObjectStore | None:
        uri = self.config.audit_uri
        if not uri:
            return None
        return S3Store(self.client("s3"), uri) if uri.startswith("s3://") else LocalStore(uri)


_PHASES = frozenset(p.value for p in Phase)


def _round(value: float | None, digits: int = 6) -> float | None:
    return None if value is None else round(value, digits)


def _dataframe(value: Any, what: str) -> DataFrame:
    if not isinstance(value, DataFrame):
        raise TypeError(f"{what} must return a pyspark.sql.DataFrame, got {type(value).__name__}")
    return value
