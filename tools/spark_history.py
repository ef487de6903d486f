"""A Spark history server over a folder of Spark event logs: the Spark UI of finished runs.

    python -m tools.spark_history build/spark-events      # make spark-history; then http://localhost:18080

The runs of `make job SPARK_UI=1` write their event logs to build/spark-events (glue_jobs/runtime.py); Glue
writes a deployed job's to its `--spark-event-logs-path` (modules/glue_job `spark_ui_event_logs_uri`): copy
those down (`aws s3 sync s3://.../spark-events/ build/spark-events/`) to see them here. It runs the server that
the pyspark package ships (`spark-class org.apache.spark.deploy.history.HistoryServer`), in the foreground.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def command(log_dir: Path) -> tuple[list[str], dict[str, str]]:
    import pyspark

    home = Path(pyspark.__file__).parent
    env = {**os.environ, "SPARK_HOME": str(home),
           "SPARK_HISTORY_OPTS": f"-Dspark.history.fs.logDirectory=file://{log_dir.resolve()}"}
    return [str(home / "bin" / "spark-class"), "org.apache.spark.deploy.history.HistoryServer"], env


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    log_dir = Path(args[0] if args else "build/spark-events")
    log_dir.mkdir(parents=True, exist_ok=True)
    cmd, env = command(log_dir)
    print(f"Spark history server over {log_dir}: http://localhost:18080 (Ctrl-C stops it)")
    return subprocess.call(cmd, env=env)


if __name__ == "__main__":
    sys.exit(main())
