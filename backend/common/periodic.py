"""Hourly jobs of the apps above the one that runs them: an app registers its job in
`AppConfig.ready()`, and the embedded default's background loop runs every registered job without
importing the app (Celery beat schedules the same jobs as tasks instead)."""

from __future__ import annotations

from collections.abc import Callable

_hourly: list[Callable[[], object]] = []


def register_hourly(job: Callable[[], object]) -> None:
    if job not in _hourly:
        _hourly.append(job)


def hourly_jobs() -> tuple[Callable[[], object], ...]:
    return tuple(_hourly)
