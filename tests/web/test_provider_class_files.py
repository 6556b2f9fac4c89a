"""A class from a file in the provider's console (in-process client): CSV in UTF-8 with and
without BOM and in GB18030, .xlsx with a merged title row above the header, the preview of
every row before anything is written, the good rows enrolled, the result file, and the same
file uploaded twice enrolling nobody twice."""

from __future__ import annotations

import csv
import io
import re

from httpx import AsyncClient, Response
from openpyxl import Workbook, load_workbook

from portfolio.accounts.principal import Role
from portfolio.settings import Settings
from tests.archives.factories import fresh_resident_id
from tests.helpers import DEFAULT_PASSWORD, LoggedIn, log_in_as
from tests.web import training_arrange as arrange
from tests.web.pages import ORIGIN, hidden_fields, post_form, sign_in
from tests.workers.factories import register

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _desk(web: AsyncClient, settings: Settings) -> tuple[LoggedIn, LoggedIn, str]:
    agency = await log_in_as(web, settings, Role.AGENCY, region_prefix="5101")
    provider, run_id = await arrange.open_class(web, agency, settings)
    web.cookies.clear()
    await sign_in(web, provider.principal.username, DEFAULT_PASSWORD)
    return agency, provider, run_id


def _csv(rows: list[tuple[str, str]], encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["身份证号码", "姓名"])
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


async def _upload(
    web: AsyncClient, run_id: str, content: bytes, filename: str, media: str = "text/csv"
) -> Response:
    page = f"/provider/runs/{run_id}/class-file"
    shown = await web.get(page)
    assert shown.status_code == 200
    return await web.post(
        page,
        data=hidden_fields(shown.text),
        files={"file": (filename, content, media)},
        headers=ORIGIN,
    )


async def test_a_csv_file_previewed_then_enrolled_once(
    web: AsyncClient, settings: Settings
) -> None:
    agency, provider, run_id = await _desk(web, settings)
    one = await register(web, agency, name="王一")
    two = await register(web, agency, name="王二")
    bad = one.id_number[:-1] + ("1" if one.id_number[-1] != "1" else "2")
    content = _csv(
        [
            (one.id_number, "王一"),
            (bad, "王一"),
            (two.id_number, "王二"),
            (one.id_number, "王一"),
            (two.id_number, "王三"),
        ]
    )
    sent = await _upload(web, run_id, content, "class.csv")
    assert sent.status_code == 303
    preview_url = sent.headers["location"]
    reference = preview_url.rsplit("/", 1)[1]
    assert re.fullmatch(r"CF-[0-9A-F]{10}", reference)
    preview = await web.get(preview_url)
    assert "尚未为任何人报名" in preview.text
    assert preview.text.count("可以报名") >= 2
    assert "校验码错误" in preview.text
    assert "与前面某行是同一名劳动者" in preview.text
    assert "没有与该身份证号码和姓名相符的劳动者" in preview.text
    assert one.id_number not in preview.text
    roster = await web.get(f"/runs/{run_id}/enrolments", headers=provider.headers)
    assert roster.json()["items"] == []

    enrolled = await post_form(web, f"{preview_url}/enrol", page=preview_url)
    assert enrolled.headers["location"] == preview_url
    result = await web.get(preview_url)
    assert reference in result.text
    assert "5行中已报名2行" in result.text
    download = await web.get(f"{preview_url}/result.csv")
    assert download.status_code == 200
    assert download.content.startswith(b"\xef\xbb\xbf")
    assert b"enrolled" in download.content
    assert one.id_number.encode() not in download.content
    xlsx = await web.get(f"{preview_url}/result.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert sheet.max_row == 6

    # The same file again: the same upload, its result; nobody enrolled twice.
    again = await _upload(web, run_id, content, "class.csv")
    assert again.headers["location"] == preview_url
    roster = await web.get(f"/runs/{run_id}/enrolments", headers=provider.headers)
    assert len(roster.json()["items"]) == 2


async def test_gb18030_and_xlsx_with_a_merged_title(web: AsyncClient, settings: Settings) -> None:
    agency, _provider, run_id = await _desk(web, settings)
    one = await register(web, agency, name="张一")
    two = await register(web, agency, name="张二")
    sent = await _upload(web, run_id, _csv([(one.id_number, "张一")], "gb18030"), "old.csv")
    preview = await web.get(sent.headers["location"])
    assert "张一" in preview.text
    assert "可以报名" in preview.text

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["2026年电工班花名册", None])
    sheet.merge_cells("A1:B1")
    sheet.append(["身份证号码", "姓名"])
    sheet.append([two.id_number, "张二"])
    out = io.BytesIO()
    book.save(out)
    sent = await _upload(web, run_id, out.getvalue(), "class.xlsx", XLSX)
    preview = await web.get(sent.headers["location"])
    assert "张二" in preview.text
    assert "可以报名" in preview.text


async def test_a_file_without_the_columns_goes_back(web: AsyncClient, settings: Settings) -> None:
    _agency, _provider, run_id = await _desk(web, settings)
    sent = await _upload(web, run_id, b"a,b\n1,2\n", "wrong.csv")
    page = f"/provider/runs/{run_id}/class-file"
    assert sent.headers["location"] == page
    assert 'href="#file"' in (await web.get(page)).text
    for name in ("csv", "xlsx"):
        template = await web.get(f"/provider/class-file-template.{name}")
        assert template.status_code == 200
        assert template.headers["content-disposition"].endswith(f'.{name}"')


async def test_a_thousand_rows_beyond_the_seats(web: AsyncClient, settings: Settings) -> None:
    _agency, _provider, run_id = await _desk(web, settings)
    rows = [(fresh_resident_id(), f"工人{n}") for n in range(1000)]
    sent = await _upload(web, run_id, _csv(rows), "big.csv")
    preview = await web.get(sent.headers["location"])
    assert preview.status_code == 200
    assert preview.text.count("<tr>") == 1001
    assert "1000行中0行可以报名" in preview.text or "0 of 1000" in preview.text
