"""The AWS emulator: LocalStack (embedded, or one the user runs) plus moto for what LocalStack lacks.

An emulator is a handful of processes and the endpoints they serve. This module starts them, tells whether
they still answer, saves them for other shells, and stops them — every process it started, checked by pid.

- Health comes from cheap endpoints that stay valid whatever the emulators hold: LocalStack's
  `/_localstack/health` and moto's `/moto-api/` page (never a dump of their state: moto's
  `/moto-api/data.json` answers HTTP 500 once Lambdas and IAM roles exist).
- `ensure_running()` (make emulator-up, apply, plan, destroy, demo, job) reuses the saved emulator while it
  answers. One that does not is stopped, all its processes, before another starts, and its folder (with
  the Terraform state of the environments applied to it) is moved aside, never deleted.
- Every process started here is listed in `<emulator dir>/processes/` until it is stopped, whoever started
  it (make emulator-up, demo, apply, a test run), so `make emulator-down` can stop them all.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from harness import settings

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

# Embedded LocalStack has no Docker, so it cannot create Lambda functions (and a failed one cannot be
# deleted); moto can. IAM goes with them because moto checks a function's role against its own IAM.
MOTO_WHEN_EMBEDDED = ("lambda", "iam")

# How the emulators' processes look in `ps`: what `count_processes` counts on the machine.
PROCESS_MARKERS = ("localstack.runtime.main", "moto_server")


def run_dir() -> Path:
    """Where the saved emulator of this checkout lives (its logs, its state, the environments' state)."""
    return settings.EMULATOR_DIR / "run"


def registry_dir() -> Path:
    return settings.EMULATOR_DIR / "processes"


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


def _get(url: str, timeout: float) -> tuple[int, bytes] | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 (loopback only)
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, b""
    except (OSError, ValueError):
        return None


def _start_ticks(pid: int) -> int | None:
    """Field 22 of /proc/<pid>/stat: when the process started. With the pid, it names one process only,
    so a pid the kernel reuses later is never taken for ours. None when the process is gone or a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            rest = f.read().rsplit(") ", 1)[1].split()
    except (OSError, IndexError):
        return None
    return None if rest[0] == "Z" else int(rest[19])


@dataclass
class Process:
    """One process this harness started (the leader of its own process group)."""

    pid: int
    role: str  # localstack | moto
    start_ticks: int
    log: str = ""

    def alive(self) -> bool:
        return _start_ticks(self.pid) == self.start_ticks

    def signal_group(self, sig: int) -> None:
        try:
            os.killpg(self.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass


@dataclass
class Emulator:
    """Running emulator endpoints: LocalStack for what it serves, moto for the rest."""

    localstack_url: str
    moto_url: str | None = None
    routes: dict[str, str] = field(default_factory=dict)  # boto3 service name -> url, when not LocalStack
    processes: list[Process] = field(default_factory=list)
    run_dir: str = ""
    started_at: str = ""
    started_by: str = ""

    def url(self, service: str) -> str:
        return self.routes.get(service, self.localstack_url)

    def endpoints(self) -> dict[str, str]:
        """Terraform provider endpoint key -> url, for every service the provider may call."""
        return {key: self.url(boto_name) for key, (boto_name, _health) in sorted(SERVICES.items())}

    def client(self, service: str, account: str = DEFAULT_ACCOUNT, region: str = settings.REGION):
        import boto3  # the harness CLI must start even before boto3 is importable

        return boto3.client(
            service,
            endpoint_url=self.url(service),
            region_name=region,
            aws_access_key_id=account,
            aws_secret_access_key="test",
        )

    def answers(self, timeout: float = 5.0) -> bool:
        """Both endpoints answer their cheap health requests once."""
        health = _get(f"{self.localstack_url}/_localstack/health", timeout)
        if not health or health[0] != 200 or b'"services"' not in health[1]:
            return False
        if self.moto_url is None:
            return True
        moto = _get(f"{self.moto_url}/moto-api/", timeout)
        return bool(moto and moto[0] == 200)

    def healthy(self, attempts: int = 3, timeout: float = 5.0) -> bool:
        """Every process it started is alive and the endpoints answer (a few tries: a busy emulator is slow,
        not dead)."""
        if any(not p.alive() for p in self.processes):
            return False
        for attempt in range(attempts):
            if self.answers(timeout):
                return True
            if attempt + 1 < attempts:
                time.sleep(1)
        return False

    def served_by_localstack(self) -> set[str]:
        health = _get(f"{self.localstack_url}/_localstack/health", 5.0)
        try:
            return set(json.loads(health[1]).get("services", {})) if health and health[0] == 200 else set()
        except ValueError:
            return set()

    def shell_env(self, account: str = DEFAULT_ACCOUNT) -> dict[str, str]:
        """Variables that point boto3 and the AWS CLI at the emulator (service-specific endpoints)."""
        env = {
            "AWS_ACCESS_KEY_ID": account,
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_DEFAULT_REGION": settings.REGION,
            "AWS_REGION": settings.REGION,
            "AWS_ENDPOINT_URL": self.localstack_url,
        }
        for boto_name, url in self.routes.items():
            env[f"AWS_ENDPOINT_URL_{boto_name.upper()}"] = url
        return env

    # -- saved for other shells ------------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}")
        tmp.write_text(json.dumps(asdict(self), indent=2))
        tmp.replace(path)
        exports = "".join(f"export {k}={v}\n" for k, v in self.shell_env().items())
        (path.parent / "env.sh").write_text(exports)

    @classmethod
    def load(cls, path: Path) -> Emulator | None:
        try:
            data = json.loads(path.read_text())
            data["processes"] = [Process(**p) for p in data.get("processes", [])]
            return cls(**data)
        except (OSError, ValueError, TypeError):
            return None


# -- processes ------------------------------------------------------------------------------------------------

def _die_with_parent() -> None:
    """In the child before exec: SIGKILL when the process that started it dies (Linux prctl)."""
    import ctypes

    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _spawn(role: str, cmd: list[str], env: dict[str, str], log: Path,
           detached: bool) -> tuple[Process, subprocess.Popen]:
    # Its own session, so `stop` can end the whole group. Detached (make emulator-up) it outlives us;
    # otherwise (a test run) it dies with the process that started it, even when that one is killed.
    with open(log, "ab") as out:
        tie = None if detached or not sys.platform.startswith("linux") else _die_with_parent
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True, preexec_fn=tie)
    ticks = None
    for _ in range(50):  # /proc/<pid>/stat appears with the fork
        ticks = _start_ticks(proc.pid)
        if ticks is not None:
            break
        time.sleep(0.01)
    process = Process(proc.pid, role, ticks or 0, str(log))
    _register(process)
    return process, proc


def _register(process: Process) -> None:
    folder = registry_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{process.pid}.json").write_text(json.dumps(asdict(process)))


def _unregister(process: Process) -> None:
    (registry_dir() / f"{process.pid}.json").unlink(missing_ok=True)


def registered() -> list[Process]:
    """Every process of this checkout's registry that is still alive (dead entries are dropped)."""
    alive = []
    for entry in sorted(registry_dir().glob("*.json")) if registry_dir().is_dir() else []:
        try:
            process = Process(**json.loads(entry.read_text()))
        except (OSError, ValueError, TypeError):
            entry.unlink(missing_ok=True)
            continue
        if process.alive():
            alive.append(process)
        else:
            entry.unlink(missing_ok=True)
    return alive


def stop_processes(processes: list[Process], grace: float = 10.0) -> list[Process]:
    """SIGTERM each group, SIGKILL what is left after `grace` (LocalStack ignores SIGTERM now and then), and
    check by pid that each is gone. Returns the ones that survived (none, unless we may not signal them)."""
    for process in processes:
        if process.alive():
            process.signal_group(signal.SIGTERM)
    deadline = time.monotonic() + grace
    while any(p.alive() for p in processes) and time.monotonic() < deadline:
        _reap(processes)
        time.sleep(0.2)
    for process in processes:
        if process.alive():
            process.signal_group(signal.SIGKILL)
    deadline = time.monotonic() + 10
    while any(p.alive() for p in processes) and time.monotonic() < deadline:
        _reap(processes)
        time.sleep(0.1)
    survivors = [p for p in processes if p.alive()]
    for process in processes:
        if process not in survivors:
            _unregister(process)
    return survivors


def _reap(processes: list[Process]) -> None:
    """Our own children become zombies until waited for."""
    for process in processes:
        try:
            os.waitpid(process.pid, os.WNOHANG)
        except ChildProcessError:
            pass


def count_processes() -> int:
    """Emulator processes (LocalStack, moto) on the whole machine, whoever started them."""
    count = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if any(marker in cmdline for marker in PROCESS_MARKERS) and _start_ticks(int(entry.name)) is not None:
            count += 1
    return count


# -- start and stop -------------------------------------------------------------------------------------------

def localstack_python() -> Path:
    python = settings.LOCALSTACK_VENV / "bin" / "python"
    if not python.exists():
        raise RuntimeError(f"No LocalStack virtualenv at {settings.LOCALSTACK_VENV}: run `make setup`, or set "
                           "LOCALSTACK_ENDPOINT to a running LocalStack.")
    return python


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


def start(folder: Path | None = None, *, port: int | None = None, detached: bool = False, started_by: str = "",
          progress: Callable[[str], None] = print) -> Emulator:
    """Start (or reach) LocalStack, then moto for the services LocalStack does not serve."""
    folder = Path(folder or tempfile.mkdtemp(prefix="gluemon-emulator-"))
    folder.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    popens: list[subprocess.Popen] = []
    emu = Emulator(localstack_url="", run_dir=str(folder), started_by=started_by or f"pid {os.getpid()}",
                   started_at=datetime.now(UTC).isoformat(timespec="seconds"))
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LOCALSTACK_"))}
    try:
        if settings.LOCALSTACK_ENDPOINT:
            emu.localstack_url = settings.LOCALSTACK_ENDPOINT
            progress(f"using the LocalStack at {emu.localstack_url} (LOCALSTACK_ENDPOINT)")
            _wait_until(lambda: emu.served_by_localstack() != set(), "LocalStack", 60, [], None, progress)
        else:
            port = port or free_port()
            data, tmp = folder / "localstack-data", folder / "tmp"
            data.mkdir(exist_ok=True)
            tmp.mkdir(exist_ok=True)  # its state lives under TMPDIR, which it clears on start and stop
            log = folder / f"localstack-{stamp}.log"
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
            process, popen = _spawn("localstack", [str(localstack_python()), "-m", "localstack.runtime.main"],
                                    env, log, detached)
            emu.processes.append(process)
            popens.append(popen)
            emu.localstack_url = f"http://127.0.0.1:{port}"
            _wait_until(lambda: emu.served_by_localstack() != set(), "LocalStack", 120, popens, log, progress)

        served = emu.served_by_localstack()
        missing = sorted(boto for boto, health in SERVICES.values()
                         if health not in served or (not settings.LOCALSTACK_ENDPOINT and boto in MOTO_WHEN_EMBEDDED))
        if missing:
            mport = free_port()
            log = folder / f"moto-{stamp}.log"
            moto = Path(sys.executable).parent / "moto_server"
            env = base_env | {"MOTO_ACCOUNT_ID": DEFAULT_ACCOUNT}
            progress(f"starting moto on 127.0.0.1:{mport} for {', '.join(missing)}")
            process, popen = _spawn("moto", [str(moto), "-H", "127.0.0.1", "-p", str(mport)], env, log, detached)
            emu.processes.append(process)
            popens.append(popen)
            emu.moto_url = f"http://127.0.0.1:{mport}"
            emu.routes = {svc: emu.moto_url for svc in missing}
            _wait_until(lambda: emu.answers(timeout=2), "moto", 60, popens[-1:], log, progress)
    except BaseException:
        stop_processes(emu.processes)
        raise
    return emu


def stop(emu: Emulator, progress: Callable[[str], None] = print) -> None:
    """Stop every process the emulator started; raise if one survives."""
    survivors = stop_processes(emu.processes)
    if survivors:
        raise RuntimeError(f"could not stop {', '.join(f'{p.role} pid {p.pid}' for p in survivors)}")
    if emu.processes:
        progress(f"emulator stopped ({', '.join(f'{p.role} pid {p.pid}' for p in emu.processes)})")


# -- the saved emulator of this checkout ---------------------------------------------------------------------

def saved() -> Emulator | None:
    return Emulator.load(run_dir() / "emulator.json")


def running() -> Emulator | None:
    """The saved emulator of this checkout, when it still answers."""
    emu = saved()
    return emu if emu and emu.healthy() else None


def ensure_running(progress: Callable[[str], None] = print, started_by: str = "") -> Emulator:
    """The saved emulator while it answers; otherwise stop what is left of it, keep its folder, start another."""
    emu = saved()
    if emu and emu.healthy():
        return emu
    if emu:
        progress(f"the emulator started at {emu.started_at} ({emu.started_by}) no longer answers: stopping it")
        stop(emu, progress)
        aside = settings.EMULATOR_DIR / "replaced" / time.strftime("%Y%m%d-%H%M%S")
        aside.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(run_dir()), aside)
        progress(f"its folder, with the Terraform state of what was applied to it, is kept in {aside}")
    port = None if settings.LOCALSTACK_ENDPOINT or not port_is_free(4566) else 4566
    emu = start(run_dir(), port=port, detached=True, started_by=started_by or "make emulator-up", progress=progress)
    emu.save(run_dir() / "emulator.json")
    return emu


def down(progress: Callable[[str], None] = print) -> int:
    """Stop the saved emulator and every other process this checkout's registry lists; 1 if one survives."""
    emu = saved()
    processes = list(emu.processes) if emu else []
    processes += [p for p in registered() if p.pid not in {q.pid for q in processes}]
    if not processes:
        progress("no emulator process of this checkout runs")
    survivors = stop_processes(processes)
    for process in processes:
        if process not in survivors:
            progress(f"stopped {process.role} pid {process.pid}")
    for process in survivors:
        progress(f"could not stop {process.role} pid {process.pid}")
    if not survivors:
        shutil.rmtree(run_dir(), ignore_errors=True)  # its resources lived in memory: the state died with them
    return 1 if survivors else 0


def environments(emu: Emulator) -> dict[str, int]:
    """Environment name -> number of resources in its Terraform state on this emulator."""
    held = {}
    for state in sorted((Path(emu.run_dir) / "state").glob("*.tfstate")):
        try:
            doc = json.loads(state.read_text() or "{}")
        except ValueError:
            continue
        held[state.stem] = sum(len(r.get("instances", [])) for r in doc.get("resources", [])
                               if r.get("mode") == "managed")
    return held


def status_lines() -> tuple[list[str], bool]:
    """What runs, since when, and which environments it holds; True when the saved emulator answers."""
    emu = saved()
    lines: list[str] = []
    ok = False
    if emu is None:
        lines.append(f"no emulator saved in {run_dir()}")
    else:
        ok = emu.healthy(attempts=1)
        lines.append(f"emulator in {emu.run_dir}: started {emu.started_at} by {emu.started_by}; "
                     f"{'answers' if ok else 'does NOT answer'}")
        lines.append(f"  LocalStack {emu.localstack_url}")
        if emu.moto_url:
            lines.append(f"  moto       {emu.moto_url} for {', '.join(sorted(emu.routes))}")
        for process in emu.processes:
            lines.append(f"  {process.role:<10} pid {process.pid} {'alive' if process.alive() else 'gone'}")
        held = environments(emu)
        lines.append("  environments: " + (", ".join(f"{name} ({count} resources)" for name, count in held.items())
                                           or "none applied"))
    others = [p for p in registered() if not emu or p.pid not in {q.pid for q in emu.processes}]
    for process in others:
        lines.append(f"also started by this checkout: {process.role} pid {process.pid} (log {process.log})")
    return lines, ok
