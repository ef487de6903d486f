"""What rejected records cost the driver: the example job on 1,000,000 rows of which 10 % are rejected.

    .venv/bin/python benchmarks/bench_rejected_records.py --before-ref e33afdd    # before and after, 1 M rows
    .venv/bin/python benchmarks/bench_rejected_records.py --rows 200000 --rounds 1  # after only, smaller

Every measured run is its own process (so its memory peak is its own), with the job's code imported from
the checkout (*after*) or from ``git archive <before-ref> glue_jobs`` (*before*), on one input generated
once (``examples/sample_data.py`` with ``--bad-every 60``: six bad rows in every 60 = 10 %).

- The job: ``CustomerImportJob``, ``--environment local`` (metrics printed, no trace), the audit store in a
  local directory (where *after* writes the overflow: with the DataFrame writer, as it would to S3 in Glue).
- The DLQ: a counting fake SQS client (``send_message_batch`` accepts every entry and counts calls,
  messages and bytes). Not the emulator's SQS: what is measured is the driver's side, and 10,000 calls to
  LocalStack would add its own latency and memory (100,000 stored messages) to the numbers, while the
  number of calls, the thing to compare, is the same either way.
- Driver memory, two numbers: the Python driver process's peak RSS during the run (``ru_maxrss``; the JVM
  is another process), which is where the rejected records become dicts and message bodies; and the JVM's
  heap in use, sampled every 50 ms (in local mode the executors share the driver's JVM, and the samples
  include garbage not yet collected, so it is the rougher of the two).

A warm-up run on a small input precedes the measured one in each process. The table goes to stdout and to
benchmarks/results/rejected_records.md.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/000000000000/bench-rejected-dlq"
VARIANTS = ("before", "after")


class CountingSqs:
    """A fake SQS client: accepts every entry of SendMessageBatch and counts what it was sent."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.messages = 0
        self.bytes = 0
        self.pointers = 0
        self._lock = threading.Lock()  # the DLQ sends from several threads

    def send_message_batch(self, QueueUrl: str, Entries: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803
        with self._lock:
            self.calls["SendMessageBatch"] += 1
            self.messages += len(Entries)
            self.bytes += sum(len(e["MessageBody"].encode()) for e in Entries)
            self.pointers += sum('"rejected_records_pointer"' in e["MessageBody"] for e in Entries)
        return {"Successful": [{"Id": e["Id"]} for e in Entries], "Failed": []}


class Sampler:
    """Samples the Python process's RSS and the JVM's heap in use until stopped; keeps the peaks."""

    def __init__(self, spark: Any, interval: float = 0.05) -> None:
        self._runtime = spark.sparkContext._jvm.java.lang.Runtime.getRuntime()
        self._interval = interval
        self._stop = threading.Event()
        self.heap_peak = 0
        self.rss_peak = 0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.heap_peak = max(self.heap_peak, self._runtime.totalMemory() - self._runtime.freeMemory())
            self.rss_peak = max(self.rss_peak, rss_bytes())
            self._stop.wait(self._interval)


def cpu_seconds(spark: Any) -> float:
    """CPU seconds used so far by the Spark JVM (driver and local executors) and this process: steadier than
    wall time on a shared machine."""
    with open(f"/proc/{spark.sparkContext._gateway.proc.pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK") + time.process_time()


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """One variant in this process: a warm-up run, then the measured one."""
    sys.path.insert(0, args.code)
    from glue_jobs.examples.customer_import import CustomerImportJob
    from glue_jobs.runtime import local_spark_session

    assert Path(sys.modules["glue_jobs"].__file__).is_relative_to(args.code), "glue_jobs from the wrong tree"
    spark = local_spark_session("bench_rejected_records", cores=2, shuffle_partitions=8)
    work = Path(args.work)

    def run(input_path: str, name: str) -> tuple[Any, CountingSqs, float, float, Sampler | None, Path, str]:
        sqs = CountingSqs()
        audit = work / f"audit-{name}"
        shutil.rmtree(audit, ignore_errors=True)
        argv = [
            "--environment",
            "local",
            "--JOB_NAME",
            "customer_import_bench",
            "--input_path",
            input_path,
            "--output_path",
            str(work / f"out-{name}"),
            "--audit_uri",
            str(audit),
            "--dlq_queue_url",
            QUEUE_URL,
            "--dlq_max_inline_records",  # ignored by the code before (unknown arguments are)
            str(args.max_inline),
            "--observation_timeout_seconds",
            "60",
        ]
        log = io.StringIO()
        job = CustomerImportJob.from_args(argv, spark=spark, clients=lambda s: sqs, log_stream=log)
        spark.sparkContext._jvm.java.lang.System.gc()
        sampler = Sampler(spark) if name == "measured" else None
        t0, cpu0 = time.perf_counter(), cpu_seconds(spark)
        if sampler:
            with sampler:
                result = job.run()
        else:
            result = job.run()
        return result, sqs, time.perf_counter() - t0, cpu_seconds(spark) - cpu0, sampler, audit, log.getvalue()

    run(args.warmup_input, "warmup")
    rss_before = rss_bytes()
    result, sqs, seconds, cpu, sampler, audit, log = run(args.input, "measured")
    events = [json.loads(line) for line in log.splitlines()]
    write_seconds = sum(e.get("processing_time_seconds", 0) for e in events if e["event"] == "rejected_records_stored")
    stored = (
        sum(1 for f in (audit / "rejected").rglob("*.json") for _ in f.open()) if (audit / "rejected").exists() else 0
    )
    spark.stop()
    return {
        "variant": args.variant,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "write_seconds": write_seconds,
        "rejected": result.quality.records_failed,
        "records_processed": result.records_processed,
        "spark_jobs": len(result.spark_job_ids),
        "send_message_batch": sqs.calls["SendMessageBatch"],
        "messages": sqs.messages,
        "pointer_messages": sqs.pointers,
        "message_mb": sqs.bytes / 2**20,
        "stored_in_audit_store": stored,
        "py_rss_start_mb": rss_before / 2**20,
        "py_rss_peak_mb": max(sampler.rss_peak, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024) / 2**20,
        "jvm_heap_peak_mb": sampler.heap_peak / 2**20,
    }


# -- the orchestration: input, one process per measured run, the table -------------------------------------------


def generate(path: Path, rows: int, bad_every: int) -> None:
    if (path / "_SUCCESS").exists():
        return
    print(f"generating {rows:,} rows in {path} ...", flush=True)
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from datetime import UTC, datetime;"
        "from glue_jobs.examples import sample_data; from glue_jobs.runtime import local_spark_session;"
        "spark = local_spark_session('bench_generate', cores=2, shuffle_partitions=8);"
        "sample_data.write_sample(spark, sys.argv[2], int(sys.argv[3]), bad_every=int(sys.argv[4]),"
        " as_of=datetime.now(UTC).replace(minute=0, second=0, microsecond=0))"
    )
    subprocess.run([sys.executable, "-c", code, str(ROOT), str(path), str(rows), str(bad_every)], check=True)


def export(ref: str, into: Path) -> Path:
    """``glue_jobs`` as it was at ``ref`` (git archive: the checkout is not touched)."""
    into.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "archive", ref, "glue_jobs"], cwd=ROOT, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def table(samples: list[dict[str, Any]], args: argparse.Namespace, bad: int, spark_version: str) -> str:
    by = {v: [s for s in samples if s["variant"] == v] for v in VARIANTS if any(s["variant"] == v for s in samples)}

    def med(v: str, key: str) -> float:
        return statistics.median(s[key] for s in by[v])

    share = 6 / args.bad_every
    lines = [
        f"## {args.rows:,} rows, {share:.1%} rejected, `--dlq_max_inline_records {args.max_inline}`",
        "",
        f"`benchmarks/bench_rejected_records.py`, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: the `customer_import` "
        f"example on {args.rows:,} generated rows, {bad:,} of them rejected by the rules (six bad rows in every "
        f"{args.bad_every}), PySpark {spark_version} `local[2]`, {os.cpu_count()} CPUs ({platform.machine()}, "
        f"shared); `--dlq_max_inline_records {args.max_inline}`; {args.rounds} round(s) per variant, each run in "
        "a fresh process after a warm-up run. *before* = `glue_jobs` at "
        f"`{args.before_ref}`, *after* = this checkout. The DLQ is a counting fake SQS client; the audit store "
        "(where *after* writes the overflow) a local directory.",
        "",
        "| variant | wall time, median (each run), s | of which writing the rest, s | CPU s (JVM + Python), median "
        "| Python driver RSS peak, MB (at run start) | JVM heap in use, peak, MB | SendMessageBatch calls "
        "| DLQ messages (pointers) | message MB | records in the audit store | Spark jobs |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for v, runs in by.items():
        last = runs[-1]
        each = ", ".join(f"{s['seconds']:.1f}" for s in runs)
        lines.append(
            f"| {v} | {med(v, 'seconds'):.1f} ({each}) | {med(v, 'write_seconds'):.1f} | {med(v, 'cpu_seconds'):.1f} "
            f"| {max(s['py_rss_peak_mb'] for s in runs):.0f} ({med(v, 'py_rss_start_mb'):.0f}) "
            f"| {max(s['jvm_heap_peak_mb'] for s in runs):.0f} | {last['send_message_batch']:,} "
            f"| {last['messages']:,} ({last['pointer_messages']}) | {last['message_mb']:.1f} "
            f"| {last['stored_in_audit_store']:,} | {last['spark_jobs']} |"
        )
    for v, runs in by.items():
        for s in runs:
            sent = s["messages"] - s["pointer_messages"]
            assert s["rejected"] == bad, f"{v}: {s['rejected']} rejected, expected {bad}"
            assert sent + s["stored_in_audit_store"] == bad, f"{v}: {sent} sent + {s['stored_in_audit_store']} stored"
    lines += [
        "",
        "- Every rejected record is accounted for in each run: DLQ record messages + lines in the audit store = "
        "rejected (the benchmark checks it).",
        "- *Python driver RSS peak*: the driver's Python process (the JVM is another process), where the records "
        "that reach the driver become dicts and message bodies.",
        "- *JVM heap in use*: sampled every 50 ms; in local mode it holds the executors' work too, and garbage not "
        "yet collected: the rough one of the two.",
        "- *of which writing the rest*: the one extra Spark action, only when more than N are rejected: it "
        "recomputes the transform, shuffles the rejected records once (to count identical ones) and writes them.",
        "- *Spark jobs*: with adaptive query execution each shuffle stage runs as a job of its own; the extra "
        "action accounts for the difference.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--bad-every", type=int, default=60, help="six bad rows per this many (60: 10 %%)")
    parser.add_argument("--max-inline", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--before-ref", help="git ref of the code to compare with (omit: after only)")
    parser.add_argument("--work", default=str(ROOT / "build" / "bench-rejected"))
    parser.add_argument("--output", default=str(ROOT / "benchmarks" / "results" / "rejected_records.md"))
    parser.add_argument("--append", action="store_true", help="add this table to --output instead of replacing it")
    # one measured run (what the orchestration spawns)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--variant", help=argparse.SUPPRESS)
    parser.add_argument("--code", help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    parser.add_argument("--warmup-input", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.measure:
        print("RESULT " + json.dumps(measure(args)), flush=True)
        return 0

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT))
    from glue_jobs.examples import sample_data

    input_path = work / f"raw-{args.rows}-{args.bad_every}"
    warmup_path = work / f"raw-20000-{args.bad_every}"
    generate(input_path, args.rows, args.bad_every)
    generate(warmup_path, 20_000, args.bad_every)
    bad = sum(sample_data.expected_bad_rows(args.rows, args.bad_every).values())
    codes = {"after": str(ROOT)}
    with tempfile.TemporaryDirectory(prefix="bench-before-") as tmp:
        if args.before_ref:
            codes = {"before": str(export(args.before_ref, Path(tmp))), **codes}
        samples = []
        for r in range(args.rounds):
            for variant, code in codes.items():
                cmd = [sys.executable, __file__, "--measure", "--variant", variant, "--code", code]
                cmd += ["--input", str(input_path), "--warmup-input", str(warmup_path), "--work", str(work)]
                cmd += ["--max-inline", str(args.max_inline)]
                proc = subprocess.run(cmd, capture_output=True, text=True)
                found = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
                if proc.returncode or not found:
                    print(proc.stdout[-3000:], proc.stderr[-5000:], file=sys.stderr)
                    return 1
                sample = json.loads(found[0][7:])
                samples.append(sample)
                print(f"round {r + 1} {variant:<6} {json.dumps(sample)}", flush=True)
    import pyspark

    report = table(samples, args, bad, pyspark.__version__)
    print("\n" + report)  # this run's table
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    if args.append and out.exists():
        report = out.read_text().rstrip("\n") + "\n\n" + report
    else:
        report = "# Rejected records: bounded on the driver\n\n" + report
    out.write_text(report)
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
