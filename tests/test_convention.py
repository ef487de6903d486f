"""The module interface convention of CONTRIBUTING.md ("The module interface (one vocabulary)"), checked from the
variables.tf and outputs.tf of every module: one name per concept, one type and one validation for it, one
shape for alarm settings, nullable = false on collections. A new module cannot drift from it unnoticed."""

from __future__ import annotations

import re

import pytest

from harness import hcl
from harness.static import modules

pytestmark = pytest.mark.static

MODULES = modules()
NAME_PREFIX_PATTERN = "^[a-z][a-z0-9-]{0,22}[a-z0-9]$"
ALARM_OVERRIDE = ("object({enabled = optional(bool), thresholds = optional(map(number)), "
                  "period_seconds = optional(number), evaluation_periods = optional(number), "
                  "datapoints_to_alarm = optional(number), treat_missing_data = optional(string), "
                  "runbook_url = optional(string)})")
# Other names once used for a concept that has one name now (CHANGELOG 0.2.0).
RETIRED = {
    "topic_arns": "alarm_topic_arns", "billing_topic_arns": "alarm_topic_arns",
    "insights_topic_arn": "alarm_topic_arns", "runbook_base_url": "runbook_url",
    "kms_master_key_id": "create_kms_key + kms_key_arn", "alarm_severity": "alarms.<signal>.thresholds",
    "alarm_defaults": "alarms", "depth_thresholds": "alarms.depth.thresholds",
    "age_thresholds_seconds": "alarms.age.thresholds", "evaluation_periods": "alarms.<signal>.evaluation_periods",
    "datapoints_to_alarm": "alarms.<signal>.datapoints_to_alarm", "job_name": "name",
}
COLLECTION = re.compile(r"^(map|list|set|object|tuple)\(")


def variables(module):
    return hcl.read(module).variables


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_every_module_has_create_name_prefix_and_tags(module):
    v = variables(module)
    assert {"create", "name_prefix", "tags"} <= set(v), f"missing: {sorted({'create', 'name_prefix', 'tags'} - set(v))}"
    assert v["create"].type == "bool" and v["create"].default == "true" and not v["create"].nullable
    assert v["tags"].type == "map(string)" and v["tags"].default == "{}" and not v["tags"].nullable


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_name_prefix_has_one_pattern_and_one_message(module):
    prefix = variables(module)["name_prefix"]
    checks = prefix.validations
    assert any(NAME_PREFIX_PATTERN in (c["condition"] or "") for c in checks), (
        f"name_prefix must be validated with {NAME_PREFIX_PATTERN}: {checks}")
    assert any((c["error_message"] or "").startswith("name_prefix must be 2-24 lowercase letters, digits or hyphens")
               for c in checks), checks


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_no_retired_name(module):
    used = {n: RETIRED[n] for n in variables(module) if n in RETIRED}
    assert not used, f"inputs with a retired name (use the new one): {used}"


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_collections_are_not_nullable_and_every_input_and_output_is_described(module):
    config = hcl.read(module)
    nullable = [n for n, v in config.variables.items() if COLLECTION.match(v.type or "") and v.nullable]
    assert not nullable, f"collection inputs without nullable = false: {nullable}"
    undescribed = [n for n, v in config.variables.items() if not v.description]
    undescribed += [f"output {n}" for n, o in config.outputs.items() if not o.description]
    assert not undescribed, undescribed


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_alarming_modules_take_topics_alarms_runbook_and_period_in_one_shape(module):
    config = hcl.read(module)
    v = config.variables
    if "alarm_topic_arns" not in v:
        assert "aws_cloudwatch_metric_alarm" not in config.resource_types, f"{module.name} alarms without topics"
        pytest.skip(f"{module.name} creates no alarm and routes no alert")
    assert v["alarm_topic_arns"].type == "map(string)" and v["alarm_topic_arns"].default == "{}"
    assert not v["alarm_topic_arns"].nullable
    assert any("critical" in (c["condition"] or "") for c in v["alarm_topic_arns"].validations), (
        "alarm_topic_arns keys must be validated against the severities")
    if "aws_cloudwatch_metric_alarm" not in config.resource_types and module.name != "etl_monitoring":
        return  # it routes alerts (tracing's insights) but owns no alarm
    assert "runbook_url" in v and any("#" in (c["condition"] or "") for c in v["runbook_url"].validations), (
        "runbook_url must be validated: https, without a #fragment (the module appends #<signal>)")
    assert "alarm_period_seconds" in v and v["alarm_period_seconds"].type == "number"
    shapes = [n for n, var in v.items() if ALARM_OVERRIDE in (var.type or "")]
    assert shapes, f"no input takes the alarm override shape {ALARM_OVERRIDE}"
    assert "alarms" in shapes, f"the module's own alarm settings must be the input `alarms`: {shapes}"
    assert v["alarms"].type == f"map({ALARM_OVERRIDE})" and not v["alarms"].nullable


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_a_module_that_encrypts_takes_create_kms_key_and_kms_key_arn(module):
    v = variables(module)
    has = {"create_kms_key", "kms_key_arn"} & set(v)
    if not has:
        pytest.skip(f"{module.name} takes no key")
    if module.name in ("glue_job", "tracing"):  # they encrypt with a key they are given and own none
        assert "kms_key_arn" in v and "create_kms_key" not in v
        return
    assert has == {"create_kms_key", "kms_key_arn"}, f"{module.name}: both or neither"
    assert v["create_kms_key"].type == "bool" and v["create_kms_key"].default == "true"
    assert v["kms_key_arn"].default == "null"
    assert any("create_kms_key" in (c["condition"] or "") for c in v["kms_key_arn"].validations), (
        "kms_key_arn must be required when create_kms_key = false")


def test_the_checks_themselves_catch_a_drift(tmp_path):
    """A module that drifts (a retired name, a nullable map, another name_prefix pattern) fails these checks."""
    (tmp_path / "variables.tf").write_text(
        'variable "create" {\n  description = "x"\n  type = bool\n  default = true\n  nullable = false\n}\n'
        'variable "name_prefix" {\n  description = "x"\n  type = string\n  validation {\n'
        '    condition = can(regex("^[a-z]{1,40}$", var.name_prefix))\n    error_message = "bad"\n  }\n}\n'
        'variable "tags" {\n  description = "x"\n  type = map(string)\n  default = {}\n}\n'
        'variable "topic_arns" {\n  description = "x"\n  type = map(string)\n}\n')
    with pytest.raises(AssertionError):
        test_name_prefix_has_one_pattern_and_one_message(tmp_path)
    with pytest.raises(AssertionError):
        test_no_retired_name(tmp_path)
    with pytest.raises(AssertionError):
        test_collections_are_not_nullable_and_every_input_and_output_is_described(tmp_path)
    with pytest.raises(AssertionError):
        test_every_module_has_create_name_prefix_and_tags(tmp_path)
