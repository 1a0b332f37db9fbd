"""The team review's forms: a challenge's rubric, one's own scores, a reviewer, a note.
They parse what a member typed; the rules stay in `backend.reviews.services`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from backend.reviews.models import (
    CRITERIA_MAX,
    NOTE_MAX_LENGTH,
    SCORE_MAX,
    SCORE_MIN,
    WEIGHT_MAX,
    WEIGHT_MIN,
    Criterion,
)


class CriterionForm(forms.Form):
    """One row of the rubric; a row left without a name is no criterion."""

    name = forms.CharField(label=_("Criterion"), max_length=100, required=False)
    description = forms.CharField(label=_("What it means"), max_length=500, required=False)
    weight = forms.IntegerField(
        label=_("Weight"), min_value=WEIGHT_MIN, max_value=WEIGHT_MAX, initial=1, required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("name") and data.get("weight") is None:
            self.add_error("weight", _("Give the criterion a weight from 1 to 10."))
        return data


CriterionFormSet = forms.formset_factory(
    CriterionForm, extra=0, max_num=CRITERIA_MAX, absolute_max=CRITERIA_MAX
)


def rubric_formset(criteria: list[Criterion], data=None):
    """The rubric's rows: the criteria it has, then empty rows up to the most it may have."""
    initial = [{"name": c.name, "description": c.description, "weight": c.weight} for c in criteria]
    initial += [{"weight": 1}] * (CRITERIA_MAX - len(initial))
    return CriterionFormSet(data, initial=initial, prefix="criteria")


def filled_rows(formset) -> list[dict]:
    return [row for row in (form.cleaned_data for form in formset) if row.get("name")]


SCALE = [(n, str(n)) for n in range(SCORE_MIN, SCORE_MAX + 1)]


class ScoreForm(forms.Form):
    """A score from 1 to 5 for each criterion of the rubric."""

    def __init__(self, *args, criteria: list[Criterion], initial_scores: dict[int, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"score_{criterion.pk}"] = forms.TypedChoiceField(
                label=criterion.name,
                help_text=criterion.description,
                choices=SCALE,
                coerce=int,
                widget=forms.RadioSelect,
                initial=initial_scores.get(criterion.pk),
                error_messages={"required": _("Give this criterion a score from 1 to 5.")},
            )

    def rows(self):
        """Each criterion beside its bound field, for the template."""
        return [(criterion, self[f"score_{criterion.pk}"]) for criterion in self.criteria]

    def scores(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data[f"score_{c.pk}"] for c in self.criteria}


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Internal note"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AssignForm(forms.Form):
    reviewer = forms.ModelChoiceField(label=_("Ask a colleague to review"), queryset=None)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = members
        self.fields["reviewer"].label_from_instance = lambda user: user.full_name or user.email
