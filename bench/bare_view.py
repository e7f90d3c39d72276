"""The bench's second yardstick: a bare Django view doing the hot path's minimum unit of work (the conditional update
of one offering's total and an insert, one transaction, in raw SQL on pgbench's tables), served by gunicorn with
Michou's own settings, middleware and gunicorn configuration, but no authentication, eligibility or idempotency. It
tells what the web stack itself costs on this machine, between pgbench's ceiling and Michou's subscribe path.

    gunicorn -c crowdfund/gunicorn.conf.py --pythonpath bench bare_view:application

bench/harness.py starts it; `POST /bare/` answers 201 with the new row's id.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crowdfund.settings")

from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

settings.ROOT_URLCONF = __name__
# Sets Django up, which must come before importing the apps' URLs below.
application = get_wsgi_application()

from django.db import connection, transaction  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.urls import include, path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402


@csrf_exempt
def reserve(request):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE bench_offering SET reserved = reserved + 100 WHERE id = 1 AND reserved + 100 <= maximum")
        cursor.execute(
            "INSERT INTO bench_subscription (offering_id, amount, created_at) VALUES (1, 100, now()) RETURNING id"
        )
        (row_id,) = cursor.fetchone()
    return JsonResponse({"id": row_id}, status=201)


# Michou's own URLs after it (the health check the harness waits for among them), so that resolving costs the same.
urlpatterns = [path("bare/", reserve), path("", include("crowdfund.urls"))]
