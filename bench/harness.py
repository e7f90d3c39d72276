"""What the four benchmarks share: the bench database, Michou started as production serves it (scripts/serve.sh),
the fake Stripe server, the load generator (wrk), the yardsticks (pgbench, bare Stripe calls), ready-made data, and
bounded waits.

Import this module before anything from Django: it points the environment at the bench database and Redis, then sets
Django up in this process, which creates the data and checks the outcome directly in the database.

Environment: DATABASE_URL names the PostgreSQL server (its database name is replaced by BENCH_DATABASE, default
`michou_bench`, which every benchmark drops and creates again); default the local server on 5432. REDIS_URL (default
redis://127.0.0.1:6379/0) is the broker; the bench's tasks go to a queue of their own, named after the database (`michou-bench`).
BENCH_WEB_WORKERS (default 3) gunicorn workers. Every process started is stopped when the `Stack` closes, failure or
not; every server listens on loopback only.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
LOG_DIR = ROOT / "var" / "bench"
HOST = "127.0.0.1"
DATABASE_NAME = os.environ.get("BENCH_DATABASE", "michou_bench")
SERVER_URL = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
if not SERVER_URL.startswith("postgres"):
    sys.exit("bench: DATABASE_URL must name a PostgreSQL server")
DATABASE_URL = urllib.parse.urlparse(SERVER_URL)._replace(path=f"/{DATABASE_NAME}").geturl()
MAINTENANCE_URL = urllib.parse.urlparse(SERVER_URL)._replace(path="/postgres").geturl()
PYTHON = str(ROOT / ".venv" / "bin" / "python")
START_SECONDS = 90
STOP_SECONDS = 15

os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "crowdfund.settings",
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
        # A queue per bench database, so that two benchmarks on different databases can share one Redis.
        "CELERY_TASK_DEFAULT_QUEUE": DATABASE_NAME.replace("_", "-"),
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789abcdef",
        # Production settings refuse the development keys; the bench makes its own, and serves plain HTTP on loopback.
        "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "IDENTITY_HASH_KEY": secrets.token_urlsafe(32),
        "MICHOU_DEMO": "true",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_HSTS_SECONDS": "0",
        "DJANGO_SESSION_COOKIE_SECURE": "false",
        "DJANGO_CSRF_COOKIE_SECURE": "false",
        # A crowd comes from many addresses; here all of it comes from one, which the throttles would stop.
        "API_ANON_RATE": "1000000/s",
        "API_USER_RATE": "1000000/s",
        "SUBSCRIBE_RATE": "1000000/s",
        "EMAIL_URL": "dummymail://",
        "STRIPE_WEBHOOK_SECRET": "whsec_michou_bench",
        "LOG_LEVEL": "WARNING",
    }
)
sys.path.insert(0, str(ROOT))


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())} UTC] {message}", file=sys.stderr, flush=True)


def wait_until(condition: Callable[[], object], *, seconds: float, what: str, interval: float = 0.5):
    """Polls `condition` until it returns something true, at most `seconds`; the answer is returned."""
    deadline = time.monotonic() + seconds
    while True:
        answer = condition()
        if answer:
            return answer
        if time.monotonic() > deadline:
            raise TimeoutError(f"bench: {what} did not happen within {seconds:.0f} s")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


# --- the database -------------------------------------------------------------------------------------------------


def fresh_database() -> None:
    """Drops and creates the bench database, migrates it, and sets Django up on it in this process."""
    import psycopg
    from django.apps import apps

    if apps.ready:
        from django.db import connections

        connections.close_all()
    with psycopg.connect(_libpq(MAINTENANCE_URL), autocommit=True) as connection:
        connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (DATABASE_NAME,),
        )
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE_NAME}"')
        connection.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    # Tasks left queued by an earlier run name rows of the dropped database.
    import redis

    redis.Redis.from_url(os.environ["REDIS_URL"]).delete(os.environ["CELERY_TASK_DEFAULT_QUEUE"])
    log(f"migrating {DATABASE_NAME}")
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True, timeout=600)
    import django

    django.setup()


def _libpq(url: str) -> str:
    # libpq reads postgresql:// and postgres:// alike; django-environ's other spellings it does not.
    return re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql://", url)


def pgbench_ceiling(*, clients: int, seconds: int) -> float:
    """The yardstick: transactions per second of the hot path's minimum (a conditional update of one offering's
    total and an insert, one transaction) in raw SQL, at `clients` connections."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_offering, bench_subscription")
        cursor.execute("CREATE TABLE bench_offering (id int PRIMARY KEY, reserved numeric NOT NULL, maximum numeric)")
        cursor.execute(
            "CREATE TABLE bench_subscription (id bigserial PRIMARY KEY, offering_id int NOT NULL, "
            "amount numeric NOT NULL, created_at timestamptz NOT NULL)"
        )
        # Room for every transaction: the measure is of accepted subscriptions.
        cursor.execute("INSERT INTO bench_offering VALUES (1, 0, 1e15)")
    script = LOG_DIR / "ceiling.sql"
    script.write_text(
        "BEGIN;\n"
        "UPDATE bench_offering SET reserved = reserved + 100 WHERE id = 1 AND reserved + 100 <= maximum;\n"
        "INSERT INTO bench_subscription (offering_id, amount, created_at) VALUES (1, 100, now());\n"
        "END;\n"
    )
    pgbench = ensure_tool("pgbench", package="postgresql-client")
    finished = subprocess.run(
        [pgbench, "-n", "-c", str(clients), "-j", "2", "-T", str(seconds), "-f", str(script), _libpq(DATABASE_URL)],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    )
    return float(re.search(r"tps = ([\d.]+)", finished.stdout).group(1))


def bare_view_rate(*, clients: int, seconds: int) -> float:
    """The second yardstick, after `pgbench_ceiling` (whose tables it writes to): requests per second of
    bench/bare_view.py, the same unit of work in a bare Django view, served by gunicorn as Michou is, at `clients`
    connections. Its server is stopped before this returns."""
    port = free_port()
    with Stack() as bare:
        bare.start(
            "bare_view",
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "crowdfund/gunicorn.conf.py"]
            + ["--pythonpath", "bench", "bare_view:application"],
            # As scripts/serve.sh serves Michou: as many workers, and persistent database connections.
            env={
                "WEB_BIND": f"{HOST}:{port}",
                "WEB_CONCURRENCY": os.environ.get("BENCH_WEB_WORKERS", "3"),
                "DATABASE_CONN_MAX_AGE": "60",
            },
        )
        base_url = f"http://{HOST}:{port}"
        wait_until(lambda: _answers(f"{base_url}/api/v1/health/"), seconds=START_SECONDS, what="the bare view's start")
        return _steady_rate(f"{base_url}/bare/", "201", clients=clients, seconds=seconds, env={"BENCH_METHOD": "POST"})


def authenticated_noop_rate(*, base_url: str, token: str, clients: int, seconds: int) -> float:
    """The third yardstick: requests per second of an authenticated API request that does nothing, at `clients`
    connections: `GET /api/v1/subscriptions/`, which DRF answers 405 after authenticating the token and applying the
    throttles. The floor under any authenticated request of Michou's."""
    return _steady_rate(
        f"{base_url}/api/v1/subscriptions/",
        "405",
        clients=clients,
        seconds=seconds,
        env={"BENCH_AUTHORIZATION": f"Token {token}"},
    )


def _steady_rate(url: str, status: str, *, clients: int, seconds: int, env: dict[str, str]) -> float:
    """Requests per second of one request sent again and again (bench/repeat.lua), each answered `status`."""
    load = run_wrk(url=url, script="repeat.lua", clients=clients, seconds=seconds, env=env)
    if set(load["statuses"]) != {status}:
        raise RuntimeError(f"bench: {url} answered {load['statuses']}")
    return load["per_s"]


# --- processes ----------------------------------------------------------------------------------------------------


class Stack(contextlib.ExitStack):
    """The processes a benchmark started; closing it (at the end of `with`, failure or not) stops each one with its
    children, newest first."""

    def start(self, name: str, argv: list[str], *, env: dict[str, str] | None = None) -> Path:
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        log_path = LOG_DIR / f"{name}.log"
        with log_path.open("wb") as log_file:
            process = subprocess.Popen(
                argv,
                cwd=ROOT,
                env=os.environ | (env or {}),
                stdout=log_file,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.callback(_stop, process)
        return log_path


def _stop(process: subprocess.Popen) -> None:
    for sig, seconds in ((signal.SIGTERM, STOP_SECONDS), (signal.SIGKILL, 5)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=seconds)
            return
        except subprocess.TimeoutExpired:
            continue


def start_fake_stripe(stack: Stack, *, web_port: int | None) -> str:
    """The fake Stripe server on a free port, posting its events to Michou's webhook on `web_port` if given; its
    base URL."""
    argv = [PYTHON, "scripts/fake_stripe.py", "--port", "0"]
    if web_port is not None:
        # The webhook secret comes from STRIPE_WEBHOOK_SECRET, which Michou reads too.
        argv += ["--webhook-url", f"http://{HOST}:{web_port}/api/v1/payments/stripe/webhook/"]
    log_path = stack.start("fake_stripe", argv)
    ready = wait_until(
        lambda: re.search(r"fake Stripe ready at (http://\S+)", log_path.read_text(errors="replace")),
        seconds=START_SECONDS,
        what="the fake Stripe server's start",
    )
    from django.conf import settings

    # For the processes started next, and for this one's own calls (verification, bare calls).
    os.environ["STRIPE_API_BASE"] = settings.STRIPE_API_BASE = ready.group(1)
    return ready.group(1)


def start_michou(stack: Stack, *, port: int, processes: str = "web worker beat") -> str:
    """Michou as scripts/serve.sh serves it (migrations already done) on `port`; the web server's base URL once it
    answers and the worker is ready."""
    log_path = stack.start(
        "michou",
        ["bash", "scripts/serve.sh"],
        env={
            "SERVE_PROCESSES": processes,
            "SERVE_MIGRATE": "false",
            "WEB_BIND": f"{HOST}:{port}",
            "WEB_CONCURRENCY": os.environ.get("BENCH_WEB_WORKERS", "3"),
            "WEB_MAX_REQUESTS": "0",
            "LOG_LEVEL": "INFO",
        },
    )
    base_url = f"http://{HOST}:{port}"
    if "web" in processes:
        wait_until(lambda: _answers(f"{base_url}/api/v1/health/"), seconds=START_SECONDS, what="the web server's start")
    if "worker" in processes:
        wait_until(
            lambda: re.search(r"celery@\S+ ready", log_path.read_text(errors="replace")),
            seconds=START_SECONDS,
            what="the Celery worker's start",
        )
    return base_url


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def start_stack(stack: Stack, *, processes: str = "web worker beat") -> str:
    """The fake Stripe server and Michou; Michou's base URL."""
    port = free_port()
    start_fake_stripe(stack, web_port=port if "web" in processes else None)
    return start_michou(stack, port=port, processes=processes)


def clear_fake_stripe() -> None:
    request = urllib.request.Request(f"{os.environ['STRIPE_API_BASE']}/_config/data", method="DELETE")
    urllib.request.urlopen(request, timeout=30).close()


def stripe_bare_seconds(calls: list[Callable[[], object]], *, threads: int) -> float:
    """Seconds the fake Stripe server takes for `calls` (each one request to it, nothing of Michou around it)."""
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        for future in [pool.submit(call) for call in calls]:
            future.result(timeout=120)
    return time.monotonic() - started


def bare_charges(count: int, *, amount: Decimal, currency: str, first_id: int) -> list[Callable[[], object]]:
    """`count` create-and-confirm calls, each as Michou's gateway makes it, for made-up subscription ids."""
    from investors.subscriptions import gateway

    return [
        lambda number=number: gateway.charge(
            subscription_id=number, amount=amount, currency=currency, payment_method="pm_card_visa"
        )
        for number in range(first_id, first_id + count)
    ]


# --- the load generator -------------------------------------------------------------------------------------------


def ensure_tool(command: str, *, package: str) -> str:
    """The path of `command`, installed from Debian's `package` when missing (as .ci/run installs what the tests
    need): wrk for the load, pgbench for the ceiling."""
    if shutil.which(command) is None:
        if os.geteuid() != 0:
            sys.exit(f"bench: {command} is missing; install Debian's `{package}` package")
        log(f"installing {package}")
        env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update"], check=True, env=env, timeout=600, stdout=subprocess.DEVNULL)
        subprocess.run(
            ["apt-get", "install", "-y", "--no-install-recommends", package],
            check=True,
            env=env,
            timeout=600,
            stdout=subprocess.DEVNULL,
        )
    return shutil.which(command)


def run_wrk(*, url: str, script: str, clients: int, seconds: int, env: dict[str, str] | None = None) -> dict:
    """Runs wrk with one of bench/*.lua, which prints one JSON line last; that line, parsed. One wrk thread per
    connection. wrk itself always runs for its `-d`; a script that ends sooner leaves one file per finished thread
    in BENCH_DONE_DIR, and once every thread's is there wrk is interrupted (it then reports as usual)."""
    done_dir = LOG_DIR / "wrk-done"
    shutil.rmtree(done_dir, ignore_errors=True)
    done_dir.mkdir(parents=True)
    argv = [ensure_tool("wrk", package="wrk"), "-t", str(clients), "-c", str(clients), "-d", f"{seconds}s"]
    argv += ["--timeout", "30s"]
    argv += ["-s", str(ROOT / "bench" / script), url]
    wrk = subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=os.environ
        | {"BENCH_DIR": str(ROOT / "bench"), "BENCH_DONE_DIR": str(done_dir), "BENCH_THREADS": str(clients)}
        | (env or {}),
    )
    try:
        with contextlib.suppress(TimeoutError):
            wait_until(
                lambda: wrk.poll() is not None or len(list(done_dir.iterdir())) >= clients,
                seconds=seconds,
                what="the load",
                interval=0.1,
            )
        wrk.send_signal(signal.SIGINT)
        output, _ = wrk.communicate(timeout=60)
    finally:
        if wrk.poll() is None:
            wrk.kill()
    return json.loads(output.strip().splitlines()[-1])


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


@contextlib.contextmanager
def timed() -> Iterator[list[float]]:
    """`with timed() as elapsed:` … `elapsed[0]` is the seconds the block took."""
    elapsed: list[float] = []
    started = time.monotonic()
    try:
        yield elapsed
    finally:
        elapsed.append(time.monotonic() - started)
