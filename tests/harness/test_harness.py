"""The harness's own logic: what would make every Terraform test pass or fail for the wrong reason."""

from __future__ import annotations

import json

import pytest

from harness.bundle import NegativeCase, _merge, build_examples_bundle, compare_inventory, discover_examples
from harness.emulator import Emulator
from harness.terraform import content_hash, declared_variables, provider_aliases

pytestmark = pytest.mark.python


def test_inventory_comparison_reports_counts_values_and_outputs():
    creates = {
        'module.n.aws_sns_topic.this["critical"]': {"name": "x-critical", "policy": json.dumps({"a": {"b": 1}})},
        'module.n.aws_sns_topic.this["info"]': {"name": "x-info"},
    }
    inventory = {"counts": {"aws_sns_topic": 2}, "values": {
        'module.n.aws_sns_topic.this["critical"]': {"name": "x-critical", "policy": {"a": {"b": 1}}}},
        "outputs": ["topic_arns"]}
    assert compare_inventory(inventory, creates, {"topic_arns"}) == []

    wrong = {"counts": {"aws_sns_topic": 3, "aws_kms_key": 1},
             "values": {'module.n.aws_sns_topic.this["critical"]': {"name": "y", "policy": {"a": {"b": 2}}},
                        'module.n.aws_sns_topic.this["warning"]': {"name": "x-warning"}},
             "outputs": ["kms_key_arn"]}
    problems = compare_inventory(wrong, creates, {"topic_arns"})
    assert any("count of aws_sns_topic: planned 2" in p for p in problems)
    assert any("count of aws_kms_key: planned 0" in p for p in problems)
    assert any(".name: expected 'y'" in p for p in problems)
    assert any(".policy.a.b: expected 2" in p for p in problems)  # JSON strings are compared as objects
    assert any('this["warning"]: not planned' in p for p in problems)
    assert any("output kms_key_arn: missing" in p for p in problems)


def test_negative_case_vars_merge_into_the_base():
    assert _merge({"a": {"x": 1, "y": 2}, "b": 1}, {"a": {"y": 3}}) == {"a": {"x": 1, "y": 3}, "b": 1}
    assert NegativeCase("notifications", "bad-email", {}, "must").file == "case_notifications__bad-email.tf.json"


def test_provider_aliases_and_variables_are_read_from_the_root(tmp_path):
    (tmp_path / "p.tf").write_text('provider "aws" {\n  region = "x"\n  default_tags {\n    tags = {}\n  }\n}\n'
                                   'provider "aws" {\n  alias  = "us_east_1"\n  region = "us-east-1"\n}\n'
                                   'variable "create_query_definitions" {\n  type = bool\n}\n')
    assert provider_aliases(tmp_path) == [None, "us_east_1"]
    assert declared_variables(tmp_path) == {"create_query_definitions"}


def test_provider_override_points_every_alias_and_service_at_the_emulator():
    emu = Emulator("http://127.0.0.1:4566", "http://127.0.0.1:5000", routes={"glue": "http://127.0.0.1:5000"})
    hcl = emu.provider_override(access_key="111122223333", aliases=[None, "us_east_1"])
    assert hcl.count('provider "aws"') == 2 and 'alias                       = "us_east_1"' in hcl
    assert 'glue           = "http://127.0.0.1:5000"' in hcl and 'sqs            = "http://127.0.0.1:4566"' in hcl
    assert 'access_key                  = "111122223333"' in hcl and "max_retries                 = 3" in hcl


def test_content_hash_ignores_generated_files_but_not_sources(tmp_path):
    (tmp_path / "main.tf").write_text("a")
    before = content_hash([tmp_path])
    (tmp_path / "emulator_override.tf").write_text("ports change every run")
    (tmp_path / ".terraform").mkdir()
    (tmp_path / ".terraform" / "x").write_text("y")
    assert content_hash([tmp_path]) == before
    (tmp_path / "main.tf").write_text("b")
    assert content_hash([tmp_path]) != before


def test_examples_bundle_drops_example_providers_and_passes_gap_switches(tmp_path):
    ex = tmp_path / "modules" / "m" / "examples" / "complete"
    ex.mkdir(parents=True)
    (ex / "main.tf").write_text('variable "create_query_definitions" {\n  default = true\n}\n')
    (ex / "providers.tf").write_text('provider "aws" {\n  region = "us-east-1"\n}\n')
    examples = discover_examples(tmp_path)
    bundle = build_examples_bundle(tmp_path, examples)
    main = (bundle / "main.tf").read_text()
    assert not (ex / "providers.tf").exists()
    assert 'module "m__complete"' in main and "create_query_definitions = var.create_query_definitions" in main
    assert 'variable "create_query_definitions"' in main
