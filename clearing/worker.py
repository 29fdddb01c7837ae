"""The Celery application. Without a broker URL it runs tasks eagerly, in-process."""
from __future__ import annotations

from celery import Celery

from core.config import Settings

RELAY_INTERVAL_S = 2.0


def make_celery(settings: Settings) -> Celery:
    app = Celery("farebridge", broker=settings.broker_url or "memory://localhost/", include=["clearing.tasks"])
    app.conf.update(
        task_always_eager=settings.eager,
        task_eager_propagates=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=settings.clearing_queue,
        task_serializer="json",
        accept_content=["json"],
        result_backend=None,
        task_ignore_result=True,
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=3,
        broker_transport_options={"confirm_publish": True},
        worker_hijack_root_logger=False,
        beat_schedule={"relay-outbox": {"task": "farebridge.relay_outbox", "schedule": RELAY_INTERVAL_S}},
    )
    return app


celery_app = make_celery(Settings.from_env())


def configure(settings: Settings) -> Celery:
    """Point the shared app at other settings (the web app and tests call this)."""
    fresh = make_celery(settings)
    celery_app.conf.update(fresh.conf)
    celery_app.conf.broker_url = settings.broker_url or "memory://localhost/"
    return celery_app
