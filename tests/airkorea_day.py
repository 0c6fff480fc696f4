"""A day of the AirKorea feed on the stand-in server (tests/fake_airkorea.py): the hourly readings, the 17시
forecast and the 시·도 officer who is asked, as the live-status tests set them up. The stand-in itself is
the `air` fixture in conftest.py."""
from datetime import date, timedelta

from bot import airkorea, checklists
from fake_airkorea import KEY, forecast_item, station

D0 = date(2025, 1, 21)  # a Tuesday; the measure would run on Wednesday 2025-01-22
OFFICER = 1001


def client(air, **kw):
    return airkorea.Client(air.base_url, KEY, **{"backoff": 0, "sleep": lambda s: None, "timeout": 0.3, **kw})


def hour_label(day: date, hour: int) -> str:
    return f"{day - timedelta(days=1)} 24:00" if hour == 0 else f"{day} {hour:02d}:00"


def serve_hour(air, day: date, hour: int, seoul: float = 62, busan: float = 20) -> None:
    label = hour_label(day, hour)
    air.readings["서울"] = [station("종로구", "서울", label, seoul), station("중구", "서울", label, seoul + 4),
                          station("도봉구", "서울", label, None, flag="통신장애"),
                          station("강동구", "서울", label, 999, flag="자료이상")]
    air.readings["부산"] = [station("광복동", "부산", label, busan)]


def forecast_day(air, day: date, seoul_tomorrow: str) -> None:
    released = f"{day} 17시 발표"
    air.forecasts += [forecast_item("PM25", f"{day} 11시 발표", str(day + timedelta(days=1)), {}),
                      forecast_item("PM25", released, str(day), {"서울": "나쁨"}),
                      forecast_item("PM25", released, str(day + timedelta(days=1)), {"서울": seoul_tomorrow, "경기남부": "나쁨"}),
                      forecast_item("PM25", released, str(day + timedelta(days=2)), {"서울": "나쁨"})]


def setup_officer(core, at):
    checklists.register(core.store, f"telegram:{OFFICER}", "sido-env", "서울", "primary", "김주무관", at)
    checklists.approve(core.store, "telegram:9999", f"telegram:{OFFICER}", at)
