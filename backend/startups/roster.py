"""Bringing startups in: an operator's roster (CSV or XLSX) becomes unclaimed startups, each
with an unpublished profile and an invitation to its contact to claim it.

All or nothing: every row is checked first, and one bad row imports none, so an operator fixes
the file and uploads it again without finding half of it already in.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from backend.accounts import links
from backend.accounts.mail import mail_queue
from backend.accounts.models import Membership, Organization, User
from backend.accounts.selectors import Actor
from backend.accounts.services import organization_save
from backend.common.credit_code import is_valid_credit_code, normalize_credit_code
from backend.common.errors import (
    ApplicationError,
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
)
from backend.startups.models import StartupProfile

MAX_ROWS = 500
# An invitation is sent again at most this often: a contact's inbox is not a button to press.
RESEND_COOLDOWN = timedelta(hours=1)
MAX_BYTES = 2 * 1024 * 1024
# Contacts of a district's startups read Chinese first; once they sign in, they choose.
INVITATION_LANGUAGE = "zh-hans"

# The columns, by the names an operator's file may give them (English or Chinese).
COLUMNS = {
    "name": ("name", "startup", "company", "名称", "企业名称", "公司名称"),
    "credit_code": ("credit code", "unified social credit code", "统一社会信用代码", "信用代码"),
    "email": ("contact email", "email", "e-mail", "contact e-mail", "联系邮箱", "邮箱", "电子邮箱"),
    "website": ("website", "web", "网站", "网址"),
    "summary": ("summary", "description", "简介", "企业简介", "介绍"),
}
REQUIRED = ("name", "credit_code", "email")
CODE_TAKEN = _("An organisation with this credit code is already on the platform.")


@dataclass(frozen=True)
class RosterProblem:
    line: int
    reason: Promise | str

    def __str__(self) -> str:
        return str(_("Line %(line)s: %(reason)s") % {"line": self.line, "reason": self.reason})


@dataclass(frozen=True)
class RosterRow:
    line: int
    name: str
    credit_code: str
    email: str
    website: str
    summary: str


@dataclass
class RosterReport:
    """What an upload did: the startups it brought in, or (and then none) what to fix."""

    imported: list[StartupProfile] = field(default_factory=list)
    problems: list[RosterProblem] = field(default_factory=list)


def _header_key(text: str) -> str | None:
    label = " ".join(text.replace("_", " ").split()).lower()
    for key, names in COLUMNS.items():
        if label in names:
            return key
    return None


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _csv_rows(content: bytes) -> list[list[str]]:
    # Excel on a Chinese Windows saves CSV in GB18030 (GBK); everything else, UTF-8.
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("gb18030")
    return list(csv.reader(io.StringIO(text)))


def _xlsx_rows(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        return [[_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def read_roster(file_name: str, content: bytes) -> tuple[list[RosterRow], list[RosterProblem]]:
    """The rows of a roster file (its first sheet), by their line in the file, or why it cannot
    be read."""
    if len(content) > MAX_BYTES:
        return [], [RosterProblem(0, _("The file is larger than 2 MB."))]
    suffix = file_name.lower().rsplit(".", 1)[-1]
    try:
        if suffix == "csv":
            table = _csv_rows(content)
        elif suffix == "xlsx":
            table = _xlsx_rows(content)
        else:
            return [], [RosterProblem(0, _("Upload a CSV or XLSX file."))]
    except Exception:  # a malformed file fails in many ways inside the parsers; all mean this
        return [], [RosterProblem(0, _("The file could not be read as CSV or XLSX."))]
    if not table:
        return [], [RosterProblem(1, _("The file is empty."))]
    keys = [_header_key(_cell(text)) for text in table[0]]
    missing = [key for key in REQUIRED if key not in keys]
    if missing:
        names = ", ".join(COLUMNS[key][0] for key in missing)
        return [], [RosterProblem(1, _("Missing columns: %(names)s.") % {"names": names})]
    rows = []
    for line, values in enumerate(table[1:], start=2):
        cells = {key: _cell(value) for key, value in zip(keys, values, strict=False) if key}
        if any(cells.values()):
            rows.append(RosterRow(line=line, **{key: cells.get(key, "") for key in COLUMNS}))
    if len(rows) > MAX_ROWS:
        return [], [RosterProblem(0, _("A roster holds at most 500 startups."))]
    return rows, []


def _website(text: str) -> str:
    if text and "://" not in text:
        text = f"https://{text}"
    return text


def _row_problems(row: RosterRow) -> list[Promise | str]:
    problems: list[Promise | str] = []
    if not row.name:
        problems.append(_("Missing name."))
    elif len(row.name) > 200:
        problems.append(_("The name is longer than 200 characters."))
    code = normalize_credit_code(row.credit_code)
    if not code:
        problems.append(_("Missing unified social credit code."))
    elif not is_valid_credit_code(code):
        problems.append(_("Not a valid unified social credit code."))
    if not row.email:
        problems.append(_("Missing contact e-mail."))
    else:
        try:
            validate_email(row.email)
        except ValidationError:
            problems.append(_("Not a valid e-mail address."))
    if row.website:
        try:
            URLValidator(schemes=["http", "https"])(_website(row.website))
        except ValidationError:
            problems.append(_("Not a valid website address."))
    if len(row.summary) > 8_000:
        problems.append(_("The summary is longer than 8000 characters."))
    return problems


def check_roster(rows: list[RosterRow]) -> list[RosterProblem]:
    """Every reason a row cannot be imported, in line order: its own fields, a credit code or
    an e-mail used twice in the file, or already on the platform."""
    problems = []
    first_line_of: dict[tuple[str, str], int] = {}
    codes = {normalize_credit_code(row.credit_code) for row in rows} - {""}
    emails = {row.email.lower() for row in rows} - {""}
    codes_taken = set(
        Organization.objects.filter(credit_code__in=codes).values_list("credit_code", flat=True)
    )
    emails_taken = {
        email.lower()
        for email in User.objects.filter(email__in=emails).values_list("email", flat=True)
    }
    for row in rows:
        reasons = _row_problems(row)
        code, email = normalize_credit_code(row.credit_code), row.email.lower()
        for key, value in (("credit_code", code), ("email", email)):
            if value and (key, value) in first_line_of:
                same = first_line_of[(key, value)]
                reasons.append(
                    _("Same credit code as line %(line)s.") % {"line": same}
                    if key == "credit_code"
                    else _("Same contact e-mail as line %(line)s.") % {"line": same}
                )
            first_line_of.setdefault((key, value), row.line)
        if code in codes_taken:
            reasons.append(CODE_TAKEN)
        if email in emails_taken:
            reasons.append(_("This e-mail already has an account on the platform."))
        problems.extend(RosterProblem(row.line, reason) for reason in reasons)
    return problems


def _import_row(row: RosterRow, invited_by: Organization) -> StartupProfile:
    organization = Organization(
        name=row.name,
        kind=Organization.Kind.STARTUP,
        credit_code=normalize_credit_code(row.credit_code),
        unclaimed=True,
    )
    # The code's uniqueness was checked with the roster; the database has the last word, and
    # `organization_save` turns its refusal into the field's error.
    organization.full_clean(validate_constraints=False)
    organization_save(organization)
    # No password until the contact claims the startup through the invitation's link.
    user = User(email=row.email.lower(), email_verified=False, language=INVITATION_LANGUAGE)
    user.set_unusable_password()
    user.full_clean()
    user.save()
    Membership.objects.create(user=user, organization=organization, role=Membership.Role.OWNER)
    profile = StartupProfile(
        organization=organization,
        name=row.name,
        website=_website(row.website),
        summary=row.summary,
        published=False,
    )
    profile.full_clean()
    profile.save()
    _invite(user, organization, invited_by)
    return profile


def _invite(user: User, organization: Organization, invited_by: Organization) -> None:
    """Queue the invitation to claim the startup (a fresh link each time) and note when."""
    mail_queue(
        user=user,
        template="startups/mail/roster_invitation",
        context={
            "organization": organization,
            "invited_by": invited_by.name,
            "claim_url": links.claim_url(user),
        },
    )
    organization.invited_at = timezone.now()
    organization.save(update_fields=["invited_at"])


@transaction.atomic
def roster_import(*, actor: Actor, file_name: str, content: bytes) -> RosterReport:
    """An operator's roster, imported whole or not at all. Each contact's invitation leaves
    through the mail outbox once the import commits."""
    if not actor.is_operator:
        raise PermissionDeniedError(_("Only an operator imports a roster."))
    rows, problems = read_roster(file_name, content)
    if not problems:
        if not rows:
            problems = [RosterProblem(2, _("The roster has no startups."))]
        else:
            problems = check_roster(rows)
    if problems:
        return RosterReport(problems=problems)
    imported = []
    for row in rows:
        try:
            imported.append(_import_row(row, actor.organization))
        except ApplicationError as exc:
            # A code taken since the check (a concurrent import or registration): nothing of
            # this roster stays, and the row says why, as the check would have.
            transaction.set_rollback(True)
            if "credit_code" not in exc.fields:
                raise
            return RosterReport(problems=[RosterProblem(row.line, CODE_TAKEN)])
    return RosterReport(imported=imported)


@transaction.atomic
def roster_invitation_resend(*, actor: Actor, organization_id: int) -> Organization:
    """An operator sends an unclaimed startup's invitation again (a lost mail, an expired
    link), at most once per `RESEND_COOLDOWN`."""
    if not actor.is_operator:
        raise PermissionDeniedError(_("Only an operator resends an invitation."))
    organization = (
        Organization.objects.select_for_update()
        .filter(pk=organization_id, kind=Organization.Kind.STARTUP)
        .first()
    )
    if organization is None:
        raise NotFoundError(_("Startup not found."))
    contact = organization.members.filter(is_active=True).order_by("pk").first()
    if not organization.unclaimed or contact is None or contact.has_usable_password():
        raise InvalidTransitionError(_("This startup is claimed already."))
    if organization.invited_at and timezone.now() - organization.invited_at < RESEND_COOLDOWN:
        raise RateLimitedError(_("The invitation went out less than an hour ago."))
    _invite(contact, organization, actor.organization)
    return organization
