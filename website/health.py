"""Health endpoints for load balancers: cheap enough to poll every second."""

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

_redis = None


def _redis_client():
    global _redis  # one pooled client per process
    if _redis is None:
        _redis = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=0.5, socket_connect_timeout=0.5
        )
    return _redis


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_redis():
    """Redis carries the channel layer and the response cache's invalidations."""
    if settings.REDIS_URL:
        _redis_client().ping()


CHECKS = {"database": check_database, "redis": check_redis}


@never_cache
def healthz(request):
    """The process is alive and answering; touches nothing else."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request):
    """Ready for traffic: the database and Redis (with REDIS_URL) both answer."""
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as error:
            results[name] = f"down: {type(error).__name__}"
        else:
            results[name] = "ok"
    ready = all(value == "ok" for value in results.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", **results}, status=200 if ready else 503
    )
