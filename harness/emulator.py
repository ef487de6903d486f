"""The AWS emulator: LocalStack (embedded, or one the user runs) plus moto for what LocalStack lacks.

    python -m harness.emulator up       # start (or reuse) and save the endpoints in .emulator/
    python -m harness.emulator env      # `export` lines for another shell (boto3, aws cli)
    python -m harness.emulator status
    python -m harness.emulator down

LOCALSTACK_ENDPOINT=http://host:4566 uses a LocalStack you run yourself (Docker, Pro) instead of starting
one. The services it does not serve are routed to a moto server started beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from harness.paths import EMULATOR_DIR, REGION, ROOT

# Terraform provider endpoint key -> (boto3 service name, LocalStack health name).
SERVICES: dict[str, tuple[str, str]] = {
    "athena": ("athena", "athena"),
    "budgets": ("budgets", "budgets"),
    "ce": ("ce", "ce"),
    "cloudwatch": ("cloudwatch", "cloudwatch"),
    "events": ("events", "events"),
    "glue": ("glue", "glue"),
    "iam": ("iam", "iam"),
    "kms": ("kms", "kms"),
    "lambda": ("lambda", "lambda"),
    "logs": ("logs", "logs"),
    "s3": ("s3", "s3"),
    "scheduler": ("scheduler", "scheduler"),
    "secretsmanager": ("secretsmanager", "secretsmanager"),
    "sfn": ("stepfunctions", "stepfunctions"),
    "sns": ("sns", "sns"),
    "sqs": ("sqs", "sqs"),
    "ssm": ("ssm", "ssm"),
    "sts": ("sts", "sts"),
    "xray": ("xray", "xray"),
}

# The account both emulators use for the access key "test"; moto is started with it too, so ARNs agree.
DEFAULT_ACCOUNT = "000000000000"

# Root variables that switch off resources neither emulator can create. A root that declares one of these
# gets it set by the generated emulator tfvars; the plan tests still cover the resources.
EMULATOR_GAPS: dict[str, tuple[bool, str]] = {
    "aws_only_features": (
        False,
        "the composition's and the environments' switch for every gap below at once",
    ),
    "create_query_definitions": (
        False,
        "CloudWatch Logs PutQueryDefinition: LocalStack community answers 501, moto 500",
    ),
    "create_budgets": (
        False,
        "AWS Budgets (modules/cost_alerts): LocalStack community 501; moto creates the budget but answers 500 "
        "on DescribeSubscribersForNotification, which the provider reads after every create",
    ),
    "create_anomaly_detection": (
        False,
        "Cost Explorer anomaly monitor/subscription (modules/cost_alerts): LocalStack community 501, moto 500 "
        "on CreateAnomalyMonitor",
    ),
    "create_xray_sampling_rules": (
        False,
        "X-Ray sampling rules (modules/tracing): LocalStack community 501, moto 404 on CreateSamplingRule",
    ),
    "create_xray_groups": (
        False,
        "X-Ray groups (modules/tracing): LocalStack community 501, moto 404 on CreateGroup",
    ),
    "create_xray_encryption_config": (
        False,
        "X-Ray encryption config (modules/tracing): LocalStack community 501, moto 404 on PutEncryptionConfig",
    ),
    "create_athena_named_queries": (
        False,
        "Athena named queries (modules/audit_trail): LocalStack community 501; moto creates them but answers "
        "500 on DeleteNamedQuery, so destroy fails",
    ),
}

# Embedded LocalStack has no Docker, so it cannot create Lambda functions (and a failed one cannot be
# deleted); moto can. IAM goes with them because moto checks a function's role against its own IAM.
MOTO_WHEN_EMBEDDED = ("lambda", "iam")

STATE_FILE = EMULATOR_DIR / "endpoints.json"
ENV_FILE = EMULATOR_DIR / "env.sh"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _get_json(url: str, timeout: float = 2.0) -> dict | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 (loopback only)
            return json.loads(resp.read() or b"{}")
    except (OSError, ValueError):
        return None


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return False


@dataclass
class Emulator:
    """Running emulator endpoints: LocalStack for what it serves, moto for the rest."""

    localstack_url: str
    moto_url: str | None = None
    routes: dict[str, str] = field(default_factory=dict)  # boto3 service name -> url, when not LocalStack
    pids: list[int] = field(default_factory=list)  # process groups this harness started
    run_dir: str = ""
    logs: list[str] = field(default_factory=list)

    def url(self, service: str) -> str:
        return self.routes.get(service, self.localstack_url)

    def client(self, service: str, account: str = DEFAULT_ACCOUNT, region: str = REGION):
        import boto3  # the harness CLI must start even before boto3 is importable

        return boto3.client(
            service,
            endpoint_url=self.url(service),
            region_name=region,
            aws_access_key_id=account,
            aws_secret_access_key="test",
        )

    def healthy(self) -> bool:
        if _get_json(f"{self.localstack_url}/_localstack/health") is None:
            return False
        return self.moto_url is None or _get_json(f"{self.moto_url}/moto-api/data.json") is not None

    def served_by_localstack(self) -> set[str]:
        health = _get_json(f"{self.localstack_url}/_localstack/health") or {}
        return set(health.get("services", {}))

    def provider_override(self, access_key: str = DEFAULT_ACCOUNT, aliases: list[str | None] | None = None) -> str:
        """HCL that re-points every `provider "aws"` block of a root at the emulator."""
        lines = ["# Generated by harness.emulator: this root talks to the AWS emulator. Not committed.\n"]
        for alias in aliases or [None]:
            lines.append('provider "aws" {')
            if alias:
                lines.append(f'  alias                       = "{alias}"')
            lines += [
                f'  access_key                  = "{access_key}"',
                '  secret_key                  = "test"',
                "  skip_credentials_validation = true",
                "  skip_metadata_api_check     = true",
                "  skip_requesting_account_id  = false # true leaves the account out of the ARNs",
                "  s3_use_path_style           = true",
                "  max_retries                 = 3 # a dropped connection is retried; an unsupported API fails fast",
                "  endpoints {",
            ]
            width = max(len(k) for k in SERVICES)
            for key, (boto_name, _) in sorted(SERVICES.items()):
                lines.append(f'    {key.ljust(width)} = "{self.url(boto_name)}"')
            lines += ["  }", "}", ""]
        return "\n".join(lines)

    def shell_env(self, account: str = DEFAULT_ACCOUNT) -> dict[str, str]:
        """Variables that point boto3 and the AWS CLI at the emulator (service-specific endpoints)."""
        env = {
            "AWS_ACCESS_KEY_ID": account,
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_ENDPOINT_URL": self.localstack_url,
        }
        for boto_name, url in self.routes.items():
            env[f"AWS_ENDPOINT_URL_{boto_name.upper()}"] = url
        return env

    def save(self, path: Path = STATE_FILE) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=2))
        exports = "".join(f"export {k}={v}\n" for k, v in self.shell_env().items())
        (path.parent / ENV_FILE.name).write_text(exports)

    @classmethod
    def load(cls, path: Path = STATE_FILE) -> Emulator | None:
        try:
            return cls(**json.loads(path.read_text()))
        except (OSError, ValueError, TypeError):
            return None


def _wait_until(check: Callable[[], bool], what: str, timeout: float, procs: list[subprocess.Popen],
                log: Path | None, progress: Callable[[str], None]) -> None:
    start = time.monotonic()
    next_note = start + 3
    while not check():
        now = time.monotonic()
        for proc in procs:
            if proc.poll() is not None:
                tail = log.read_text()[-3000:] if log and log.exists() else ""
                raise RuntimeError(f"{what} exited with status {proc.returncode} while starting.\n{tail}")
        if now - start > timeout:
            tail = log.read_text()[-3000:] if log and log.exists() else ""
            raise RuntimeError(f"{what} was not healthy after {timeout:.0f} s.\n{tail}")
        if now >= next_note:
            progress(f"  waiting for {what} ... {now - start:.0f} s")
            next_note = now + 3
        time.sleep(0.2)
    progress(f"  {what} ready in {time.monotonic() - start:.1f} s")


def _die_with_parent() -> None:
    """In the child before exec: SIGKILL when the process that started it dies (Linux prctl)."""
    import ctypes

    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _spawn(cmd: list[str], env: dict[str, str], log: Path, detached: bool) -> subprocess.Popen:
    # Its own session, so `down` can stop the whole group. Detached (make emulator-up) it outlives us;
    # otherwise (a test run) it dies with the process that started it, even when that one is killed.
    with open(log, "ab") as out:
        tie = None if detached or not sys.platform.startswith("linux") else _die_with_parent
        return subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True, preexec_fn=tie)


def localstack_python() -> Path:
    venv = Path(os.environ.get("LOCALSTACK_VENV") or ROOT / ".venv-localstack")
    python = venv / "bin" / "python"
    if not python.exists():
        raise RuntimeError(
            f"No LocalStack virtualenv at {venv}: run `make setup`, or set LOCALSTACK_ENDPOINT to a running LocalStack."
        )
    return python


def start(run_dir: Path | None = None, *, port: int | None = None, detached: bool = False,
          progress: Callable[[str], None] = print) -> Emulator:
    """Start (or reach) LocalStack, then moto for the services LocalStack does not serve."""
    run_dir = Path(run_dir or tempfile.mkdtemp(prefix="gluemon-emulator-"))
    run_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    procs: list[subprocess.Popen] = []
    emu = Emulator(localstack_url="", run_dir=str(run_dir))
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LOCALSTACK_"))}
    try:
        user_url = os.environ.get("LOCALSTACK_ENDPOINT")
        if user_url:
            emu.localstack_url = user_url.rstrip("/")
            progress(f"using the LocalStack at {emu.localstack_url} (LOCALSTACK_ENDPOINT)")
            _wait_until(lambda: emu.served_by_localstack() != set(), "LocalStack", 60, [], None, progress)
        else:
            port = port or free_port()
            data = run_dir / "localstack-data"
            tmp = run_dir / "tmp"  # its state lives under TMPDIR, which it clears on start and stop
            data.mkdir(exist_ok=True)
            tmp.mkdir(exist_ok=True)
            log = run_dir / f"localstack-{stamp}.log"
            env = base_env | {
                "GATEWAY_LISTEN": f"127.0.0.1:{port}",
                "LOCALSTACK_HOST": f"localhost:{port}",
                "DNS_ADDRESS": "0",  # its DNS server finds no upstream offline
                "SKIP_SSL_CERT_DOWNLOAD": "1",
                "PERSISTENCE": "0",
                "FILESYSTEM_ROOT": str(data),
                "TMPDIR": str(tmp),  # otherwise every LocalStack on the machine shares /tmp/localstack
                "SQS_ENDPOINT_STRATEGY": "off",  # queue URLs on localhost, which resolves offline
                "SQS_CLOUDWATCH_METRICS_REPORT_INTERVAL": "5",  # queue-depth alarms in seconds, not minutes
                "DISABLE_EVENTS": "1",
                "EAGER_SERVICE_LOADING": "0",
            }
            progress(f"starting LocalStack on 127.0.0.1:{port} (log: {log})")
            procs.append(_spawn([str(localstack_python()), "-m", "localstack.runtime.main"], env, log, detached))
            emu.pids.append(procs[-1].pid)
            emu.logs.append(str(log))
            emu.localstack_url = f"http://127.0.0.1:{port}"
            _wait_until(lambda: emu.served_by_localstack() != set(), "LocalStack", 120, procs, log, progress)

        served = emu.served_by_localstack()
        missing = sorted(boto for boto, health in SERVICES.values()
                         if health not in served or (not user_url and boto in MOTO_WHEN_EMBEDDED))
        if missing:
            mport = free_port()
            log = run_dir / f"moto-{stamp}.log"
            moto = Path(sys.executable).parent / "moto_server"
            env = base_env | {"MOTO_ACCOUNT_ID": DEFAULT_ACCOUNT}
            progress(f"starting moto on 127.0.0.1:{mport} for {', '.join(missing)}")
            procs.append(_spawn([str(moto), "-H", "127.0.0.1", "-p", str(mport)], env, log, detached))
            emu.pids.append(procs[-1].pid)
            emu.logs.append(str(log))
            emu.moto_url = f"http://127.0.0.1:{mport}"
            emu.routes = {svc: emu.moto_url for svc in missing}
            _wait_until(emu.healthy, "moto", 60, procs[-1:], log, progress)
    except BaseException:
        stop(emu, progress=lambda _m: None)
        raise
    return emu


def stop(emu: Emulator, progress: Callable[[str], None] = print, grace: float = 20.0) -> None:
    """Stop what this harness started; LocalStack sometimes ignores SIGTERM, so SIGKILL the group after `grace`."""
    for pid in emu.pids:
        try:
            os.killpg(pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
    deadline = time.monotonic() + grace
    while any(_alive(p) for p in emu.pids) and time.monotonic() < deadline:
        for pid in emu.pids:  # reap our own children so they do not linger as zombies
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass
        time.sleep(0.2)
    for pid in emu.pids:
        if _alive(pid):
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    if emu.pids:
        progress("emulator stopped")


def running() -> Emulator | None:
    """The emulator saved by `make emulator-up`, when it still answers."""
    emu = Emulator.load()
    return emu if emu and emu.healthy() else None


def ensure_running(progress: Callable[[str], None] = print) -> Emulator:
    emu = running()
    if emu:
        return emu
    port = None if os.environ.get("LOCALSTACK_ENDPOINT") or not port_is_free(4566) else 4566
    run_dir = EMULATOR_DIR / "run"
    shutil.rmtree(run_dir, ignore_errors=True)
    emu = start(run_dir, port=port, detached=True, progress=progress)
    emu.save()
    return emu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.emulator", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["up", "down", "status", "env"])
    args = parser.parse_args(argv)
    if args.command == "up":
        emu = ensure_running()
        print(f"LocalStack: {emu.localstack_url}")
        for svc, url in sorted(emu.routes.items()):
            print(f"  {svc:<14} -> moto {url}")
        print(f"saved: {STATE_FILE}\nin another shell: source {ENV_FILE}\nstop it with: make emulator-down")
    elif args.command == "down":
        emu = Emulator.load()
        if emu:
            stop(emu)
        shutil.rmtree(EMULATOR_DIR, ignore_errors=True)
    elif args.command == "status":
        emu = running()
        print(json.dumps(asdict(emu), indent=2) if emu else "not running")
        return 0 if emu else 1
    elif args.command == "env":
        emu = running()
        if not emu:
            print("echo 'emulator not running: make emulator-up' >&2; false")
            return 1
        print("".join(f"export {k}={v}\n" for k, v in emu.shell_env().items()), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
