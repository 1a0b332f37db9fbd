#!/bin/sh
# One image, several roles: web (ASGI), worker (Celery), beat (Celery's periodic tasks: one
# only), migrate (one-shot).
set -e
case "$1" in
  web)
    exec uvicorn backend.config.asgi:application --host 0.0.0.0 --port "${PORT:-8000}" \
      --proxy-headers --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-*}" --workers "${WEB_WORKERS:-1}"
    ;;
  worker)
    exec celery -A backend.config worker --loglevel "${LOG_LEVEL:-INFO}" \
      --concurrency "${WORKER_CONCURRENCY:-1}" --queues celery
    ;;
  beat)
    exec celery -A backend.config beat --loglevel "${LOG_LEVEL:-INFO}" \
      --schedule /tmp/celerybeat-schedule
    ;;
  migrate)
    python manage.py migrate --noinput
    exec python manage.py rebuild_index
    ;;
  *)
    exec "$@"
    ;;
esac
