"""Forms: they parse and validate what a person typed, with labels and errors in their language.

The rules themselves stay in the services; a model form's own validation only runs the model's
validators early, so that errors appear next to the fields before a service is called.
"""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import Organization
from backend.accounts.services import user_set_password_from_link
from backend.matches.models import Match
from backend.notifications.groups import GROUPS
from backend.notifications.models import Delivery
from backend.programs.models import Accelerator, Challenge, Cohort, CohortMembership
from backend.startups.models import StartupProfile


class ListField(forms.Field):
    """A JSON list of short texts, typed one per line (or separated by commas for tags)."""

    widget = forms.Textarea

    def __init__(self, *, separators: str = r"\n", **kwargs) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.separators = re.compile(f"[{separators}]+")
        self.joiner = "\n" if separators == r"\n" else ", "

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return self.joiner.join(str(item) for item in value)
        return value

    def to_python(self, value) -> list[str]:
        if not value:
            return []
        if isinstance(value, list | tuple):
            return [str(item).strip() for item in value if str(item).strip()]
        return [part.strip() for part in self.separators.split(str(value)) if part.strip()]


SEPARATE_WITH_COMMAS = _("Separate with commas.")
ONE_PER_LINE = _("One per line.")


def tags_field(label, help_text=SEPARATE_WITH_COMMAS) -> ListField:
    return ListField(
        separators=r",，;；\n",
        label=label,
        help_text=help_text,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


def lines_field(label, help_text=ONE_PER_LINE) -> ListField:
    return ListField(label=label, help_text=help_text, widget=forms.Textarea(attrs={"rows": 5}))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


# -- accounts ---------------------------------------------------------------------------------


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    def confirm_login_allowed(self, user) -> None:
        """Reached only with the right password, so the refusal tells nothing to anyone else."""
        super().confirm_login_allowed(user)
        if not user.email_verified:
            raise forms.ValidationError(
                _("Verify your email address first: follow the link in the mail we sent you."),
                code="email_unverified",
            )


class NewPasswordForm(SetPasswordForm):
    """A new password through a mailed link; the service also marks the address verified."""

    def save(self, commit: bool = True):
        return user_set_password_from_link(
            user=self.user, password=self.cleaned_data["new_password1"]
        )


class SignupForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("I am joining as"),
        choices=[
            (Organization.Kind.ENTERPRISE, _("A firm that posts technology challenges")),
            (Organization.Kind.STARTUP, _("A startup that offers technology")),
        ],
        widget=forms.RadioSelect,
        initial=Organization.Kind.STARTUP,
    )
    organization_name = forms.CharField(
        label=_("Organisation name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    full_name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Work email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label=_("Password"),
        min_length=8,
        max_length=128,
        strip=False,
        help_text=_("At least 8 characters; not only digits, not a common password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class NotificationSettingsForm(forms.Form):
    """One choice per group of notifications: how it comes by mail."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for group in GROUPS:
            self.fields[group.key] = forms.ChoiceField(
                label=group.label, choices=Delivery.choices, widget=forms.RadioSelect
            )


# -- a firm's programmes and challenges ------------------------------------------------------


class AcceleratorForm(forms.ModelForm):
    wide_fields = ("name", "industry_focus", "description")

    class Meta:
        model = Accelerator
        fields = ["name", "industry_focus", "description"]
        labels = {
            "name": _("Accelerator name"),
            "industry_focus": _("Industry-chain focus"),
            "description": _("Description"),
        }
        help_texts = {
            "industry_focus": _("For example: batteries, energy storage and power electronics."),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class AcceleratorEditForm(AcceleratorForm):
    """An existing programme may also be paused or closed."""

    class Meta(AcceleratorForm.Meta):
        fields = [*AcceleratorForm.Meta.fields, "status"]
        labels = {**AcceleratorForm.Meta.labels, "status": _("Status")}
        help_texts = {
            **AcceleratorForm.Meta.help_texts,
            "status": _("Challenges can be published only while the accelerator is active."),
        }


class ChallengeForm(forms.ModelForm):
    required_capabilities = lines_field(
        _("Required capabilities"),
        help_text=_("One per line. Each line is matched against what startups can do."),
    )
    industry_tags = tags_field(_("Industry tags"))

    class Meta:
        model = Challenge
        fields = Challenge.EDITABLE_FIELDS
        labels = {
            "accelerator": _("Accelerator"),
            "title": _("Title"),
            "problem_statement": _("Problem statement"),
            "desired_outcomes": _("Desired outcomes"),
            "trl_min": _("Lowest TRL"),
            "trl_max": _("Highest TRL"),
            "budget_min": _("Budget from"),
            "budget_max": _("Budget up to"),
            "budget_currency": _("Currency"),
            "deadline": _("Deadline"),
            "response_days": _("We answer within (working days)"),
            "language": _("Language of the text"),
            "visibility": _("Visibility"),
        }
        help_texts = {
            "problem_statement": _("What is the problem, where does it occur, what was tried."),
            "trl_min": _("Technology readiness level, 1 (idea) to 9 (proven in operation)."),
            "response_days": _(
                "Your promise to startups that apply or say interested: 1 to 60 working days. "
                "The challenge page shows it beside your firm's median answer time."
            ),
            "visibility": _(
                "A confidential challenge is seen only by your firm, the platform operators "
                "and the startups it is matched with."
            ),
        }
        widgets = {
            "problem_statement": forms.Textarea(attrs={"rows": 7}),
            "desired_outcomes": forms.Textarea(attrs={"rows": 3}),
            "deadline": DateInput(),
            "visibility": forms.RadioSelect,
            "trl_min": forms.NumberInput(attrs={"min": 1, "max": 9}),
            "trl_max": forms.NumberInput(attrs={"min": 1, "max": 9}),
            "response_days": forms.NumberInput(attrs={"min": 1, "max": 60}),
        }

    def __init__(self, *args, accelerators, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only the firm's own programmes can be chosen; any other id reads as an invalid choice.
        self.fields["accelerator"].queryset = accelerators
        self.fields["accelerator"].empty_label = None
        # Left empty, the promise is the platform's default.
        self.fields["response_days"].required = False

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        if data["response_days"] is None:
            data["response_days"] = Challenge._meta.get_field("response_days").default
        return data


# -- a startup's profile ---------------------------------------------------------------------


class ProfileForm(forms.ModelForm):
    capabilities = lines_field(
        _("Capabilities"),
        help_text=_("One per line: what you have built and can deliver, in concrete terms."),
    )
    technology_tags = tags_field(_("Technology tags"))
    industries = tags_field(_("Industries"))
    languages = tags_field(_("Working languages"), help_text=_("For example: zh, en."))

    class Meta:
        model = StartupProfile
        fields = [
            "name",
            "pitch",
            "summary",
            "capabilities",
            "technology_tags",
            "industries",
            "stage",
            "trl",
            "team_size",
            "founded_year",
            "city",
            "region",
            "website",
            "languages",
            "published",
        ]
        labels = {
            "name": _("Startup name"),
            "pitch": _("One-line pitch"),
            "summary": _("Summary"),
            "stage": _("Stage"),
            "trl": _("Technology readiness (TRL)"),
            "team_size": _("Team size"),
            "founded_year": _("Founded in"),
            "city": _("City"),
            "region": _("Region"),
            "website": _("Website"),
            "published": _("Published: firms can find this profile and it is matched"),
        }
        help_texts = {"summary": _("What you do, for whom, and the proof you have so far.")}
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 6}),
            "trl": forms.NumberInput(attrs={"min": 1, "max": 9}),
        }

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


# -- matches -----------------------------------------------------------------------------------


class DeclineForm(forms.Form):
    """What the services take; whether a reason is required (a firm's decline) is theirs."""

    reason_code = forms.ChoiceField(
        label=_("Why not"),
        choices=[("", _("Choose a reason")), *Match.ReasonCode.choices],
        required=False,
    )
    feedback = forms.CharField(
        label=_("Message (shown to the other side)"),
        max_length=1_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    note = forms.CharField(
        label=_("Internal note (only your organisation sees it)"),
        max_length=1_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ApplyForm(forms.Form):
    pitch = forms.CharField(
        label=_("Your pitch to the firm"),
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Why you can solve this, in at most 2,000 characters. The firm reads it with your "
            "profile."
        ),
    )


def _optional_number(label, **kwargs) -> forms.Field:
    return forms.IntegerField(label=label, required=False, **kwargs)


class ChallengeSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Describe what you can solve"),
        required=False,
        max_length=2_000,
        widget=forms.SearchInput(attrs={"autocomplete": "off"}),
    )
    tags = forms.CharField(label=_("Industry tags"), required=False, max_length=500)
    trl = _optional_number(_("Your TRL"), min_value=1, max_value=9)
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("Any language")), *Challenge.Language.choices],
    )

    def __init__(self, *args, for_startup: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        # A startup searches with what it can do; a firm or an operator looks over the field.
        if not for_startup:
            self.fields["q"].label = _("Search the open challenges")
            self.fields["trl"].label = _("TRL within the challenge's range")


# -- cohorts -----------------------------------------------------------------------------------


class CohortForm(forms.ModelForm):
    wide_fields = ("name", "benefits")

    class Meta:
        model = Cohort
        fields = ["name", "intake_start", "intake_end", "capacity", "reply_by", "benefits"]
        labels = {
            "name": _("Cohort name"),
            "intake_start": _("Intake starts"),
            "intake_end": _("Intake ends"),
            "capacity": _("Places"),
            "reply_by": _("Invitations answered by"),
            "benefits": _("What a place gives"),
        }
        help_texts = {
            "benefits": _("Shown with each invitation: mentoring, pilots, office space, funding."),
        }
        widgets = {
            "intake_start": DateInput(),
            "intake_end": DateInput(),
            "reply_by": DateInput(),
            "benefits": forms.Textarea(attrs={"rows": 3}),
        }


class CohortAddForm(forms.Form):
    startup = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label=_("Add as"),
        choices=[
            (CohortMembership.Status.SHORTLISTED, _("Shortlisted")),
            (CohortMembership.Status.INVITED, _("Invited")),
        ],
        initial=CohortMembership.Status.SHORTLISTED,
    )


class CohortMoveForm(forms.Form):
    status = forms.ChoiceField(choices=CohortMembership.Status.choices)


class CohortNoteForm(forms.Form):
    note = forms.CharField(
        label=_("Operators' note"),
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class InviteOperatorForm(forms.Form):
    operator = forms.ModelChoiceField(queryset=None, label=_("Operator"), empty_label=None)

    def __init__(self, *args, operators, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["operator"]
        field.queryset = operators
        field.label_from_instance = lambda user: user.full_name or user.email


class StartupSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Find startups"),
        required=False,
        max_length=2_000,
        widget=forms.SearchInput(attrs={"placeholder": _("e.g. solid-state electrolytes")}),
    )
