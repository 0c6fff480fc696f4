"""Korean public holidays, substitute holidays included, from the offline `holidays` calendar."""
from __future__ import annotations

from datetime import date
from functools import lru_cache


@lru_cache(maxsize=32)
def _year(year: int) -> frozenset[date]:
    import holidays  # imported lazily: only commands that need the calendar pay for it

    return frozenset(holidays.country_holidays("KR", years=year).keys())


def public_holidays(*years: int) -> frozenset[date]:
    """Public holidays of the given years (weekends are not listed; see is_day_off)."""
    out: set[date] = set()
    for y in years:
        out |= _year(y)
    return frozenset(out)


def holiday_name(day: date) -> str | None:
    import holidays

    return holidays.country_holidays("KR", years=day.year).get(day)
