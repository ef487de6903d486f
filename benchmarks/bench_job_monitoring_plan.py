"""Plan time of modules/job_monitoring for 20 and 200 jobs, and the dashboards it generates.

    .venv/bin/python benchmarks/bench_job_monitoring_plan.py [--jobs 20 200] [--repeat 1]

One generated root (a job list of N jobs: a third with SLOs, a third hourly, a third on demand), initialised
once and planned per N against the AWS emulator (the module reads the caller identity: the emulator's STS
answers). Reports the wall and CPU time of `terraform plan` per N (the best of --repeat; CPU time is the fair
measure on a shared machine), the planned resources, the dashboards (count, widgets, body bytes) and the goal:
plan(200) <= 4 x plan(20). Results also go to benchmarks/results/job_monitoring_plan.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness import emulator as emulator_mod  # noqa: E402
from harness.root import Root, copy_tree, terraform_binary  # noqa: E402

ROOT_TF = """
terraform {
  required_version = ">= 1.9"
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.80, < 6.0" }
  }
}

provider "aws" {
  region = "us-east-1"
}

variable "job_count" {
  type = number
}

module "job_monitoring" {
  source = "../modules/job_monitoring"

  name_prefix = "bench-jm"
  environment = "bench"
  alarm_topic_arns = {
    critical = "arn:aws:sns:us-east-1:100000000071:bench-critical"
    warning  = "arn:aws:sns:us-east-1:100000000071:bench-warning"
    info     = "arn:aws:sns:us-east-1:100000000071:bench-info"
  }
  dlq_queue_names = ["bench-records-dlq"]
  jobs = { for i in range(var.job_count) : format("job%03d", i) => {
    schedule_interval_hours = i % 3 == 2 ? null : (i % 3 == 1 ? 1 : 24)
    usual_duration_seconds  = i % 3 == 0 ? 600 : null
    slo                     = i % 3 == 0 ? { success_rate_percent = 99, freshness_percent = 95 } : {}
    alarms                  = i % 3 == 2 ? { data_freshness = { enabled = false } } : {}
  } }
}
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, nargs="+", default=[20, 200])
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)

    emu, started = emulator_mod.running(), False
    if emu is None:
        run_dir = Path(tempfile.mkdtemp(prefix="bench-jm-emulator-"))
        os.environ.setdefault("TMPDIR", str(run_dir))  # its own /tmp/localstack, not one shared with others
        emu, started = emulator_mod.start(run_dir, progress=lambda m: None), True
    try:
        work = copy_tree(Path(tempfile.mkdtemp(prefix="bench-jm-")))
        folder = work / "bench_job_monitoring"
        folder.mkdir()
        (folder / "main.tf").write_text(ROOT_TF)
        root = Root(folder)
        root.target_emulator(emu, account="100000000071")
        root.init()
        tf = str(terraform_binary())
        results = []
        for n in args.jobs:
            times, cpus = [], []
            for _ in range(args.repeat):
                t0, r0 = time.monotonic(), resource.getrusage(resource.RUSAGE_CHILDREN)
                proc = subprocess.run([tf, "plan", "-input=false", "-lock=false", "-refresh=false",
                                       f"-var=job_count={n}", "-out=bench.tfplan"],
                                      cwd=folder, env=root.env, capture_output=True, text=True)
                times.append(time.monotonic() - t0)
                r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpus.append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
                if proc.returncode:
                    print(proc.stdout[-2000:], proc.stderr[-4000:], file=sys.stderr)
                    return 1
            plan = json.loads(subprocess.run([tf, "show", "-json", "bench.tfplan"], cwd=folder, env=root.env,
                                             capture_output=True, text=True, check=True).stdout)
            creates = [rc for rc in plan["resource_changes"] if "create" in rc["change"]["actions"]]
            dashboards = {rc["change"]["after"]["dashboard_name"]: rc["change"]["after"]["dashboard_body"]
                          for rc in creates if rc["type"] == "aws_cloudwatch_dashboard"}
            results.append({
                "jobs": n,
                "plan_seconds": round(min(times), 1),
                "plan_cpu_seconds": round(min(cpus), 1),
                "resources": len(creates),
                "by_type": dict(Counter(rc["type"] for rc in creates)),
                "dashboards": {name: {"bytes": len(body), "widgets": len(json.loads(body)["widgets"])}
                               for name, body in sorted(dashboards.items())},
            })
            r = results[-1]
            sizes = [d["bytes"] for d in r["dashboards"].values()]
            print(f"{n:>4} jobs: plan {r['plan_seconds']:>6.1f} s wall, {r['plan_cpu_seconds']:>6.1f} s CPU, "
                  f"{r['resources']} resources "
                  f"({r['by_type'].get('aws_cloudwatch_metric_alarm', 0)} metric alarms, "
                  f"{r['by_type'].get('aws_cloudwatch_composite_alarm', 0)} composites), "
                  f"{len(sizes)} dashboards, body bytes max {max(sizes):,} total {sum(sizes):,}", flush=True)
            for name, d in r["dashboards"].items():
                print(f"        {name}: {d['widgets']} widgets, {d['bytes']:,} bytes")
        if len(results) >= 2:
            ratio = results[-1]["plan_seconds"] / results[0]["plan_seconds"]
            cpu_ratio = results[-1]["plan_cpu_seconds"] / results[0]["plan_cpu_seconds"]
            print(f"plan({results[-1]['jobs']}) / plan({results[0]['jobs']}): wall {ratio:.2f} "
                  f"(goal <= 4: {'met' if ratio <= 4 else 'NOT met'}), CPU {cpu_ratio:.2f} "
                  "(wall time gains from the 2 cores and suffers from other load; CPU time is steadier)")
        out = ROOT / "benchmarks" / "results" / "job_monitoring_plan.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=2))
        print(f"results: {out}")
    finally:
        if started:
            emulator_mod.stop(emu, progress=lambda m: None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
