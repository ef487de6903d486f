"""modules/audit_trail on the emulator (examples bundle): the bucket (LocalStack), the catalog tables and the
workgroup (moto), and the job framework's audit writer landing events where the tables read them; the
named queries (an emulator gap) from the plan.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from test_audit_queries import SCHEMAS, check_queries

from harness.settings import ROOT

MODULE = ROOT / "modules" / "audit_trail"


@pytest.fixture(scope="module")
def out(applied_examples) -> dict:
    return applied_examples.example("audit_trail")


def test_bucket_is_kms_encrypted_versioned_private_and_tls_only(applied_examples, out):
    s3 = applied_examples.client("s3")
    bucket = out["bucket_name"]
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"

    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms",
                                                          "KMSMasterKeyID": out["kms_key_arn"]}
    assert rule["BucketKeyEnabled"] is True

    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert block == {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
                     "RestrictPublicBuckets": True}
    assert s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"] == [
        {"ObjectOwnership": "BucketOwnerEnforced"}]

    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    tls = [s for s in policy["Statement"] if s["Effect"] == "Deny"
           and s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"]
    assert len(tls) == 1 and tls[0]["Action"] == "s3:*"
    assert sorted(tls[0]["Resource"]) == sorted([f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"])
    assert not [s for s in policy["Statement"] if s["Effect"] == "Allow"], "the bucket policy grants nothing"


def test_key_rotates_and_belongs_to_the_account(applied_examples, out):
    kms = applied_examples.client("kms")
    key = out["kms_key_arn"]
    assert kms.describe_key(KeyId=key)["KeyMetadata"]["KeyManager"] == "CUSTOMER"
    assert kms.get_key_rotation_status(KeyId=key)["KeyRotationEnabled"] is True
    statements = json.loads(kms.get_key_policy(KeyId=key, PolicyName="default")["Policy"])["Statement"]
    for statement in statements:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert not [a for a in actions if "*" in a], f"wildcard action in the key policy: {statement}"
    use = {s["Sid"]: s for s in statements}["AccountPrincipalsUseTheKeyThroughTheEnvironmentsServices"]
    assert use["Condition"]["StringEquals"]["kms:ViaService"] in ("s3.us-east-1.amazonaws.com",
                                                                  ["s3.us-east-1.amazonaws.com"]), use


def test_lifecycle_expires_events_results_and_old_versions(applied_examples, out):
    rules = {r["ID"]: r for r in applied_examples.client("s3").get_bucket_lifecycle_configuration(
        Bucket=out["bucket_name"])["Rules"]}
    assert set(rules) == {"audit-events", "athena-results", "expired-delete-markers"}
    events = rules["audit-events"]
    assert events["Filter"]["Prefix"] == "audit/v1/"
    assert events["Expiration"]["Days"] == 400
    assert events["NoncurrentVersionExpiration"]["NoncurrentDays"] == 30
    transitions = sorted((t["StorageClass"], t["Days"]) for t in events["Transitions"])
    assert transitions == [("GLACIER_IR", 90), ("STANDARD_IA", 30)]
    assert events["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] == 7
    assert rules["athena-results"]["Filter"]["Prefix"] == "athena-results/"
    assert rules["athena-results"]["Expiration"]["Days"] == 7
    assert rules["expired-delete-markers"]["Expiration"]["ExpiredObjectDeleteMarker"] is True


@pytest.mark.parametrize("table", ["job_events", "data_quality_events"])
def test_tables_read_the_contracts_json_lines_with_partition_projection(applied_examples, out, table):
    glue = applied_examples.client("glue")
    t = glue.get_table(DatabaseName=out["database_name"], Name=table)["Table"]
    sd = t["StorageDescriptor"]
    columns = [(c["name"], c["type"]) for c in SCHEMAS[table]["columns"]]
    assert [(c["Name"], c["Type"]) for c in sd["Columns"]] == columns
    partitions = [(k["Name"], k["Type"]) for k in t["PartitionKeys"]]
    assert partitions == [("year", "string"), ("month", "string"), ("day", "string")]
    assert sd["SerdeInfo"]["SerializationLibrary"] == "org.openx.data.jsonserde.JsonSerDe"
    assert sd["InputFormat"] == "org.apache.hadoop.mapred.TextInputFormat"
    assert sd["Location"] == f"{out['audit_uri']}/{table}/" == out["table_locations"][table]
    p = t["Parameters"]
    assert t["TableType"] == "EXTERNAL_TABLE" and p["classification"] == "json"
    assert p["projection.enabled"] == "true"
    assert (p["projection.month.range"], p["projection.month.digits"]) == ("1,12", "2")
    assert (p["projection.day.range"], p["projection.day.digits"]) == ("1,31", "2")
    assert p["projection.year.type"] == p["projection.month.type"] == p["projection.day.type"] == "integer"
    assert p["storage.location.template"] == f"{out['audit_uri']}/{table}/year=${{year}}/month=${{month}}/day=${{day}}/"


def test_workgroup_enforces_encrypted_results_and_a_scan_cutoff(applied_examples, out):
    wg = applied_examples.client("athena").get_work_group(WorkGroup=out["workgroup_name"])["WorkGroup"]
    conf = wg["Configuration"]
    assert wg["State"] == "ENABLED"
    assert conf["EnforceWorkGroupConfiguration"] is True
    assert conf["PublishCloudWatchMetricsEnabled"] is True
    assert conf["BytesScannedCutoffPerQuery"] == 1073741824
    result = conf["ResultConfiguration"]
    assert result["OutputLocation"] == out["athena_results_uri"]
    assert result["EncryptionConfiguration"] == {"EncryptionOption": "SSE_KMS", "KmsKey": out["kms_key_arn"]}


def test_framework_writer_lands_events_where_the_tables_and_queries_read_them(applied_examples, out, tmp_path):
    """glue_jobs' AuditTrail writes to the applied bucket (--audit_uri = the audit_uri output): every object
    is under its table's partition template, encrypted with the audit key by default, and the named queries'
    SQL answers from the downloaded objects as Python does."""
    from glue_jobs.audit import AuditTrail, S3Store
    from glue_jobs.contract import AuditEventType, AuditStatus

    s3 = applied_examples.client("s3")
    store = S3Store(s3, out["audit_uri"])
    now = datetime.now(UTC)
    for i, (job, minutes) in enumerate([("customer_import", 90), ("orders_daily", 60), ("orders_daily", 30)]):
        audit = AuditTrail(store, job, f"jr_bucket_test_{i}")
        started = now - timedelta(minutes=minutes)
        audit.job_event(AuditEventType.JOB_STARTED, AuditStatus.RUNNING, moment=started)
        audit.job_event(AuditEventType.LOAD_COMPLETED, AuditStatus.SUCCESS, records_processed=100 * (i + 1),
                        output_paths=[f"s3://silver/{job}/"], moment=started + timedelta(minutes=5))
        audit.data_quality_event(quality_score=0.9 + i / 100, completeness_score=1.0, uniqueness_score=0.9,
                                 validity_score=0.9, consistency_score=0.8 + i / 25, validation_pass_rate=95.0,
                                 records_checked=100, records_failed=5, moment=started + timedelta(minutes=5))
        audit.job_event(AuditEventType.JOB_COMPLETED, AuditStatus.FAILED if i == 2 else AuditStatus.SUCCESS,
                        records_processed=100 * (i + 1), moment=started + timedelta(minutes=6))

    bucket, prefix = out["bucket_name"], out["audit_uri"].split("/", 3)[3]
    keys = [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"{prefix}/")
            for o in page.get("Contents", [])]
    assert len(keys) == 12
    local = tmp_path / "audit"
    for key in keys:
        layout = rf"{re.escape(prefix)}/(job_events|data_quality_events)/year=\d{{4}}/month=\d\d/day=\d\d/[^/]+\.json"
        assert re.fullmatch(layout, key), f"{key} is not under a table's year=/month=/day= partition"
        head = s3.head_object(Bucket=bucket, Key=key)
        assert head["ServerSideEncryption"] == "aws:kms" and head["SSEKMSKeyId"] == out["kms_key_arn"], key
        path = local / key[len(prefix) + 1:]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(s3.get_object(Bucket=bucket, Key=key)["Body"].read())

    answers = check_queries(local, now)
    assert sum(r["total_runs"] for r in answers["job_success_rate"]) == 3
    assert sum(r["successful_runs"] for r in answers["job_success_rate"]) == 2


@pytest.mark.plan
def test_named_queries_hold_the_query_files(examples_plan):
    """The named queries (not creatable on the emulator) are planned with the text the DuckDB tests run."""
    prefix = "module.audit_trail__complete.module.audit_trail.aws_athena_named_query.this"
    planned = {a[len(prefix) + 2:-2]: rc["change"]["after"] for a, rc in examples_plan.resource_changes.items()
               if a.startswith(prefix)}
    files = {p.stem: p.read_text() for p in (MODULE / "queries").glob("*.sql")}
    assert set(planned) == set(files)
    for name, after in planned.items():
        assert after["query"] == files[name], f"{name}: the planned query is not queries/{name}.sql"
        assert after["database"] == "ex_audit_trail_complete"
        assert after["workgroup"] == "ex-audit-trail-complete-audit"
