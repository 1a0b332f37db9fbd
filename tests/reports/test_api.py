from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from backend.reports.workbook import MEDIA_TYPE
from tests.reports.dates import HALF_YEAR

pytestmark = pytest.mark.django_db
PERIOD = {"from": "2026-01-01", "to": "2026-06-30"}
XLSX = "/api/reports/district.xlsx"
NUMBERS = "/api/reports/numbers/"


@pytest.mark.parametrize("path", [XLSX, NUMBERS])
@pytest.mark.parametrize(
    ("role", "status"), [("anonymous", 401), ("enterprise", 404), ("startup", 404)]
)
def test_only_operators_get_the_reports(world, client_for, district, path, role, status):
    response = client_for(world.user(role)).get(path, PERIOD)
    assert response.status_code == status
    assert response.json()["error"]["code"] in {"not_authenticated", "not_found"}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2026-13-01"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"from": "2026-06-30", "to": "2026-01-01"}, "to"),
        ({"from": "1999-12-31"}, "from"),
        ({"to": "9999-12-31"}, "to"),
        ("from=2026-01-01&from=2026-02-01", "from"),
        # As the schema's `format: date` says, or not at all.
        ("to=", "to"),
        ({"from": "2026-1-5"}, "from"),
        ({"from": "20260105"}, "from"),
    ],
)
@pytest.mark.parametrize("path", [XLSX, NUMBERS])
def test_bad_dates_answer_400_in_the_one_shape(world, client_for, district, path, query, field):
    client = client_for(world.operator_user)
    response = client.get(f"{path}?{query}") if isinstance(query, str) else client.get(path, query)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_an_unknown_accelerator_answers_404(world, client_for, district):
    response = client_for(world.operator_user).get(NUMBERS, {**PERIOD, "accelerator": 10**9})
    assert response.status_code == 404


def test_the_numbers_as_json(world, client_for, district):
    response = client_for(world.operator_user).get(
        NUMBERS, {**PERIOD, "accelerator": district.first.pk}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["period"] == {"from": "2026-01-01", "to": "2026-06-30"}
    assert body["district_name"] == "静安区"
    [first] = body["accelerators"]
    assert first["accelerator"] == {"id": district.first.pk, "name": district.first.name}
    assert (first["attracted"], first["gathered"], first["grown"]) == (4, 3, 2)
    assert [stage["count"] for stage in first["funnel"]] == [3, 2, 2, 1, 1, 1]
    assert first["funnel"][2]["median_days"] == 6
    assert first["pilots_by_state"] == {
        "proposed": 1,
        "running": 1,
        "decided": 1,
        "withdrawn": 0,
        "declined": 0,
    }
    assert body["district"]["accelerator"] is None


def rows(sheet, first_row: int = 2) -> list[tuple]:
    return list(sheet.iter_rows(min_row=first_row, values_only=True))


@pytest.fixture
def workbook(world, client_for, district):
    response = client_for(world.operator_user).get(XLSX, PERIOD)
    assert response.status_code == 200
    assert response["Content-Type"] == MEDIA_TYPE
    assert "district-report-20260101-20260630.xlsx" in response["Content-Disposition"]
    return load_workbook(io.BytesIO(response.content))


def test_the_workbook_has_its_sheets(workbook, district):
    assert workbook.sheetnames == [
        "合计 Totals",
        f"{district.first.pk} Chips Open Innovation",
        f"{district.second.pk} Zhangjiang Lab",
        "匹配记录 Matches",
        "成果记录 Outcomes",
        "核查 Checks",
    ]


def test_the_totals_agree_with_the_database(workbook, district):
    from backend.matches.models import Match
    from backend.pilots.models import Outcome

    totals = workbook["合计 Totals"]
    head = [cell.value for cell in totals[3]]
    assert head[0] == "加速器编号 / Accelerator id"
    table = {row[1]: dict(zip(head, row, strict=True)) for row in rows(totals, 4)}
    first = table["Chips Open Innovation"]
    assert first["吸引企业数 / Startups attracted"] == 4
    assert first["集聚企业数（本区注册） / Gathered (registered in the district)"] == 3
    assert first["培育企业数（新获资质） / Grown (credential gained)"] == 2
    start, after = HALF_YEAR.moments()
    in_period = Match.objects.filter(created_at__gte=start, created_at__lt=after)
    assert (
        first["匹配·推荐 / Proposed"]
        == in_period.filter(challenge__accelerator=district.first).count()
    )
    district_row = table["全区合计 / District total"]
    assert district_row["匹配·推荐 / Proposed"] == in_period.count()
    confirmed_cny = sum(
        outcome.amount
        for outcome in Outcome.objects.filter(
            date__range=(HALF_YEAR.start, HALF_YEAR.end),
            currency="CNY",
            confirmed_at__isnull=False,
        )
    )
    assert district_row["已确认金额（千元） / Confirmed amount (thousand CNY)"] == float(
        confirmed_cny / 1000
    )
    assert district_row["待确认金额（千元） / Unconfirmed amount (thousand CNY)"] == 120
    # Each figure traces to its records: the proposals are the match sheet's rows.
    assert len(rows(workbook["匹配记录 Matches"])) == district_row["匹配·推荐 / Proposed"]
    outcome_ids = {row[0] for row in rows(workbook["成果记录 Outcomes"])}
    assert outcome_ids == {district.outcomes[key].pk for key in ("o1", "o2", "o3")}


def test_an_accelerators_sheet_lists_its_startups(workbook, district):
    sheet = workbook[f"{district.first.pk} Chips Open Innovation"]
    listed = {row[1]: row for row in rows(sheet)}
    # s4 engaged in 2025 and is still the accelerator's; s5 through a cohort place.
    assert set(listed) == {
        "Jing'an Vision",
        "Pudong Robotics",
        "Unregistered Labs",
        "Early Bird",
        "Cohort Only",
    }
    vision = listed["Jing'an Vision"]
    assert vision[2] == "91310106MA1FY0001X"
    assert vision[3] == "静安区"
    assert "高新技术企业" in vision[4]
    assert vision[6:9] == ("是 / Yes", "是 / Yes", "是 / Yes")
    assert vision[9] == "成果确认 / Confirmed outcome"
    assert vision[12] == 500
    assert listed["Early Bird"][6] == "否 / No"


def test_the_checks_sheet_lists_what_needs_attention(workbook, district):
    checks = rows(workbook["核查 Checks"])
    unregistered = district.startups["s3"]
    assert (
        "缺少统一社会信用代码 / Missing credit code",
        district.first.pk,
        f"企业 / organisation #{unregistered.pk}",
        "Unregistered Labs",
    ) in checks
    unconfirmed = [row for row in checks if row[0] == "成果待确认 / Unconfirmed outcome"]
    assert [row[2] for row in unconfirmed] == [f"成果 / outcome #{district.outcomes['o2'].pk}"]
    foreign = [row for row in checks if row[0].startswith("非人民币")]
    assert [row[2] for row in foreign] == [f"成果 / outcome #{district.outcomes['o3'].pk}"]
    # Credentials gained in the period and not verified yet (s3's is from 2025; s1's verified).
    unverified = {row[3] for row in checks if row[0] == "资质未核验 / Credential not verified"}
    assert unverified == {"Pudong Robotics", "Early Bird"}


def test_an_empty_period_still_makes_a_workbook(world, client_for, district):
    response = client_for(world.operator_user).get(XLSX, {"from": "2010-01-01", "to": "2010-03-31"})
    book = load_workbook(io.BytesIO(response.content))
    assert rows(book["核查 Checks"]) == [("无待核查项 / Nothing to check", None, None, None)]
    assert Decimal(0) == Decimal(rows(book["合计 Totals"], 4)[-1][2])


def test_control_characters_in_peoples_text_never_break_the_workbook(world, client_for, district):
    """A workbook cannot hold them (openpyxl refuses the cell): they are left out."""
    from backend.accounts.models import Organization

    # (NUL aside: PostgreSQL holds no NUL in text, and the API refuses it.)
    district.first.name = "Chips\x1b Open\x08 Innovation"
    district.first.save()
    Organization.objects.filter(name="Jing'an Vision").update(name="Jing'an\x0b Vision")
    response = client_for(world.operator_user).get(XLSX, PERIOD)
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert f"{district.first.pk} Chips Open Innovation" in workbook.sheetnames
    names = {row[1] for row in rows(workbook[f"{district.first.pk} Chips Open Innovation"])}
    assert "Jing'an Vision" in names
