"""Where the job runs: a GlueContext inside AWS Glue, a plain local SparkSession anywhere else.

``awsglue`` exists only inside Glue (there is no working package on PyPI), so it is imported here, lazily,
and only when it can be found; jobs are written against DataFrames and never import it themselves.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from typing import Any

from pyspark.sql import SparkSession


def running_in_glue() -> bool:
    return importlib.util.find_spec("awsglue") is not None


@dataclass
class Runtime:
    spark: SparkSession
    glue_context: Any = None  # awsglue.context.GlueContext inside Glue
    glue_job: Any = None  # awsglue.job.Job inside Glue (bookmarks: init at start, commit on success)

    @property
    def in_glue(self) -> bool:
        return self.glue_context is not None

    def commit(self) -> None:
        if self.glue_job is not None:
            self.glue_job.commit()


# Set to a folder, the local session keeps its Spark UI on (http://localhost:4040 while the job runs) and writes
# the Spark event logs there, which a Spark history server shows afterwards: what Glue does with
# --enable-spark-ui and --spark-event-logs-path (modules/glue_job spark_ui_event_logs_uri). `make job SPARK_UI=1`.
SPARK_UI_ENV = "GLUE_JOBS_SPARK_EVENT_LOGS"


def local_spark_session(
    app_name: str = "glue_jobs",
    *,
    cores: int = 2,
    shuffle_partitions: int = 4,
    extra_conf: dict[str, str] | None = None,
    event_log_dir: str | None = None,
) -> SparkSession:
    """A small local session shaped like Glue 5 (Spark 3.5, UTC, AQE); with ``event_log_dir``, its Spark UI on and
    its event logs written there (for a history server), else without the UI."""
    ui = {"spark.ui.enabled": "false"}
    if event_log_dir:
        os.makedirs(event_log_dir, exist_ok=True)
        ui = {"spark.ui.enabled": "true", "spark.eventLog.enabled": "true",
              "spark.eventLog.dir": os.path.abspath(event_log_dir)}
    builder = (
        SparkSession.builder.master(f"local[{cores}]")
        .appName(app_name)
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.adaptive.enabled", "true")
        .config("spark.driver.memory", "2g")
        .config("spark.sql.sources.partitionOverwriteMode", "dynamic")
    )
    for key, value in {**ui, **(extra_conf or {})}.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    return spark


def glue_runtime(job_name: str, args: dict[str, str]) -> Runtime:  # pragma: no cover - runs inside Glue only
    from awsglue.context import GlueContext  # type: ignore[import-not-found]
    from awsglue.job import Job  # type: ignore[import-not-found]
    from pyspark.context import SparkContext

    glue_context = GlueContext(SparkContext.getOrCreate())
    job = Job(glue_context)
    job.init(job_name, args)
    return Runtime(spark=glue_context.spark_session, glue_context=glue_context, glue_job=job)


def build_runtime(job_name: str, args: dict[str, str], spark: SparkSession | None = None) -> Runtime:
    if spark is not None:
        return Runtime(spark=spark)
    if running_in_glue():
        return glue_runtime(job_name, args)
    return Runtime(spark=local_spark_session(job_name, event_log_dir=os.environ.get(SPARK_UI_ENV) or None))
