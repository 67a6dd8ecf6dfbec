from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.submissions import OnceOnlyFormMixin
from pledges.models import Commitment

from .models import ActivityLog, Evaluation, MissedPeriod
from .services import CSV_MAX_BYTES, validate_activity


class CommitmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.focus_area.title} – {obj.title} ({obj.target_display()})"


class ActivityLogForm(OnceOnlyFormMixin, forms.ModelForm):
    """One entry: what was done for a commitment, when and how many times."""

    commitment = CommitmentChoiceField(queryset=Commitment.objects.none(), label=_("Commitment"))

    class Meta:
        model = ActivityLog
        fields = ["commitment", "performed_on", "quantity", "hours_spent", "note"]
        widgets = {
            "performed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "quantity": forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
            "hours_spent": forms.NumberInput(attrs={"min": 0, "step": "0.25", "inputmode": "decimal"}),
            "note": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "quantity": _("How many times it was done. Enter 0 to report that nothing was done."),
        }

    def __init__(self, *args, pledge, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commitment"].queryset = (
            Commitment.objects.filter(focus_area__pledge=pledge)
            .select_related("focus_area__pledge")
            .order_by("focus_area__order", "order")
        )
        self.fields["performed_on"].input_formats = ["%Y-%m-%d"]

    def clean(self):
        data = super().clean()
        if data.get("commitment") and data.get("performed_on") is not None and data.get("quantity") is not None:
            for field, message in validate_activity(
                commitment=data["commitment"],
                performed_on=data["performed_on"],
                quantity=data["quantity"],
                hours_spent=data.get("hours_spent"),
            ).items():
                self.add_error(field, message)
        return data

    def service_kwargs(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ActivityCsvForm(OnceOnlyFormMixin, forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Columns: commitment, date, quantity, hours, note. UTF-8 or Windows-1252 (Excel), at most 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > CSV_MAX_BYTES:
            raise forms.ValidationError(_("The file is too large (at most 2 MB)."))
        return upload


class MissedPeriodForm(forms.ModelForm):
    class Meta:
        model = MissedPeriod
        fields = ["reason", "reason_text", "corrective_action"]
        widgets = {
            "reason": forms.RadioSelect,
            "reason_text": forms.Textarea(attrs={"rows": 2}),
            "corrective_action": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {"corrective_action": _("What is done so that it does not happen again, or to catch up.")}

    def clean(self):
        data = super().clean()
        if data.get("reason") == MissedPeriod.Reason.OTHER and not (data.get("reason_text") or "").strip():
            self.add_error("reason_text", _("Explain the reason when you choose Other."))
        return data


class EvaluationNarrativeForm(forms.ModelForm):
    class Meta:
        model = Evaluation
        fields = ["narrative", "published"]
        widgets = {"narrative": forms.Textarea(attrs={"rows": 10})}
