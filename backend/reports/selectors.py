"""The operator's numbers for a period, per accelerator and for the district.

Definitions (the report and the pages say the same):
- A startup is *engaged* with an accelerator from its first match on one of the accelerator's
  challenges (a proposal or its own application) or its first place in one of its cohorts,
  whichever came first. It is *attracted* in a period when that first engagement falls in it;
  for the district, when its first engagement with any accelerator does.
- *Gathered*: an attracted startup registered in the district (`DISTRICT_NAME`).
- *Grown*: a startup that gained a credential in the period, issued on or after the day it
  first engaged (with that accelerator; for the district, with any).
- The funnel follows the matches proposed in the period, to whatever stage each has reached
  since: interest (either side), connected, a pilot accepted, a pilot decided, a confirmed
  outcome. Each stage counts only matches that passed the ones before it.
- Pilots are those proposed in the period; outcomes those dated in it.

Every number comes from a handful of grouped queries, whatever the number of rows."""

from __future__ import annotations

import datetime
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Min, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import Organization
from backend.accounts.selectors import Actor
from backend.common.errors import NotFoundError
from backend.matches.models import Match
from backend.pilots.models import Outcome, Pilot
from backend.programs.models import Accelerator, CohortMembership
from backend.startups.models import Credential

STAGES = ("proposed", "interest", "connected", "pilot", "decided", "outcome")
# Days a running pilot has run since it was accepted: the last bucket is past the default limit.
# Far enough either way for any programme; keeps date arithmetic inside the calendar.
FIRST_YEAR, LAST_YEAR = 2000, 2100
AGE_BUCKETS = ((0, 30, "0-30"), (31, 60, "31-60"), (61, 100, "61-100"), (101, None, "100+"))


@dataclass(frozen=True)
class Period:
    """From `start` to `end`, both days included, in the platform's time zone."""

    start: datetime.date
    end: datetime.date

    @classmethod
    def this_year(cls, today: datetime.date | None = None) -> Period:
        year = (today or timezone.localdate()).year
        return cls(datetime.date(year, 1, 1), datetime.date(year, 12, 31))

    def moments(self) -> tuple[datetime.datetime, datetime.datetime]:
        """The first moment in the period and the first one after it."""
        zone = timezone.get_current_timezone()
        start = datetime.datetime.combine(self.start, datetime.time.min, zone)
        after = datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min)
        return start, after.replace(tzinfo=zone)

    def holds(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Stage:
    key: str
    count: int
    # Of the stage before; None for the first stage or when the one before is empty.
    rate: float | None
    # Median days from the stage before, over the matches that reached this one.
    median_days: float | None


@dataclass(frozen=True)
class OutcomeTotal:
    kind: str
    currency: str
    confirmed: int
    confirmed_amount: Decimal
    unconfirmed: int
    unconfirmed_amount: Decimal


@dataclass(frozen=True)
class MatchStages:
    """One match proposed in the period and when it reached each stage (None: not yet)."""

    id: int
    accelerator_id: int
    organization_id: int
    reached: dict[str, datetime.datetime | None]

    @property
    def stage(self) -> str:
        """The furthest stage reached without skipping one."""
        furthest = STAGES[0]
        for key in STAGES:
            if self.reached[key] is None:
                break
            furthest = key
        return furthest


@dataclass
class Numbers:
    """One accelerator's numbers, or the district's (`accelerator` None)."""

    accelerator: Accelerator | None
    attracted: set[int] = field(default_factory=set)
    gathered: set[int] = field(default_factory=set)
    grown: set[int] = field(default_factory=set)
    matches: list[MatchStages] = field(default_factory=list)
    pilots_by_state: dict[str, int] = field(default_factory=dict)
    running_by_age: dict[str, int] = field(default_factory=dict)
    outcomes: list[OutcomeTotal] = field(default_factory=list)

    @property
    def funnel(self) -> list[Stage]:
        return funnel_of(self.matches)


@dataclass
class Report:
    period: Period
    district_name: str
    district: Numbers
    accelerators: list[Numbers]
    # First engagement per (accelerator id, organisation id), for the report's startup sheets.
    engaged_since: dict[tuple[int, int], datetime.datetime]


def funnel_of(matches: Iterable[MatchStages]) -> list[Stage]:
    matches = list(matches)
    stages = []
    reaching = matches
    for index, key in enumerate(STAGES):
        if index == 0:
            stages.append(Stage(key, len(matches), None, None))
            continue
        before = STAGES[index - 1]
        previous_count = len(reaching)
        reaching = [match for match in reaching if match.reached[key] is not None]
        waits = [
            (reached - started).total_seconds() / 86_400
            for match in reaching
            if (reached := match.reached[key]) and (started := match.reached[before])
        ]
        stages.append(
            Stage(
                key,
                len(reaching),
                len(reaching) / previous_count if previous_count else None,
                round(statistics.median(waits), 1) if waits else None,
            )
        )
    return stages


def _first_engagements() -> dict[tuple[int, int], datetime.datetime]:
    first: dict[tuple[int, int], datetime.datetime] = {}
    match_rows = (
        Match.objects.values_list("challenge__accelerator", "startup__organization")
        .annotate(first=Min("created_at"))
        .order_by()
    )
    place_rows = (
        CohortMembership.objects.values_list("cohort__accelerator", "startup")
        .annotate(first=Min("created_at"))
        .order_by()
    )
    for accelerator_id, organization_id, at in [*match_rows, *place_rows]:
        key = (accelerator_id, organization_id)
        first[key] = min(at, first.get(key, at))
    return first


def _match_stages(period: Period) -> list[MatchStages]:
    start, after = period.moments()
    rows = (
        Match.objects.filter(created_at__gte=start, created_at__lt=after)
        .values_list(
            "id",
            "challenge__accelerator",
            "startup__organization",
            "created_at",
            "enterprise_interested_at",
            "startup_interested_at",
            "connected_at",
        )
        .annotate(
            pilot_at=Min("pilots__accepted_at"),
            decided_at=Min("pilots__decided_at"),
            outcome_at=Min("outcomes__confirmed_at"),
        )
        .order_by("id")
    )
    matches = []
    for pk, accelerator_id, organization_id, created, firm_at, startup_at, *later in rows:
        interest = [at for at in (firm_at, startup_at) if at is not None]
        times = [created, min(interest) if interest else None, *later]
        matches.append(
            MatchStages(pk, accelerator_id, organization_id, dict(zip(STAGES, times, strict=True)))
        )
    return matches


def _age_bucket(days: int) -> str:
    for low, high, label in AGE_BUCKETS:
        if days >= low and (high is None or days <= high):
            return label
    return AGE_BUCKETS[0][2]  # accepted "in the future" by a skewed clock: the youngest


def report(period: Period, *, accelerator_id: int | None = None) -> Report:
    """The numbers for `period`: the district's, and each accelerator's (only the one asked
    for, when `accelerator_id` is given). Callers check that the actor is an operator."""
    district_name = settings.DISTRICT_NAME
    accelerators = Accelerator.objects.select_related("enterprise").order_by("name", "id")
    if accelerator_id is not None:
        accelerators = accelerators.filter(pk=accelerator_id)
    per = {accelerator.pk: Numbers(accelerator) for accelerator in accelerators}
    district = Numbers(None)

    engaged_since = _first_engagements()
    first_anywhere: dict[int, datetime.datetime] = {}
    for (accelerator, organization), at in engaged_since.items():
        first_anywhere[organization] = min(at, first_anywhere.get(organization, at))
        if accelerator in per and period.holds(timezone.localdate(at)):
            per[accelerator].attracted.add(organization)
    district.attracted = {
        organization
        for organization, at in first_anywhere.items()
        if period.holds(timezone.localdate(at))
    }
    in_district = set(
        Organization.objects.filter(registered_district=district_name).values_list("pk", flat=True)
    )
    for numbers in [district, *per.values()]:
        numbers.gathered = numbers.attracted & in_district

    credentials = Credential.objects.filter(
        issued_on__gte=period.start, issued_on__lte=period.end
    ).values_list("organization", "issued_on")
    for organization, issued_on in credentials:
        if (
            organization in first_anywhere
            and timezone.localdate(first_anywhere[organization]) <= issued_on
        ):
            district.grown.add(organization)
        for accelerator, numbers in per.items():
            since = engaged_since.get((accelerator, organization))
            if since is not None and timezone.localdate(since) <= issued_on:
                numbers.grown.add(organization)

    for match in _match_stages(period):
        district.matches.append(match)
        if match.accelerator_id in per:
            per[match.accelerator_id].matches.append(match)

    start, after = period.moments()
    today = timezone.localdate()
    pilots = Pilot.objects.filter(created_at__gte=start, created_at__lt=after).values_list(
        "match__challenge__accelerator", "state", "accepted_at"
    )
    by_state: dict[int | None, Counter] = defaultdict(Counter)
    by_age: dict[int | None, Counter] = defaultdict(Counter)
    for accelerator, state, accepted_at in pilots:
        for key in (None, accelerator):
            by_state[key][state] += 1
            if state == Pilot.State.RUNNING and accepted_at is not None:
                by_age[key][_age_bucket((today - timezone.localdate(accepted_at)).days)] += 1
    for key, numbers in [(None, district), *per.items()]:
        numbers.pilots_by_state = {state: by_state[key][state] for state in Pilot.State.values}
        numbers.running_by_age = {label: by_age[key][label] for *_, label in AGE_BUCKETS}

    confirmed = Q(confirmed_at__isnull=False)
    outcome_rows = (
        Outcome.objects.filter(date__gte=period.start, date__lte=period.end)
        .values_list("match__challenge__accelerator", "kind", "currency")
        .annotate(
            confirmed=Count("id", filter=confirmed),
            confirmed_amount=Sum("amount", filter=confirmed),
            unconfirmed=Count("id", filter=~confirmed),
            unconfirmed_amount=Sum("amount", filter=~confirmed),
        )
        .order_by("kind", "currency")
    )
    totals: dict[int | None, dict[tuple[str, str], list]] = defaultdict(dict)
    for accelerator, kind, currency, n_yes, amount_yes, n_no, amount_no in outcome_rows:
        for key in (None, accelerator):
            row = totals[key].setdefault((kind, currency), [0, Decimal(0), 0, Decimal(0)])
            for index, value in enumerate((n_yes, amount_yes, n_no, amount_no)):
                row[index] += value or 0
    for key, numbers in [(None, district), *per.items()]:
        numbers.outcomes = [
            OutcomeTotal(kind, currency, *values)
            for (kind, currency), values in totals[key].items()
        ]

    return Report(period, district_name, district, list(per.values()), engaged_since)


def report_for_actor(actor: Actor, period: Period, *, accelerator_id: int | None = None) -> Report:
    """The report, for operators only: anyone else, and an unknown accelerator, meet a 404."""
    if not actor.is_operator:
        raise NotFoundError()
    if accelerator_id is not None and not Accelerator.objects.filter(pk=accelerator_id).exists():
        raise NotFoundError(_("Accelerator not found."))
    return report(period, accelerator_id=accelerator_id)
