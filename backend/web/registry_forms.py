"""The forms of an organisation's registration, a startup's credentials and an operator's
roster. They parse what was typed; the rules stay in the services."""

from __future__ import annotations

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import Organization
from backend.common.credit_code import normalize_credit_code
from backend.startups.models import Credential
from backend.web.forms import DateInput


class ServiceData:
    """What a model form hands its service: the cleaned values of its fields."""

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class OrganizationRegistrationForm(ServiceData, forms.ModelForm):
    # Longer than the code, as people type it with spaces; the model checks the code itself.
    credit_code = forms.CharField(
        label=capfirst(Organization._meta.get_field("credit_code").verbose_name),
        max_length=40,
        required=False,
        help_text=_(
            "The 18 characters on the business licence. Leave it empty if your organisation "
            "has none (the centre of a foreign firm, for example)."
        ),
    )

    class Meta:
        model = Organization
        fields = ["credit_code", "registered_district", "founded_on"]
        widgets = {"founded_on": DateInput()}

    def clean_credit_code(self) -> str:
        return normalize_credit_code(self.cleaned_data["credit_code"])


class CredentialForm(ServiceData, forms.ModelForm):
    class Meta:
        model = Credential
        fields = ["kind", "certificate_number", "issued_on", "expires_on"]
        help_texts = {"expires_on": _("Leave it empty if the certificate does not expire.")}
        widgets = {"issued_on": DateInput(), "expires_on": DateInput()}


class RosterForm(forms.Form):
    file = forms.FileField(
        label=_("Roster file"),
        help_text=_(
            "CSV or XLSX, at most 2 MB and 500 startups. The first row names the columns: name, "
            "credit code, contact email, and optionally website and summary (or 名称, "
            "统一社会信用代码, 联系邮箱, 网站, 简介)."
        ),
    )
