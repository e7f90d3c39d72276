"""pytest wiring for Michou's tests: the services they run against, the markers that ask for them, and the fixtures
every test folder can use.

pytest.ini loads this module with `-p tests.plugin`, so that it runs before pytest-django sets Django up: the
settings read DATABASE_URL and REDIS_URL once, when they load, and this module decides both (tests/servers.py says
how). Django is imported inside functions here for the same reason.

Markers, for tests that need a real service; when the service could not be had the test is skipped with the reason,
and with CI=true that skip is a failure instead, so that CI never passes by leaving those tests out:
- `postgres`: the test database must be PostgreSQL (not the SQLite fallback);
- `redis`: Redis answers at settings.REDIS_URL;
- `celery_worker`: a real Celery worker, so both of the above. Tests that use the `celery_worker_process` fixture
  get this marker by themselves.
- `browser`: headless Chromium and its chromedriver (Debian's `chromium` and `chromium-driver`), driven with
  Selenium. Tests that use the `browser` fixture (tests/browser/conftest.py) get this marker by themselves.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
from collections.abc import Iterator
from typing import NoReturn
from urllib.parse import urlsplit

import pytest

from tests import servers

# The shared test helpers assert too: give their failures pytest's explanation, as in a test module.
pytest.register_assert_rewrite("tests.support", "risk.tests.support", "risk.tests.rules.facts")

# Fixed for the whole test process: development settings (DEBUG on, which allows the development secrets); tasks
# run in the test process unless a test asks for the broker (`celery_tasks_via_broker`); hashed static names exist
# only after collectstatic; `live_server` and browser tests call the ORM from a thread that runs an event loop.
TEST_ENVIRONMENT = {
    "DJANGO_DEBUG": "true",
    "CELERY_TASK_ALWAYS_EAGER": "true",
    "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
    "DJANGO_ALLOW_ASYNC_UNSAFE": "true",
    "PAGE_CACHE_SECONDS": "0",
}

MARKERS = {
    "postgres": "the test needs the test database to be PostgreSQL",
    "redis": "the test needs Redis at settings.REDIS_URL",
    "celery_worker": "the test needs a real Celery worker, so PostgreSQL and Redis (fixture celery_worker_process)",
    "browser": "the test drives headless Chromium through chromedriver (fixture browser)",
    "faults": "the test injects a fault into real components (tests/faults): its own redis-server and Celery workers,"
    " the fake Stripe server, the test database's connections; so PostgreSQL and a redis-server binary",
}

# Where Debian's `chromium` and `chromium-driver` packages put them; overridable for other machines.
CHROMIUM_ENV = {"CHROMIUM_BINARY": "/usr/bin/chromium", "CHROMEDRIVER": "/usr/bin/chromedriver"}


@dataclasses.dataclass
class FoundServices:
    postgres: servers.Service
    redis: servers.Service


SERVICES_KEY = pytest.StashKey[FoundServices]()


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config, parser: pytest.Parser, args: list[str]) -> None:
    options = parser.parse_known_args(args)
    if options.help or options.version:
        return
    os.environ.update(TEST_ENVIRONMENT)
    found = {}
    for variable, find in (("DATABASE_URL", servers.find_postgres), ("REDIS_URL", servers.find_redis)):
        service = found[variable] = find()
        # At once, so that a server already started is stopped even if the next one is interrupted.
        if service.stop is not None:
            early_config.add_cleanup(service.stop)
        if service.url is not None:
            os.environ[variable] = service.url
    early_config.stash[SERVICES_KEY] = FoundServices(postgres=found["DATABASE_URL"], redis=found["REDIS_URL"])


def pytest_configure(config: pytest.Config) -> None:
    for name, description in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {description}")


def pytest_report_header(config: pytest.Config) -> list[str]:
    found = config.stash[SERVICES_KEY]
    return [f"PostgreSQL: {found.postgres.origin}", f"Redis: {found.redis.origin}"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "celery_worker_process" in getattr(item, "fixturenames", ()):
            item.add_marker("celery_worker")
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker("browser")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skips (or, under CI, fails) a marked test whose service is missing, before any of its fixtures run."""
    found = item.config.stash[SERVICES_KEY]
    needs = {name for name in MARKERS if item.get_closest_marker(name)}
    missing = []
    if "celery_worker" in needs:
        needs |= {"postgres", "redis"}
    if "faults" in needs:
        needs.add("postgres")
        if shutil.which("redis-server") is None:
            missing.append("needs a redis-server binary to start and stop a broker of its own (Debian's redis-server)")
    if "postgres" in needs:
        vendor = _database_vendor()
        if vendor != "postgresql":
            missing.append(f"needs PostgreSQL, but the test database is {vendor} ({found.postgres.origin})")
    if "redis" in needs and found.redis.url is None:
        missing.append(f"needs Redis ({found.redis.origin})")
    if "browser" in needs:
        missing.extend(_browser_problems())
    if missing:
        skip_or_fail("; ".join(missing))


def skip_or_fail(reason: str) -> NoReturn:
    """Skips the current test because a service it needs is missing; with CI=true, fails it instead."""
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"{reason}. With CI=true a missing service fails the run instead of skipping.", pytrace=False)
    pytest.skip(reason)


def _browser_problems() -> list[str]:
    problems = []
    for variable, default in CHROMIUM_ENV.items():
        path = os.environ.get(variable, default)
        if not os.access(path, os.X_OK):
            problems.append(f"needs {path} (set {variable}, or install Debian's chromium and chromium-driver)")
    try:
        import selenium  # noqa: F401
    except ImportError:
        problems.append("needs the selenium package (requirements-dev.txt)")
    return problems


def _database_vendor() -> str:
    from django.db import connection

    return connection.vendor


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    """Django's default hasher spends about a quarter of a second on each password, and tests make many users."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture
def celery_tasks_via_broker(settings) -> Iterator[None]:
    """Sends Celery tasks to the broker for this test instead of running them in the test process."""
    from crowdfund.celery import app as celery_app

    # Celery copies the Django setting into its own configuration when it first reads it: read (to restore) and
    # change that copy before the setting, so that it is never first read from the changed setting.
    with celery_config_changed(celery_app, task_always_eager=False):
        settings.CELERY_TASK_ALWAYS_EAGER = False
        yield


@pytest.fixture
def celery_worker_process(
    transactional_db, celery_tasks_via_broker, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[servers.CeleryWorker]:
    """A real `celery worker` on the test run's Redis, working on pytest-django's test database.

    The database fixture is `transactional_db`: the worker is another process, so it sees only committed rows, and
    what it writes is committed for the test to read. Tasks that the test sends go through the broker, to the queue
    of this worker alone. The worker stops when the test ends, before the database is emptied.
    """
    from django.conf import settings

    from crowdfund.celery import app as celery_app

    worker = servers.CeleryWorker.start(
        project_dir=settings.BASE_DIR,
        env=worker_environment(),
        log_path=tmp_path_factory.mktemp("celery-worker") / "worker.log",
    )
    try:
        worker.wait_until_ready(celery_app)
        with celery_config_changed(celery_app, task_default_queue=worker.queue):
            yield worker
    finally:
        worker.stop()
        delete_queue(celery_app, worker.queue)


def worker_environment(**overrides: str) -> dict[str, str]:
    """The environment of a Celery worker process working on pytest-django's test database."""
    from django.db import connection

    test_database_url = urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{connection.settings_dict['NAME']}")
    return {**os.environ, "DATABASE_URL": test_database_url.geturl(), "CELERY_TASK_ALWAYS_EAGER": "false", **overrides}


def delete_queue(celery_app, name: str) -> None:
    """Removes a queue and its binding from the broker, so that test runs leave no keys behind in Redis."""
    with celery_app.connection_for_write() as connection:
        queue = celery_app.amqp.queues[name].bind(connection.default_channel)
        # kombu's Redis transport deletes only the bindings that this channel has declared.
        queue.declare()
        queue.delete()


@contextlib.contextmanager
def celery_config_changed(celery_app, **changes) -> Iterator[None]:
    previous = {name: celery_app.conf[name] for name in changes}
    celery_app.conf.update(changes)
    try:
        yield
    finally:
        celery_app.conf.update(previous)
