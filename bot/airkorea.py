"""The AirKorea OpenAPI feed (data.go.kr B552584): an HTTP client, the parsers, and the hourly store.

Formats: ../shared/reference/airkorea-formats.md. The base URL comes from bot.toml `[airkorea] base_url`
(AIRKOREA_BASE_URL overrides), the key only from the environment (AIRKOREA_SERVICE_KEY).

Every failure becomes a typed FeedError: AuthError (keys, approval: not retried), QuotaError (daily quota:
not retried now), NoDataError, RateLimited (429, code 23: retried after Retry-After), TransientError
(5xx, codes 01/02/04/05/99, timeouts, a broken body: retried with exponential backoff). Each retry and
each final failure is one warning line; `feed_status` keeps the last success and the last error per
feed, so officers can be told how old the data is.

Storage (idempotent: a reading or forecast collected twice is one row): `air_readings` (sido, station,
data_time), `air_forecasts` (code, target day, release, region), `air_alarms` (sn).
"""
from __future__ import annotations

import json
import logging
import time
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta

from .checklists import iso
from .rules.timeline import KST

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://apis.data.go.kr/B552584"
REALTIME = ("ArpltnInforInqireSvc", "getCtprvnRltmMesureDnsty")
FORECAST = ("ArpltnInforInqireSvc", "getMinuDustFrcstDspth")
ALARMS = ("UlfptcaAlarmInqireSvc", "getUlfptcaAlarmInfo")
MISSING = {"-", "", None}


class FeedError(Exception):
    kind = "error"
    retry = False

    def __init__(self, message: str, code: str | None = None, wait: float | None = None):
        super().__init__(message)
        self.code, self.wait = code, wait


class AuthError(FeedError):
    kind = "auth"


class QuotaError(FeedError):
    kind = "quota"


class NoDataError(FeedError):
    kind = "no_data"


class RequestError(FeedError):
    kind = "request"


class RateLimited(FeedError):
    kind = "rate_limited"
    retry = True


class TransientError(FeedError):
    kind = "transient"
    retry = True


AUTH_CODES = {"20", "21", "29", "30", "31", "32", "33"}
TRANSIENT_CODES = {"01", "02", "04", "05", "99"}
REQUEST_CODES = {"10", "11", "12"}


def error_for_code(code: str, message: str) -> FeedError:
    code = str(code).strip().zfill(2)
    text = f"AirKorea error {code} {message}".strip()
    if code in AUTH_CODES:
        return AuthError(text, code)
    if code == "22":
        return QuotaError(text, code)
    if code == "23":
        return RateLimited(text, code)
    if code == "03":
        return NoDataError(text, code)
    if code in REQUEST_CODES:
        return RequestError(text, code)
    return TransientError(text, code)


def classify(status: int, text: str, headers: dict | None = None) -> dict:
    """The body of a successful answer ({"items": [...], "totalCount": n}), or the FeedError it is."""
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    stripped = (text or "").lstrip()
    if status == 429:
        wait = headers.get("retry-after")
        raise RateLimited("AirKorea answered 429 Too Many Requests", "429",
                          float(wait) if wait and wait.replace(".", "", 1).isdigit() else None)
    if stripped.startswith("<"):
        try:
            root = ET.fromstring(stripped)
        except ET.ParseError:
            raise TransientError(f"AirKorea answered HTTP {status} with broken XML") from None
        code = root.findtext(".//returnReasonCode") or "99"
        raise error_for_code(code, root.findtext(".//returnAuthMsg") or root.findtext(".//errMsg") or "")
    try:
        payload = json.loads(stripped) if stripped.startswith(("{", "[")) else None
    except ValueError:
        payload = None
    if isinstance(payload, dict):
        header = (payload.get("OpenAPI_ServiceResponse") or payload).get("cmmMsgHeader")
        if isinstance(header, dict):
            raise error_for_code(header.get("returnReasonCode") or "99",
                                 header.get("returnAuthMsg") or header.get("errMsg") or "")
        response = payload.get("response")
        if isinstance(response, dict):
            head = response.get("header") or {}
            code = str(head.get("resultCode", "99"))
            if code != "00":
                raise error_for_code(code, head.get("resultMsg") or "")
            body = response.get("body") or {}
            items = body.get("items")
            if isinstance(items, dict):  # the items.item form (object for one, array for several)
                items = items.get("item")
            if isinstance(items, dict):
                items = [items]
            if not isinstance(items, list):
                items = []
            return {"items": items, "totalCount": int(body.get("totalCount") or len(items))}
    if status in (401, 403):
        raise AuthError(f"AirKorea refused the request: HTTP {status} {stripped[:40]}", str(status))
    if status >= 500:
        raise TransientError(f"AirKorea answered HTTP {status}", str(status))
    raise TransientError(f"AirKorea answered HTTP {status} with a body that is neither JSON nor XML")


# -- parsing -------------------------------------------------------------------------------------
def parse_data_time(text: str) -> datetime:
    """'2025-01-21 16:00' (and '24:00' = the next day 00:00) → an aware KST datetime."""
    day, _, hm = str(text).strip().partition(" ")
    hour, _, minute = hm.partition(":")
    base = datetime.combine(date.fromisoformat(day), datetime.min.time(), KST)
    return base + timedelta(hours=int(hour), minutes=int(minute or 0))


def parse_release(text: str) -> datetime:
    """'2025-01-21 17시 발표' → 2025-01-21 17:00 KST."""
    day, _, rest = str(text).strip().partition(" ")
    hour = "".join(ch for ch in rest if ch.isdigit()) or "0"
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), KST) + timedelta(hours=int(hour))


def number(value) -> float | None:
    if value in MISSING:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def parse_station(item: dict) -> dict:
    """A station's hour: PM2.5 only when the value is there and no flag is set (grades are never trusted)."""
    flag = item.get("pm25Flag") or None
    value = number(item.get("pm25Value"))
    return {"station": item.get("stationName") or "", "data_time": iso(parse_data_time(item["dataTime"])),
            "pm25": value if flag is None else None, "pm25_raw": item.get("pm25Value"), "pm25_flag": flag,
            "pm10": number(item.get("pm10Value")) if not item.get("pm10Flag") else None}


def parse_grades(text: str) -> dict[str, str]:
    """'서울 : 나쁨,제주 : 보통,…' → {"서울": "나쁨", …}; names and grades stripped, 매우 나쁨 → 매우나쁨."""
    out = {}
    for part in (text or "").split(","):
        name, sep, grade = part.partition(":")
        if sep and name.strip():
            out[name.strip()] = grade.strip().replace(" ", "")
    return out


def latest_forecasts(items: list[dict], code: str = "PM25") -> dict[str, dict]:
    """{informData: {"issued_at", "regions"}} from the latest release per target day of `code` (post-filtered)."""
    out: dict[str, dict] = {}
    for item in items:
        if str(item.get("informCode", "")).upper() != code or not item.get("informData"):
            continue
        released = parse_release(item["dataTime"])
        day = item["informData"]
        if day not in out or released > out[day]["issued_at"]:
            out[day] = {"issued_at": released, "regions": parse_grades(item.get("informGrade", ""))}
    return out


# -- the client ----------------------------------------------------------------------------------
class Client:
    """GET requests to the AirKorea OpenAPI with retries: `tries` attempts, backoff `backoff`·2ⁿ seconds."""

    def __init__(self, base_url: str, key: str | None, *, timeout: float = 10.0, tries: int = 3,
                 backoff: float = 1.0, sleep=time.sleep, transport=None, key_name: str = "AIRKOREA_SERVICE_KEY"):
        import httpx

        self.base_url = base_url.rstrip("/")
        self.key, self.key_name = key, key_name
        self.tries, self.backoff, self.sleep = max(1, tries), backoff, sleep
        self.http = httpx.Client(timeout=timeout, transport=transport, trust_env=False)

    @classmethod
    def from_config(cls, config, **kw) -> "Client":
        base = config.env.get("AIRKOREA_BASE_URL") or config.get("airkorea", "base_url", DEFAULT_BASE_URL)
        options = {"timeout": float(config.get("airkorea", "timeout", 10)),
                   "tries": int(config.get("airkorea", "tries", 3)), "backoff": float(config.get("airkorea", "backoff", 2))}
        return cls(base, config.secret("AIRKOREA_SERVICE_KEY"), **{**options, **kw})

    def close(self) -> None:
        self.http.close()

    def get(self, service: tuple[str, str], **params) -> list[dict]:
        """Every item of an operation (pages followed by totalCount), or a FeedError after the retries."""
        items: list[dict] = []
        page = 1
        while True:
            body = self._page(service, {**params, "pageNo": page, "numOfRows": params.get("numOfRows", 100)})
            items += body["items"]
            if not body["items"] or len(items) >= body["totalCount"] or page >= 20:
                return items
            page += 1

    def _page(self, service, params: dict) -> dict:
        import httpx

        if not self.key:
            raise AuthError(f"{self.key_name} is not set")
        url = f"{self.base_url}/{service[0]}/{service[1]}"
        query = {"serviceKey": self.key, "returnType": "json", **params}
        for attempt in range(1, self.tries + 1):
            try:
                response = self.http.get(url, params=query)
                return classify(response.status_code, response.text, dict(response.headers))
            except httpx.TimeoutException:
                error: FeedError = TransientError(f"AirKorea did not answer within {self.http.timeout.read}s")
            except httpx.TransportError as exc:
                error = TransientError(f"cannot reach AirKorea at {self.base_url}: {exc}")
            except FeedError as exc:
                error = exc
            if not error.retry or attempt == self.tries:
                log.warning("AirKorea %s failed (%s): %s", service[1], error.kind, error)
                raise error
            wait = error.wait if error.wait is not None else self.backoff * 2 ** (attempt - 1)
            log.warning("AirKorea %s failed (%s): %s; try %d of %d in %.1fs", service[1], error.kind, error,
                        attempt + 1, self.tries, wait)
            self.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def realtime(self, sido: str) -> list[dict]:
        return self.get(REALTIME, sidoName=sido, ver="1.3")

    def forecast(self, day: date) -> list[dict]:
        return self.get(FORECAST, searchDate=day.isoformat(), InformCode="PM25")

    def alarms(self, year: int) -> list[dict]:
        return self.get(ALARMS, year=str(year), itemCode="PM25")


# -- the store -----------------------------------------------------------------------------------
def ensure_tables(store) -> None:
    db = store.db
    with store.lock:
        if "air_readings" not in db.table_names():
            db["air_readings"].create({"sido": str, "station": str, "data_time": str, "pm25": float, "pm25_raw": str,
                                       "pm25_flag": str, "pm10": float, "collected_at": str},
                                      pk=("sido", "station", "data_time"))
        if "air_forecasts" not in db.table_names():
            db["air_forecasts"].create({"code": str, "day": str, "issued_at": str, "region": str, "grade": str,
                                        "collected_at": str}, pk=("code", "day", "issued_at", "region"))
        if "air_alarms" not in db.table_names():
            db["air_alarms"].create({"sn": str, "district": str, "zone": str, "code": str, "level": str,
                                     "issued_at": str, "cleared_at": str, "value": str}, pk="sn")
        if "feed_status" not in db.table_names():
            db["feed_status"].create({"feed": str, "ok_at": str, "error_at": str, "error_kind": str, "error": str},
                                     pk="feed")


def _status(store, feed: str, now: datetime, error: FeedError | None = None) -> None:
    row = {"feed": feed}
    if error is None:
        row.update(ok_at=iso(now), error_at=None, error_kind=None, error=None)
    else:
        row.update(error_at=iso(now), error_kind=error.kind, error=str(error))
    with store.lock:
        store.db["feed_status"].upsert(row, pk="feed", alter=False)


def feed_status(store, feed: str) -> dict | None:
    rows = list(store.db.query("select * from feed_status where feed = ?", [feed]))
    return rows[0] if rows else None


def collect_readings(store, client: Client, sido: str, now: datetime) -> int:
    """The latest hour of every station of `sido` (AirKorea's short name), kept; returns how many stations."""
    feed = f"realtime:{sido}"
    try:
        items = client.realtime(sido)
    except FeedError as exc:
        _status(store, feed, now, exc)
        raise
    rows = []
    for item in items:
        try:
            rows.append({"sido": sido, **parse_station(item), "collected_at": iso(now)})
        except (KeyError, ValueError, TypeError):
            log.warning("AirKorea realtime %s: an item without a usable dataTime was skipped: %r", sido,
                        item.get("stationName"))
    with store.lock:
        store.db["air_readings"].upsert_all(rows, pk=("sido", "station", "data_time"))
    _status(store, feed, now)
    return len(rows)


def collect_forecast(store, client: Client, day: date, now: datetime) -> dict[str, dict]:
    """The PM2.5 forecasts released on `day`, kept; returns latest_forecasts() of them."""
    try:
        items = client.forecast(day)
    except FeedError as exc:
        _status(store, "forecast", now, exc)
        raise
    latest = latest_forecasts(items)
    rows = [{"code": "PM25", "day": target, "issued_at": iso(f["issued_at"]), "region": region, "grade": grade,
             "collected_at": iso(now)} for target, f in latest.items() for region, grade in f["regions"].items()]
    with store.lock:
        store.db["air_forecasts"].upsert_all(rows, pk=("code", "day", "issued_at", "region"))
    _status(store, "forecast", now)
    return latest


def collect_alarms(store, client: Client, year: int, now: datetime) -> int:
    try:
        items = client.alarms(year)
    except FeedError as exc:
        _status(store, "alarms", now, exc)
        raise
    rows = []
    for a in items:
        if str(a.get("itemCode", "")).upper() not in ("PM25", "PM2.5") or not a.get("issueDate"):
            continue
        cleared = f"{a['clearDate']}T{a.get('clearTime') or '00:00'}:00+09:00" if a.get("clearDate") else None
        rows.append({"sn": str(a.get("sn")), "district": a.get("districtName") or "", "zone": a.get("moveName") or "",
                     "code": "PM25", "level": a.get("issueGbn") or "",
                     "issued_at": f"{a['issueDate']}T{a.get('issueTime') or '00:00'}:00+09:00", "cleared_at": cleared,
                     "value": str(a.get("issueVal") or "")})
    with store.lock:
        store.db["air_alarms"].upsert_all(rows, pk="sn")
    _status(store, "alarms", now)
    return len(rows)


# -- what the assessment reads -------------------------------------------------------------------
def average(store, sido: str, day: date, last_hour: int = 16) -> dict:
    """The 00–`last_hour` PM2.5 average of `sido` on `day`: the mean of the hourly means of the valid stations.

    An hour's dataTime HH:00 is the hour ending at HH, so 00–16 is dataTime 01:00 … 16:00.
    Returns {"value", "hours" (with data), "expected", "excluded" (station-hours missing or flagged)}.
    """
    start = datetime.combine(day, datetime.min.time(), KST)
    rows = list(store.db.query(
        "select data_time, avg(pm25) as mean, count(pm25) as valid, count(*) - count(pm25) as excluded "
        "from air_readings where sido = ? and data_time > ? and data_time <= ? group by data_time",
        [sido, iso(start), iso(start + timedelta(hours=last_hour))]))
    means = [r["mean"] for r in rows if r["valid"]]
    return {"value": round(sum(means) / len(means), 1) if means else None, "hours": len(means),
            "expected": last_hour, "excluded": sum(r["excluded"] for r in rows)}


def forecast_for(store, day: date, released_on: date) -> dict | None:
    """{"issued_at", "regions"} of the latest PM2.5 release made on `released_on` for `day`, or None."""
    start = datetime.combine(released_on, datetime.min.time(), KST)
    rows = list(store.db.query(
        "select issued_at, region, grade from air_forecasts where code = 'PM25' and day = ? and issued_at >= ? "
        "and issued_at < ? and issued_at = (select max(issued_at) from air_forecasts where code = 'PM25' and day = ? "
        "and issued_at >= ? and issued_at < ?)",
        [day.isoformat(), iso(start), iso(start + timedelta(days=1))] * 2))
    if not rows:
        return None
    return {"issued_at": datetime.fromisoformat(rows[0]["issued_at"]), "regions": {r["region"]: r["grade"] for r in rows}}


def alarms_on(store, day: date) -> list[dict]:
    return list(store.db.query("select * from air_alarms where substr(issued_at, 1, 10) = ?", [day.isoformat()]))


def latest_reading(store, sido: str) -> dict | None:
    """The newest hour collected for `sido`: {"data_time", "pm25_avg", "stations", "valid"}."""
    rows = list(store.db.query(
        "select data_time, avg(pm25) as mean, count(*) as stations, count(pm25) as valid from air_readings "
        "where sido = ? group by data_time order by data_time desc limit 1", [sido]))
    if not rows:
        return None
    r = rows[0]
    return {"data_time": r["data_time"], "pm25_avg": None if r["mean"] is None else round(r["mean"], 1),
            "stations": r["stations"], "valid": r["valid"]}
