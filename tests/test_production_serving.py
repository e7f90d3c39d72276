"""The production way to serve: the health answer a load balancer and the benchmarks rely on, and the serving
script's refusal to run production on the development defaults."""

import os
import subprocess
from pathlib import Path

SERVE = Path(__file__).resolve().parent.parent / "scripts" / "serve.sh"


# Without the django_db mark any query would raise: the answer costs no database work.
def test_health_answers_anonymous_clients_without_touching_the_database(client):
    response = client.get("/api/v1/health/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_serve_refuses_to_start_without_postgresql_and_redis():
    environment = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}

    finished = subprocess.run(
        ["bash", str(SERVE)], env=environment, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL
    )

    assert finished.returncode == 2
    assert "set DATABASE_URL" in finished.stderr
