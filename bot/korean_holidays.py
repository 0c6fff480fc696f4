"""Korean public holidays, substitute holidays included, from the offline `holidays` calendar."""
from __future__ import annotations

from datetime import date
from functools import lru_cache

# The years this bot reasons about: the offline calendar's range. A date outside it (0001-01-01, 9999-12-31) is
# refused where it is typed; the stage times around it would overflow the calendar and its holidays are unknown.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def covers(day: date) -> bool:
    return FIRST_YEAR <= day.year <= LAST_YEAR


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


def _names_by_day(years) -> dict[date, list[str]]:
    import holidays

    # two holidays on one day are one name, 'A; B'
    return {d: names.split("; ") for d, names in holidays.country_holidays("KR", years=years).items()}


@lru_cache(maxsize=1)
def calendar_names() -> frozenset[str]:
    """The names the offline calendar gives holidays (knowledge/synonyms.yaml `holidays` is keyed by them)."""
    year = date.today().year
    return frozenset(n for names in _names_by_day(range(year - 1, year + 3)).values() for n in names)


def next_named(name: str, today: date) -> date | None:
    """The next day (today included) the calendar calls `name`, e.g. 'Korean New Year'; None if not within two years."""
    days = _names_by_day(range(today.year, today.year + 3))
    return min((d for d, names in days.items() if name in names and d >= today), default=None)


def holiday_name(day: date) -> str | None:
    import holidays

    return holidays.country_holidays("KR", years=day.year).get(day)


# -- the optional refresh from the holiday API (한국천문연구원 특일정보 getRestDeInfo) ------------------------
# The offline calendar knows the law's holidays and substitute days; a 임시공휴일 or an election day is only known
# once designated. `python -m bot holidays --refresh` asks the API and keeps what it says in the store.
REST_DAYS = ("SpcdeInfoService", "getRestDeInfo")
DEFAULT_API_URL = "https://apis.data.go.kr/B090041/openapi/service"


def ensure_table(store) -> None:
    with store.lock:
        store.db.conn.execute("create table if not exists holidays_api (day text primary key, name text not null, "
                              "fetched_at text not null)")


def client(config, **kw):
    """A data.go.kr client for the holiday API: HOLIDAY_BASE_URL or [holidays] base_url; the key from
    HOLIDAY_SERVICE_KEY (a data.go.kr account key, so AIRKOREA_SERVICE_KEY when that is not set)."""
    from .airkorea import Client

    base = config.env.get("HOLIDAY_BASE_URL") or config.get("holidays", "base_url", DEFAULT_API_URL)
    key = config.secret("HOLIDAY_SERVICE_KEY") or config.secret("AIRKOREA_SERVICE_KEY")
    return Client(base, key, timeout=float(config.get("airkorea", "timeout", 10)), key_name="HOLIDAY_SERVICE_KEY", **kw)


def parse_rest_day(item: dict) -> tuple[date, str] | None:
    """(day, name) of an item that is a day off for public agencies (isHoliday Y), else None."""
    if str(item.get("isHoliday", "")).upper() != "Y":
        return None
    text = str(item.get("locdate", "")).strip()  # a number YYYYMMDD in JSON
    if len(text) != 8 or not text.isdigit():
        return None
    return date(int(text[:4]), int(text[4:6]), int(text[6:])), str(item.get("dateName") or "")


def refresh(store, api, year: int, now) -> list[dict]:
    """Fetch `year`'s days off from the API and keep them; returns those the offline calendar did not know.
    A FeedError (bad key, quota, outage) changes nothing."""
    items = api.get(REST_DAYS, solYear=str(year), numOfRows=100, _type="json")
    days = [d for d in map(parse_rest_day, items) if d is not None]
    ensure_table(store)
    with store.lock, store.db.conn as conn:
        conn.executemany("insert or replace into holidays_api (day, name, fetched_at) values (?, ?, ?)",
                         [(d.isoformat(), name, now.isoformat()) for d, name in days])
    offline = public_holidays(year)
    return [{"date": d.isoformat(), "name": name} for d, name in days if d not in offline]


def known(store, *years: int) -> frozenset[date]:
    """The offline calendar's holidays and any the API added (kept by `refresh`)."""
    out = set(public_holidays(*years))
    if store is not None:  # the table is made when the store opens (bot/live.py)
        for r in store.db.query("select day from holidays_api"):
            day = date.fromisoformat(r["day"])
            if day.year in years:
                out.add(day)
    return frozenset(out)


def day_off(store, day: date) -> bool:
    """A weekend or a public holiday the bot knows: no odd-even rule and no vehicle restriction run that day."""
    return day.weekday() >= 5 or day in known(store, day.year)
