from django import forms
from django.utils.translation import gettext_lazy as _

from dialogues.models import Theme

from .models import County, PoliceRegion


class MunicipalitySearchForm(forms.Form):
    """The search and filters of /kommuner/. Every field is optional; an unknown value is invalid."""

    q = forms.CharField(label=_("Name or kommunkod"), required=False, max_length=100, strip=True)
    lan = forms.ChoiceField(label=_("County"), required=False, choices=[("", _("All counties")), *County.choices])
    region = forms.ModelChoiceField(
        label=_("Police region"),
        required=False,
        queryset=PoliceRegion.objects.order_by("name"),
        to_field_name="slug",
        empty_label=_("All police regions"),
    )
    tema = forms.ChoiceField(
        label=_("Focus-area theme"), required=False, choices=[("", _("All themes")), *Theme.choices]
    )
