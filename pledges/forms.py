"""Forms of the staff area's pledge editor. They validate; the services in ``pledges.services`` write."""

from django import forms
from django.db.models import Q
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from accounts.submissions import OnceOnlyFormMixin
from dialogues.models import Dialogue, Finding
from municipalities.models import Municipality, Organisation, PoliceArea
from municipalities.permissions import EDIT_ROLES, municipalities_for_user

from .documents import validate_year_range
from .models import Commitment, FocusArea, Pledge
from .services import (
    AMENDMENT_STATUSES,
    COMMITMENT_EDITOR_FIELDS,
    FOCUS_AREA_EDITOR_FIELDS,
    PLEDGE_EDITOR_FIELDS,
    commitment_validity_errors,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# The most forms one page of the editor takes (see the formsets below).
MAX_FOCUS_AREAS = 50
MAX_COMMITMENTS = 100


def organisations_for(municipalities):
    """National organisations and those local to the given municipalities."""
    return Organisation.objects.filter(Q(municipality__isnull=True) | Q(municipality__in=municipalities)).order_by(
        "name"
    )


class AmendmentReasonMixin:
    """A signed pledge changes only by an amendment: the form then asks for the reason."""

    def add_amendment_reason(self, pledge):
        if pledge is not None and pledge.status in AMENDMENT_STATUSES:
            self.fields["amendment_reason"] = forms.CharField(
                label=_("Reason for the amendment"),
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("The pledge is signed. The change is recorded as an amendment with this reason."),
            )


class PledgeForm(OnceOnlyFormMixin, AmendmentReasonMixin, forms.ModelForm):
    """The pledge itself. ``version`` carries the version the user started from (lost-update protection)."""

    parties = forms.ModelMultipleChoiceField(
        label=_("Parties"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("The parties to the agreement. Hold Ctrl (or Cmd) to choose several."),
    )
    dialogues = forms.ModelMultipleChoiceField(
        label=_("Dialogues it builds on"),
        queryset=Dialogue.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text=_("The citizen dialogues and surveys behind the pledge."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Pledge
        fields = [*PLEDGE_EDITOR_FIELDS[:3], "municipalities", "police_areas", *PLEDGE_EDITOR_FIELDS[3:]]
        widgets = {
            "period_start": DATE_WIDGET,
            "period_end": DATE_WIDGET,
            "summary": forms.Textarea(attrs={"rows": 3}),
            "background": forms.Textarea(attrs={"rows": 5}),
            "effects_sought": forms.Textarea(attrs={"rows": 3}),
            "communication_plan": forms.Textarea(attrs={"rows": 3}),
            "followup_description": forms.Textarea(attrs={"rows": 3}),
            "municipalities": forms.SelectMultiple(attrs={"size": 5}),
            "police_areas": forms.SelectMultiple(attrs={"size": 4}),
        }
        help_texts = {"municipalities": _("Only the municipalities you work in can be chosen.")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        own = municipalities_for_user(user)
        # A pledge can be made for a municipality only where the user may edit (not where they only read);
        # the municipalities a pledge already has stay choosable for a co-author from one of them.
        editable = Q(pk__in=municipalities_for_user(user, roles=EDIT_ROLES).values("pk"))
        if self.instance.pk:
            editable |= Q(pk__in=self.instance.municipalities.values("pk"))
        self.fields["municipalities"].queryset = Municipality.objects.filter(editable).order_by("name")
        self.fields["police_areas"].queryset = (
            PoliceArea.objects.filter(municipalities__in=own).distinct().order_by("name")
        )
        self.fields["parties"].queryset = organisations_for(own)
        self.fields["dialogues"].queryset = Dialogue.objects.filter(municipality__in=own).select_related("municipality")
        pledge = self.instance if self.instance.pk else None
        if pledge is not None:
            self.fields["version"].initial = pledge.version
            self.initial.setdefault("parties", [p.organisation_id for p in pledge.pledge_parties.all()])
            self.initial.setdefault("dialogues", [d.dialogue_id for d in pledge.pledge_dialogues.all()])
        self.add_amendment_reason(pledge)
        for name in ("period_start", "period_end"):
            self.fields[name].validators.append(validate_year_range)

    def clean_version(self):
        version = self.cleaned_data.get("version")
        if self.instance.pk and version is None:
            raise forms.ValidationError(_("The form is incomplete; reload the page."))
        return version

    def service_kwargs(self):
        data = self.cleaned_data
        return {
            "fields": {name: data[name] for name in PLEDGE_EDITOR_FIELDS},
            "municipalities": list(data["municipalities"]),
            "police_areas": list(data["police_areas"]),
            "parties": list(data["parties"]),
            "dialogues": list(data["dialogues"]),
        }


class FocusAreaForm(forms.ModelForm):
    class Meta:
        model = FocusArea
        fields = [*FOCUS_AREA_EDITOR_FIELDS, "findings"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "findings": forms.SelectMultiple(attrs={"size": 4}),
        }
        help_texts = {"findings": _("What citizens said that this focus area answers.")}

    def __init__(self, *args, findings=None, finding_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["findings"].queryset = findings if findings is not None else Finding.objects.none()
        self.fields["findings"].required = False
        if finding_choices is not None:
            # Read once for the whole formset, not once per form.
            self.fields["findings"].widget.choices = finding_choices


class BaseFocusAreaFormSet(forms.BaseInlineFormSet):
    def __init__(self, *args, findings=None, **kwargs):
        self.findings = findings
        self.finding_choices = (
            [(f.pk, f"{f.dialogue.title}: {f.text[:80]}") for f in findings] if findings is not None else None
        )
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "findings": self.findings, "finding_choices": self.finding_choices}

    def service_items(self):
        return _ordered_items(self, [*FOCUS_AREA_EDITOR_FIELDS, "findings"])


FocusAreaFormSet = inlineformset_factory(
    Pledge,
    FocusArea,
    form=FocusAreaForm,
    formset=BaseFocusAreaFormSet,
    extra=2,
    can_order=True,
    can_delete=True,
    # A bound on the forms a POST may ask for: the management form's count is the client's to send, and every
    # form is built and rendered (a count of 2**31 would otherwise make 2,000 forms and seconds of work).
    max_num=MAX_FOCUS_AREAS,
    absolute_max=MAX_FOCUS_AREAS,
    validate_max=True,
)


def _ordered_items(formset, names):
    """The formset's forms as service items, in the order the user gave (then as listed)."""
    items = []
    for index, form in enumerate(formset.forms):
        if not form.has_changed() and form.instance.pk is None:
            continue
        data = form.cleaned_data
        delete = bool(data.get("DELETE"))
        if form.instance.pk is None and delete:
            continue
        order = data.get("ORDER")
        items.append(
            (
                order if order is not None else 10_000 + index,
                index,
                {
                    "instance": form.instance if form.instance.pk else None,
                    "delete": delete,
                    **{name: data.get(name) for name in names},
                },
            )
        )
    return [item for _order, _index, item in sorted(items, key=lambda i: (i[0], i[1]))]


class CommitmentForm(forms.ModelForm):
    new_responsible = forms.CharField(
        label=_("Or add a responsible organisation"),
        max_length=200,
        required=False,
        help_text=_("A name not in the list, e.g. “Fritidsgården”. It is created for the municipality."),
    )

    class Meta:
        model = Commitment
        fields = [*COMMITMENT_EDITOR_FIELDS[:4], "responsible", *COMMITMENT_EDITOR_FIELDS[4:]]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "wording": forms.Textarea(attrs={"rows": 2}),
            "internal_details": forms.Textarea(attrs={"rows": 2}),
            "valid_from": DATE_WIDGET,
            "valid_to": DATE_WIDGET,
            "responsible": forms.SelectMultiple(attrs={"size": 4}),
        }
        help_texts = {
            "target_kind": _("“A number per period” is followed up and scored; the others are logged only."),
            "quantity": _("How many times, e.g. 2."),
            "unit": _("Per what: with “every” 3 and the unit week, the target is per three weeks."),
        }

    def __init__(self, *args, organisations=None, organisation_choices=None, pledge=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.pledge = pledge
        self.fields["responsible"].queryset = organisations if organisations is not None else Organisation.objects
        self.fields["responsible"].required = False
        if organisation_choices is not None:
            # Read once for the whole formset, not once per form.
            self.fields["responsible"].widget.choices = organisation_choices
        # Sensible starting values for a new commitment: "at least N per 1 …".
        self.fields["comparison"].initial = Commitment.Comparison.AT_LEAST
        self.fields["interval"].initial = 1
        self.fields["interval"].widget.attrs["min"] = 1
        self.fields["quantity"].widget.attrs["min"] = 1

    def clean(self):
        data = super().clean()
        if data.get("target_kind") and data["target_kind"] != Commitment.TargetKind.QUANTITY:
            # "No number": the number fields are not used, so starting values left in them are dropped.
            for name in ("comparison", "unit"):
                data[name] = ""
                setattr(self.instance, name, "")
            for name in ("quantity", "interval", "due_month"):
                data[name] = None
                setattr(self.instance, name, None)
            for name in ("comparison", "unit", "quantity", "interval", "due_month"):
                if name in self._errors:
                    del self._errors[name]
        if self.pledge is not None:
            for name, message in commitment_validity_errors(
                self.pledge, data.get("valid_from"), data.get("valid_to")
            ).items():
                self.add_error(name, message)
        return data


class BaseCommitmentFormSet(forms.BaseInlineFormSet):
    def __init__(self, *args, organisations=None, **kwargs):
        self.organisations = organisations
        self.organisation_choices = [(o.pk, o.name) for o in organisations] if organisations is not None else None
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {
            **super().get_form_kwargs(index),
            "organisations": self.organisations,
            "organisation_choices": self.organisation_choices,
            "pledge": self.instance.pledge,
        }

    def service_items(self):
        return _ordered_items(self, [*COMMITMENT_EDITOR_FIELDS, "responsible", "new_responsible"])


CommitmentFormSet = inlineformset_factory(
    FocusArea,
    Commitment,
    form=CommitmentForm,
    formset=BaseCommitmentFormSet,
    extra=2,
    can_order=True,
    can_delete=True,
    max_num=MAX_COMMITMENTS,
    absolute_max=MAX_COMMITMENTS,
    validate_max=True,
)


class CommitmentsPageForm(AmendmentReasonMixin, forms.Form):
    """The version (and, once signed, the amendment reason) of the commitments page."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, pledge, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = pledge.version
        self.add_amendment_reason(pledge)


class ConfirmForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment (optional)"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SignForm(forms.Form):
    signed_on = forms.DateField(label=_("Signed on"), widget=DATE_WIDGET, validators=[validate_year_range])
    signed_place = forms.CharField(label=_("Signed at (place)"), max_length=200)


class SignatoryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    title = forms.CharField(label=_("Title"), max_length=200, help_text=_("E.g. kommunchef, lokalpolisområdeschef."))
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none())
    signed_on = forms.DateField(
        label=_("Date"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("Empty: the signing date above."),
        validators=[validate_year_range],
    )
    signed_place = forms.CharField(
        label=_("Place"), max_length=200, required=False, help_text=_("Empty: the place above.")
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class BaseSignatoryFormSet(forms.BaseFormSet):
    def __init__(self, *args, organisations, **kwargs):
        self.organisations = organisations
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"organisations": self.organisations}

    def clean(self):
        if any(self.errors):
            return
        if not any(form.has_changed() and not self._should_delete_form(form) for form in self.forms):
            raise forms.ValidationError(_("Add at least one signatory."))

    def service_items(self):
        return [form.cleaned_data for form in self.forms if form.has_changed() and form.cleaned_data]


SignatoryFormSet = forms.formset_factory(
    SignatoryForm, formset=BaseSignatoryFormSet, extra=3, max_num=20, absolute_max=20, validate_max=True
)


class ScannedAgreementForm(forms.Form):
    file = forms.FileField(
        label=_("Scanned agreement (PDF)"),
        help_text=_("The paper copy signed by hand, scanned: a PDF of at most 20 MB, not password-protected."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_file(self):
        from .agreement import SCANNED_MAX_BYTES

        upload = self.cleaned_data["file"]
        if upload.size > SCANNED_MAX_BYTES:
            raise forms.ValidationError(_("The file is too large (at most 20 MB)."))
        return upload
