"""Staff pages of follow-up, under /hantera/uppfoljning/. Thin: form → service → redirect."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from accounts import submissions
from accounts.audit import audit_record
from accounts.models import AuditEvent
from municipalities.permissions import Action, can, check
from pledges.models import Commitment

from . import evaluation, selectors, services
from .forms import ActivityCsvForm, ActivityLogForm, EvaluationNarrativeForm, MissedPeriodForm
from .models import ActivityLog, Evaluation, MissedPeriod
from .progress import pledge_progress


def _pledge_for_user(request, pk, action):
    """The pledge with its municipalities: 404 for outsiders, 403 without the role the action needs."""
    pledge = selectors.pledge_for_followup(pk)
    check(request.user, action, pledge)
    return pledge


def _activity_for_user(request, pk):
    log = get_object_or_404(ActivityLog.objects.select_related("commitment__focus_area__pledge"), pk=pk)
    check(request.user, Action.VIEW, log.commitment.focus_area.pledge)
    if not services.can_change_activity(request.user, log):
        raise PermissionDenied
    return log


def _form_errors_from(form, error: ValidationError):
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


@login_required
def pledge_followup(request, pk):
    pledge = _pledge_for_user(request, pk, Action.VIEW)
    context = selectors.pledge_followup(pledge)
    context.update(
        pledge=pledge,
        can_log=can(request.user, Action.LOG, pledge),
        evaluation_years=range(pledge.period_start.year, pledge.period_end.year + 1),
    )
    return render(request, "followup/pledge_followup.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def activity_create(request, pk):
    pledge = _pledge_for_user(request, pk, Action.LOG)
    initial = {"performed_on": datetime.date.today(), "quantity": 1}
    if request.GET.get("commitment", "").isdigit():
        initial["commitment"] = int(request.GET["commitment"])
    form = ActivityLogForm(request.POST or None, pledge=pledge, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                if not submissions.claim(request.user, form.cleaned_data["submission_key"]):
                    messages.info(request, _("That form was already sent: the activity was logged once."))
                    return redirect("followup:pledge", pk=pledge.pk)
                log = services.activity_log_create(user=request.user, **form.service_kwargs())
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            messages.success(
                request,
                _("Logged: %(commitment)s, %(date)s, %(quantity)s times.")
                % {"commitment": log.commitment.title, "date": log.performed_on, "quantity": log.quantity},
            )
            if "another" in request.POST:
                return redirect(f"{request.path}?commitment={log.commitment_id}")
            return redirect("followup:pledge", pk=pledge.pk)
    return render(request, "followup/activity_form.html", {"pledge": pledge, "form": form, "log": None})


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request, pk):
    log = _activity_for_user(request, pk)
    pledge = log.commitment.focus_area.pledge
    form = ActivityLogForm(request.POST or None, instance=log, pledge=pledge)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_log_update(user=request.user, log=log, **form.service_kwargs())
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            messages.success(request, _("The entry was changed."))
            return redirect("followup:pledge", pk=pledge.pk)
    return render(request, "followup/activity_form.html", {"pledge": pledge, "form": form, "log": log})


@login_required
@require_http_methods(["GET", "POST"])
def activity_delete(request, pk):
    log = _activity_for_user(request, pk)
    pledge = log.commitment.focus_area.pledge
    if request.method == "POST":
        services.activity_log_delete(user=request.user, log=log)
        messages.success(request, _("The entry was deleted. Its history is kept."))
        return redirect("followup:pledge", pk=pledge.pk)
    return render(request, "followup/activity_confirm_delete.html", {"pledge": pledge, "log": log})


@login_required
@require_http_methods(["GET", "POST"])
def activities_upload(request, pk):
    pledge = _pledge_for_user(request, pk, Action.LOG)
    form = ActivityCsvForm(request.POST or None, request.FILES or None)
    csv_errors = []
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                if not submissions.claim(request.user, form.cleaned_data["submission_key"]):
                    messages.info(request, _("That file was already sent: its entries were logged once."))
                    return redirect("followup:pledge", pk=pledge.pk)
                created = services.activities_import_csv(
                    user=request.user, pledge=pledge, raw=form.cleaned_data["file"].read()
                )
        except services.CsvInvalid as invalid:
            csv_errors = invalid.errors
        else:
            messages.success(
                request,
                ngettext("%(count)d entry was logged.", "%(count)d entries were logged.", len(created))
                % {"count": len(created)},
            )
            return redirect("followup:pledge", pk=pledge.pk)
    commitments = (
        Commitment.objects.filter(focus_area__pledge=pledge)
        .select_related("focus_area")
        .order_by("focus_area__order", "order")
    )
    return render(
        request,
        "followup/activities_upload.html",
        {
            "pledge": pledge,
            "form": form,
            "csv_errors": csv_errors,
            "commitments": commitments,
            "columns": services.CSV_COLUMNS,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def missed_period_edit(request, pk, start):
    commitment = get_object_or_404(Commitment.objects.select_related("focus_area__pledge"), pk=pk)
    pledge = commitment.focus_area.pledge
    check(request.user, Action.LOG, pledge)
    try:
        period_start = datetime.date.fromisoformat(start)
    except ValueError:
        raise Http404 from None
    progress = next((c for c in pledge_progress(pledge).commitments if c.commitment.pk == commitment.pk), None)
    bucket = next((b for b in progress.buckets if b.start == period_start and b.is_missed), None) if progress else None
    if bucket is None:
        raise Http404
    instance = MissedPeriod.objects.filter(commitment=commitment, period_start=period_start).first()
    form = MissedPeriodForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.missed_period_record(
                user=request.user, commitment=commitment, period_start=period_start, **form.cleaned_data
            )
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            messages.success(request, _("The reason was saved."))
            return redirect("followup:pledge", pk=pledge.pk)
    return render(
        request,
        "followup/missed_period_form.html",
        {"pledge": pledge, "commitment": commitment, "bucket": bucket, "form": form},
    )


def _evaluation_for_user(request, pk, year, action):
    pledge = _pledge_for_user(request, pk, action)
    if not pledge.period_start.year <= year <= pledge.period_end.year:
        raise Http404
    return pledge, evaluation.evaluation_for(pledge, year)


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_page(request, pk, year):
    pledge, item = _evaluation_for_user(request, pk, year, Action.VIEW)
    can_edit = can(request.user, Action.EDIT, pledge)
    form = EvaluationNarrativeForm(request.POST or None, instance=item)
    if request.method == "POST":
        check(request.user, Action.EDIT, pledge)
        if form.is_valid():
            form.save()
            messages.success(request, _("The evaluation text was saved. Build the PDF again to include it."))
            return redirect("followup:evaluation", pk=pledge.pk, year=year)
    years = range(pledge.period_start.year, pledge.period_end.year + 1)
    return render(
        request,
        "followup/evaluation.html",
        {"pledge": pledge, "evaluation": item, "form": form, "can_edit": can_edit, "years": years},
    )


@login_required
@require_http_methods(["POST"])
def evaluation_build(request, pk, year):
    pledge, item = _evaluation_for_user(request, pk, year, Action.EDIT)
    if not evaluation.evaluation_request_build(evaluation=item):
        messages.info(request, _("The PDF is already being built."))
    else:
        # Without a broker the job has run in-process by now; with one it is queued.
        item.refresh_from_db()
        if item.status == Evaluation.Status.DONE:
            messages.success(request, _("The PDF is ready."))
        elif item.status != Evaluation.Status.FAILED:
            messages.info(request, _("The PDF is being built. This page shows how far it has come."))
    return redirect("followup:evaluation", pk=pledge.pk, year=year)


@login_required
def evaluation_status(request, pk, year):
    """The build's state as JSON, polled by the evaluation page."""
    _pledge, item = _evaluation_for_user(request, pk, year, Action.VIEW)
    item.refresh_from_db()
    stages = [stage for stage, _label in Evaluation.Stage.choices]
    step = stages.index(item.stage) + 1 if item.stage in stages else (len(stages) + 1 if item.status == "done" else 0)
    return JsonResponse(
        {
            "status": item.status,
            "status_label": item.get_status_display(),
            "stage": item.stage,
            "stage_label": item.get_stage_display() if item.stage else "",
            "step": step,
            "steps": len(stages) + 1,
            "error": item.error,
            "attempts": item.attempts,
            "download_url": reverse("followup:evaluation_pdf", args=[pk, year]) if item.status == "done" else "",
        }
    )


@login_required
def evaluation_pdf(request, pk, year):
    pledge, item = _evaluation_for_user(request, pk, year, Action.VIEW)
    if not item.pdf:
        raise Http404
    if not (item.published and pledge.is_public):  # a document the public cannot get: its downloads are audited
        audit_record(AuditEvent.Action.DOWNLOADED, request=request, obj=item, detail=item.checksum)
    return FileResponse(
        item.pdf.open("rb"),
        as_attachment=True,
        filename=evaluation.evaluation_filename(pledge, year),
        content_type="application/pdf",
    )
