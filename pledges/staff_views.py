"""The staff area (/hantera/): dashboard, pledge editor, workflow, signing, history, trace, next period.

Every view fetches its pledge through ``_get_pledge_for_user``, which asks ``municipalities.permissions``:
404 for a pledge the user's memberships do not reach, 403 for a role that may not do the action.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import submissions
from accounts.audit import audit_record
from accounts.models import AuditEvent
from followup import selectors as followup_selectors
from municipalities.permissions import ROLES_FOR_ACTION, Action, roles_for_pledge

from . import agreement, services, staff_selectors
from .forms import (
    CommitmentFormSet,
    CommitmentsPageForm,
    ConfirmForm,
    FocusAreaFormSet,
    PledgeForm,
    ScannedAgreementForm,
    SignatoryFormSet,
    SignForm,
    organisations_for,
)
from .models import AgreementDocument, FocusArea, Pledge
from .pdf import verify_pdf


def _get_pledge_for_user(request, pk, action, pledge=None):
    """The pledge (fetched with ``pledge`` or plainly) and the user's roles on it; 404/403 as permissions say."""
    pledge = pledge if pledge is not None else Pledge.objects.filter(pk=pk).first()
    if pledge is None:
        raise Http404
    roles = roles_for_pledge(request.user, pledge)
    if not roles:
        raise Http404
    if not roles & ROLES_FOR_ACTION[action]:
        raise PermissionDenied
    return pledge, roles


def _can(roles):
    return {action: bool(roles & allowed) for action, allowed in ROLES_FOR_ACTION.items()}


def _add_errors(form, error):
    """Put a service's ValidationError on the form, at its field where it names one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
def dashboard(request):
    context = staff_selectors.dashboard(request.user)
    context["followup"] = followup_selectors.dashboard_followup(request.user, pledges=context["pledges"])
    return render(request, "staff/dashboard.html", context)


@login_required
def pledge_list(request):
    pledges = list(staff_selectors.staff_pledges(request.user))
    status = request.GET.get("status", "")
    if status in Pledge.Status.values:
        pledges = [p for p in pledges if p.status == status]
    return render(
        request,
        "staff/pledge_list.html",
        {"pledges": pledges, "statuses": Pledge.Status.choices, "status": status},
    )


@login_required
@require_http_methods(["GET", "POST"])
def pledge_create(request):
    user = request.user
    if not (user.is_superuser or user.memberships.filter(role__in=ROLES_FOR_ACTION[Action.EDIT]).exists()):
        raise PermissionDenied
    form = PledgeForm(request.POST or None, user=user)
    formset = FocusAreaFormSet(request.POST or None, instance=Pledge(), prefix="areas", findings=None)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            with transaction.atomic():
                if not submissions.claim(user, form.cleaned_data["submission_key"]):
                    messages.info(request, _("That form was already sent: the pledge was created once."))
                    return redirect("staff:pledge_list")
                pledge = services.pledge_create(user=user, **form.service_kwargs(), focus_areas=formset.service_items())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The pledge was created as a draft. Now add its commitments."))
            return redirect("staff:pledge_detail", pk=pledge.pk)
    return render(request, "staff/pledge_form.html", {"form": form, "formset": formset, "pledge": None})


@login_required
def pledge_detail(request, pk):
    pledge, roles = _get_pledge_for_user(request, pk, Action.VIEW, staff_selectors.pledge_for_detail(pk))
    transitions = [
        (name, to_status)
        for name, (allowed_from, to_status, _a) in services.TRANSITIONS.items()
        if pledge.status in allowed_from
    ]
    return render(
        request,
        "staff/pledge_detail.html",
        {
            "pledge": pledge,
            "can": _can(roles),
            "editable": pledge.status in services.EDITABLE_STATUSES,
            "amending": pledge.status in services.AMENDMENT_STATUSES,
            "transitions": transitions,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def pledge_edit(request, pk):
    pledge, _roles = _get_pledge_for_user(request, pk, Action.EDIT)
    if pledge.status not in services.EDITABLE_STATUSES:
        messages.error(
            request, _("A pledge that is %(status)s cannot be changed.") % {"status": pledge.get_status_display()}
        )
        return redirect("staff:pledge_detail", pk=pk)
    findings = staff_selectors.findings_for_pledge(pledge)
    form = PledgeForm(request.POST or None, instance=pledge, user=request.user)
    formset = FocusAreaFormSet(
        request.POST or None,
        instance=pledge,
        prefix="areas",
        findings=findings,
        queryset=pledge.focus_areas.prefetch_related("findings"),
    )
    conflict = None
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        outcome, conflict = _save_edits(
            request,
            pk,
            form,
            lambda: services.pledge_update(
                pledge=pledge,
                user=request.user,
                expected_version=form.cleaned_data["version"],
                focus_areas=formset.service_items(),
                amendment_reason=form.cleaned_data.get("amendment_reason", ""),
                **form.service_kwargs(),
            ),
        )
        if outcome == "saved":
            messages.success(request, _("The pledge was saved."))
            return redirect("staff:pledge_detail", pk=pk)
        if outcome is not None:
            return outcome
    return render(
        request,
        "staff/pledge_form.html",
        {
            "form": form,
            "formset": formset,
            "pledge": pledge,
            "conflict": conflict,
            "current": _current(pledge, conflict),
        },
    )


def _save_edits(request, pk, form, save):
    """Run an editor's save. Returns (outcome, conflict): outcome is "saved", a redirect when the workflow
    refuses the change, or None when the form is to be shown again (with the conflict or the errors on it)."""
    try:
        save()
    except services.EditConflict as error:
        _with_version(form, error.current_version)
        return None, error.message
    except services.WorkflowError as error:
        messages.error(request, str(error))
        return redirect("staff:pledge_detail", pk=pk), None
    except ValidationError as error:
        _add_errors(form, error)
        return None, None
    return "saved", None


def _with_version(form, version):
    """The user's input again, now based on the current version: saving once more is a conscious choice."""
    data = form.data.copy()
    data[form.add_prefix("version")] = str(version)
    form.data = data
    return form


def _current(pledge, conflict):
    return Pledge.objects.get(pk=pledge.pk) if conflict else None


@login_required
@require_http_methods(["GET", "POST"])
def focus_area_edit(request, pk, area_pk):
    pledge, _roles = _get_pledge_for_user(request, pk, Action.EDIT)
    focus_area = get_object_or_404(FocusArea, pk=area_pk, pledge=pledge)
    focus_area.pledge = pledge  # the commitment forms check validity dates against its period
    if pledge.status not in services.EDITABLE_STATUSES:
        messages.error(
            request, _("A pledge that is %(status)s cannot be changed.") % {"status": pledge.get_status_display()}
        )
        return redirect("staff:pledge_detail", pk=pk)
    organisations = organisations_for(pledge.municipalities.all())
    page_form = CommitmentsPageForm(request.POST or None, pledge=pledge)
    formset = CommitmentFormSet(
        request.POST or None,
        instance=focus_area,
        prefix="commitments",
        organisations=organisations,
        queryset=focus_area.commitments.prefetch_related("responsible"),
    )
    conflict = None
    if request.method == "POST" and page_form.is_valid() and formset.is_valid():
        outcome, conflict = _save_edits(
            request,
            pk,
            page_form,
            lambda: services.focus_area_commitments_update(
                focus_area=focus_area,
                user=request.user,
                expected_version=page_form.cleaned_data["version"],
                commitments=formset.service_items(),
                amendment_reason=page_form.cleaned_data.get("amendment_reason", ""),
            ),
        )
        if outcome == "saved":
            messages.success(request, _("The commitments were saved."))
            if "add_more" in request.POST:
                return redirect("staff:focus_area_edit", pk=pk, area_pk=area_pk)
            return redirect("staff:pledge_detail", pk=pk)
        if outcome is not None:
            return outcome
    return render(
        request,
        "staff/focus_area_form.html",
        {"pledge": pledge, "focus_area": focus_area, "page_form": page_form, "formset": formset, "conflict": conflict},
    )


@login_required
@require_http_methods(["GET", "POST"])
def pledge_transition(request, pk, transition):
    if transition not in services.TRANSITIONS:
        raise Http404
    allowed_from, to_status, action = services.TRANSITIONS[transition]
    pledge, _roles = _get_pledge_for_user(request, pk, action)
    # An empty POST (no comment) is still a confirmation: bind the form to it.
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.pledge_transition(
                pledge=pledge, user=request.user, transition=transition, comment=form.cleaned_data["comment"]
            )
        except services.WorkflowError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, _("The pledge is now %(status)s.") % {"status": Pledge.Status(to_status).label.lower()}
            )
        return redirect("staff:pledge_detail", pk=pk)
    return render(
        request,
        "staff/pledge_confirm.html",
        {
            "pledge": pledge,
            "form": form,
            "transition": transition,
            "to_status": Pledge.Status(to_status).label,
            "possible": pledge.status in allowed_from,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def pledge_sign(request, pk):
    pledge, _roles = _get_pledge_for_user(request, pk, Action.SIGN)
    organisations = organisations_for(pledge.municipalities.all())
    form = SignForm(request.POST or None)
    formset = SignatoryFormSet(request.POST or None, prefix="signatories", organisations=organisations)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            services.pledge_sign(
                pledge=pledge, user=request.user, signatories=formset.service_items(), **form.cleaned_data
            )
        except services.WorkflowError as error:
            messages.error(request, str(error))
            return redirect("staff:pledge_detail", pk=pk)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The pledge is signed. From now on a change is an amendment with a reason."))
            return redirect("staff:pledge_detail", pk=pk)
    return render(
        request,
        "staff/pledge_sign.html",
        {"pledge": pledge, "form": form, "formset": formset, "possible": pledge.status == Pledge.Status.REVIEW},
    )


@login_required
def pledge_history(request, pk):
    pledge, _roles = _get_pledge_for_user(request, pk, Action.VIEW)
    return render(
        request,
        "staff/pledge_history.html",
        {
            "pledge": pledge,
            "entries": staff_selectors.pledge_history(pledge),
            "status_changes": pledge.status_changes.select_related("changed_by"),
            "amendments": pledge.amendments.select_related("created_by"),
        },
    )


@login_required
def pledge_trace(request, pk):
    pledge, _roles = _get_pledge_for_user(request, pk, Action.VIEW, staff_selectors.pledge_for_trace(pk))
    return render(request, "staff/pledge_trace.html", {"pledge": pledge})


@login_required
@require_http_methods(["GET", "POST"])
def pledge_next_period(request, pk):
    pledge, _roles = _get_pledge_for_user(request, pk, Action.EDIT)
    if request.method == "POST":
        try:
            new = services.pledge_copy_for_next_period(pledge=pledge, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("staff:pledge_detail", pk=pk)
        messages.success(request, _("A draft for the next period was created. Below is what differs."))
        return redirect("staff:pledge_compare", pk=new.pk)
    return render(request, "staff/pledge_next_period.html", {"pledge": pledge})


@login_required
def pledge_compare(request, pk):
    pledge, _roles = _get_pledge_for_user(request, pk, Action.VIEW)
    previous = pledge.previous_pledge
    if previous is None:
        raise Http404
    comparison = staff_selectors.pledge_comparison(previous, pledge)
    return render(request, "staff/pledge_compare.html", {"pledge": pledge, "previous": previous, **comparison})


@login_required
@require_http_methods(["GET", "POST"])
def pledge_agreement(request, pk):
    """The agreement's versions with their checksums and the signature check; upload of a scanned copy."""
    pledge, roles = _get_pledge_for_user(request, pk, Action.VIEW)
    form = ScannedAgreementForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not roles & ROLES_FOR_ACTION[Action.EDIT]:
            raise PermissionDenied
        if form.is_valid():
            try:
                agreement.agreement_upload_scan(pledge=pledge, user=request.user, data=form.cleaned_data["file"].read())
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("The scanned copy was saved beside the agreement."))
                return redirect("staff:pledge_agreement", pk=pledge.pk)
    documents = list(pledge.agreement_documents.select_related("created_by", "amendment"))
    latest = next((d for d in reversed(documents) if d.kind == AgreementDocument.Kind.GENERATED), None)
    verification = None
    if latest is not None:
        with latest.pdf.open("rb") as handle:
            verification = verify_pdf(handle.read())
    return render(
        request,
        "staff/pledge_agreement.html",
        {
            "pledge": pledge,
            "documents": documents,
            "latest": latest,
            "verification": verification,
            "form": form,
            "can": _can(roles),
        },
    )


@login_required
def pledge_agreement_pdf(request, pk, document_pk):
    """Any version of the agreement, or a scanned copy, to the pledge's staff (drafts included)."""
    pledge, _roles = _get_pledge_for_user(request, pk, Action.VIEW)
    document = get_object_or_404(AgreementDocument, pk=document_pk, pledge=pledge)
    audit_record(AuditEvent.Action.DOWNLOADED, request=request, obj=document, detail=document.checksum)
    filename = agreement.agreement_filename(pledge, document.version)
    if document.kind == AgreementDocument.Kind.SCANNED:
        filename = f"skannad-{filename}"
    return FileResponse(document.pdf.open("rb"), as_attachment=True, filename=filename, content_type="application/pdf")
