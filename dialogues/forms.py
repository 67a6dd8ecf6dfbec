"""Forms for registering dialogues and findings in the staff area."""

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from accounts.submissions import OnceOnlyFormMixin
from municipalities.permissions import EDIT_ROLES, municipalities_for_user
from pledges.documents import validate_year_range

from .models import Dialogue, Finding
from .services import DIALOGUE_EDITOR_FIELDS, FINDING_EDITOR_FIELDS


class DialogueForm(OnceOnlyFormMixin, forms.ModelForm):
    place_name = forms.CharField(
        label=_("Place"),
        max_length=200,
        required=False,
        help_text=_("Where it was held, e.g. “Folkets hus”. A new name is added to the municipality's places."),
    )

    class Meta:
        model = Dialogue
        fields = list(DIALOGUE_EDITOR_FIELDS)
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "summary": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {"participants_total": _("How many took part, where known.")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities_for_user(user, roles=EDIT_ROLES).order_by("name")
        self.fields["held_on"].required = True
        self.fields["held_on"].validators.append(validate_year_range)
        if self.instance.place_id:
            self.fields["place_name"].initial = self.instance.place.name

    def clean(self):
        data = super().clean()
        parts = [data.get(n) for n in ("participants_women", "participants_men", "participants_other")]
        total = data.get("participants_total")
        if total is not None and any(p is not None for p in parts) and sum(p or 0 for p in parts) > total:
            self.add_error("participants_total", _("Women, men and other together are more than the total."))
        return data


class FindingForm(forms.ModelForm):
    place_name = forms.CharField(label=_("Place"), max_length=200, required=False)

    class Meta:
        model = Finding
        fields = list(FINDING_EDITOR_FIELDS)  # a copy: the inline formset factory appends its foreign key
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.place_id:
            self.fields["place_name"].initial = self.instance.place.name


class BaseFindingFormSet(forms.BaseInlineFormSet):
    def service_items(self):
        items = []
        for form in self.forms:
            if form.instance.pk is None and (not form.has_changed() or form.cleaned_data.get("DELETE")):
                continue
            data = form.cleaned_data
            items.append(
                {
                    "instance": form.instance if form.instance.pk else None,
                    "delete": bool(data.get("DELETE")),
                    "place_name": data.get("place_name", ""),
                    **{name: data.get(name) for name in FINDING_EDITOR_FIELDS},
                }
            )
        return items


# At most MAX_FINDINGS forms: the management form's count is the client's to send, and every form is built.
MAX_FINDINGS = 300
FindingFormSet = inlineformset_factory(
    Dialogue,
    Finding,
    form=FindingForm,
    formset=BaseFindingFormSet,
    extra=3,
    can_delete=True,
    max_num=MAX_FINDINGS,
    absolute_max=MAX_FINDINGS,
    validate_max=True,
)
