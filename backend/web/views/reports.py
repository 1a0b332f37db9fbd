"""The operator's numbers for a period, as charts with their tables, and the district report's
download."""

from __future__ import annotations

import datetime
from decimal import Decimal
from urllib.parse import urlencode

from django import forms
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backend.accounts.models import Organization
from backend.pilots.models import Outcome, Pilot
from backend.programs.models import Accelerator
from backend.reports.selectors import (
    FIRST_YEAR,
    LAST_YEAR,
    Numbers,
    Period,
    report_for_actor,
)
from backend.web.charts import BarChart, bar_chart
from backend.web.views.base import actor_of, page

STAGE_LABELS = {
    "proposed": gettext_lazy("Proposed"),
    "interest": gettext_lazy("Interest shown"),
    "connected": gettext_lazy("Connected"),
    "pilot": gettext_lazy("Pilot accepted"),
    "decided": gettext_lazy("Pilot decided"),
    "outcome": gettext_lazy("Outcome confirmed"),
}


class ReportPeriodForm(forms.Form):
    accelerator = forms.ModelChoiceField(
        queryset=Accelerator.objects.order_by("name", "id"),
        required=False,
        label=gettext_lazy("Accelerator"),
        empty_label=gettext_lazy("All accelerators"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # `from` is a Python keyword: the fields are named here, as the report's address has them.
        date = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        self.fields = {
            "from": forms.DateField(label=gettext_lazy("From"), required=False, widget=date),
            "to": forms.DateField(label=gettext_lazy("To"), required=False, widget=date),
            **self.fields,
        }

    def clean(self):
        data = super().clean()
        default = Period.this_year()
        start, end = data.get("from") or default.start, data.get("to") or default.end
        for name, day in (("from", start), ("to", end)):
            if not FIRST_YEAR <= day.year <= LAST_YEAR:
                self.add_error(
                    name,
                    _("Choose a date from %(first)s to %(last)s.")
                    % {"first": FIRST_YEAR, "last": LAST_YEAR},
                )
        if not self.errors and end < start:
            self.add_error("to", _("The period cannot end before it starts."))
        data["period"] = Period(start, end)
        return data


def _amount(value: Decimal) -> str:
    return number_format(value / 1000, 1, use_l10n=True, force_grouping=True)


def _rate(rate: float | None) -> str:
    return "" if rate is None else f"{rate:.0%}"


def _days(days: float | None) -> str:
    return "" if days is None else _("%(days)s d") % {"days": number_format(days, 1)}


def _funnel_chart(numbers: Numbers, key: str) -> BarChart:
    items = []
    for stage in numbers.funnel:
        shown = " · ".join(
            part for part in (str(stage.count), _rate(stage.rate), _days(stage.median_days)) if part
        )
        label = STAGE_LABELS[stage.key]
        row = (label, stage.count, _rate(stage.rate), _days(stage.median_days))
        items.append((label, stage.count, shown, row))
    return bar_chart(
        key=f"funnel-{key}",
        title=_("Match funnel"),
        description=_(
            "Matches proposed in the period and the stage each has reached, with the share of "
            "the stage before and the median time it took."
        ),
        columns=(_("Funnel stage"), _("Matches"), _("Of the stage before"), _("Median time")),
        items=items,
    )


def _pilot_count_chart(*, key: str, title, description, column, counts: dict) -> BarChart:
    """Pilots counted per group (`counts`: label -> count)."""
    return bar_chart(
        key=key,
        title=title,
        description=description,
        columns=(column, _("Pilots")),
        items=[(label, count, str(count), (label, count)) for label, count in counts.items()],
    )


def _pilots_chart(numbers: Numbers, key: str) -> BarChart:
    labels = dict(Pilot.State.choices)
    return _pilot_count_chart(
        key=f"pilots-{key}",
        title=_("Pilots by state"),
        description=_("Pilots proposed in the period, by their state today."),
        column=_("State"),
        counts={labels[state]: count for state, count in numbers.pilots_by_state.items()},
    )


def _age_chart(numbers: Numbers, key: str) -> BarChart:
    return _pilot_count_chart(
        key=f"ages-{key}",
        title=_("Running pilots by age"),
        description=_("Days since each running pilot was accepted."),
        column=_("Age"),
        counts={
            _("%(range)s days") % {"range": label}: count
            for label, count in numbers.running_by_age.items()
        },
    )


def _outcomes_chart(numbers: Numbers, key: str) -> BarChart:
    kinds = dict(Outcome.Kind.choices)
    items, parts = [], []
    for total in numbers.outcomes:
        row = (
            kinds[total.kind],
            total.currency,
            total.confirmed,
            _amount(total.confirmed_amount),
            total.unconfirmed,
            _amount(total.unconfirmed_amount),
        )
        # Only yuan are drawn, so that one scale holds; other currencies are in the table.
        if total.currency == Outcome.Currency.CNY:
            whole = total.confirmed_amount + total.unconfirmed_amount
            shown = _("%(amount)s thousand CNY") % {"amount": _amount(whole)}
            items.append((kinds[total.kind], float(whole), shown, row))
            parts.append(float(total.confirmed_amount))
        else:
            items.append((f"{kinds[total.kind]} ({total.currency})", 0, "—", row))
            parts.append(0.0)
    return bar_chart(
        key=f"outcomes-{key}",
        title=_("Outcomes by kind"),
        description=_(
            "Outcomes dated in the period, in thousands of yuan: the dark part is confirmed by "
            "both sides, the light part awaits confirmation. Other currencies are in the table."
        ),
        columns=(
            _("Kind"),
            _("Currency"),
            _("Confirmed"),
            _("Confirmed amount (thousands)"),
            _("Unconfirmed"),
            _("Unconfirmed amount (thousands)"),
        ),
        items=items,
        parts=parts,
    )


def _section(numbers: Numbers, title: str, key: str) -> dict:
    return {
        "key": key,
        "title": title,
        "numbers": numbers,
        "charts": [
            _funnel_chart(numbers, key),
            _pilots_chart(numbers, key),
            _age_chart(numbers, key),
            _outcomes_chart(numbers, key),
        ],
    }


@page(Organization.Kind.OPERATOR)
def numbers(request):
    """Numbers per accelerator and for the district, for `?from=&to=` (this year by default)."""
    this_year = Period.this_year()
    form = ReportPeriodForm(
        request.GET or None, initial={"from": this_year.start, "to": this_year.end}
    )
    if form.is_bound and not form.is_valid():
        return render(request, "web/operator/numbers.html", {"form": form})
    data = form.cleaned_data if form.is_bound else {}
    period = data.get("period") or this_year
    accelerator = data.get("accelerator")
    report = report_for_actor(
        actor_of(request), period, accelerator_id=accelerator.pk if accelerator else None
    )
    sections = [
        _section(
            report.district,
            _("The district: %(name)s") % {"name": report.district_name},
            "district",
        )
    ]
    sections += [
        _section(numbers, numbers.accelerator.name, str(numbers.accelerator.pk))
        for numbers in report.accelerators
    ]
    return render(
        request,
        "web/operator/numbers.html",
        {
            "form": form,
            "period": period,
            "sections": sections,
            "periods": _report_periods(period.start.year),
            "download": f"{reverse('report-district')}?{_query(period)}",
        },
    )


def _query(period: Period) -> str:
    return urlencode({"from": period.start.isoformat(), "to": period.end.isoformat()})


def _report_periods(year: int) -> list[tuple[str, str]]:
    """The periods a district report is filed for: the year and its quarters, as page links."""
    whole = Period(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    links = [(_("%(year)s, whole year") % {"year": year}, _query(whole))]
    for quarter in range(4):
        start = datetime.date(year, 3 * quarter + 1, 1)
        after = datetime.date(year + (quarter == 3), (3 * quarter + 3) % 12 + 1, 1)
        label = _("%(year)s Q%(quarter)s") % {"year": year, "quarter": quarter + 1}
        links.append((label, _query(Period(start, after - datetime.timedelta(days=1)))))
    return links
