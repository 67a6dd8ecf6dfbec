"""Dialogues in the staff area: list, register, show and edit a dialogue with its findings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import submissions
from municipalities.permissions import ROLES_FOR_ACTION, Action, municipalities_for_user

from . import services
from .access import check_municipality
from .forms import DialogueForm, FindingFormSet
from .models import Dialogue, Finding


def _get_dialogue_for_user(request, pk, action, queryset=None):
    dialogue = (queryset or Dialogue.objects.select_related("municipality", "place")).filter(pk=pk).first()
    if dialogue is None:
        raise Http404
    roles = check_municipality(request.user, action, dialogue.municipality)
    return dialogue, roles


@login_required
def dialogue_list(request):
    dialogues = (
        Dialogue.objects.filter(municipality__in=municipalities_for_user(request.user))
        .select_related("municipality", "place")
        .annotate(finding_count=Count("findings"))
        .order_by("municipality__name", "-held_on", "title")
    )
    return render(request, "dialogues/dialogue_list.html", {"dialogues": dialogues})


def _save(request, form, formset, dialogue=None):
    try:
        return services.dialogue_save(
            dialogue=dialogue,
            fields={name: form.cleaned_data[name] for name in services.DIALOGUE_EDITOR_FIELDS},
            place_name=form.cleaned_data["place_name"],
            findings=formset.service_items(),
        )
    except ValidationError as error:
        form.add_error(None, error)
        return None


@login_required
@require_http_methods(["GET", "POST"])
def dialogue_create(request):
    user = request.user
    if not (user.is_superuser or user.memberships.filter(role__in=ROLES_FOR_ACTION[Action.EDIT]).exists()):
        raise PermissionDenied
    form = DialogueForm(request.POST or None, user=user)
    formset = FindingFormSet(request.POST or None, instance=Dialogue(), prefix="findings")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        # The form's municipality choices are the user's; the role there is checked as for every dialogue.
        check_municipality(user, Action.EDIT, form.cleaned_data["municipality"])
        with transaction.atomic():
            if not submissions.claim(user, form.cleaned_data["submission_key"]):
                messages.info(request, _("That form was already sent: the dialogue was registered once."))
                return redirect("staff:dialogue_list")
            dialogue = _save(request, form, formset)
            if dialogue is None:
                transaction.set_rollback(True)  # nothing was made: the form may be sent again once corrected
        if dialogue is not None:
            messages.success(request, _("The dialogue was registered."))
            return redirect("staff:dialogue_detail", pk=dialogue.pk)
    return render(request, "dialogues/dialogue_form.html", {"form": form, "formset": formset, "dialogue": None})


@login_required
def dialogue_detail(request, pk):
    dialogue, roles = _get_dialogue_for_user(request, pk, Action.VIEW)
    findings = Finding.objects.filter(dialogue=dialogue).select_related("place").prefetch_related("focus_areas__pledge")
    return render(
        request,
        "dialogues/dialogue_detail.html",
        {"dialogue": dialogue, "findings": findings, "can_edit": bool(roles & ROLES_FOR_ACTION[Action.EDIT])},
    )


@login_required
@require_http_methods(["GET", "POST"])
def dialogue_edit(request, pk):
    dialogue, _roles = _get_dialogue_for_user(request, pk, Action.EDIT)
    form = DialogueForm(request.POST or None, instance=dialogue, user=request.user)
    formset = FindingFormSet(
        request.POST or None, instance=dialogue, prefix="findings", queryset=dialogue.findings.select_related("place")
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        check_municipality(request.user, Action.EDIT, form.cleaned_data["municipality"])
        if _save(request, form, formset, dialogue) is not None:
            messages.success(request, _("The dialogue was saved."))
            return redirect("staff:dialogue_detail", pk=pk)
    return render(request, "dialogues/dialogue_form.html", {"form": form, "formset": formset, "dialogue": dialogue})
