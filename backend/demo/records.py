"""What follows the demo's matches: registrations (credit codes, districts, founding dates),
growth-ladder credentials, and a few pilots and outcomes, so the operator's numbers, the
district report and the pilots pages have something to show.

Written through the services wherever an account can act (the firms, the demo startup and the
founders of the startups in pilots), so the rules hold; the other startups of the fixture have
no account, and their registrations and credentials are written with the same checks
(`full_clean`, the credit code's uniqueness). The services stamp "now"; the history of each pilot
(its match, acceptance, updates, decision) is then moved back to the days its spec names, as it
would have happened. Idempotent: a registration is filled only where it is blank, a credential
kind only where the startup has none, a pilot only where its question is not on record.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Model
from django.utils import timezone
from django.utils.text import slugify

from backend.accounts.models import Membership, Organization, User
from backend.accounts.selectors import Actor, actor_for
from backend.accounts.services import (
    ORGANIZATION_FIELDS,
    credit_code_check_free,
    organization_save,
    organization_update,
    organization_verify,
)
from backend.common.credit_code import check_character
from backend.common.services import fields_assign
from backend.matches import services as match_services
from backend.matches.models import Match
from backend.pilots import services as pilot_services
from backend.pilots.models import Outcome, Pilot, PilotUpdate
from backend.startups import services as startup_services
from backend.startups.models import Credential, StartupProfile

# Where a demo startup sits (its profile's city and region) -> its registered district and that
# district's administrative division code (GB/T 2260), which a credit code carries.
DISTRICTS = {
    ("Shanghai", "Jing'an"): ("静安区", "310106"),
    ("Shanghai", "Huangpu"): ("黄浦区", "310101"),
    ("Shanghai", "Xuhui"): ("徐汇区", "310104"),
    ("Shanghai", "Putuo"): ("普陀区", "310107"),
    ("Shanghai", "Changning"): ("长宁区", "310105"),
    ("Shanghai", "Yangpu"): ("杨浦区", "310110"),
    ("Shanghai", "Minhang"): ("闵行区", "310112"),
    ("Suzhou", "Jiangsu"): ("苏州市姑苏区", "320508"),
    ("Hangzhou", "Zhejiang"): ("杭州市西湖区", "330106"),
    ("Nanjing", "Jiangsu"): ("南京市玄武区", "320102"),
    ("Hefei", "Anhui"): ("合肥市蜀山区", "340104"),
}
JINGAN = DISTRICTS[("Shanghai", "Jing'an")]
# The organisation code inside a credit code (GB 11714): eight digits and their check character.
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def stable(key: str, modulo: int) -> int:
    return int(hashlib.sha256(key.encode()).hexdigest(), 16) % modulo


def credit_code_for(key: str, division: str) -> str:
    """A well-formed unified social credit code for the demo: 9 (market regulator) 1 (a
    company), the division code, an organisation code with its own check, then the GB 32100
    check character the platform validates."""
    body = f"{stable(key + 'org-code', 10**8):08d}"
    remainder = 11 - sum(int(c) * w for c, w in zip(body, ORG_CODE_WEIGHTS, strict=True)) % 11
    org_check = {10: "X", 11: "0"}.get(remainder, str(remainder))
    first_seventeen = f"91{division}{body}{org_check}"
    return first_seventeen + check_character(first_seventeen)


def _days_ago(days: int, today: datetime.date) -> datetime.date:
    return today - datetime.timedelta(days=days)


def _moment(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def _backdate(model: type[Model], pk: int, **days_ago: int) -> None:
    """Set the row's timestamps to that many days before now (history the services stamp
    with the moment they run)."""
    model.objects.filter(pk=pk).update(**{name: _moment(d) for name, d in days_ago.items()})


# Registrations -------------------------------------------------------------------------------


def _registration(key: str, place: tuple[str, str], year: int) -> dict:
    district, division = place
    return {
        "credit_code": credit_code_for(key, division),
        "registered_district": district,
        "founded_on": datetime.date(year, 1 + stable(key + "month", 12), 1 + stable(key, 28)),
    }


def registrations_seed(
    *, operator: User, firms: list[Organization], profiles: dict[str, StartupProfile]
) -> None:
    """Firms and the demo startup register through their owners; the operator verifies them and
    two in three of the other startups. About one startup in twelve has no code yet (a team not
    registered), which the district report lists."""
    staff = actor_for(operator)
    for firm in firms:
        if not firm.credit_code:
            owner = firm.members.order_by("pk").first()
            data = _registration(firm.name, JINGAN, 2008 + stable(firm.name, 10))
            organization_update(actor=actor_for(owner), data=data)
            organization_verify(actor=staff, organization_id=firm.pk)
    for key, profile in profiles.items():
        organization = profile.organization
        if organization.credit_code or (key != "demo" and stable(key + "code", 12) == 0):
            continue
        place = DISTRICTS.get((profile.city, profile.region), JINGAN)
        data = _registration(key, place, profile.founded_year or 2018)
        owner = organization.members.order_by("pk").first()
        if owner is not None:
            organization_update(actor=actor_for(owner), data=data)
        else:
            credit_code_check_free(data["credit_code"], organization=organization)
            fields_assign(organization, data, editable=ORGANIZATION_FIELDS)
            organization_save(organization)
        if key == "demo" or stable(key + "verified", 3):
            organization_verify(actor=staff, organization_id=organization.pk)


# Credentials ---------------------------------------------------------------------------------


def _certificate(kind: str, key: str, issued: datetime.date, division: str) -> str:
    serial = stable(key + kind, 10**6)
    if kind == Credential.Kind.TECH_SME:  # year, division, serial (科技型中小企业入库登记编号)
        return f"{issued.year}{division}{serial:08d}"
    if kind == Credential.Kind.HIGH_TECH:  # GR, year, province, serial (高新技术企业证书编号)
        return f"GR{issued.year}{division[:2]}{serial:06d}"
    return f"{division[:2]}ZJTX{issued.year}{serial:06d}"


# How long each rung's certificate runs, in years (a tech-based SME registers every year).
VALID_YEARS = {
    Credential.Kind.TECH_SME: 1,
    Credential.Kind.HIGH_TECH: 3,
    Credential.Kind.SPECIALISED_SME: 3,
}


def _credential_data(kind: str, key: str, issued: datetime.date, division: str) -> dict:
    years = VALID_YEARS[kind]
    return {
        "kind": kind,
        "certificate_number": _certificate(kind, key, issued, division),
        "issued_on": issued,
        "expires_on": issued.replace(year=issued.year + years) - datetime.timedelta(days=1),
    }


def _ladder(key: str, today: datetime.date) -> list[tuple[str, datetime.date]]:
    """The rungs a fixture startup holds, by its key: a third are registered tech-based SMEs,
    some of them high-tech enterprises, a few specialised and innovative SMEs."""
    draw = stable(key + "ladder", 100)
    if draw >= 36:
        return []
    rungs = [(Credential.Kind.TECH_SME, _days_ago(30 + stable(key + "sme", 700), today))]
    if draw < 14:
        rungs.append((Credential.Kind.HIGH_TECH, _days_ago(60 + stable(key + "ht", 900), today)))
    if draw < 4:
        rungs.append((Credential.Kind.SPECIALISED_SME, _days_ago(90 + stable(key, 500), today)))
    return rungs


def credentials_seed(*, operator: User, profiles: dict[str, StartupProfile]) -> None:
    """The demo startup records its own (a high-tech certificate, verified, and last year's
    tech-based SME registration, verified and now expired); the fixture's startups hold theirs,
    three in four verified."""
    staff = actor_for(operator)
    today = timezone.localdate()
    for key, profile in profiles.items():
        organization = profile.organization
        division = DISTRICTS.get((profile.city, profile.region), JINGAN)[1]
        if key == "demo":
            rungs = [
                (Credential.Kind.TECH_SME, today.replace(year=today.year - 2, month=4, day=20)),
                (Credential.Kind.HIGH_TECH, _days_ago(400, today)),
            ]
        else:
            rungs = _ladder(key, today)
        held = set(organization.credentials.values_list("kind", flat=True))
        owner = organization.members.order_by("pk").first()
        for kind, issued in rungs:
            if kind in held:
                continue
            data = _credential_data(kind, key, issued, division)
            if owner is not None:
                credential = startup_services.credential_add(actor=actor_for(owner), data=data)
            else:
                credential = Credential(organization=organization)
                fields_assign(credential, data, editable=startup_services.CREDENTIAL_FIELDS)
                credential.save()
            if key == "demo" or stable(key + kind + "checked", 4):
                startup_services.credential_verify(actor=staff, credential_id=credential.pk)


# Pilots and outcomes -------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoUpdate:
    days_ago: int
    side: str
    text: str


@dataclass(frozen=True)
class DemoOutcome:
    kind: str
    amount: str
    days_ago: int
    recorded_side: str
    confirmed_days_ago: int | None  # None: still to be confirmed


@dataclass(frozen=True)
class DemoPilot:
    """A connected match and, unless `question` is blank (a deal that followed without a
    pilot), its pilot: when each step happened (days before the seed runs), who proposed it,
    where it stands."""

    firm: str
    question: str
    criteria: list[str]
    connected_days_ago: int
    proposed_side: str = Match.Side.STARTUP
    proposed_days_ago: int = 0
    accepted_days_ago: int | None = None  # None: still proposed
    starts_days_ago: int = 0
    length_days: int = 90
    terms: str = Pilot.Terms.PAID
    amount: str = "100000.00"
    ip_terms: str = Pilot.IpTerms.BACKGROUND_STAYS
    updates: list[DemoUpdate] = field(default_factory=list)
    decision: dict | None = None
    decided_days_ago: int = 0
    outcomes: list[DemoOutcome] = field(default_factory=list)
    demo_startup: bool = False
    # The startup gains a credential during the pilot, that many days ago (unverified).
    gains_days_ago: int | None = None
    # A proposal that never ran: "withdraw" (by its proposer) or "decline" (by the other party).
    closed: str = ""
    closed_reason: str = ""
    closed_days_ago: int = 0


FIRM, STARTUP = Match.Side.ENTERPRISE, Match.Side.STARTUP
# Proposals each firm has said interested in, still waiting for the startup's answer.
INTERESTED = 2
PILOTS = [
    DemoPilot(
        firm="energy",
        demo_startup=True,
        question="硅碳负极电芯能否在 3C 快充下循环 1,000 次后容量保持率不低于 85%？",
        criteria=["3C 快充循环 1,000 次后容量保持率 ≥ 85%", "-20 °C 放电容量不低于常温的 70%"],
        connected_days_ago=70,
        proposed_days_ago=60,
        accepted_days_ago=55,
        starts_days_ago=50,
        amount="180000.00",
        updates=[
            DemoUpdate(45, STARTUP, "首批 24 只样品电芯已送达贵司实验室，循环测试已开始。"),
            DemoUpdate(
                6,
                FIRM,
                "Cycle 600: capacity retention 91%, no swelling; low-temperature tests "
                "start next week.",
            ),
        ],
    ),
    DemoPilot(
        firm="energy",
        question="Does the electrolyte additive stop thermal runaway from spreading between "
        "cells in our 280 Ah storage module?",
        criteria=[
            "No propagation to a neighbouring cell in the nail-penetration test",
            "Cycle life within 5% of the current electrolyte",
        ],
        connected_days_ago=9,
        proposed_days_ago=2,
        terms=Pilot.Terms.IN_KIND,
        amount="60000.00",
        ip_terms=Pilot.IpTerms.JOINT,
    ),
    DemoPilot(
        firm="data",
        question="Does the secure messaging gateway apply our data-classification rules to "
        "10,000 real message samples without a leak?",
        criteria=["No restricted sample leaves the test zone", "Under 200 ms added per message"],
        connected_days_ago=50,
        proposed_side=FIRM,
        proposed_days_ago=45,
        accepted_days_ago=40,
        starts_days_ago=38,
        amount="120000.00",
        gains_days_ago=30,
        # Quiet since its last update: the hourly alert tells both parties and the operator.
        updates=[
            DemoUpdate(20, STARTUP, "Gateway installed in the test zone; 2,000 samples done.")
        ],
    ),
    DemoPilot(
        firm="data",
        question="Can the waveguide display reach 3,000 nits on our helmet prototype within a "
        "120 g weight budget?",
        criteria=["Brightness at least 3,000 nits", "Display module at most 120 g"],
        connected_days_ago=100,
        proposed_side=FIRM,
        proposed_days_ago=92,
        accepted_days_ago=88,
        starts_days_ago=85,
        length_days=80,
        ip_terms=Pilot.IpTerms.FOREGROUND_TO_FIRM,
        amount="250000.00",
        updates=[
            DemoUpdate(60, STARTUP, "First prototype: 2,400 nits at 131 g."),
            DemoUpdate(15, STARTUP, "Second prototype: 3,150 nits at 118 g, both criteria met."),
        ],
        decision={
            "decision": Pilot.Decision.SCALE,
            "reason": "Both criteria met on the second prototype; we order the first batch for "
            "the helmet line.",
        },
        decided_days_ago=4,
        gains_days_ago=10,
        outcomes=[
            DemoOutcome(Outcome.Kind.PURCHASE_ORDER, "1200000.00", 3, FIRM, 2),
            DemoOutcome(Outcome.Kind.TECH_DEVELOPMENT, "350000.00", 1, STARTUP, None),
        ],
    ),
    DemoPilot(
        firm="health",
        question="无创监测仪能否在 60 名住院患者中将液体转移预警提前 30 分钟？",
        criteria=["预警提前时间中位数 ≥ 30 分钟", "假阳性率低于 10%"],
        connected_days_ago=120,
        proposed_days_ago=110,
        accepted_days_ago=105,
        starts_days_ago=100,
        length_days=90,
        amount="200000.00",
        updates=[
            DemoUpdate(70, STARTUP, "已完成 32 名患者的数据采集，设备佩戴依从性良好。"),
            DemoUpdate(20, FIRM, "60 名患者数据分析完成：预警提前时间中位数 18 分钟。"),
        ],
        decision={
            "decision": Pilot.Decision.STOP,
            "reason": "预警提前时间未达到目标，暂不进入采购。",
            "stop_reason": Pilot.StopReason.CRITERIA_NOT_MET,
            "lesson": "应先在重症监护病房验证算法，再扩展到普通病房；患者活动带来的噪声比预期大。",
        },
        decided_days_ago=8,
    ),
    DemoPilot(
        firm="health",
        question="美容仪射频模块能否在 8 周内通过我们的皮肤安全性评估？",
        criteria=["8 周内完成 30 名受试者的安全性评估", "无二级及以上不良反应"],
        connected_days_ago=40,
        proposed_days_ago=30,
        amount="80000.00",
        closed="decline",
        closed_reason="本季度评估资源已排满，明年一季度再议。",
        closed_days_ago=26,
    ),
    DemoPilot(
        firm="data",
        question="Can the image-restoration model upscale our archive footage to 4K at 25 "
        "frames per second on one GPU?",
        criteria=["25 frames per second at 4K on one GPU", "Editors prefer it in a blind test"],
        connected_days_ago=35,
        proposed_days_ago=28,
        terms=Pilot.Terms.IN_KIND,
        amount="40000.00",
        closed="withdraw",
        closed_reason="We need two more months to finish the GPU port; we will propose again.",
        closed_days_ago=21,
    ),
    DemoPilot(
        firm="health",
        question="",
        criteria=[],
        connected_days_ago=60,
        outcomes=[DemoOutcome(Outcome.Kind.TECH_CONSULTING, "260000.00", 25, FIRM, 20)],
    ),
]


def _founder(profile: StartupProfile, password: str) -> User:
    """The startup's first member, or a founder account made for the demo."""
    member = profile.organization.members.order_by("pk").first()
    if member is not None:
        return member
    email = f"founder.{slugify(profile.name)[:40] or profile.pk}@demo.local"
    user = User.objects.create_user(email, password, full_name=f"{profile.name} (demo)")
    Membership.objects.create(
        user=user, organization=profile.organization, role=Membership.Role.OWNER
    )
    return user


def _match_for(spec: DemoPilot, accelerator_id: int, demo: StartupProfile, taken: set[int]):
    """The best proposal of the firm's accelerator still untouched (the demo startup's, when
    the spec names it), on a startup with no other demo pilot."""
    matches = Match.objects.filter(
        challenge__accelerator_id=accelerator_id, status=Match.Status.PROPOSED
    ).select_related("challenge__accelerator", "startup__organization")
    if spec.demo_startup:
        matches = matches.filter(startup=demo)
    else:
        matches = matches.exclude(startup=demo).exclude(startup_id__in=taken)
    return matches.order_by("rank", "challenge_id", "id").first()


def _connect(match: Match, firm: Actor, startup: Actor, days_ago: int) -> Match:
    match_services.match_express_interest(match=match, actor=firm)
    match = match_services.match_express_interest(match=match, actor=startup)
    _backdate(
        Match,
        match.pk,
        created_at=days_ago + 12,
        enterprise_interested_at=days_ago + 3,
        startup_interested_at=days_ago,
        connected_at=days_ago,
    )
    return match


def _run_pilot(spec: DemoPilot, match: Match, firm: Actor, startup: Actor) -> Pilot:
    today = timezone.localdate()
    starts_on = _days_ago(spec.starts_days_ago, today)
    by = {FIRM: firm, STARTUP: startup}
    other = STARTUP if spec.proposed_side == FIRM else FIRM
    pilot = pilot_services.pilot_propose(
        actor=by[spec.proposed_side],
        match=match,
        question=spec.question,
        success_criteria=spec.criteria,
        decision_owner=firm.user,
        starts_on=starts_on,
        ends_on=starts_on + datetime.timedelta(days=spec.length_days),
        terms=spec.terms,
        amount=Decimal(spec.amount),
        ip_terms=spec.ip_terms,
    )
    _backdate(Pilot, pilot.pk, created_at=spec.proposed_days_ago)
    if spec.closed:
        closer, service = (
            (by[spec.proposed_side], pilot_services.pilot_withdraw)
            if spec.closed == "withdraw"
            else (by[other], pilot_services.pilot_decline)
        )
        pilot = service(actor=closer, pilot=pilot, reason=spec.closed_reason)
        _backdate(Pilot, pilot.pk, closed_at=spec.closed_days_ago)
    if spec.accepted_days_ago is None:
        return pilot
    pilot = pilot_services.pilot_accept(actor=by[other], pilot=pilot)
    quiet_since = spec.accepted_days_ago
    for update in spec.updates:
        posted = pilot_services.pilot_post_update(
            actor=by[update.side],
            pilot=pilot,
            text=update.text,
            on=_days_ago(update.days_ago, today),
        )
        _backdate(PilotUpdate, posted.pk, created_at=update.days_ago)
        quiet_since = min(quiet_since, update.days_ago)
    _backdate(Pilot, pilot.pk, accepted_at=spec.accepted_days_ago, last_activity_at=quiet_since)
    if spec.decision is not None:
        pilot = pilot_services.pilot_decide(actor=firm, pilot=pilot, **spec.decision)
        _backdate(Pilot, pilot.pk, decided_at=spec.decided_days_ago)
    return pilot


def _record_outcomes(spec: DemoPilot, match: Match, pilot: Pilot | None, by: dict) -> None:
    today = timezone.localdate()
    for demo in spec.outcomes:
        outcome = pilot_services.outcome_record(
            actor=by[demo.recorded_side],
            match=match,
            pilot=pilot,
            kind=demo.kind,
            amount=Decimal(demo.amount),
            currency=Outcome.Currency.CNY,
            on=_days_ago(demo.days_ago, today),
        )
        _backdate(Outcome, outcome.pk, created_at=demo.days_ago)
        if demo.confirmed_days_ago is not None:
            other = STARTUP if demo.recorded_side == FIRM else FIRM
            pilot_services.outcome_confirm(actor=by[other], outcome=outcome)
            _backdate(Outcome, outcome.pk, confirmed_at=demo.confirmed_days_ago)


def _seeded(spec: DemoPilot) -> bool:
    if spec.question:
        return Pilot.objects.filter(question=spec.question).exists()
    return Outcome.objects.filter(
        kind=spec.outcomes[0].kind, amount=Decimal(spec.outcomes[0].amount)
    ).exists()


def pilots_seed(
    *,
    firm_users: dict[str, User],
    accelerators: dict[str, int],
    demo: StartupProfile,
    password: str,
) -> None:
    """Connect one match per spec (both sides say interested) and take it as far as the spec
    says: proposed, running (one of them quiet for 20 days), scaled with an order confirmed and
    a contract awaiting confirmation, stopped with its lesson, declined, withdrawn; and one deal
    without a pilot.
    Each firm is also interested in a few more proposals, which wait for the startups."""
    taken = set(
        Match.objects.filter(status=Match.Status.CONNECTED).values_list("startup_id", flat=True)
    )
    for spec in PILOTS:
        if _seeded(spec):
            continue
        match = _match_for(spec, accelerators[spec.firm], demo, taken)
        if match is None:  # the engine proposed nothing fitting: nothing to take further
            continue
        taken.add(match.startup_id)
        firm = actor_for(firm_users[spec.firm])
        startup = actor_for(_founder(match.startup, password))
        match = _connect(match, firm, startup, spec.connected_days_ago)
        pilot = _run_pilot(spec, match, firm, startup) if spec.question else None
        _record_outcomes(spec, match, pilot, {FIRM: firm, STARTUP: startup})
        if spec.gains_days_ago is not None:
            _gain_credential(startup, spec.gains_days_ago)
    for key, user in firm_users.items():
        _interest_seed(actor_for(user), accelerators[key], demo)


def _interest_seed(firm: Actor, accelerator_id: int, demo: StartupProfile) -> None:
    """The firm said interested in two more proposals, which wait for the startups' answer."""
    waiting = Match.objects.filter(
        challenge__accelerator_id=accelerator_id, status=Match.Status.ENTERPRISE_INTERESTED
    ).count()
    for match in (
        Match.objects.filter(challenge__accelerator_id=accelerator_id, status=Match.Status.PROPOSED)
        .exclude(startup=demo)
        .order_by("rank", "challenge_id", "id")[: max(0, INTERESTED - waiting)]
    ):
        match_services.match_express_interest(match=match, actor=firm)


def _gain_credential(startup: Actor, days_ago: int) -> None:
    """A rung the startup reached during its pilot, recorded by its founder and not yet verified
    by the operator: growth the numbers count and the report asks to verify."""
    held = set(startup.organization.credentials.values_list("kind", flat=True))
    kind = next((k for k in VALID_YEARS if k not in held), None)
    if kind is None:
        return
    issued = _days_ago(days_ago, timezone.localdate())
    data = _credential_data(kind, startup.organization.name, issued, JINGAN[1])
    startup_services.credential_add(actor=startup, data=data)
