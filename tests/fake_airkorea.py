"""A stand-in for the AirKorea OpenAPI (data.go.kr, B552584) on 127.0.0.1, for the collector's tests.

It serves the shapes of ../shared/reference/airkorea-formats.md: the success envelope (body before
header, `items` a plain array, resultMsg NORMAL_CODE), `"-"` values, flags, `24:00`, paginated and
mixed-code forecasts, and every error shape of §6 on demand:

    fake = FakeAirKorea().start()           # base_url: http://127.0.0.1:<port>/B552584
    fake.readings["서울"] = [station("종로구", "서울", "2025-01-21 16:00", 71), …]
    fake.forecasts = [forecast_item("PM25", "2025-01-21 17시 발표", "2025-01-22", {"서울": "매우나쁨"})]
    fake.fail("xml_quota", "http_500")      # the next requests answer these, in order
    fake.outage = "timeout"                 # every request answers this until set back to None

Error modes: xml_key (gateway XML, code 30), xml_quota (22), json_gateway (the envelope as JSON),
cmm_403 (HTTP 403 + {"cmmMsgHeader": …}), forbidden (403 text), unauthorized (401 text), nodata
(resultCode 03, no body), error_99, error_05, http_500, http_429, timeout (answers after `slow` s),
garbage (not JSON), empty (00 with no items).
"""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlparse

import local_server

KEY = "test-service-key"
REGIONS = ["서울", "제주", "전남", "전북", "광주", "경남", "경북", "울산", "대구", "부산", "충남", "충북", "세종", "대전",
           "영동", "영서", "경기남부", "경기북부", "인천"]

XML = """<OpenAPI_ServiceResponse>
  <cmmMsgHeader>
    <errMsg>SERVICE ERROR</errMsg>
    <returnAuthMsg>{msg}</returnAuthMsg>
    <returnReasonCode>{code}</returnReasonCode>
  </cmmMsgHeader>
</OpenAPI_ServiceResponse>"""


def station(name: str, sido: str, data_time: str, pm25, flag: str | None = None, pm10="80") -> dict:
    """One station of getCtprvnRltmMesureDnsty (ver 1.3 fields); pm25 None → "-"."""
    value = "-" if pm25 is None else str(pm25)
    return {"stationName": name, "mangName": "도시대기", "sidoName": sido, "dataTime": data_time,
            "so2Value": "0.003", "coValue": "0.8", "o3Value": "0.012", "no2Value": "0.041",
            "pm10Value": pm10, "pm10Value24": "-", "pm25Value": value, "pm25Value24": "-", "khaiValue": "-",
            "khaiGrade": None, "so2Grade": "1", "coGrade": "1", "o3Grade": "1", "no2Grade": "2", "pm10Grade": "3",
            "pm25Grade": None if pm25 is None else "3", "pm10Grade1h": "3", "pm25Grade1h": None,
            "so2Flag": None, "coFlag": None, "o3Flag": None, "no2Flag": None, "pm10Flag": None, "pm25Flag": flag}


def forecast_item(code: str, data_time: str, inform_data: str, grades: dict[str, str], default: str = "보통") -> dict:
    """One getMinuDustFrcstDspth item; regions not in `grades` get `default`, in the real 19-name order."""
    grade = ",".join(f"{r} : {grades.get(r, default)}" for r in REGIONS)
    item = {"informCode": code, "dataTime": data_time, "informData": inform_data,
            "informOverall": "○ [미세먼지] 대기 정체로 농도가 높을 것으로 예상됩니다.", "informCause": "○ [미세먼지] 대기 정체.",
            "informGrade": grade, "actionKnack": None}
    item.update({f"imageUrl{i}": None for i in range(1, 7)})
    return item


class FakeAirKorea:
    def __init__(self, key: str = KEY, slow: float = 2.0):
        self.key = key
        self.slow = slow
        self.readings: dict[str, list[dict]] = {}
        self.forecasts: list[dict] = []
        self.alarms: list[dict] = []
        self.rest_days: list[dict] = []  # the holiday API's items (getRestDeInfo), served at holiday_url
        self.queue: list[str] = []
        self.outage: str | None = None
        self.requests: list[tuple[str, dict]] = []
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None

    def start(self) -> "FakeAirKorea":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                fake._handle(self)

            def log_message(self, *args):
                pass

        self.server = local_server.serve(Handler)
        return self

    def stop(self) -> None:
        if self.server:
            local_server.close(self.server)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/B552584"

    @property
    def holiday_url(self) -> str:
        """The 한국천문연구원 특일정보 service on the same data.go.kr stand-in."""
        return f"http://127.0.0.1:{self.server.server_address[1]}/B090041/openapi/service"

    def fail(self, *modes: str) -> None:
        with self.lock:
            self.queue.extend(modes)

    def count(self, operation: str | None = None) -> int:
        with self.lock:
            return sum(1 for op, _ in self.requests if operation in (None, op))

    # -- answering -------------------------------------------------------------------------------
    def _handle(self, http) -> None:
        url = urlparse(http.path)
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        operation = url.path.rsplit("/", 1)[-1]
        with self.lock:
            self.requests.append((operation, params))
            mode = self.queue.pop(0) if self.queue else self.outage
        if mode:
            return self._error(http, mode)
        if params.get("serviceKey") != self.key:
            return self._send(http, 200, XML.format(msg="SERVICE_KEY_IS_NOT_REGISTERED_ERROR", code=30), "text/xml")
        items = {"getCtprvnRltmMesureDnsty": lambda: self.readings.get(params.get("sidoName", ""), []),
                 "getMinuDustFrcstDspth": lambda: [f for f in self.forecasts
                                                   if f["dataTime"].startswith(params.get("searchDate", ""))],
                 "getUlfptcaAlarmInfo": lambda: [a for a in self.alarms
                                                 if a["dataDate"].startswith(params.get("year", ""))]}.get(operation)
        if operation == "getRestDeInfo":
            return self._rest_days(http, params)
        if items is None:
            return self._send(http, 200, XML.format(msg="NO_OPENAPI_SERVICE_ERROR", code=12), "text/xml")
        found = items()
        rows, page = int(params.get("numOfRows") or 10), int(params.get("pageNo") or 1)
        body = {"totalCount": len(found), "items": found[(page - 1) * rows: page * rows], "pageNo": page, "numOfRows": rows}
        self._json(http, 200, {"response": {"body": body, "header": {"resultMsg": "NORMAL_CODE", "resultCode": "00"}}})

    def _rest_days(self, http, params: dict) -> None:
        """The holiday API's own shape: `_type=json`, items.item an object for one, an array for several, "" for none."""
        found = [d for d in self.rest_days if str(d["locdate"]).startswith(params.get("solYear", ""))]
        items = "" if not found else {"item": found[0] if len(found) == 1 else found}
        body = {"items": items, "numOfRows": int(params.get("numOfRows") or 10), "pageNo": 1, "totalCount": len(found)}
        self._json(http, 200, {"response": {"header": {"resultCode": "00", "resultMsg": "NORMAL SERVICE."}, "body": body}})

    def _error(self, http, mode: str) -> None:
        if mode == "xml_key":
            return self._send(http, 200, XML.format(msg="SERVICE_KEY_IS_NOT_REGISTERED_ERROR", code=30), "text/xml")
        if mode == "xml_quota":
            return self._send(http, 200, XML.format(msg="LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR", code=22),
                              "text/xml")
        if mode == "json_gateway":
            return self._json(http, 200, {"OpenAPI_ServiceResponse": {"cmmMsgHeader": {
                "errMsg": "SERVICE_KEY_IS_NOT_REGISTERED_ERROR", "returnAuthMsg": "등록되지 않은 서비스키",
                "returnReasonCode": "30"}}})
        if mode == "cmm_403":
            return self._json(http, 403, {"cmmMsgHeader": {"errMsg": "SERVICE ERROR",
                                                           "returnAuthMsg": "SERVICE_KEY_IS_NOT_REGISTERED_ERROR",
                                                           "returnReasonCode": "30"}})
        if mode == "forbidden":
            return self._send(http, 403, "Forbidden", "text/plain")
        if mode == "unauthorized":
            return self._send(http, 401, "Unauthorized", "text/plain")
        if mode == "nodata":
            return self._json(http, 200, {"response": {"header": {"resultCode": "03", "resultMsg": "NO_DATA"}}})
        if mode in ("error_99", "error_05"):
            code = mode[-2:]
            return self._json(http, 200, {"response": {"header": {"resultCode": code, "resultMsg": "UNKNOWN_ERROR"}}})
        if mode == "http_500":
            return self._send(http, 500, "Internal Server Error", "text/plain")
        if mode == "http_429":
            return self._send(http, 429, "Too Many Requests", "text/plain", {"Retry-After": "0"})
        if mode == "timeout":
            time.sleep(self.slow)
            return self._send(http, 504, "Gateway Timeout", "text/plain")
        if mode == "garbage":
            return self._send(http, 200, "{not json", "application/json")
        if mode == "empty":
            return self._json(http, 200, {"response": {"body": {"totalCount": 0, "items": [], "pageNo": 1,
                                                                "numOfRows": 100},
                                                       "header": {"resultMsg": "NORMAL_CODE", "resultCode": "00"}}})
        raise ValueError(f"unknown error mode {mode!r}")

    def _json(self, http, status: int, payload: dict) -> None:
        self._send(http, status, json.dumps(payload, ensure_ascii=False), "application/json;charset=UTF-8")

    @staticmethod
    def _send(http, status: int, text: str, content_type: str, headers: dict | None = None) -> None:
        data = text.encode("utf-8")
        try:
            http.send_response(status)
            http.send_header("Content-Type", content_type)
            http.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                http.send_header(k, v)
            http.end_headers()
            http.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (its timeout)
            pass
