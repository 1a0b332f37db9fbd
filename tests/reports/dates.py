"""The reports' dates: days in Shanghai, and the half year the district reports on."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from backend.reports.selectors import Period

SHANGHAI = ZoneInfo("Asia/Shanghai")
HALF_YEAR = Period(datetime.date(2026, 1, 1), datetime.date(2026, 6, 30))


def at(month: int, day: int, year: int = 2026) -> datetime.datetime:
    return datetime.datetime(year, month, day, 12, tzinfo=SHANGHAI)
