"""The district report as an XLSX workbook: a totals sheet, one sheet per accelerator with its
startups, the match and outcome records every figure counts, and a checks sheet of what needs
attention before the report is filed. Headers are Chinese / English; amounts in 千元 (CNY)."""

from __future__ import annotations

import datetime
import io
import re
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from backend.accounts.models import Organization
from backend.pilots.models import Outcome
from backend.reports.selectors import STAGES, Numbers, Report
from backend.startups.models import Credential

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
THOUSANDS = "#,##0.000"
STAGE_NAMES = {
    "proposed": "推荐 / Proposed",
    "interest": "意向 / Interest",
    "connected": "对接 / Connected",
    "pilot": "试点 / Pilot",
    "decided": "试点决策 / Pilot decided",
    "outcome": "成果确认 / Confirmed outcome",
}
YES, NO = "是 / Yes", "否 / No"
TOTALS_HEAD = [
    "加速器编号 / Accelerator id",
    "加速器 / Accelerator",
    "吸引企业数 / Startups attracted",
    "集聚企业数（本区注册） / Gathered (registered in the district)",
    "培育企业数（新获资质） / Grown (credential gained)",
    *[f"匹配·{name}" for name in STAGE_NAMES.values()],
    "试点数 / Pilots proposed",
    "已确认成果数 / Confirmed outcomes",
    "已确认金额（千元） / Confirmed amount (thousand CNY)",
    "待确认成果数 / Unconfirmed outcomes",
    "待确认金额（千元） / Unconfirmed amount (thousand CNY)",
]
STARTUP_HEAD = [
    "企业编号 / Organisation id",
    "企业名称 / Name",
    "统一社会信用代码 / Unified social credit code",
    "注册区 / Registered district",
    "资质 / Credentials",
    "首次对接日期 / First engaged on",
    "本期吸引 / Attracted in the period",
    "本区注册 / Registered in the district",
    "本期培育 / Grown in the period",
    "漏斗阶段 / Stage reached",
    "本期匹配编号 / Matches in the period",
    "本期成果 / Outcomes in the period",
    "已确认金额（千元） / Confirmed amount (thousand CNY)",
]
MATCH_HEAD = [
    "匹配编号 / Match id",
    "加速器编号 / Accelerator id",
    "企业编号 / Organisation id",
    *[f"{name}时间 / at" for name in STAGE_NAMES.values()],
    "漏斗阶段 / Stage reached",
]
OUTCOME_HEAD = [
    "成果编号 / Outcome id",
    "匹配编号 / Match id",
    "试点编号 / Pilot id",
    "加速器编号 / Accelerator id",
    "企业编号 / Organisation id",
    "类型 / Kind",
    "日期 / Date",
    "币种 / Currency",
    "金额 / Amount",
    "金额（千元） / Amount (thousand CNY)",
    "已确认 / Confirmed",
]
CHECKS_HEAD = ["核查项 / Check", "加速器编号 / Accelerator id", "记录 / Record", "说明 / Detail"]
MISSING_CODE = "缺少统一社会信用代码 / Missing credit code"
UNCONFIRMED = "成果待确认 / Unconfirmed outcome"
UNVERIFIED = "资质未核验 / Credential not verified"
UNVERIFIED_MARK = "（未核验 / not verified）"
FOREIGN_CURRENCY = "非人民币金额未计入千元合计 / Amount not in CNY, left out of the totals"


def bilingual(label) -> str:
    """A choice's label in Chinese and English, from the project's own translations."""
    with translation.override("zh-hans"):
        chinese = str(label)
    with translation.override("en"):
        english = str(label)
    return f"{chinese} / {english}"


def thousands(amount: Decimal) -> Decimal:
    return amount / 1000


def _append(sheet: Worksheet, row: list) -> None:
    """A row of cells, without the control characters a workbook cannot hold (people's text
    may carry them)."""
    sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])


def _sheet(workbook: Workbook, title: str, head: list[str]) -> Worksheet:
    sheet = workbook.create_sheet(title)
    _append(sheet, head)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    return sheet


def _sheet_title(numbers: Numbers) -> str:
    # Excel: at most 31 characters, none of []:*?/\ ; the id keeps two same-named ones apart.
    name = re.sub(r"[\[\]:*?/\\]", " ", ILLEGAL_CHARACTERS_RE.sub("", numbers.accelerator.name))
    return f"{numbers.accelerator.pk} {name}"[:31].strip()


def _cny_confirmed(numbers: Numbers) -> tuple[int, Decimal, int, Decimal]:
    totals = [0, Decimal(0), 0, Decimal(0)]
    for row in numbers.outcomes:
        totals[0] += row.confirmed
        totals[2] += row.unconfirmed
        if row.currency == Outcome.Currency.CNY:
            totals[1] += row.confirmed_amount
            totals[3] += row.unconfirmed_amount
    return totals[0], thousands(totals[1]), totals[2], thousands(totals[3])


def _totals_row(numbers: Numbers) -> list:
    accelerator = numbers.accelerator
    return [
        accelerator.pk if accelerator else "",
        accelerator.name if accelerator else "全区合计 / District total",
        len(numbers.attracted),
        len(numbers.gathered),
        len(numbers.grown),
        *[stage.count for stage in numbers.funnel],
        sum(numbers.pilots_by_state.values()),
        *_cny_confirmed(numbers),
    ]


def _local(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def district_workbook(report: Report) -> bytes:
    """The workbook's bytes. Figures on the totals sheet count the rows of the other sheets."""
    period = report.period
    _, after = period.moments()
    outcomes = list(
        Outcome.objects.filter(date__gte=period.start, date__lte=period.end)
        .values_list(
            "id",
            "match",
            "pilot",
            "match__challenge__accelerator",
            "match__startup__organization",
            "kind",
            "date",
            "currency",
            "amount",
            "confirmed_at",
        )
        .order_by("match__challenge__accelerator", "date", "id")
    )
    engaged = {
        key: at for key, at in report.engaged_since.items() if timezone.localtime(at) < after
    }
    organization_ids = {organization for _, organization in engaged}
    organizations = Organization.objects.in_bulk(organization_ids)
    credentials: dict[int, list[str]] = defaultdict(list)
    # Growth counts a credential gained in the period: one not yet verified is flagged.
    unverified_rows: list[list] = []
    for pk, organization, kind, number, issued_on, verified_at in Credential.objects.filter(
        organization__in=organization_ids, issued_on__lte=period.end
    ).values_list("pk", "organization", "kind", "certificate_number", "issued_on", "verified_at"):
        label = f"{bilingual(Credential.Kind(kind).label)} {number} ({issued_on:%Y-%m-%d})"
        if verified_at is None:
            label = f"{label} {UNVERIFIED_MARK}"
            if period.holds(issued_on):
                unverified_rows.append(
                    [UNVERIFIED, "", f"资质 / credential #{pk}", organizations[organization].name]
                )
        credentials[organization].append(label)

    workbook = Workbook()
    workbook.remove(workbook.active)
    totals = _sheet(workbook, "合计 Totals", TOTALS_HEAD)
    totals.insert_rows(1, 2)
    totals["A1"] = f"{report.district_name} 开放创新加速器报告 / Open-innovation accelerator report"
    totals["A2"] = f"统计期 / Period: {period.start:%Y-%m-%d} – {period.end:%Y-%m-%d}"
    totals.freeze_panes = "A4"
    checks_rows: list[list] = []
    for numbers in report.accelerators:
        _append(totals, _totals_row(numbers))
        accelerator = numbers.accelerator
        sheet = _sheet(workbook, _sheet_title(numbers), STARTUP_HEAD)
        stages: dict[int, list] = defaultdict(list)
        for match in numbers.matches:
            stages[match.organization_id].append(match)
        own_outcomes: dict[int, list] = defaultdict(list)
        for row in outcomes:
            if row[3] == accelerator.pk:
                own_outcomes[row[4]].append(row)
        members = sorted(
            (organizations[organization] for acc, organization in engaged if acc == accelerator.pk),
            key=lambda organization: (organization.name, organization.pk),
        )
        for organization in members:
            matches = stages[organization.pk]
            reached = max((STAGES.index(match.stage) for match in matches), default=None)
            deals = own_outcomes[organization.pk]
            _append(
                sheet,
                [
                    organization.pk,
                    organization.name,
                    organization.credit_code,
                    organization.registered_district,
                    "; ".join(credentials[organization.pk]),
                    timezone.localdate(engaged[(accelerator.pk, organization.pk)]),
                    YES if organization.pk in numbers.attracted else NO,
                    YES if organization.pk in numbers.gathered else NO,
                    YES if organization.pk in numbers.grown else NO,
                    STAGE_NAMES[STAGES[reached]] if reached is not None else "",
                    ", ".join(str(match.id) for match in matches),
                    "; ".join(
                        f"#{pk} {bilingual(Outcome.Kind(kind).label)} {amount} {currency}"
                        for pk, _, _, _, _, kind, _, currency, amount, _ in deals
                    ),
                    thousands(
                        sum(
                            (row[8] for row in deals if row[7] == "CNY" and row[9] is not None),
                            Decimal(0),
                        )
                    ),
                ],
            )
            sheet.cell(sheet.max_row, 6).number_format = "yyyy-mm-dd"
            sheet.cell(sheet.max_row, 13).number_format = THOUSANDS
            if not organization.credit_code:
                checks_rows.append(
                    [
                        MISSING_CODE,
                        accelerator.pk,
                        f"企业 / organisation #{organization.pk}",
                        organization.name,
                    ]
                )
    _append(totals, _totals_row(report.district))
    for row in totals.iter_rows(min_row=4):
        for cell in row[-3::2]:
            cell.number_format = THOUSANDS

    records = _sheet(workbook, "匹配记录 Matches", MATCH_HEAD)
    for match in report.district.matches:
        _append(
            records,
            [
                match.id,
                match.accelerator_id,
                match.organization_id,
                *[_local(match.reached[key]) for key in STAGES],
                STAGE_NAMES[match.stage],
            ],
        )

    deals = _sheet(workbook, "成果记录 Outcomes", OUTCOME_HEAD)
    for (
        pk,
        match,
        pilot,
        accelerator,
        organization,
        kind,
        day,
        currency,
        amount,
        confirmed_at,
    ) in outcomes:
        _append(
            deals,
            [
                pk,
                match,
                pilot or "",
                accelerator,
                organization,
                bilingual(Outcome.Kind(kind).label),
                day,
                currency,
                amount,
                thousands(amount) if currency == Outcome.Currency.CNY else "",
                YES if confirmed_at else NO,
            ],
        )
        deals.cell(deals.max_row, 7).number_format = "yyyy-mm-dd"
        deals.cell(deals.max_row, 10).number_format = THOUSANDS
        record = f"成果 / outcome #{pk}"
        if confirmed_at is None:
            checks_rows.append(
                [UNCONFIRMED, accelerator, record, f"{amount} {currency}, {day:%Y-%m-%d}"]
            )
        if currency != Outcome.Currency.CNY:
            checks_rows.append([FOREIGN_CURRENCY, accelerator, record, f"{amount} {currency}"])

    checks = _sheet(workbook, "核查 Checks", CHECKS_HEAD)
    for row in [*checks_rows, *unverified_rows]:
        _append(checks, row)
    if not checks_rows and not unverified_rows:
        _append(checks, ["无待核查项 / Nothing to check", "", "", ""])

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
