"""The pilot page's forms: propose, withdraw or decline, hand the decision to another member,
update, decide, record an outcome. They parse what a person typed; the rules stay in
`backend.pilots.services`."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.pilots.models import (
    AMOUNT_DIGITS,
    AMOUNT_PLACES,
    CRITERION_MAX_LENGTH,
    QUESTION_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    Outcome,
    Pilot,
)


class DateInput(forms.DateInput):
    input_type = "date"


def _date(label, **kwargs) -> forms.DateField:
    # A date input takes ISO dates only, whatever the page's language writes dates as.
    return forms.DateField(label=label, widget=DateInput(format="%Y-%m-%d"), **kwargs)


def _text(label, *, required: bool = True, max_length: int = TEXT_MAX_LENGTH) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _amount(label) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, min_value=0, max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES
    )


class ServiceForm(forms.Form):
    def service_kwargs(self) -> dict:
        """The service's keyword arguments."""
        return dict(self.cleaned_data)


class ProposeForm(ServiceForm):
    wide_fields = ("question",)

    question = _text(_("The question the pilot answers"), max_length=QUESTION_MAX_LENGTH)
    criterion_1 = forms.CharField(label=_("Success criterion"), max_length=CRITERION_MAX_LENGTH)
    criterion_2 = forms.CharField(
        label=_("Second criterion (optional)"), max_length=CRITERION_MAX_LENGTH, required=False
    )
    criterion_3 = forms.CharField(
        label=_("Third criterion (optional)"), max_length=CRITERION_MAX_LENGTH, required=False
    )
    decision_owner = forms.ModelChoiceField(
        label=_("Decision owner at the firm"), queryset=None, empty_label=None
    )
    starts_on = _date(_("Starts on"))
    ends_on = _date(_("Ends on"))
    terms = forms.ChoiceField(label=_("Terms"), choices=Pilot.Terms.choices)
    amount = _amount(_("Amount (CNY)"))
    ip_terms = forms.ChoiceField(label=_("IP terms"), choices=Pilot.IpTerms.choices)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        _members_field(self.fields["decision_owner"], members)
        self.fields["ends_on"].help_text = _("At most %(days)d days after the start.") % {
            "days": settings.PILOT_MAX_DAYS
        }

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        criteria = [data.pop(f"criterion_{n}") for n in (1, 2, 3)]
        return {**data, "success_criteria": [c for c in criteria if c]}


class UpdateForm(ServiceForm):
    on = _date(_("Date"), initial=timezone.localdate)
    text = _text(_("How it goes"))


class DecideForm(ServiceForm):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=Pilot.Decision.choices, widget=forms.RadioSelect
    )
    reason = _text(_("Why"))
    new_ends_on = _date(_("New end date (to extend)"), required=False)
    stop_reason = forms.ChoiceField(
        label=_("Reason for stopping"),
        choices=[("", "—"), *Pilot.StopReason.choices],
        required=False,
    )
    lesson = _text(_("What we learnt (when stopping)"), required=False)


class CloseForm(ServiceForm):
    """Withdraw or decline a proposal."""

    reason = _text(_("Why (optional)"), required=False)


def _members_field(field: forms.ModelChoiceField, members) -> None:
    field.queryset = members
    field.label_from_instance = lambda u: u.full_name or u.email


class OwnerForm(ServiceForm):
    """Hand the pilot's decision to another member of the firm."""

    decision_owner = forms.ModelChoiceField(
        label=_("New decision owner"), queryset=None, empty_label=None
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        _members_field(self.fields["decision_owner"], members)


class OutcomeForm(ServiceForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=Outcome.Kind.choices)
    amount = _amount(_("Amount"))
    currency = forms.ChoiceField(
        label=_("Currency"), choices=Outcome.Currency.choices, initial=Outcome.Currency.CNY
    )
    on = _date(_("Date"))
    pilot = forms.ModelChoiceField(
        label=_("Pilot it followed (optional)"), queryset=None, required=False
    )

    def __init__(self, *args, pilots, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pilot"].queryset = pilots
        self.fields["pilot"].label_from_instance = lambda p: p.question[:60]
