"""Fixtures of the fault suite (tests/faults): a broker, Celery workers and a door to the fake Stripe server of each
test's own, which the tests then break. The shared PostgreSQL and Redis are never stopped: a database fault only
terminates connections to this run's own test database.

Every test here gets the `faults` marker (so PostgreSQL and a redis-server binary; skipped without them, a failure
under CI=true) and a transactional database, since workers are other processes that see only committed rows.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

from tests import servers
from tests.faults.stripe_door import StripeDoor
from tests.plugin import celery_config_changed, skip_or_fail, worker_environment

HERE = Path(__file__).resolve().parent
# A task whose worker died whole comes back after VISIBILITY_SECONDS, found by a scan every RESTORE_SCAN_SECONDS.
# Longer than any task here takes, so that a task still running is never handed to a second worker.
VISIBILITY_SECONDS = 8
RESTORE_SCAN_SECONDS = 1


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker("faults")
            item.add_marker(pytest.mark.django_db(transaction=True))


@dataclasses.dataclass
class Broker:
    server: servers.ThrowawayRedis
    url: str


@pytest.fixture(scope="session")
def fault_redis() -> Iterator[servers.ThrowawayRedis]:
    """A redis-server of the fault suite's own, persistent like a production broker, for the whole run: one server,
    so that no pooled connection is ever left pointing at a server that is gone (Celery's remote-control mailbox
    keeps the first producer pool it used). Tests may stop it, and must start it again."""
    server = servers.ThrowawayRedis.create(persistent=True)
    if server is None:
        skip_or_fail("needs a redis-server binary")
    trouble = server.start()
    if trouble is not None:
        server.remove()
        skip_or_fail(f"a redis-server of the test's own did not start: {trouble}")
    yield server
    server.remove()


def forget_broker_connections(celery_app) -> None:
    """Drop what leads to the broker a connection was made for: the app's connection pool, the producers built on it,
    and the remote-control mailbox's own reference to those producers (kept from the first ping of the process, so
    that after an earlier test's worker on the main Redis, pings would never reach a worker on this one)."""
    celery_app.close()
    celery_app.amqp._producer_pool = None
    celery_app.control.mailbox.__dict__.pop("producer_pool", None)


@pytest.fixture
def own_broker(fault_redis: servers.ThrowawayRedis, transactional_db, settings) -> Iterator[Broker]:
    """The fault suite's Redis, emptied, as the broker that the test process sends its tasks to (not in-process)."""
    from crowdfund.celery import app as celery_app

    broker = Broker(fault_redis, fault_redis.url(0))
    redis.Redis.from_url(broker.url).flushdb()
    transport_options = {
        "visibility_timeout": VISIBILITY_SECONDS,
        "unacked_restore_interval": RESTORE_SCAN_SECONDS,
        "unacked_restore_throttle": 1,
    }
    # Pooled connections lead to the other broker: drop them before and after.
    forget_broker_connections(celery_app)
    try:
        with celery_config_changed(
            celery_app,
            broker_url=broker.url,
            broker_transport_options=transport_options,
            task_always_eager=False,
            task_default_queue=servers.WORKER_QUEUE,
        ):
            settings.CELERY_TASK_ALWAYS_EAGER = False
            yield broker
    finally:
        forget_broker_connections(celery_app)
        if not fault_redis.pid_file.exists():
            # The test stopped it and failed before starting it again.
            fault_redis.start()


@pytest.fixture
def start_worker(own_broker: Broker, fake_stripe: str, tmp_path: Path) -> Iterator[Callable[[], servers.CeleryWorker]]:
    """Starts a real `celery worker` on the test's own broker and the fake Stripe server, and waits until it
    consumes; each call starts one more (after the last one was killed, say). All are stopped at the end."""
    from django.conf import settings

    from crowdfund.celery import app as celery_app

    environment = worker_environment(
        REDIS_URL=own_broker.url,
        CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_SECONDS),
        CELERY_UNACKED_RESTORE_SECONDS=str(RESTORE_SCAN_SECONDS),
        OUTBOX_RELAY_GRACE_SECONDS="0",
        # Small settlement batches, so that a fault lands between two of them as well as inside one.
        SETTLEMENT_BATCH_SIZE="10",
    )
    workers: list[servers.CeleryWorker] = []

    def start() -> servers.CeleryWorker:
        worker = servers.CeleryWorker.start(
            project_dir=settings.BASE_DIR, env=environment, log_path=tmp_path / f"worker-{len(workers) + 1}.log"
        )
        workers.append(worker)
        worker.wait_until_ready(celery_app)
        return worker

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture
def stripe_door(fake_stripe: str, settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[StripeDoor]:
    """Michou reaches the fake Stripe server through a door the test can close; the test itself can still look at
    Stripe's own records directly (`fake_stripe`)."""
    door = StripeDoor(int(fake_stripe.rsplit(":", 1)[1]))
    settings.STRIPE_API_BASE = door.url
    monkeypatch.setenv("STRIPE_API_BASE", door.url)
    yield door
    door.close()
