"""The servers that Michou's tests run against, found by the project's policy.

For PostgreSQL and for Redis, in this order: the URL from the environment (`DATABASE_URL`, `REDIS_URL`) when set;
else the local server on its standard port on 127.0.0.1; else a throwaway server started from the binaries on this
machine and removed when the run ends; else none, with the reason, which tests/plugin.py turns into a skip (or, with
CI=true, a failure).

Overrides, for machines where the defaults do not fit and for testing this module itself:
- MICHOU_TEST_PG_PORT, MICHOU_TEST_REDIS_PORT: the local port to look at (default 5432 and 6379);
- MICHOU_TEST_THROWAWAY=0: start no throwaway server, as on a machine without the server binaries.

This module runs before Django is set up (its answers become DATABASE_URL and REDIS_URL, which the settings read
once), so it must not import Django or the project.
"""

from __future__ import annotations

import contextlib
import dataclasses
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

LOCAL_HOST = "127.0.0.1"
# pytest-django creates and drops `test_<name>` beside it; this database itself need not exist. One per test run,
# so that two runs on one machine (two engineers, or a run beside a CI check) never share a test database.
DATABASE_NAME = f"michou_{os.getpid()}"
# The last of Redis's 16 databases, so that tests never touch db 0, where a development server keeps its queues.
TEST_REDIS_DB = 15
SERVER_START_SECONDS = 30
# The name and only queue of the Celery workers that this test run starts, so that two runs on one broker never
# answer each other's pings or run each other's tasks.
WORKER_QUEUE = f"michou-test-{os.getpid()}"


@dataclasses.dataclass
class Service:
    """A server the tests may use: its URL, or None when none could be had."""

    url: str | None
    # Where the URL came from, or why there is none; shown in pytest's header and in skip messages.
    origin: str
    # Stops a throwaway server and removes its files; None for servers this run did not start.
    stop: Callable[[], None] | None = None


def find_postgres() -> Service:
    return _find(
        "DATABASE_URL",
        port_variable="MICHOU_TEST_PG_PORT",
        default_port=5432,
        problem=_postgres_problem,
        url=_postgres_url,
        start_throwaway=_start_throwaway_postgres,
        local=lambda port: f"{LOCAL_HOST}:{port}",
    )


def find_redis() -> Service:
    return _find(
        "REDIS_URL",
        port_variable="MICHOU_TEST_REDIS_PORT",
        default_port=6379,
        problem=_redis_problem,
        url=_redis_url,
        start_throwaway=_start_throwaway_redis,
        local=lambda port: f"{LOCAL_HOST}:{port}, db {TEST_REDIS_DB}",
    )


def _find(variable: str, *, port_variable: str, default_port: int, problem, url, start_throwaway, local) -> Service:
    """The service named by `variable`, else the local one on its port, else a throwaway one (if allowed)."""
    if os.environ.get(variable):
        return Service(os.environ[variable], f"{variable} from the environment")
    port = _port_from_env(port_variable, default=default_port)
    trouble = problem(port)
    if trouble is None:
        return Service(url(port), f"local server on {local(port)}")
    tried = f"{variable} is unset; {LOCAL_HOST}:{port} does not answer ({trouble})"
    if not _throwaway_allowed():
        return Service(None, f"{tried}; throwaway servers are turned off (MICHOU_TEST_THROWAWAY=0)")
    return start_throwaway(tried)


def _postgres_url(port: int) -> str:
    return f"postgres://postgres@{LOCAL_HOST}:{port}/{DATABASE_NAME}"


def _redis_url(port: int) -> str:
    return f"redis://{LOCAL_HOST}:{port}/{TEST_REDIS_DB}"


def _postgres_problem(port: int) -> str | None:
    try:
        psycopg.connect(host=LOCAL_HOST, port=port, user="postgres", dbname="postgres", connect_timeout=2).close()
    except psycopg.OperationalError as error:
        return _first_line(str(error))
    return None


def _redis_problem(port: int) -> str | None:
    # No retries: redis-py's default backs off for seconds before it reports a refused connection.
    client = redis.Redis(
        host=LOCAL_HOST, port=port, socket_connect_timeout=2, socket_timeout=2, retry=Retry(NoBackoff(), retries=0)
    )
    try:
        client.ping()
    except redis.RedisError as error:
        return _first_line(str(error))
    finally:
        client.close()
    return None


def _start_throwaway_postgres(tried: str) -> Service:
    bin_dir = _postgres_bin_dir()
    if bin_dir is None:
        return Service(None, f"{tried}; no pg_ctl on PATH or in /usr/lib/postgresql/*/bin to start a throwaway server")
    run_as_owner = _postgres_owner_runner()
    if run_as_owner is None:
        return Service(None, f"{tried}; initdb refuses to run as root and there is no `postgres` user to run it as")

    work_dir = Path(tempfile.mkdtemp(prefix="michou-test-pg-"))
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(work_dir, owner.pw_uid, owner.pw_gid)
    data_dir, log_file, port = work_dir / "data", work_dir / "server.log", free_port()

    def stop() -> None:
        result = run_as_owner(
            [str(bin_dir / "pg_ctl"), "-D", str(data_dir), "-m", "immediate", "-w", "stop"], cwd=work_dir
        )
        # Refusing because no server runs there is fine; anything else may have left one running: say so.
        if result.returncode != 0 and (data_dir / "postmaster.pid").exists():
            print(f"tests/servers.py: could not stop PostgreSQL in {data_dir}: {result.stderr}", file=sys.stderr)
            return
        shutil.rmtree(work_dir)

    # A throwaway cluster needs no durability, and without fsync creating the test database is much faster.
    server_options = (
        f"-p {port} -k {work_dir} -c listen_addresses={LOCAL_HOST} "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    )
    steps = [
        [
            str(bin_dir / "initdb"),
            "-D",
            str(data_dir),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        ],
        [
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data_dir),
            "-l",
            str(log_file),
            "-o",
            server_options,
            "-w",
            "-t",
            str(SERVER_START_SECONDS),
            "start",
        ],
    ]
    failure = None
    with _start_not_cut_short(stop):
        for command in steps:
            result = run_as_owner(command, cwd=work_dir)
            if result.returncode != 0:
                failure = f"{Path(command[0]).name} said: {(result.stderr or result.stdout).strip()}"
                if log_file.exists():
                    failure += "\n" + log_file.read_text(errors="replace")[-2000:]
                break
    if failure is not None:
        stop()
        return Service(None, f"{tried}; a throwaway server did not start: {failure}")
    return Service(_postgres_url(port), f"throwaway server on {LOCAL_HOST}:{port} (in {work_dir})", stop)


def _postgres_bin_dir() -> Path | None:
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).resolve().parent
    # Debian keeps the server's binaries in a folder per major version, off PATH: take the newest.
    installed = glob.glob("/usr/lib/postgresql/*/bin/pg_ctl")
    if not installed:
        return None
    newest = max(installed, key=lambda path: tuple(int(part) for part in Path(path).parent.parent.name.split(".")))
    return Path(newest).parent


def _postgres_owner_runner() -> Callable[..., subprocess.CompletedProcess] | None:
    """Returns a function that runs a PostgreSQL command as a user that initdb accepts, or None when there is none."""
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return None
        prefix = ["runuser", "-u", "postgres", "--"]
    else:
        prefix = []

    def run(command: list[str], *, cwd: Path) -> subprocess.CompletedProcess:
        # A session of its own keeps the server out of pytest's process group, so that Ctrl-C reaches pytest and
        # its clean-up stops the server, instead of killing the server under tests that are finishing.
        return subprocess.run(
            prefix + command, cwd=cwd, capture_output=True, text=True, start_new_session=True, check=False
        )

    return run


def _start_throwaway_redis(tried: str) -> Service:
    server = ThrowawayRedis.create()
    if server is None:
        return Service(None, f"{tried}; no redis-server on PATH to start a throwaway server")
    with _start_not_cut_short(server.remove):
        trouble = server.start()
    if trouble is not None:
        server.remove()
        return Service(None, f"{tried}; a throwaway redis-server did not start: {trouble}")
    return Service(
        _redis_url(server.port), f"throwaway server on {LOCAL_HOST}:{server.port} (in {server.work_dir})", server.remove
    )


@dataclasses.dataclass
class ThrowawayRedis:
    """A redis-server of the test run's own on a free port, which can be stopped and started again on that port.

    `persistent` keeps its data on disk (an append-only file, written at every command) across a restart, as a
    production broker must; otherwise a restart starts empty."""

    executable: str
    work_dir: Path
    port: int
    persistent: bool = False

    @classmethod
    def create(cls, *, persistent: bool = False) -> ThrowawayRedis | None:
        """None when there is no redis-server on PATH."""
        executable = shutil.which("redis-server")
        if executable is None:
            return None
        work_dir = Path(tempfile.mkdtemp(prefix="michou-test-redis-"))
        return cls(executable, work_dir, free_port(), persistent)

    def url(self, db: int = TEST_REDIS_DB) -> str:
        return f"redis://{LOCAL_HOST}:{self.port}/{db}"

    @property
    def pid_file(self) -> Path:
        return self.work_dir / "redis.pid"

    @property
    def log_file(self) -> Path:
        return self.work_dir / "redis.log"

    def start(self) -> str | None:
        """Starts it and waits until it answers; returns None, or what went wrong."""
        durability = ["--appendonly", "yes", "--appendfsync", "always"] if self.persistent else ["--appendonly", "no"]
        result = subprocess.run(
            [
                self.executable,
                "--port",
                str(self.port),
                "--bind",
                LOCAL_HOST,
                "--save",
                "",
                *durability,
                "--daemonize",
                "yes",
                "--pidfile",
                str(self.pid_file),
                "--logfile",
                str(self.log_file),
                "--dir",
                str(self.work_dir),
            ],
            capture_output=True,
            text=True,
            check=False,
            start_new_session=True,
        )
        if result.returncode == 0 and _wait_for(
            lambda: _redis_problem(self.port) is None, seconds=SERVER_START_SECONDS
        ):
            return None
        log = self.log_file.read_text(errors="replace")[-2000:] if self.log_file.exists() else ""
        return result.stderr.strip() or log or "it did not answer"

    def stop(self) -> bool:
        """Stops it (SIGTERM: a clean shutdown) and waits until it is gone; False if it would not go."""
        if not self.pid_file.exists():
            return True
        pid = int(self.pid_file.read_text())
        # A server that died on its own leaves its pid file behind: nothing to stop then.
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        if not _wait_for(lambda: not _process_exists(pid), seconds=10):
            return False
        self.pid_file.unlink(missing_ok=True)
        return True

    def remove(self) -> None:
        if not self.stop():
            print(f"tests/servers.py: Redis on port {self.port} did not stop; left {self.work_dir}", file=sys.stderr)
            return
        shutil.rmtree(self.work_dir)


@dataclasses.dataclass
class CeleryWorker:
    """A real `celery worker` process for integration tests, with its output in a log file."""

    hostname: str
    # The only queue it consumes; tasks for it must be sent there.
    queue: str
    process: subprocess.Popen
    log_path: Path

    @classmethod
    def start(cls, *, project_dir: Path, env: dict[str, str], log_path: Path) -> CeleryWorker:
        run_name = WORKER_QUEUE
        hostname = f"{run_name}@{socket.gethostname()}"
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "crowdfund",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            f"--hostname={hostname}",
            f"--queues={run_name}",
            "--without-mingle",
            "--without-gossip",
        ]
        env = {**env, "CELERY_TASK_DEFAULT_QUEUE": run_name}
        with log_path.open("w") as log:
            process = subprocess.Popen(
                command, cwd=project_dir, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        return cls(hostname, run_name, process, log_path)

    def wait_until_ready(self, celery_app, *, seconds: float = 60) -> None:
        """Waits until the worker answers a ping through the broker, which it does only once it consumes tasks."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"celery worker exited with {self.process.returncode}:\n{self.log()}")
            if celery_app.control.ping(destination=[self.hostname], timeout=0.5):
                return
        raise RuntimeError(f"celery worker did not answer within {seconds} s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL, as when a machine or container dies: the task in hand is neither finished nor acknowledged."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        # SIGTERM is Celery's warm shutdown: the task in hand finishes first. The whole process group goes, in case
        # the worker started children.
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@contextlib.contextmanager
def _start_not_cut_short(stop: Callable[[], None]) -> Iterator[None]:
    """Lets a throwaway server finish starting before Ctrl-C takes effect, then stops it and passes Ctrl-C on.

    A start cut short leaves a server or its files behind, and the caller has not yet been handed `stop`. The
    server's commands run in sessions of their own, so Ctrl-C reaches only this process, where it is held until
    the block ends. The same goes for any error inside the block.
    """
    interrupted = []
    previous_handler = signal.signal(signal.SIGINT, lambda signum, frame: interrupted.append(signum))
    try:
        yield
    except BaseException:
        stop()
        raise
    finally:
        signal.signal(signal.SIGINT, previous_handler)
    if interrupted:
        stop()
        raise KeyboardInterrupt


def _throwaway_allowed() -> bool:
    return os.environ.get("MICHOU_TEST_THROWAWAY", "1") != "0"


def _port_from_env(name: str, *, default: int) -> int:
    return int(os.environ.get(name) or default)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOCAL_HOST, 0))
        return probe.getsockname()[1]


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_for(condition: Callable[[], bool], *, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else "no answer"
