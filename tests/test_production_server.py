"""The production web server (gunicorn with crowdfund/gunicorn.conf.py, as scripts/serve.sh starts it) keeps serving
while clients hold connections open without sending a request, as phones on a poor network do in a flash crowd. With
sync workers each such client held a whole worker until WEB_TIMEOUT (30 s) killed it: a benchmark's spare
connections stalled every worker for half a minute at a time."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.servers import free_port

ROOT = Path(__file__).resolve().parent.parent


def health_answered(url: str, *, timeout: float) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status == 200
    except OSError:
        return False


def test_silent_connections_do_not_hold_up_other_clients(tmp_path):
    port = free_port()
    health = f"http://127.0.0.1:{port}/api/v1/health/"
    # One process of four threads, so that a silent client blocking a process would show. (A thread waits up to
    # 5 s for a new connection's first bytes, then parks the connection in the process's poller.)
    env = os.environ | {
        "DJANGO_DEBUG": "true",
        "WEB_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "WEB_THREADS": "4",
        "WEB_MAX_REQUESTS": "0",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "crowdfund/gunicorn.conf.py", "crowdfund.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=(tmp_path / "gunicorn.log").open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not health_answered(health, timeout=1):
            assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "gunicorn.log").read_text()
            time.sleep(0.2)

        silent = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]
        started = time.monotonic()
        answered = health_answered(health, timeout=10)
        waited = time.monotonic() - started
        for connection in silent:
            connection.close()
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    assert answered, f"no answer within 10 s behind three silent connections ({waited:.1f} s)"
