"""Example job ``customer_import``: raw customer JSON → cleaned, validated, enriched Parquet.

    extract    read the raw JSON lines with an explicit schema (no inference pass)
    transform  data_cleaning (trim, case, types) → api_enrichment (country → region, one API call,
               broadcast join)
    quality    completeness, uniqueness, validity, consistency rules; failures to the DLQ
    load       Parquet

Run it locally (plain PySpark)::

    python -m glue_jobs.examples.customer_import --environment dev \\
        --input_path build/demo/customers_raw --output_path build/demo/customers_silver \\
        --generate_sample 5000 --audit_uri s3://my-audit-bucket/audit --dlq_queue_url https://sqs...

AWS is reached the way boto3 reaches it: the normal credential chain, and the endpoints of the standard
``AWS_ENDPOINT_URL`` / ``AWS_ENDPOINT_URL_<SERVICE>`` variables when they are set (an emulator). The audit
trail and the dead-letter queue are arguments. ``python -m harness.local_job`` (``make job``) does all of
that against the project's emulator. In Glue, the script is this file (or one that calls
``CustomerImportJob.main()``) with ``glue_jobs`` in ``--extra-py-files``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from glue_jobs import Arg, BaseJob, LoadResult
from glue_jobs.config import valid_positive_number
from glue_jobs.examples import sample_data
from glue_jobs.quality import Between, InSet, Matches, NotNull, RuleSet, Satisfies, Unique

# -- the business logic, as DataFrame -> DataFrame functions (shared with the benchmark's plain job) ---------

COUNTRY_REGIONS: Mapping[str, str] = {
    "US": "NA",
    "CA": "NA",
    "MX": "LATAM",
    "BR": "LATAM",
    "GB": "EMEA",
    "DE": "EMEA",
    "FR": "EMEA",
    "ES": "EMEA",
    "IT": "EMEA",
    "NL": "EMEA",
    "SE": "EMEA",
    "JP": "APAC",
    "IN": "APAC",
    "AU": "APAC",
}

RULES = (
    NotNull("customer_id"),
    NotNull("email", threshold=0.995),
    Unique("customer_id", keep_first_by="updated_at", threshold=0.98),
    Matches("email", r"^[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}$", threshold=0.98),
    InSet("country", frozenset(COUNTRY_REGIONS)),
    Between("lifetime_value", minimum=0, threshold=0.99),
    Satisfies("signup_date <= to_date(updated_at)", name="signup_before_update", threshold=0.98),
)


def read_raw(spark: SparkSession, path: str) -> DataFrame:
    return spark.read.schema(sample_data.RAW_SCHEMA).json(path)


def clean(df: DataFrame) -> DataFrame:
    """Trim, normalise case, empty → null, parse types. Built-in expressions only (no Python UDF)."""

    def text(c: str) -> F.Column:
        trimmed = F.trim(F.col(c))
        return F.when(trimmed == "", None).otherwise(trimmed)

    return df.select(
        text("customer_id").alias("customer_id"),
        F.lower(text("email")).alias("email"),
        F.initcap(text("first_name")).alias("first_name"),
        F.initcap(text("last_name")).alias("last_name"),
        F.upper(text("country")).alias("country"),
        F.regexp_replace(text("phone"), r"[^0-9+]", "").alias("phone"),
        F.to_date(text("signup_date"), "yyyy-MM-dd").alias("signup_date"),
        F.to_timestamp(text("updated_at")).alias("updated_at"),
        text("lifetime_value").cast("decimal(12,2)").alias("lifetime_value"),
        F.lower(text("status")).alias("status"),
    )


def enrich(spark: SparkSession, df: DataFrame, regions: Mapping[str, str]) -> DataFrame:
    """Add ``region`` from the directory's answer: a small local table, broadcast-joined (no Spark job)."""
    lookup = spark.createDataFrame(sorted(regions.items()), "country string, region string")
    return df.join(F.broadcast(lookup), on="country", how="left").select(*df.columns, "region")


class CountryDirectory:
    """The external API the job calls once per run (stands in for a REST service)."""

    def __init__(self, regions: Mapping[str, str] | None = None, latency_seconds: float = 0.0) -> None:
        self._regions = dict(COUNTRY_REGIONS if regions is None else regions)
        self._latency = latency_seconds

    def regions(self) -> dict[str, str]:
        if self._latency:
            time.sleep(self._latency)
        return dict(self._regions)


class UnavailableDirectory(CountryDirectory):
    """A directory that is down (for failure demos and tests)."""

    def regions(self) -> dict[str, str]:
        raise ConnectionError("country directory unavailable: 503 Service Unavailable")


def plain_pipeline(spark: SparkSession, input_path: str, output_path: str) -> None:
    """The same job with no instrumentation at all (the benchmark's baseline)."""
    df = enrich(spark, clean(read_raw(spark, input_path)), CountryDirectory().regions())
    RuleSet(RULES).filter_valid(df).write.mode("overwrite").parquet(output_path)


def _valid_iso_time(value: str) -> str | None:
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return "must be an ISO 8601 time such as 2026-11-26T00:00:00Z"
    return None


# -- the instrumented job ------------------------------------------------------------------------------------


class CustomerImportJob(BaseJob):
    job_name = "customer_import"
    job_arguments = (
        Arg("input_path", "raw customer JSON lines (a directory or s3:// prefix)", required=True),
        Arg("output_path", "where the Parquet goes", required=True),
        Arg("write_mode", "Spark save mode of the output", default="overwrite", choices=("overwrite", "append")),
        Arg(
            "generate_sample",
            "first write a deterministic sample of N rows to input_path (demos)",
            validate=valid_positive_number,
        ),
        Arg(
            "sample_bad_every",
            "one of each bad-row kind per this many sample rows (>= 10)",
            default="100",
            validate=lambda v: None if v.isdigit() and int(v) >= 10 else "must be a whole number >= 10",
        ),
        Arg(
            "sample_as_of",
            "newest updated_at of the sample, ISO 8601 (default: now, to the hour)",
            validate=_valid_iso_time,
        ),
    )
    rules = RULES
    freshness_column = "updated_at"

    def __init__(self, *args: object, directory: CountryDirectory | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.directory = directory or CountryDirectory()

    def on_start(self) -> None:
        rows = self.config.get("generate_sample")
        if rows:
            as_of = self.config.get("sample_as_of")
            moment = (
                datetime.fromisoformat(as_of.replace("Z", "+00:00"))
                if as_of
                else datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
            )
            sample_data.write_sample(
                self.spark,
                self.config["input_path"],
                int(float(rows)),
                bad_every=int(self.config["sample_bad_every"]),
                as_of=moment,
            )
            self.log.info("sample_generated", path=self.config["input_path"], rows=int(float(rows)), as_of=moment)

    def extract(self) -> DataFrame:
        return read_raw(self.spark, self.config["input_path"])

    def transform(self, df: DataFrame) -> DataFrame:
        with self.step("data_cleaning") as step:
            df = step.track(clean(df))
        with self.step("api_enrichment") as step:
            regions = self.call_api("country_directory", self.directory.regions)
            df = step.track(enrich(self.spark, df, regions))
        return df

    def load(self, df: DataFrame) -> LoadResult:
        path = self.config["output_path"]
        df.write.mode(self.config["write_mode"]).parquet(path)
        return LoadResult(output_paths=(path,))


# -- command line ---------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    runner = argparse.ArgumentParser(add_help=False)
    runner.add_argument("--help", "-h", action="store_true")
    opts, rest = runner.parse_known_args(list(sys.argv[1:] if argv is None else argv))
    if opts.help:
        from glue_jobs.config import COMMON_ARGS

        print(__doc__)
        for arg in (*COMMON_ARGS, *CustomerImportJob.job_arguments):
            flag = "required" if arg.required else f"default {arg.default}" if arg.default else "optional"
            print(f"  --{arg.name:<30} {arg.help} ({flag})")
        return 0
    return CustomerImportJob.main(rest)


if __name__ == "__main__":
    sys.exit(main())
