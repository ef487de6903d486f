"""Bad job arguments and bad rules fail fast, before any Spark work, with a message naming the problem."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from glue_jobs import Arg, JobArgumentError, RuleError, RuleSet
from glue_jobs.config import parse_job_args, split_argv
from glue_jobs.examples.customer_import import CustomerImportJob
from glue_jobs.quality import Between, Dimension, InSet, Matches, NotNull, QualityReport, RuleResult, Satisfies, Unique

pytestmark = [pytest.mark.python, pytest.mark.xdist_group("glue_jobs")]  # one worker, one SparkSession
ROOT = Path(__file__).resolve().parents[2]
QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/dlq"


def test_glue_style_arguments_resolve_and_glue_options_are_ignored():
    argv = [
        "--JOB_ID",
        "j_1",
        "--JOB_RUN_ID",
        "jr_abc",
        "--JOB_NAME",
        "customer-import-prod",
        "--job-bookmark-option",
        "job-bookmark-enable",
        "--TempDir",
        "s3://t/tmp",
        "--enable-metrics",
        "--environment=prod",
        "--audit_uri",
        "s3://audit-bucket/audit",
        "--dlq_queue_url",
        QUEUE,
        "--input_path",
        "s3://raw/customers/",
        "--output_path",
        "s3://silver/customers/",
        "--WORKFLOW_RUN_ID",
        "wr_42",
    ]
    job = CustomerImportJob.from_args(argv)
    cfg = job.config
    assert (cfg.job_name, cfg.job_run_id, cfg.environment) == ("customer-import-prod", "jr_abc", "prod")
    assert cfg.correlation_id == "wr_42", "a workflow's run id correlates the jobs of one workflow run"
    assert cfg["input_path"] == "s3://raw/customers/" and cfg["write_mode"] == "overwrite"
    assert not cfg.is_local and cfg.enable_tracing
    assert "TempDir" not in cfg.args


def test_local_run_needs_neither_audit_nor_dlq_and_gets_a_run_id():
    cfg = CustomerImportJob.from_args(["--environment", "local", "--input_path", "a", "--output_path", "b"]).config
    assert cfg.is_local and cfg.job_name == "customer_import"
    assert cfg.job_run_id.startswith("jr_local_") and cfg.correlation_id == cfg.job_run_id


def test_every_argument_problem_is_reported_at_once():
    with pytest.raises(JobArgumentError) as err:
        CustomerImportJob.from_args(
            [
                "--environment",
                "production",
                "--output_path",
                "x",
                "--write_mode",
                "merge",
                "--enable_tracing",
                "maybe",
                "--observation_timeout_seconds",
                "-1",
            ]
        )
    message = str(err.value)
    assert message.startswith("invalid arguments for job 'customer_import':")
    with pytest.raises(JobArgumentError, match="--sample_bad_every: '5' must be a whole number >= 10"):
        CustomerImportJob.from_args(
            ["--environment", "local", "--input_path", "a", "--output_path", "b", "--sample_bad_every", "5"]
        )
    for part in (
        "--environment: 'production' is not one of local, dev, staging, prod",
        "--input_path: required",
        "--write_mode: 'merge' is not one of overwrite, append",
        "--enable_tracing: 'maybe' must be true or false",
        "--observation_timeout_seconds: '-1' must be greater than 0",
    ):
        assert part in message


def test_outside_local_the_audit_trail_and_the_dlq_are_required():
    with pytest.raises(JobArgumentError) as err:
        CustomerImportJob.from_args(["--environment", "dev", "--input_path", "a", "--output_path", "b"])
    assert "--audit_uri: required in the 'dev' environment" in str(err.value)
    assert "--dlq_queue_url: required in the 'dev' environment" in str(err.value)
    with pytest.raises(JobArgumentError) as err:
        CustomerImportJob.from_args(
            [
                "--environment",
                "dev",
                "--input_path",
                "a",
                "--output_path",
                "b",
                "--audit_uri",
                "/tmp/local-dir",
                "--dlq_queue_url",
                "not-a-url",
            ]
        )
    assert "--audit_uri: must be an s3:// URI outside the 'local' environment" in str(err.value)
    assert "--dlq_queue_url: 'not-a-url' must be an SQS queue URL" in str(err.value)
    with pytest.raises(JobArgumentError, match="bucket 'Bad_Bucket' is not a valid S3 bucket name"):
        CustomerImportJob.from_args(
            ["--environment", "local", "--input_path", "a", "--output_path", "b", "--audit_uri", "s3://Bad_Bucket/x"]
        )


def test_job_arguments_may_not_shadow_the_framework_and_must_be_well_named():
    with pytest.raises(JobArgumentError, match=r"clash with the framework's own arguments"):
        parse_job_args(["--environment", "local"], job_args=(Arg("environment"),), default_job_name="j")
    with pytest.raises(ValueError, match="no leading '--'"):
        Arg("--input_path")
    with pytest.raises(ValueError, match="cannot be both required and have a default"):
        Arg("x", required=True, default="1")


def test_split_argv_reads_pairs_flags_and_equals():
    assert split_argv(["script.py", "--a", "1", "--flag", "--b=2=3", "positional", "--c", ""]) == {
        "a": "1",
        "flag": "true",
        "b": "2=3",
        "c": "",
    }


def test_main_prints_the_problem_and_exits_2(capsys):
    assert CustomerImportJob.main(["--environment", "qa"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: invalid arguments for job 'customer_import':")
    assert "--environment: 'qa' is not one of local, dev, staging, prod" in err


def test_the_command_line_fails_fast_without_starting_spark():
    proc = subprocess.run(
        [sys.executable, "-m", "glue_jobs.examples.customer_import", "--environment", "dev"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "--input_path: required" in proc.stderr and "--audit_uri: required" in proc.stderr
    assert "SparkContext" not in proc.stderr and proc.stdout == ""


# -- rules ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: NotNull("email", threshold=1.5), "rule 'email_not_null' (NotNull): threshold must be in (0, 1]"),
        (lambda: NotNull("email", threshold=0), "threshold must be in (0, 1]"),
        (lambda: NotNull("email", threshold="high"), "threshold must be a number in (0, 1], got 'high'"),
        (lambda: NotNull(""), "column must be a non-empty column name"),
        (lambda: NotNull("email", name="Email Check"), "name must be snake_case"),
        (lambda: Matches("email", "[a-z"), "pattern '[a-z' does not compile"),
        (lambda: InSet("country", frozenset()), "values must not be empty"),
        (lambda: InSet("country", "US"), "values must be a set of allowed values"),
        (lambda: Between("ltv"), "give minimum, maximum or both"),
        (lambda: Between("ltv", minimum=10, maximum=1), "minimum 10 is greater than maximum 1"),
        (lambda: Unique(()), "keys must be a column name or a non-empty tuple of them"),
        (lambda: Satisfies("a <= b"), "give it a name=..."),
        (lambda: Satisfies("a <= b", name="a_before_b", in_dimension="timeliness"), "in_dimension must be one of"),
        (lambda: NotNull("email", quarantine="yes"), "quarantine must be true or false"),
    ],
)
def test_invalid_rules_are_rejected_when_declared(make, message):
    with pytest.raises(RuleError) as err:
        make()
    assert message in str(err.value)


def test_rule_sets_reject_duplicate_names_and_non_rules():
    with pytest.raises(RuleError, match="rule name 'email_not_null' is used twice"):
        RuleSet((NotNull("email"), NotNull("email", threshold=0.9)))
    with pytest.raises(RuleError, match="is not a data-quality rule"):
        RuleSet(("email is not null",))  # type: ignore[arg-type]


def test_a_job_with_invalid_rules_fails_before_parsing_arguments():
    with pytest.raises(RuleError, match="rule name 'x' is used twice"):

        class Bad(CustomerImportJob):
            rules = (NotNull("a", name="x"), NotNull("b", name="x"))

        Bad.from_args(["--environment", "local", "--input_path", "a", "--output_path", "b"])


def test_rules_are_checked_against_the_schema_before_any_spark_job(spark):
    df = spark.createDataFrame([("C1", "a@b.co")], "customer_id string, Email string")
    jobs_before = len(spark.sparkContext.statusTracker().getJobIdsForGroup(None))
    with pytest.raises(RuleError) as err:
        RuleSet((NotNull("email"),)).bind(df)
    assert (
        "rule 'email_not_null' (NotNull) refers to column 'email', which the data does not have "
        "(did you mean 'Email'?); columns: customer_id, Email" in str(err.value)
    )
    with pytest.raises(RuleError, match="rule 'sane' \\(Satisfies\\) cannot be evaluated on the data"):
        RuleSet((Satisfies("no_such_column > 1", name="sane"),)).bind(df)
    assert len(spark.sparkContext.statusTracker().getJobIdsForGroup(None)) == jobs_before


def test_scores_follow_the_seed_formula():
    def result(name, dim, failed, threshold=1.0):
        return RuleResult(name, dim, failed, 100, threshold, True)

    report = QualityReport(
        100,
        7,
        (
            result("a", Dimension.COMPLETENESS, 0),
            result("b", Dimension.COMPLETENESS, 3),  # 1 of 2 pass
            result("c", Dimension.UNIQUENESS, 2, threshold=0.98),  # 0.98 >= 0.98: pass
            result("d", Dimension.VALIDITY, 5, threshold=0.9),
            result("e", Dimension.VALIDITY, 1),
            result("f", Dimension.VALIDITY, 0),  # 2 of 3 pass
        ),
    )
    assert report.dimension_scores == {
        Dimension.COMPLETENESS: 0.5,
        Dimension.UNIQUENESS: 1.0,
        Dimension.VALIDITY: pytest.approx(2 / 3),
        Dimension.CONSISTENCY: None,
    }
    assert report.score == pytest.approx((0.5 + 1.0 + 2 / 3) / 3), "dimensions without rules are left out"
    assert report.rules_passed_ratio == pytest.approx(4 / 6), "Glue Data Quality's meaning"
    assert report.validation_pass_rate == pytest.approx(93.0)
    assert QualityReport(0, 0, ()).score is None and QualityReport(0, 0, ()).validation_pass_rate is None


def test_a_rule_of_the_wrong_type_for_its_column_is_named(spark):
    df = spark.createDataFrame([("C1", [1, 2])], "customer_id string, tags array<int>")
    with pytest.raises(RuleError, match="rule 'tags_range' \\(Between\\) cannot be evaluated on the data"):
        RuleSet((NotNull("customer_id"), Between("tags", minimum=0))).flag(df)


def test_a_remediation_retry_passes_arguments_the_job_does_not_declare():
    """The remediation Lambda retries with --remediation-of=<run> --remediation-attempt=<n> (docs/metrics.md)."""
    cfg = CustomerImportJob.from_args(
        [
            "--environment",
            "local",
            "--input_path",
            "a",
            "--output_path",
            "b",
            "--remediation-of=jr_0123",
            "--remediation-attempt=2",
        ]
    ).config
    assert cfg.environment == "local" and "remediation-of" not in cfg.args
    assert (cfg.remediation_of, cfg.remediation_attempt) == ("jr_0123", 2)  # logged in job_started
