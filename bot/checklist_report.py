"""`python -m bot report --run ID`: one checklist run in the columns of the guideline's forms.

서식 3 (비상(예비)저감조치 시행결과 보고, 공공기관 시행·일선기관) and 서식 8 (비상저감조치(차량 2부제)
시행결과 보고), as printed in the 2019-02 guideline. What the checklist knows is filled in (the day,
the agency, the 시·도, what was done and when); what only the agency knows (시군구, PM2.5 감축량,
photos) is left blank for it to complete before filing.
"""
from __future__ import annotations

import csv
import io
import re

FORM3_TITLE = "[서식 3] 비상(예비)저감조치 시행결과 보고"
FORM3_COLUMNS = ["연번 (관리번호)", "시행일", "유형", "시행 기관명", "일선기관명 (사업장명)", "소재지 (시도)",
                 "소재지 (시군구)", "차량 2부제 참여여부", "차량 2부제 조치 내용", "공사업장 조치 참여여부",
                 "공사업장 조치 내용", "PM2.5 감축량 (kg)"]
FORM8_TITLE = "[서식 8] 비상저감조치(차량 2부제) 시행결과 보고"
FORM8_COLUMNS = ["기관명", "작성일", "일시", "조치내용", "자체평가 및 건의사항"]
VEHICLE = re.compile(r"2부제|차량|운행")
SITE = re.compile(r"사업장|공사장|공사|배출시설|조업")


def _done(items: list[dict]) -> list[dict]:
    return [i for i in items if i["ticked_by"]]


def _measures(items: list[dict]) -> tuple[str, str]:
    """(참여여부, 조치 내용) for one kind of measure: ○ when a ticked item is of that kind, × when none is."""
    if not items:
        return "", ""
    done = _done(items)
    return ("○" if done else "×"), "; ".join(f"{i['ticked_at'][5:16].replace('T', ' ')} {i['ko']}" for i in done)


def form3(run: dict, agency_name: str, sido_name: str, items: list[dict]) -> list[list[str]]:
    """One row for the run: the vehicle and site measures split by what the items are about."""
    vehicle = [i for i in items if VEHICLE.search(i["ko"])]
    site = [i for i in items if SITE.search(i["ko"]) and i not in vehicle]
    v_part, v_text = _measures(vehicle)
    s_part, s_text = _measures(site)
    kind = ("차량" if v_part == "○" else "") + ("공사" if s_part == "○" else "")
    return [[str(run["id"]), run["effective_date"], kind, agency_name, "", sido_name, "", v_part, v_text, s_part, s_text, ""]]


def form8(run: dict, agency_name: str, written: str, items: list[dict]) -> list[list[str]]:
    """One row per ticked item, in the order they were done."""
    return [[agency_name, written, i["ticked_at"][:16].replace("T", " "), i["ko"], ""]
            for i in sorted(_done(items), key=lambda i: i["ticked_at"])]


def tables(store, kb, run_id: int, written: str) -> list[tuple[str, list[str], list[list[str]]]]:
    """[(title, columns, rows)] for 서식 3 and 서식 8; LookupError when there is no such run."""
    runs = list(store.db.query("select * from runs where id = ?", [run_id]))
    if not runs:
        raise LookupError(f"there is no checklist run {run_id}")
    run = runs[0]
    items = list(store.db.query(
        "select i.* from run_items i join run_stages s on s.id = i.run_stage_id where i.run_id = ? "
        "and s.state != 'cancelled' order by s.starts_at, i.position", [run_id]))
    agency = next((a for a in kb.agencies if a["id"] == run["agency"]), None)
    agency_name = agency["name"]["ko"] if agency else run["agency"]
    sido = kb.sido_by_id.get(run["sido"])
    sido_name = sido["name"]["ko"] if sido else run["sido"]
    return [(FORM3_TITLE, FORM3_COLUMNS, form3(run, agency_name, sido_name, items)),
            (FORM8_TITLE, FORM8_COLUMNS, form8(run, agency_name, written, items))]


def to_csv(parts) -> str:
    """Both forms in one CSV: each its title row, its header row and its rows, a blank row between."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    for n, (title, columns, rows) in enumerate(parts):
        if n:
            writer.writerow([])
        writer.writerow([title])
        writer.writerow(columns)
        writer.writerows(rows)
    return buf.getvalue()


def to_xlsx(parts, path) -> None:
    """One sheet per form: the title in A1, the header in row 2."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, columns, rows in parts:
        sheet = book.create_sheet(title.split("]")[0].strip("[").replace(" ", ""))
        sheet.append([title])
        sheet.append(columns)
        for row in rows:
            sheet.append(row)
    book.save(path)
