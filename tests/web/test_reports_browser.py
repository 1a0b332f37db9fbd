"""In a real browser, in both languages, at desktop and phone widths: an operator opens the
numbers from the overview, reads the charts (and their tables), and downloads the district
report."""

from __future__ import annotations

import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.web.seed import OPERATOR
from tests.web.shots import shoot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WORDS = {
    "en": {
        "link": "Numbers and district report",
        "funnel": "Match funnel",
        "table": "The figures as a table",
        "download": "Download the district report (XLSX)",
        "stage": "Connected",
    },
    "zh-hans": {
        "link": "数据与区级报表",
        "funnel": "匹配漏斗",
        "table": "以表格查看数据",
        "download": "下载区级报表（XLSX）",
        "stage": "已对接",
    },
}


@pytest.mark.parametrize("width", [1360, 390])
@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_an_operator_reads_the_numbers_and_downloads_the_report(open_page, lang, width):
    words = WORDS[lang]
    page = open_page(OPERATOR, lang=lang, width=width, touch=width < 500)
    page.goto("/operator/")
    page.get_by_role("link", name=words["link"]).click()
    expect(page).to_have_url(re.compile(r"/operator/numbers/$"))
    district = page.locator("section.report-section").first
    funnel = district.get_by_role("img", name=words["funnel"])
    expect(funnel).to_be_visible()
    # The chart's table says the same, for those who do not see the bars.
    district.get_by_text(words["table"]).first.click()
    expect(
        district.locator("table").first.get_by_role("rowheader", name=words["stage"])
    ).to_be_visible()
    # Nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shoot(page, f"operator-numbers-{lang}-{width}")

    with page.expect_download() as download:
        page.get_by_role("link", name=words["download"]).click()
    assert download.value.suggested_filename.startswith("district-report-")
    with open(download.value.path(), "rb") as file:
        workbook = load_workbook(file)
    assert workbook.sheetnames[0] == "合计 Totals"
    assert workbook.sheetnames[-1] == "核查 Checks"
