"""The Spark UI of a local run (`make job SPARK_UI=1`): the session keeps its UI on and writes the Spark event logs
a history server reads (`make spark-history`), as Glue does with --enable-spark-ui and --spark-event-logs-path.
Run in a process of its own: a JVM's first session fixes the UI settings, and the suite shares one session."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from harness.settings import ROOT
from tools import spark_history

pytestmark = __import__("pytest").mark.python


def test_a_local_run_with_spark_ui_writes_event_logs_a_history_server_reads(tmp_path):
    logs = tmp_path / "spark-events"
    script = textwrap.dedent(f"""
        import os
        os.environ["GLUE_JOBS_SPARK_EVENT_LOGS"] = {str(logs)!r}
        from glue_jobs.runtime import build_runtime
        spark = build_runtime("spark-ui-test", {{}}).spark
        assert spark.conf.get("spark.ui.enabled") == "true"
        df = spark.range(1000)
        print(df.groupBy((df.id % 7).alias("k")).count().count())
        spark.stop()
    """)
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    files = [p for p in logs.iterdir() if p.is_file()]
    assert len(files) == 1, files
    events = [json.loads(line)["Event"] for line in files[0].read_text().splitlines() if line.strip()]
    assert events[0] == "SparkListenerLogStart" and "SparkListenerApplicationEnd" in events
    assert "SparkListenerStageCompleted" in events  # what the UI's stages page shows


def test_the_history_server_command_reads_that_folder(tmp_path):
    cmd, env = spark_history.command(tmp_path)
    assert Path(cmd[0]).name == "spark-class" and Path(cmd[0]).exists()
    assert cmd[1] == "org.apache.spark.deploy.history.HistoryServer"
    assert env["SPARK_HISTORY_OPTS"] == f"-Dspark.history.fs.logDirectory=file://{tmp_path.resolve()}"
