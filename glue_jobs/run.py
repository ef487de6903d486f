"""One execution of a job: every per-run thing lives here, from the first log line to the last send.

``BaseJob.run()`` creates a ``JobRun`` and executes it. The run owns the logger, the tracer, the metrics
buffer, the audit trail, the stages, the API counters, the DLQ messages waiting to go out, the result and
the I/O threads; the job object itself keeps only its arguments and rules, so it can be run again.

Spark is lazy: extract and transform normally only build a plan, and their rows are counted while the
load's write runs. Their ``*_phase_completed`` lines are therefore written right after the load, when their
row counts exist; ``processing_time_seconds`` is the time spent in the phase itself (for a lazy phase, the
planning) and ``StageThroughput`` divides the rows by the Spark time that produced them (the load's, for a
lazy phase). A phase that runs Spark jobs itself (a cache, a JDBC read) is measured on its own.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Any, TypeVar

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from glue_jobs.audit import AuditTrail, LocalStore, ObjectStore, S3Store, SchemaStore
from glue_jobs.background import BackgroundIO
from glue_jobs.config import argument_names
from glue_jobs.contract import AuditEventType, AuditStatus, LogEvent, Metric, Phase, SchemaSide
from glue_jobs.dlq import DeadLetterQueue, DlqMessage
from glue_jobs.logs import bind_run_context, clear_run_context, configure_logging, get_logger, iso_utc
from glue_jobs.metrics import MetricsBuffer, cloudwatch_sender
from glue_jobs.quality import Evaluation, QualityReport
from glue_jobs.rejected import OverflowTarget, RejectedRecord
from glue_jobs.results import JobResult, LoadResult, StoredOverflow
from glue_jobs.runtime import Runtime, build_runtime
from glue_jobs.signals import audit_events, freshness, quality_report, rejected_records, schema_change, stage_metrics
from glue_jobs.signals.final_sends import final_sends
from glue_jobs.signals.stage_metrics import rounded
from glue_jobs.stage_tracker import Stage, StageTracker
from glue_jobs.stages import ObservedStage, SparkJobCounter, observe, row_count
from glue_jobs.tracing import Tracer, xray_sender

if TYPE_CHECKING:
    from glue_jobs.base_job import BaseJob

T = TypeVar("T")


class JobRun:
    """The state and the sequence of one run of ``job``."""

    def __init__(self, job: BaseJob, *, spark: SparkSession | None = None, log_stream: IO[str] | None = None) -> None:
        self.job = job
        self.config = cfg = job.config
        self._session = spark
        configure_logging(log_stream, cfg.log_level)
        self.tracer = Tracer(
            cfg.job_name,
            None if cfg.is_local else xray_sender(lambda: job.client("xray")),
            get_logger(),
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
            None if cfg.is_local else cloudwatch_sender(lambda: job.client("cloudwatch")),
            self.log,
        )
        self.store = self._object_store()
        self.audit = AuditTrail(self.store, cfg.job_name, cfg.job_run_id) if self.store else None
        self.result = JobResult(cfg.job_name, cfg.job_run_id, self.tracer.trace_id, cfg.correlation_id)
        self.io = BackgroundIO(self.log)
        self.runtime: Runtime | None = None
        self.stages = StageTracker(
            self.tracer,
            lambda: self.spark.sparkContext,
            job_name=cfg.job_name,
            job_run_id=cfg.job_run_id,
            track_step_rows=cfg.track_step_rows,
            on_phase_end=lambda: self.tracer.flush(self.io.submit),
        )
        self.api_calls = 0
        self.api_errors = 0
        self.dlq_messages: list[DlqMessage] = []  # sent with the final sends
        self.overflow_job_ids: list[int] = []  # the Spark jobs of writing the rejected records beyond the inline ones
        self._schema_futures: dict[SchemaSide, Future[dict[str, Any] | None]] = {}
        self._schemas_checked: dict[SchemaSide, bool] = {}  # side -> changed
        self._emitted: set[str] = set()
        self._t0 = time.monotonic()

    # -- what the job calls -------------------------------------------------------------------------------------

    @property
    def spark(self) -> SparkSession:
        if self.runtime is None:
            raise RuntimeError("the SparkSession exists once run() has started")
        return self.runtime.spark

    @property
    def glue_context(self) -> Any:
        return self.runtime.glue_context if self.runtime else None

    @contextmanager
    def step(self, name: str) -> Iterator[Stage]:
        with self.stages.measure(name, is_phase=False) as stage:
            yield stage

    def call_api(self, name: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        span = self.tracer.start(name, namespace="remote", annotations={"api": name})
        self.api_calls += 1
        t0 = time.perf_counter()
        try:
            value = fn(*args, **kwargs)
        except BaseException as exc:
            latency = (time.perf_counter() - t0) * 1000
            self.api_errors += 1
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

    def execute(self) -> JobResult:
        cfg = self.config
        try:
            retry = (
                {"remediation_of": cfg.remediation_of, "remediation_attempt": cfg.remediation_attempt}
                if cfg.remediation_of
                else {}
            )
            self.tracer.root.annotations.update({k: v for k, v in retry.items() if v is not None})
            self.log.info(
                LogEvent.JOB_STARTED.value,
                job_arguments=argument_names(cfg),
                job_class=type(self.job).__name__,
                **retry,
            )
            if self.audit:  # synchronous: a wrong audit bucket fails the run before any work
                self.audit.job_event(AuditEventType.JOB_STARTED, AuditStatus.RUNNING)
            else:
                self.log.warning("audit_disabled", reason="no --audit_uri (allowed in the local environment)")
            self._warm_up()
            self.runtime = build_runtime(cfg.job_name, dict(cfg.args), self._session)
            self.job.on_start()
            self._run_phases()
            self._succeed()
        except BaseException as exc:
            self._fail(exc)
            raise
        finally:
            self.io.shutdown()
            clear_run_context()
        return self.result

    def _warm_up(self) -> None:
        """Create the AWS clients and read the last known schema while Spark works."""
        cfg = self.config
        services = [] if cfg.is_local else ["cloudwatch"] + (["xray"] if cfg.enable_tracing else [])
        if cfg.dlq_queue_url:
            services.append("sqs")
        for service in services:
            self.io.submit("client", lambda service=service: self.job.client(service))
        store = self.store
        if store:
            self._schema_futures = {
                side: self.io.start(lambda side=side: SchemaStore(store).load(cfg.job_name, side))
                for side in SchemaSide
            }

    def _run_phases(self) -> None:
        job, rule_set = self.job, self.job.rule_set
        with self.stages.measure(Phase.EXTRACT.value) as stage:
            df = stage.track(_dataframe(job.extract(), "extract()"))
        self._schema(SchemaSide.INPUT, df)  # now: a run that fails later still reports its input's drift
        with self.stages.measure(Phase.TRANSFORM.value) as stage:
            df = _dataframe(job.transform(df), "transform()")
            if not rule_set.rules:
                df = stage.track(df)

        evaluation: Evaluation | None = None
        if rule_set.rules:
            # the rules' observation sits on the transform's output: its row count is the transform's
            evaluation = rule_set.evaluate(df, max_inline=self.config.dlq_max_inline_records)
            self.stages.observed[Phase.TRANSFORM.value] = evaluation.stage
            df = evaluation.valid
        load_obs = self._load_observation(df)

        with self.stages.measure(Phase.LOAD.value) as stage:
            df, stage.observed = load_obs
            returned = job.load(df)
        load = returned if isinstance(returned, LoadResult) else LoadResult(tuple(returned or ()))
        self.result.output_paths = tuple(load.output_paths)
        self._after_load(load, evaluation, df, datetime.now(UTC))

    def _load_observation(self, df: DataFrame) -> tuple[DataFrame, ObservedStage]:
        aggregates: list[Column] = [row_count()]
        column = self.job.freshness_column
        if column:
            if column not in df.columns:
                raise ValueError(
                    f"freshness_column {column!r} is not a column of the loaded data; columns: {', '.join(df.columns)}"
                )
            aggregates.append(F.max(F.unix_micros(F.col(column).cast("timestamp"))).alias("newest_micros"))
        return observe(df, Phase.LOAD.value, *aggregates)

    # -- after the load --------------------------------------------------------------------------------------

    def _after_load(self, load: LoadResult, evaluation: Evaluation | None, out: DataFrame, load_end: datetime) -> None:
        """Read the observations, then compute every signal; the sends go to the I/O threads."""
        timeout = self.config.observation_timeout_seconds
        deadline = time.monotonic() + timeout
        observed = {name: obs.result(deadline) for name, obs in self.stages.observed.items()}
        quality_obs = evaluation.stage.result(deadline) if evaluation else None
        missing = sorted(n for n, v in observed.items() if v is None)
        if evaluation and quality_obs is None:
            missing.append(evaluation.stage.label)
        if missing:
            self.log.warning(
                "observation_unavailable",
                stages=missing,
                timeout_seconds=timeout,
                hint="the load did not go through the DataFrame writer (or failed); return "
                "LoadResult(records_written=...) to report the rows",
            )

        load_stats = stage_metrics.fill_rows(self.stages, observed, load.records_written)
        self.result.stages = dict(self.stages.stats)
        self.result.records_processed = load_stats.records
        self._stage_lines()
        self._stage_metrics(with_throughput=True)

        freshness.emit_records_processed(load_stats.records, self.metrics)
        if self.audit:
            self.io.submit(
                "audit", audit_events.load_completed(self.audit, load_stats.records, list(load.output_paths))
            )

        if evaluation is not None and quality_obs is not None:
            self._quality(evaluation, quality_obs)

        newest = (observed.get(Phase.LOAD.value) or {}).get("newest_micros")
        if self.job.freshness_column and newest is not None:
            self.result.data_age_hours = freshness.emit_data_age(
                self.job.freshness_column, newest, load_end, self.log, self.metrics
            )

        self._schema(SchemaSide.OUTPUT, out)
        self._schema_metric()

    def _once(self, signal: str, emit: Callable[[], Any]) -> None:
        """Signals that go out once, whichever path (after the load, or the failure) reaches them first."""
        if signal not in self._emitted:
            self._emitted.add(signal)
            emit()

    def _stage_lines(self) -> None:
        self._once("stage_lines", lambda: stage_metrics.log_completed_stages(self.log, self.stages))

    def _stage_metrics(self, *, with_throughput: bool) -> None:
        self._once(
            "stage_metrics",
            lambda: stage_metrics.put_stage_metrics(self.metrics, self.stages, with_throughput=with_throughput),
        )

    def _quality(self, evaluation: Evaluation, observed: dict[str, Any]) -> None:
        report = evaluation.report(observed)
        self.result.quality = report
        quality_report.emit_quality_report(report, self.log, self.metrics)
        if self.audit:
            self.io.submit("audit", audit_events.data_quality(self.audit, report))
        if report.records_failed:
            self._route_rejected(evaluation, observed, report)

    def _route_rejected(self, evaluation: Evaluation, observed: dict[str, Any], report: QualityReport) -> None:
        """The first records one message each; when there were more, the rest to the audit store (one Spark
        action) and one pointer message. They are sent with the final sends."""
        cfg, rule_set, total = self.config, self.job.rule_set, report.records_failed
        if not cfg.dlq_queue_url:
            self.log.warning(
                "dlq_disabled", records=total, reason="no --dlq_queue_url (allowed in the local environment)"
            )
            return
        inline = evaluation.inline_records(observed)
        context = {
            "job_name": cfg.job_name,
            "job_run_id": cfg.job_run_id,
            "environment": cfg.environment,
            "trace_id": self.tracer.trace_id,
            "timestamp": iso_utc(),
        }
        messages = rejected_records.record_messages(inline, rule_set, context)
        self.result.dlq_inline = len(inline)
        if total > len(inline):
            overflow = self._store_overflow(evaluation, inline, report)
            pointer = rejected_records.pointer_message(
                overflow, rule_set, context, inline_count=len(inline), rejected_count=total
            )
            messages.append(pointer)
            self.result.rejected_overflow = overflow
            if not overflow.stored and self.store:
                store, key = self.store, f"_rejected_unstored/{cfg.job_name}/{cfg.job_run_id}.json"
                self.io.submit("audit", lambda: store.put(key, pointer.body.encode()))
        self.dlq_messages = messages

    def _store_overflow(
        self, evaluation: Evaluation, inline: list[RejectedRecord], report: QualityReport
    ) -> StoredOverflow:
        cfg, rule_set = self.config, self.job.rule_set
        expected = report.records_failed - len(inline)
        counts = rejected_records.expected_rule_counts(rule_set, {r.name: r.failed for r in report.rules}, inline)
        if self.store is None:  # only the local environment may run without --audit_uri
            self.log.error("rejected_records_write_failed", records_uri=None, records=expected, error_type="NoStore")
            return StoredOverflow("", expected, rule_counts=counts, error="no --audit_uri: nowhere to write them")
        target = OverflowTarget(self.store, cfg.job_name, cfg.job_run_id)
        counter = SparkJobCounter(
            self.spark.sparkContext, f"{cfg.job_run_id}:rejected_records", f"{cfg.job_name}: rejected records"
        )
        with self.tracer.subsegment("rejected_records", annotations={"records": expected}), counter:
            outcome = rejected_records.store_overflow(
                lambda: evaluation.overflow(inline),
                target,
                rule_set,
                expected=expected,
                expected_counts=counts,
                timeout_seconds=cfg.observation_timeout_seconds,
                log=self.log,
            )
        self.overflow_job_ids.extend(counter.job_ids())
        return outcome

    def _send_rejected(self) -> None:
        messages, self.dlq_messages = self.dlq_messages, []
        if not messages:
            return
        cfg = self.config
        dlq = DeadLetterQueue(self.job.client("sqs"), cfg.dlq_queue_url or "", cfg.job_name, max_workers=8)
        outcome = rejected_records.send_messages(
            messages, dlq, self.tracer, self.log, self.store, cfg.job_name, cfg.job_run_id
        )
        self.result.dlq_sent, self.result.dlq_calls = outcome.sent, outcome.calls

    def _schema(self, side: SchemaSide, df: DataFrame) -> None:
        """Compare ``df``'s schema with the last known one of ``side``: log, audit event, store. Drift, or a
        store that cannot be read, never fails the run."""
        future = self._schema_futures.get(side)
        if not self.store or future is None:
            return
        try:
            previous = future.result()
            current = df.schema.jsonValue()
            diff = schema_change.check_schema(previous, current, self.log, side)
        except Exception as exc:  # noqa: BLE001 - an unreadable store must not fail the run
            self.log.error(
                "signal_error",
                signal=f"schema_{side.value}",
                error_type=type(exc).__name__,
                error_message=str(exc)[:500],
            )
            return
        self._schemas_checked[side] = diff is not None
        self.result.schema_changed = any(self._schemas_checked.values())
        if diff is not None:
            self.result.schema_changes[side.value] = diff
            if self.audit:
                audit, previous_run = self.audit, (previous or {}).get("job_run_id")
                self.io.submit("audit", lambda: audit.schema_changed_event(side, diff, previous_run))
        if diff is not None or previous is None:
            store, cfg = SchemaStore(self.store), self.config
            self.io.submit("schema", lambda: store.save(cfg.job_name, cfg.job_run_id, current, side))

    def _schema_metric(self) -> None:
        """``SchemaChanges`` once a run: the sides that changed, of those checked (a failed run: the input)."""
        if self._schemas_checked:
            self._once(
                "schema_metric",
                lambda: schema_change.put_schema_changes(sum(self._schemas_checked.values()), self.metrics),
            )

    # -- the end ------------------------------------------------------------------------------------------------

    def _api_totals(self) -> None:
        if self.api_calls:
            self.metrics.put(Metric.API_CALLS, self.api_calls)
            self.metrics.put(Metric.API_ERRORS, self.api_errors)

    def _succeed(self) -> None:
        result = self.result
        result.status = AuditStatus.SUCCESS
        self._api_totals()
        result.duration_seconds = time.monotonic() - self._t0
        self.metrics.put(Metric.JOB_DURATION_SECONDS, result.duration_seconds)
        self.tracer.root.metadata.update(self._trace_summary())
        score = result.quality.score if result.quality else None
        audit_event = self.audit and audit_events.job_completed(
            self.audit, AuditStatus.SUCCESS, result.records_processed, list(result.output_paths), score
        )
        final_sends(self.io, self.metrics, self.tracer, None, self._send_rejected, audit_event)
        self.log.info(
            LogEvent.JOB_COMPLETED_SUCCESSFULLY.value,
            row_count=result.records_processed,
            processing_time_seconds=round(result.duration_seconds, 6),
            data_quality_score=rounded(score),
            metric_calls=self.metrics.calls,
            trace_calls=self.tracer.calls,
            dlq_messages=result.dlq_sent,
        )
        self._finalize_result()
        if self.runtime:
            self.runtime.commit()
        self.job.on_success(result)

    def _fail(self, exc: BaseException) -> None:
        """Every signal of a failed run, each one guarded: nothing here may hide ``exc``."""
        result = self.result
        result.status = AuditStatus.FAILED
        result.error = exc
        result.duration_seconds = time.monotonic() - self._t0
        stage = self.stages.failed_stage

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
        guarded("stage_events", self._stage_lines)
        guarded("stage_metrics", lambda: self._stage_metrics(with_throughput=False))
        guarded("api_metrics", self._api_totals)
        guarded("duration", lambda: self.metrics.put(Metric.JOB_DURATION_SECONDS, result.duration_seconds))
        guarded("schema_metric", self._schema_metric)
        self.tracer.root.metadata.update({"failed_stage": stage})
        audit_event = self.audit and audit_events.job_completed(
            self.audit, AuditStatus.FAILED, result.records_processed, list(result.output_paths)
        )
        guarded(
            "final_sends",
            lambda: final_sends(self.io, self.metrics, self.tracer, exc, self._send_rejected, audit_event),
        )
        self._finalize_result()
        guarded("on_failure", lambda: self.job.on_failure(exc))

    def _trace_summary(self) -> dict[str, Any]:
        return {
            "records_processed": self.result.records_processed,
            "stages": {
                n: {"records": s.records, "seconds": round(s.duration_seconds, 6), "spark_jobs": s.spark_jobs}
                for n, s in self.stages.stats.items()
            },
        }

    def _finalize_result(self) -> None:
        result = self.result
        result.metric_calls = self.metrics.calls
        result.trace_calls = self.tracer.calls
        result.stages = dict(self.stages.stats)
        result.spark_job_ids = [*self.stages.spark_job_ids, *self.overflow_job_ids]
        if self.audit:
            result.audit_objects = list(self.audit.written)

    def _object_store(self) -> ObjectStore | None:
        uri = self.config.audit_uri
        if not uri:
            return None
        return S3Store(self.job.client("s3"), uri) if uri.startswith("s3://") else LocalStore(uri)


def _dataframe(value: Any, what: str) -> DataFrame:
    if not isinstance(value, DataFrame):
        raise TypeError(f"{what} must return a pyspark.sql.DataFrame, got {type(value).__name__}")
    return value
