"""The harness's own logic: what would make every Terraform test pass or fail for the wrong reason, and the
emulator lifecycle a user relies on (the README sequence itself is tests/test_readme_sequence.py)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from harness import emulator as emulator_mod
from harness import hcl, settings
from harness.bundle import (
    NegativeCase,
    build_examples_bundle,
    build_negative_bundle,
    discover_examples,
    load_negative_cases,
    merge,
)
from harness.inventory import compare_inventory
from harness.root import content_hash, provider_override
from harness.sequence import planned_changes

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


def test_negative_case_vars_merge_into_the_base_and_each_case_has_its_own_file(tmp_path):
    assert merge({"a": {"x": 1, "y": 2}, "b": 1}, {"a": {"y": 3}}) == {"a": {"x": 1, "y": 3}, "b": 1}
    assert merge({"a": {"x": 1}}, {"a": {}}) == {"a": {}}  # an empty map is a value: "none", not "no change"
    case = NegativeCase("notifications", "bad-email", {"name_prefix": "n"}, "must")
    assert case.file == "case_notifications__bad-email.tf.json"
    (tmp_path / "modules" / "notifications").mkdir(parents=True)
    bundle = build_negative_bundle(tmp_path, [case], name="negative-2")
    doc = json.loads((bundle / case.file).read_text())
    assert bundle.name == "negative-2" and doc["module"]["notifications__bad_email"]["name_prefix"] == "n"


def test_the_reader_finds_providers_aliases_variables_and_backend(tmp_path):
    (tmp_path / "p.tf").write_text('provider "aws" {\n  region = "x"\n  default_tags {\n    tags = {}\n  }\n}\n'
                                   'provider "aws" {\n  alias  = "us_east_1"\n  region = "us-east-1"\n}\n'
                                   'variable "create_query_definitions" {\n  type = bool\n}\n'
                                   'terraform {\n  backend "s3" {}\n}\n')
    (tmp_path / "m.tf").write_text('variable "x" {\n  description = <<-EOT\n    two\n    lines\n  EOT\n'
                                   '  type    = map(object({ a = optional(string, "b") }))\n'
                                   '  default = { k = { a = "c" } }\n  nullable = false\n}\n')
    config = hcl.read(tmp_path)
    assert config.provider_aliases == [None, "us_east_1"] and config.has_backend
    assert set(config.variables) == {"create_query_definitions", "x"}
    x = config.variables["x"]
    assert x.description == "two\nlines" and not x.nullable
    assert x.type == 'map(object({a = optional(string, "b")}))' and x.default == '{ k = { a = "c" } }'
    assert config.variables["create_query_definitions"].default is None  # required


def test_provider_override_points_every_alias_and_service_at_the_emulator():
    emu = emulator_mod.Emulator("http://127.0.0.1:4566", "http://127.0.0.1:5000",
                                routes={"glue": "http://127.0.0.1:5000"})
    text = provider_override(emu, access_key="111122223333", aliases=[None, "us_east_1"])
    assert text.count('provider "aws"') == 2 and 'alias                       = "us_east_1"' in text
    assert 'glue           = "http://127.0.0.1:5000"' in text and 'sqs            = "http://127.0.0.1:4566"' in text
    assert 'access_key                  = "111122223333"' in text and "max_retries                 = 3" in text


def test_content_hash_ignores_generated_files_but_not_sources(tmp_path):
    (tmp_path / "main.tf").write_text("a")
    before = content_hash([tmp_path])
    (tmp_path / "emulator_override.tf").write_text("ports change every run")
    (tmp_path / ".terraform").mkdir()
    (tmp_path / ".terraform" / "x").write_text("y")
    assert content_hash([tmp_path]) == before
    (tmp_path / "main.tf").write_text("b")
    assert content_hash([tmp_path]) != before


def test_examples_bundle_drops_example_providers_and_passes_gap_switches_and_aliases(tmp_path):
    ex = tmp_path / "modules" / "m" / "examples" / "complete"
    ex.mkdir(parents=True)
    (ex / "main.tf").write_text('variable "create_query_definitions" {\n  default = true\n}\n')
    (ex / "providers.tf").write_text('provider "aws" {\n  region = "us-east-1"\n}\n'
                                     'provider "aws" {\n  alias  = "us_east_1"\n  region = "us-east-1"\n}\n')
    bundle = build_examples_bundle(tmp_path, discover_examples(tmp_path))
    main = (bundle / "main.tf").read_text()
    assert not (ex / "providers.tf").exists()
    assert 'module "m__complete"' in main and "create_query_definitions = var.create_query_definitions" in main
    assert 'variable "create_query_definitions"' in main and "aws.us_east_1 = aws.us_east_1" in main


def test_the_changes_a_plan_printed_are_read_back():
    out = ("  # module.a.aws_sqs_queue.q will be created\n  # data.aws_region.x will be read during apply\n"
           '  # module.b.aws_kms_key.k["x"] must be replaced\nNo changes.\n')
    assert [(c.address, c.actions) for c in planned_changes(out)] == [
        ("module.a.aws_sqs_queue.q", ["created"]), ('module.b.aws_kms_key.k["x"]', ["replaced"])]


# -- the emulator lifecycle -------------------------------------------------------------------------------------

class _FakeEmulator(BaseHTTPRequestHandler):
    """LocalStack's health, moto's page, and moto's state dump that fails once Lambdas and roles exist."""

    def do_GET(self):  # noqa: N802
        body = {"/_localstack/health": b'{"services": {"sqs": "running"}}', "/moto-api/": b"<html>moto</html>"}
        if self.path in body:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(body[self.path])
        else:
            self.send_response(500)
            self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_endpoints():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeEmulator)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _sleeper() -> emulator_mod.Process:
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
    return emulator_mod.Process(proc.pid, "moto", emulator_mod._start_ticks(proc.pid))


def test_health_comes_from_cheap_endpoints_not_from_a_state_dump(fake_endpoints):
    # the fake's /moto-api/data.json answers 500, as moto's does once an environment with Lambdas is applied
    emu = emulator_mod.Emulator(fake_endpoints, fake_endpoints, routes={"lambda": fake_endpoints})
    assert emu.healthy(attempts=1)
    dead = emulator_mod.Emulator(fake_endpoints, "http://127.0.0.1:9", routes={"lambda": "http://127.0.0.1:9"})
    assert not dead.healthy(attempts=1, timeout=0.5)


def test_an_emulator_whose_process_died_is_not_healthy_even_if_something_answers(fake_endpoints):
    gone = _sleeper()
    emulator_mod.stop_processes([gone], grace=2)
    emu = emulator_mod.Emulator(fake_endpoints, fake_endpoints, processes=[gone])
    assert not emu.healthy(attempts=1)


def test_stop_processes_ends_each_group_and_checks_by_pid(tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "EMULATOR_DIR", tmp_path)
    survivor = subprocess.Popen([sys.executable, "-c", "import signal, time; signal.signal(signal.SIGTERM, "
                                 "signal.SIG_IGN); time.sleep(60)"], start_new_session=True)
    stubborn = emulator_mod.Process(survivor.pid, "localstack", emulator_mod._start_ticks(survivor.pid))
    plain = _sleeper()
    for p in (stubborn, plain):
        emulator_mod._register(p)
    assert {p.pid for p in emulator_mod.registered()} == {stubborn.pid, plain.pid}
    assert emulator_mod.stop_processes([stubborn, plain], grace=1) == []  # SIGTERM ignored: SIGKILL after grace
    assert not stubborn.alive() and not plain.alive() and emulator_mod.registered() == []


def test_a_saved_emulator_that_no_longer_answers_is_stopped_and_its_state_moved_aside(tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "EMULATOR_DIR", tmp_path)
    run = emulator_mod.run_dir()
    leftover = _sleeper()  # its moto still runs, but nothing answers on its ports
    old = emulator_mod.Emulator("http://127.0.0.1:9", "http://127.0.0.1:9", processes=[leftover],
                                run_dir=str(run), started_at="earlier", started_by="make emulator-up")
    old.save(run / "emulator.json")
    (run / "state").mkdir()
    (run / "state" / "dev.tfstate").write_text('{"resources": []}')
    started = []

    def fake_start(folder, **kwargs):
        started.append(folder)
        return emulator_mod.Emulator("http://127.0.0.1:8", run_dir=str(folder))

    monkeypatch.setattr(emulator_mod, "start", fake_start)
    said: list[str] = []
    emulator_mod.ensure_running(progress=said.append)
    assert not leftover.alive(), "the old emulator's process still runs"
    kept = list((tmp_path / "replaced").glob("*/state/dev.tfstate"))
    assert kept and kept[0].read_text() == '{"resources": []}', "the old state was not kept"
    assert started == [run] and any("no longer answers" in s for s in said) and any("kept in" in s for s in said)


def test_a_saved_emulator_that_answers_is_reused(tmp_path, monkeypatch, fake_endpoints):
    monkeypatch.setattr(settings, "EMULATOR_DIR", tmp_path)
    alive = _sleeper()
    saved = emulator_mod.Emulator(fake_endpoints, fake_endpoints, processes=[alive], run_dir=str(tmp_path / "run"))
    saved.save(emulator_mod.run_dir() / "emulator.json")
    monkeypatch.setattr(emulator_mod, "start", lambda *a, **k: pytest.fail("started a second emulator"))
    try:
        assert emulator_mod.ensure_running(progress=lambda _m: None).processes[0].pid == alive.pid
    finally:
        emulator_mod.stop_processes([alive], grace=1)


def test_status_says_what_runs_and_which_environments_it_holds(tmp_path, monkeypatch, fake_endpoints):
    monkeypatch.setattr(settings, "EMULATOR_DIR", tmp_path)
    alive = _sleeper()
    run = emulator_mod.run_dir()
    emu = emulator_mod.Emulator(fake_endpoints, fake_endpoints, routes={"glue": fake_endpoints}, processes=[alive],
                                run_dir=str(run), started_at="2026-12-04T10:00:00+00:00", started_by="make apply")
    emu.save(run / "emulator.json")
    (run / "state").mkdir()
    resources = [{"mode": "managed", "instances": [{}, {}]}, {"mode": "data", "instances": [{}]}]
    (run / "state" / "dev.tfstate").write_text(json.dumps({"resources": resources}))
    try:
        lines, ok = emulator_mod.status_lines()
    finally:
        emulator_mod.stop_processes([alive], grace=1)
    text = "\n".join(lines)
    assert ok and "answers" in text and "2026-12-04T10:00:00+00:00" in text and "make apply" in text
    assert "dev (2 resources)" in text and f"pid {alive.pid} alive" in text


def test_settings_are_read_in_one_place():
    readers = []
    for path in Path(settings.ROOT / "harness").glob("*.py"):
        if path.name != "settings.py" and "os.environ.get(" in path.read_text():
            readers.append(path.name)
    assert not readers, f"read their settings from the environment themselves: {readers}"


def test_the_harness_modules_import_each_other_without_a_cycle():
    import re

    graph = {}
    for path in Path(settings.ROOT / "harness").glob("*.py"):
        text = path.read_text()
        graph[path.stem] = set(re.findall(r"^\s*from harness(?:\.(\w+))? import (\w+)", text, re.M))
    edges = {m: {sub or name for sub, name in deps} & set(graph) - {m} for m, deps in graph.items()}

    def visit(node, path):
        if node in path:
            raise AssertionError(f"import cycle: {' -> '.join([*path, node])}")
        for nxt in edges.get(node, ()):
            visit(nxt, [*path, node])

    for module in edges:
        visit(module, [])


def test_cached_plans_of_two_roots_in_one_tree_are_not_confused(tmp_path, monkeypatch):
    """environments/dev and environments/prod share the copied tree and the variables: each root keeps its own
    plan (make cost once priced dev's plan three times)."""
    from harness import root as root_mod

    monkeypatch.setattr(root_mod.settings, "CACHE", tmp_path / "cache")
    (tmp_path / "modules").mkdir()
    for name in ("dev", "prod"):
        folder = tmp_path / "environments" / name
        folder.mkdir(parents=True)
        (folder / "main.tf").write_text(f'output "which" {{\n  value = "{name}"\n}}\n')
    plans = {name: root_mod.Root(tmp_path / "environments" / name).plan(cache=True) for name in ("dev", "prod")}
    assert {name: p.output_values["which"] for name, p in plans.items()} == {"dev": "dev", "prod": "prod"}


def test_a_negative_case_can_replace_a_base_input_whole(tmp_path):
    (tmp_path / "tests" / "negative").mkdir(parents=True)
    (tmp_path / "tests" / "negative" / "m.yaml").write_text(
        "base: { topics: { critical: a, warning: b } }\n"
        "cases:\n"
        "  - { id: merged, vars: { topics: { critical: c } }, error: x }\n"
        "  - { id: whole, replace: [topics], vars: { topics: { critical: c } }, error: x }\n")
    cases = {c.id: c.vars for c in load_negative_cases(tmp_path)}
    assert cases["merged"] == {"topics": {"critical": "c", "warning": "b"}}
    assert cases["whole"] == {"topics": {"critical": "c"}}
