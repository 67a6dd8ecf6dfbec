"""Who gets what at every address the project serves: one table over all URL patterns × every kind of visitor.

The URL resolver is walked recursively; a pattern without an entry in TABLE (or, under /admin/, one the admin rules
below cannot classify) fails test_every_url_pattern_has_an_entry with the pattern's name and route, so a new
address cannot ship without someone deciding who may reach it.

Visitors (ACTORS, in this order in every row): anonymous, a kommunchef of another municipality (Tanum, 1435: the
strongest role, but elsewhere), and for the pledge's municipality (Norsjö, 2417) a läsare, a kommunpolis, a
samordnare, a kommunchef, the lokalpolisområdeschef of the police area covering it, and a superuser.

Expected outcomes, one per visitor:
    200, 301, 302, 403, 404, 405  that exact status
    L    a redirect to the staff login page (/konto/logga-in/?next=…)
    AL   a redirect to the admin's login page
    OK   an allowed write: the form shown again (200) or a redirect after the action (not to a login page)
    -    not asked (the row does not apply to that visitor)

Public addresses answer the same for everybody, logged in or not: only published and ended pledges exist there,
so every other pledge's id (and an unpublished evaluation) is a 404, also for the superuser.
"""

import datetime
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import AuditEvent
from dialogues.models import Dialogue, Place
from followup.models import ActivityLog, Evaluation, Indicator, MissedPeriod, Reminder
from municipalities.models import Membership
from municipalities.tests.factories import UserFactory, municipality
from pledges.models import AgreementDocument, Commitment, Pledge, Signatory
from pledges.tests.public_data import DRAFT_TITLE, draft_pledge, published_pledge
from pledges.tests.staff_data import make_dialogue, make_pledge, member

pytestmark = pytest.mark.django_db

OWN, OTHER = "2417", "1435"
ACTORS = ("anonymous", "other", "lasare", "kommunpolis", "samordnare", "kommunchef", "lokalpolisomradeschef", "super")

# Rows used again and again (in ACTORS order).
PUBLIC = "200 200 200 200 200 200 200 200"
HIDDEN = "404 404 404 404 404 404 404 404"
NOT_ALLOWED = "405 405 405 405 405 405 405 405"
REDIRECT = "302 302 302 302 302 302 302 302"
ANY_STAFF = "L 200 200 200 200 200 200 200"  # any logged-in user: lists only their own objects
EDITORS = "L OK 403 OK OK OK OK OK"  # anyone with an editing role somewhere (creates in their own municipality)
VIEW = "L 404 200 200 200 200 200 200"  # any role reaching the object
EDIT = "L 404 403 OK OK OK OK OK"  # the editing roles reaching it
SIGN = "L 404 403 403 403 OK OK OK"  # the signing roles reaching it
POST_ONLY = "L 405 405 405 405 405 405 405"  # GET of an address that only takes POST


@dataclass(frozen=True)
class Case:
    """One address (built by ``BUILDERS[variant]``) and the expected outcome for each actor; ``post`` None means
    the same as ``get``."""

    variant: str | None
    get: str
    post: str | None = None

    def expected(self, method):
        return (self.post if method == "post" and self.post is not None else self.get).split()


# --- The objects the addresses name ----------------------------------------------------------------------------------


def _agreement(pledge, kind=AgreementDocument.Kind.GENERATED, version=1):
    document = AgreementDocument(pledge=pledge, kind=kind, version=version, checksum="0" * 64)
    document.pdf.save("matrix.pdf", ContentFile(b"%PDF-1.7 matrix"), save=True)
    return document


def _evaluation(pledge, year, *, published, built=True):
    evaluation, _created = Evaluation.objects.get_or_create(pledge=pledge, year=year)
    if built:
        evaluation.pdf.save("matrix.pdf", ContentFile(b"%PDF-1.7 evaluation"), save=False)
        evaluation.status = Evaluation.Status.DONE
        evaluation.checksum = "0" * 64
        evaluation.built_at = datetime.datetime(2025, 1, 10, tzinfo=datetime.UTC)
    evaluation.published = published
    evaluation.save()
    return evaluation


def _staff_pledge(status):
    """make_pledge's pledge (2025–2026, one commitment of 10 a month, nothing logged)."""
    return make_pledge(status=status, code=OWN)


def _pk(status):
    return lambda: {"pk": _staff_pledge(status).pk}


def _focus_area():
    pledge = _staff_pledge(Pledge.Status.DRAFT)
    return {"pk": pledge.pk, "area_pk": pledge.focus_areas.first().pk}


def _focus_area_of_another_pledge():
    """Id guessing: the user's own pledge in the address, another municipality's focus area beside it."""
    other = make_pledge(status=Pledge.Status.DRAFT, code=OTHER)
    return {"pk": _staff_pledge(Pledge.Status.DRAFT).pk, "area_pk": other.focus_areas.first().pk}


def _document_of_another_pledge():
    other = make_pledge(status=Pledge.Status.SIGNED, code=OTHER)
    return {"pk": _staff_pledge(Pledge.Status.PUBLISHED).pk, "document_pk": _agreement(other).pk}


def _transition(status, transition):
    return lambda: {"pk": _staff_pledge(status).pk, "transition": transition}


def _agreement_pdf(status, kind):
    def build():
        pledge = _staff_pledge(status)
        return {"pk": pledge.pk, "document_pk": _agreement(pledge, kind).pk}

    return build


def _with_previous():
    pledge = _staff_pledge(Pledge.Status.DRAFT)
    pledge.previous_pledge = _staff_pledge(Pledge.Status.PUBLISHED)
    pledge.save()
    return {"pk": pledge.pk}


def _activity():
    commitment = Commitment.objects.get(focus_area__pledge=_staff_pledge(Pledge.Status.PUBLISHED))
    log = ActivityLog.objects.create(
        commitment=commitment, performed_on=datetime.date(2025, 2, 3), logged_by=UserFactory()
    )  # made by someone else: only the chiefs (and superusers) may change it
    return {"pk": log.pk}


def _missed_period():
    commitment = Commitment.objects.get(focus_area__pledge=_staff_pledge(Pledge.Status.PUBLISHED))
    return {"pk": commitment.pk, "start": "2025-01-01"}  # nothing logged in January 2025


def _staff_evaluation(status, *, pdf=False, year=2025):
    def build():
        pledge = _staff_pledge(status)
        if pdf:
            _evaluation(pledge, 2025, published=False)
        return {"pk": pledge.pk, "year": year}

    return build


def _public_pledge(status):
    return lambda: {"pk": published_pledge(OWN, status=status).pk}


def _public_agreement(status, kind=AgreementDocument.Kind.GENERATED):
    def build():
        pledge = published_pledge(OWN, status=status)
        _agreement(pledge, kind)
        return {"pk": pledge.pk}

    return build


def _public_evaluation(status, *, published):
    def build():
        pledge = published_pledge(OWN, status=status)
        _evaluation(pledge, 2024, published=published)
        return {"pk": pledge.pk, "year": 2024}

    return build


def _api(kind, status, fmt=None):
    """The API address of a pledge of this status, or of its indicator or dialogue (a draft's dialogue is linked
    to that draft only)."""

    def build():
        pledge = published_pledge(OWN, status=status, title=DRAFT_TITLE if status != Pledge.Status.PUBLISHED else None)
        obj = {"pledge": pledge, "indicator": pledge.indicators.first(), "dialogue": pledge.dialogues.first()}[kind]
        return {"pk": obj.pk, **({"format": fmt} if fmt else {})}

    return build


BUILDERS = {
    None: dict,
    "format json": lambda: {"format": "json"},
    "format csv": lambda: {"format": "csv"},
    "password reset link": lambda: {"uidb64": "MQ", "token": "not-a-token"},
    # staff area
    "draft": _pk(Pledge.Status.DRAFT),
    "review": _pk(Pledge.Status.REVIEW),
    "signed": _pk(Pledge.Status.SIGNED),
    "published": _pk(Pledge.Status.PUBLISHED),
    "unknown pledge": lambda: {"pk": 2**63 - 1},
    "focus area": _focus_area,
    "focus area of another pledge": _focus_area_of_another_pledge,
    "document of another pledge": _document_of_another_pledge,
    "draft → review": _transition(Pledge.Status.DRAFT, "review"),
    "review → draft": _transition(Pledge.Status.REVIEW, "return"),
    "signed → published": _transition(Pledge.Status.SIGNED, "publish"),
    "published → withdrawn": _transition(Pledge.Status.PUBLISHED, "withdraw"),
    "unknown step": _transition(Pledge.Status.DRAFT, "sign-everything"),
    "agreement of a published pledge": _agreement_pdf(Pledge.Status.PUBLISHED, AgreementDocument.Kind.GENERATED),
    "agreement of a signed pledge": _agreement_pdf(Pledge.Status.SIGNED, AgreementDocument.Kind.GENERATED),
    "scanned copy": _agreement_pdf(Pledge.Status.PUBLISHED, AgreementDocument.Kind.SCANNED),
    "draft with a previous pledge": _with_previous,
    "dialogue": lambda: {"pk": make_dialogue(OWN).pk},
    # follow-up
    "activity of someone else": _activity,
    "missed period": _missed_period,
    "evaluation": _staff_evaluation(Pledge.Status.PUBLISHED),
    "evaluation of a draft": _staff_evaluation(Pledge.Status.DRAFT),
    "evaluation outside the period": _staff_evaluation(Pledge.Status.PUBLISHED, year=2030),
    "evaluation PDF (not published)": _staff_evaluation(Pledge.Status.PUBLISHED, pdf=True),
    "evaluation PDF not built": _staff_evaluation(Pledge.Status.PUBLISHED),
    # public
    "public: published": _public_pledge(Pledge.Status.PUBLISHED),
    "public: ended": _public_pledge(Pledge.Status.ENDED),
    "public: draft": _public_pledge(Pledge.Status.DRAFT),
    "public: review": _public_pledge(Pledge.Status.REVIEW),
    "public: signed": _public_pledge(Pledge.Status.SIGNED),
    "public: withdrawn": _public_pledge(Pledge.Status.WITHDRAWN),
    "public: unknown id": lambda: {"pk": 2**63 - 1},
    "public: agreement, published": _public_agreement(Pledge.Status.PUBLISHED),
    "public: agreement, signed": _public_agreement(Pledge.Status.SIGNED),
    "public: agreement, withdrawn": _public_agreement(Pledge.Status.WITHDRAWN),
    "public: only a scanned copy": _public_agreement(Pledge.Status.PUBLISHED, AgreementDocument.Kind.SCANNED),
    "public: evaluation published": _public_evaluation(Pledge.Status.PUBLISHED, published=True),
    "public: evaluation not published": _public_evaluation(Pledge.Status.PUBLISHED, published=False),
    "public: evaluation of a draft": _public_evaluation(Pledge.Status.DRAFT, published=True),
    "public: evaluation of a withdrawn pledge": _public_evaluation(Pledge.Status.WITHDRAWN, published=True),
    "kommunkod with a pledge": lambda: {"code": OWN},
    "kommunkod without a pledge": lambda: {"code": OTHER},
    "unknown kommunkod": lambda: {"code": "0000"},
    # API
    "api: pledge published": _api("pledge", Pledge.Status.PUBLISHED),
    "api: pledge draft": _api("pledge", Pledge.Status.DRAFT),
    "api: pledge signed": _api("pledge", Pledge.Status.SIGNED),
    "api: pledge withdrawn": _api("pledge", Pledge.Status.WITHDRAWN),
    "api: pledge draft .json": _api("pledge", Pledge.Status.DRAFT, "json"),
    "api: pledge published .csv": _api("pledge", Pledge.Status.PUBLISHED, "csv"),
    "api: indicator published": _api("indicator", Pledge.Status.PUBLISHED),
    "api: indicator draft": _api("indicator", Pledge.Status.DRAFT),
    "api: indicator draft .json": _api("indicator", Pledge.Status.DRAFT, "json"),
    "api: dialogue published": _api("dialogue", Pledge.Status.PUBLISHED),
    "api: dialogue draft": _api("dialogue", Pledge.Status.DRAFT),
    "api: dialogue draft .json": _api("dialogue", Pledge.Status.DRAFT, "json"),
    "api: municipality": lambda: {"code": OWN},
    "api: municipality .csv": lambda: {"code": OWN, "format": "csv"},
}


# --- The table: every non-admin URL pattern (by name; ".<format>" for DRF's format-suffix twin) --------------------

TABLE = {
    "set_language": [Case(None, REDIRECT)],
    # accounts (/konto/)
    "login": [Case(None, "200 302 302 302 302 302 302 302")],
    "logout": [Case(None, NOT_ALLOWED, post=REDIRECT)],
    "password_change": [Case(None, ANY_STAFF)],
    "password_change_done": [Case(None, ANY_STAFF, post="L 405 405 405 405 405 405 405")],
    "password_reset": [Case(None, PUBLIC)],
    "password_reset_done": [Case(None, PUBLIC, post=NOT_ALLOWED)],
    "password_reset_confirm": [Case("password reset link", PUBLIC)],
    "password_reset_complete": [Case(None, PUBLIC, post=NOT_ALLOWED)],
    # two-factor login, for users without a device (test_two_factor_pages_for_a_user_with_a_device: with one)
    "two_factor_verify": [Case(None, "L 302 302 302 302 302 302 302")],  # nothing to verify: on to the next page
    "two_factor_setup": [Case(None, ANY_STAFF)],
    "two_factor_backup_codes": [Case(None, "L 405 405 405 405 405 405 405", post="L 302 302 302 302 302 302 302")],
    "two_factor_disable": [Case(None, "L 302 302 302 302 302 302 302")],  # nothing to turn off: to the set-up
    # the staff area (/hantera/)
    "staff:dashboard": [Case(None, ANY_STAFF)],
    "staff:pledge_list": [Case(None, ANY_STAFF)],
    "staff:pledge_create": [Case(None, EDITORS)],
    "staff:pledge_detail": [Case("draft", VIEW), Case("published", VIEW), Case("unknown pledge", "L" + " 404" * 7)],
    "staff:pledge_edit": [Case("draft", EDIT), Case("published", EDIT)],
    "staff:focus_area_edit": [Case("focus area", EDIT), Case("focus area of another pledge", "L 404 403" + " 404" * 5)],
    "staff:pledge_transition": [
        Case("draft → review", EDIT),
        Case("review → draft", EDIT),
        Case("signed → published", SIGN),
        Case("published → withdrawn", SIGN),
        Case("unknown step", "L" + " 404" * 7),
    ],
    "staff:pledge_sign": [Case("review", SIGN)],
    "staff:pledge_history": [Case("published", VIEW), Case("draft", VIEW)],
    # seeing the agreement needs a role there; uploading a scanned copy needs an editing role
    "staff:pledge_agreement": [Case("published", VIEW, post=EDIT), Case("draft", VIEW, post=EDIT)],
    "staff:pledge_agreement_pdf": [
        Case("agreement of a published pledge", VIEW),
        Case("agreement of a signed pledge", VIEW),
        Case("scanned copy", VIEW),
        Case("document of another pledge", "L" + " 404" * 7),
    ],
    "staff:pledge_trace": [Case("published", VIEW)],
    "staff:pledge_next_period": [Case("published", EDIT)],
    "staff:pledge_compare": [Case("draft with a previous pledge", VIEW), Case("draft", "L 404" + " 404" * 6)],
    "staff:dialogue_list": [Case(None, ANY_STAFF)],
    "staff:dialogue_create": [Case(None, EDITORS)],
    "staff:dialogue_detail": [Case("dialogue", VIEW)],
    "staff:dialogue_edit": [Case("dialogue", EDIT)],
    # follow-up (/hantera/uppfoljning/)
    "followup:pledge": [Case("published", VIEW), Case("draft", VIEW)],
    "followup:activity_create": [Case("published", EDIT)],
    "followup:activities_upload": [Case("published", EDIT)],
    # an entry made by someone else: only the signing roles change it
    "followup:activity_edit": [Case("activity of someone else", SIGN)],
    "followup:activity_delete": [Case("activity of someone else", SIGN)],
    "followup:missed_period": [Case("missed period", EDIT)],
    "followup:evaluation": [
        Case("evaluation", VIEW, post=EDIT),
        Case("evaluation of a draft", VIEW, post=EDIT),
        Case("evaluation outside the period", "L" + " 404" * 7),
    ],
    "followup:evaluation_build": [Case("evaluation", POST_ONLY, post=EDIT)],
    "followup:evaluation_status": [Case("evaluation", VIEW)],
    "followup:evaluation_pdf": [
        Case("evaluation PDF (not published)", VIEW),
        Case("evaluation PDF not built", "L" + " 404" * 7),
    ],
    # public pages
    "home": [Case(None, PUBLIC)],
    "public-pledge": [
        Case("public: published", PUBLIC),
        Case("public: ended", PUBLIC),
        Case("public: draft", HIDDEN),
        Case("public: review", HIDDEN),
        Case("public: signed", HIDDEN),
        Case("public: withdrawn", HIDDEN),
        Case("public: unknown id", HIDDEN),
    ],
    "public-agreement-pdf": [
        Case("public: agreement, published", PUBLIC),
        Case("public: agreement, signed", HIDDEN),
        Case("public: agreement, withdrawn", HIDDEN),
        Case("public: only a scanned copy", HIDDEN),  # a scanned copy is for staff only
    ],
    "public-evaluation-pdf": [
        Case("public: evaluation published", PUBLIC),
        Case("public: evaluation not published", HIDDEN),
        Case("public: evaluation of a draft", HIDDEN),
        Case("public: evaluation of a withdrawn pledge", HIDDEN),
    ],
    "accessibility": [Case(None, PUBLIC)],
    "country-feed": [Case(None, PUBLIC)],
    "public-municipalities": [Case(None, PUBLIC)],
    "public-municipality": [
        Case("kommunkod with a pledge", PUBLIC),
        Case("kommunkod without a pledge", PUBLIC),
        Case("unknown kommunkod", HIDDEN),
    ],
    "public-municipality-embed": [Case("kommunkod with a pledge", PUBLIC), Case("unknown kommunkod", HIDDEN)],
    "public-municipality-feed": [Case("kommunkod with a pledge", PUBLIC), Case("unknown kommunkod", HIDDEN)],
    # the open-data API (/api/v1/): read-only, published only
    "api-schema": [Case(None, PUBLIC, post=NOT_ALLOWED)],
    "api-docs": [Case(None, PUBLIC)],
    "api-root": [Case(None, PUBLIC, post=NOT_ALLOWED)],
    "api-root.<format>": [Case("format json", PUBLIC, post=NOT_ALLOWED)],
    "api-municipality-list": [Case(None, PUBLIC, post=NOT_ALLOWED)],
    "api-municipality-list.<format>": [Case("format csv", PUBLIC, post=NOT_ALLOWED)],
    "api-municipality-detail": [Case("api: municipality", PUBLIC, post=NOT_ALLOWED)],
    "api-municipality-detail.<format>": [Case("api: municipality .csv", PUBLIC, post=NOT_ALLOWED)],
    "api-pledge-list": [Case(None, PUBLIC, post=NOT_ALLOWED)],
    "api-pledge-list.<format>": [Case("format csv", PUBLIC, post=NOT_ALLOWED)],
    "api-pledge-detail": [
        Case("api: pledge published", PUBLIC, post=NOT_ALLOWED),
        Case("api: pledge draft", HIDDEN, post=NOT_ALLOWED),
        Case("api: pledge signed", HIDDEN, post=NOT_ALLOWED),
        Case("api: pledge withdrawn", HIDDEN, post=NOT_ALLOWED),
        Case("public: unknown id", HIDDEN, post=NOT_ALLOWED),
    ],
    "api-pledge-detail.<format>": [
        Case("api: pledge published .csv", PUBLIC, post=NOT_ALLOWED),
        Case("api: pledge draft .json", HIDDEN, post=NOT_ALLOWED),
    ],
    "api-indicator-list": [Case(None, PUBLIC, post=NOT_ALLOWED)],
    "api-indicator-list.<format>": [Case("format json", PUBLIC, post=NOT_ALLOWED)],
    "api-indicator-detail": [
        Case("api: indicator published", PUBLIC, post=NOT_ALLOWED),
        Case("api: indicator draft", HIDDEN, post=NOT_ALLOWED),
    ],
    "api-indicator-detail.<format>": [Case("api: indicator draft .json", HIDDEN, post=NOT_ALLOWED)],
    "api-dialogue-list": [Case(None, PUBLIC, post=NOT_ALLOWED)],
    "api-dialogue-list.<format>": [Case("format csv", PUBLIC, post=NOT_ALLOWED)],
    "api-dialogue-detail": [
        Case("api: dialogue published", PUBLIC, post=NOT_ALLOWED),
        Case("api: dialogue draft", HIDDEN, post=NOT_ALLOWED),
    ],
    "api-dialogue-detail.<format>": [Case("api: dialogue draft .json", HIDDEN, post=NOT_ALLOWED)],
}


# --- Walking the resolver ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    key: str  # the TABLE key: the URL name, with ".<format>" for a format-suffix twin
    name: str | None  # the name to reverse (namespaced)
    route: str  # the whole pattern, for messages
    callback: object


def _walk(resolver, prefix="", namespace=None):
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern, route, inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            key = f"{name}.<format>" if name and "format" in pattern.pattern.regex.groupindex else name
            yield Route(key=key, name=name, route=route, callback=pattern.callback)


def all_routes():
    return list(_walk(get_resolver()))


def project_routes():
    return [route for route in all_routes() if not route.route.startswith("admin/")]


def admin_routes():
    return [route for route in all_routes() if route.route.startswith("admin/")]


def test_every_url_pattern_has_an_entry():
    missing = [f"{route.key or '(unnamed)'} at /{route.route}" for route in project_routes() if route.key not in TABLE]
    assert not missing, "URL patterns without an entry in TABLE (say who may reach them):\n" + "\n".join(missing)
    stale = set(TABLE) - {route.key for route in project_routes()}
    assert not stale, f"TABLE names URL patterns that no longer exist: {sorted(stale)}"
    unclassified = [f"{r.name or '(unnamed)'} at /{r.route}" for r in admin_routes() if _admin_kind(r) is None]
    assert not unclassified, "admin URL patterns the admin rules cannot classify:\n" + "\n".join(unclassified)


# --- Running a row -------------------------------------------------------------------------------------------------


@pytest.fixture
def actors():
    """A test client per actor, logged in once."""
    users = {"anonymous": None, "other": member("kommunchef", OTHER)}
    for role in ("lasare", "kommunpolis", "samordnare", "kommunchef", "lokalpolisomradeschef"):
        users[role] = member(role, OWN)
    users["super"] = UserFactory(is_superuser=True, is_staff=True)
    clients = {}
    for actor, user in users.items():
        clients[actor] = Client()
        if user is not None:
            clients[actor].force_login(user)
    return clients


def _location(response):
    return response.get("Location", "")


def _matches(expected, response, *, admin_login=False):
    status = response.status_code
    login = reverse("admin:login") if admin_login else reverse("login")
    if expected == "-":
        return True
    if expected == "L":
        return status == 302 and _location(response).startswith(reverse("login") + "?next=")
    if expected == "AL":
        return status == 302 and _location(response).startswith(reverse("admin:login") + "?next=")
    if expected == "OK":
        return status == 200 or (status == 302 and not _location(response).startswith(login))
    return status == int(expected)


def _describe(response):
    location = _location(response)
    return f"{response.status_code}" + (f" → {location}" if location else "")


def _run(clients, name, case, method):
    failures = []
    kwargs = None
    expectations = case.expected(method)
    for actor, expected in zip(ACTORS, expectations, strict=True):
        if kwargs is None or (method == "post" and "OK" in expectations):  # an allowed POST may change the object
            kwargs = BUILDERS[case.variant]()
        url = reverse(name, kwargs=kwargs)
        response = getattr(clients[actor], method)(url)
        if not _matches(expected, response):
            failures.append(
                f"{method.upper()} {url} [{case.variant}] as {actor}: expected {expected}, got {_describe(response)}"
            )
        elif response.status_code == 200 and not response.streaming and name in PUBLIC_NAMES:
            # id guessing aside, nothing of a draft shows on a public page, list, feed or API answer
            assert DRAFT_TITLE.encode() not in response.content, f"{url} shows a draft"
    return failures


PUBLIC_NAMES = {key.removesuffix(".<format>") for key in TABLE if not key.startswith(("staff:", "followup:"))}


def _reverse_name(key):
    return key.removesuffix(".<format>")


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("key", sorted(TABLE))
def test_the_access_matrix(actors, key, method):
    if key in PUBLIC_NAMES or key == "set_language":
        # A draft beside the published pledge in the same municipality: it must never show publicly.
        draft_pledge(OWN)
    failures = []
    for case in TABLE[key]:
        failures += _run(actors, _reverse_name(key), case, method)
    assert not failures, "\n".join(failures)


# --- The media folder is never served by the application ----------------------------------------------------------


def test_stored_files_are_reachable_only_through_the_views_that_check_access(actors, settings):
    """A draft's agreement or a scanned copy lies in MEDIA_ROOT; nothing serves that folder by its path."""
    pledge = _staff_pledge(Pledge.Status.SIGNED)
    for document in (_agreement(pledge), _agreement(pledge, AgreementDocument.Kind.SCANNED)):
        path = settings.MEDIA_URL + document.pdf.name
        for actor in ACTORS:
            response = actors[actor].get("/" + path.lstrip("/"))
            assert response.status_code == 404, f"/{path} as {actor}: {_describe(response)}"


# --- The admin: every per-model URL from the resolver -------------------------------------------------------------

# The audit trail: read in the admin, never added to, changed or deleted (not even by a superuser's POST).
READ_ONLY_ADMINS = {"accounts.auditevent"}
# Rows only the application makes (django-axes' records of logins, reminders sent); they may be deleted (an
# access attempt is deleted to lift a lockout), not added by hand.
NO_ADD_ADMINS = {"axes.accessattempt", "axes.accesslog", "axes.accessfailurelog", "followup.reminder"}
# Pages a model admin adds of its own: name → what the superuser gets.
EXTRA_MODEL_PAGES = {
    # django-otp's device secret and QR code: hidden from everyone (OTP_ADMIN_HIDE_SENSITIVE_DATA)
    "admin:otp_totp_totpdevice_config": "403",
    "admin:otp_totp_totpdevice_qrcode": "403",
}
SITE_PAGES = {
    # name → what the superuser gets (everyone else: a redirect to the admin login, except where given)
    "admin:index": "200",
    "admin:app_list": "200",
    "admin:login": "302",  # already logged in: on to the index
    "admin:logout": "405",  # a GET does not log out (POST only); anybody else is sent to the admin's index
    "admin:password_change": "200",
    "admin:password_change_done": "200",
    "admin:autocomplete": "403",  # without its parameters
    "admin:jsi18n": "200",
    "admin:view_on_site": "404",  # no model of ours has a public address of its own
    "admin:auth_user_password_change": "200",
}
MODEL_PAGES = ("changelist", "add", "change", "delete", "history", "simple_history")


def _admin_kind(route):
    """("site", name), ("model", app.model, page), ("redirect", app.model) or ("catch-all",); None: unknown."""
    if route.name in SITE_PAGES:
        return ("site", route.name)
    if route.name in EXTRA_MODEL_PAGES:
        label = route.route.split("/")[1:3]
        model = next(m for m in admin.site._registry if [m._meta.app_label, m._meta.model_name] == label)
        return ("extra", route.name, model)
    if route.name is None:
        if route.route.endswith("(?P<url>.*)$"):
            return ("catch-all",)
        parts = route.route.split("/")
        if len(parts) == 5 and parts[3] == "<path:object_id>":
            return ("redirect", f"{parts[1]}.{parts[2]}")
        return None
    for model, model_admin in admin.site._registry.items():
        label = f"{model._meta.app_label}_{model._meta.model_name}"
        for page in MODEL_PAGES:
            if route.name == f"admin:{label}_{page}":
                return ("model", model._meta.label_lower, page, model, model_admin)
    return None


def _admin_world():
    """One row of every registered model, so that change, delete and history pages have something to show."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    pledge = published_pledge(OWN)
    commitment = Commitment.objects.filter(focus_area__pledge=pledge).first()
    MissedPeriod.objects.create(
        commitment=commitment,
        period_start=datetime.date(2024, 4, 1),
        period_end=datetime.date(2024, 4, 30),
        reason=MissedPeriod.Reason.OTHER,
        reason_text="Snöstorm",
    )
    Reminder.objects.create(commitment=commitment, period_start=datetime.date(2024, 4, 1), user=UserFactory())
    Signatory.objects.filter(pledge=pledge).exists()
    Place.objects.create(municipality=municipality(OWN), name="Torget")
    Group.objects.create(name="Granskare")
    event = AuditEvent.objects.create(action=AuditEvent.Action.LOGIN, username="kim")
    attempt = {"user_agent": "test", "ip_address": "127.0.0.1", "username": "kim", "http_accept": "*/*"}
    AccessAttempt.objects.create(**attempt, path_info="/", get_data="", post_data="", failures_since_start=1)
    AccessLog.objects.create(**attempt, path_info="/")
    AccessFailureLog.objects.create(**attempt, path_info="/")
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=UserFactory(), name="Telefon")
    StaticDevice.objects.create(user=UserFactory(), name="Reservkoder")
    assert Dialogue.objects.exists() and Indicator.objects.exists() and Membership.objects.exists()
    return event


def _admin_url(kind, route):
    """The address to ask, or None where the pattern needs an object the model has none of."""
    if kind[0] == "site":
        name = kind[1]
        if name == "admin:app_list":
            return reverse(name, kwargs={"app_label": "pledges"})
        if name == "admin:view_on_site":
            from django.contrib.contenttypes.models import ContentType

            pledge = Pledge.objects.first()
            return reverse(name, args=[ContentType.objects.get_for_model(Pledge).pk, pledge.pk])
        if name == "admin:auth_user_password_change":
            return reverse(name, args=[UserFactory().pk])
        return reverse(name)
    if kind[0] == "catch-all":
        return "/admin/no-such-page/"
    if kind[0] == "extra":
        return reverse(kind[1], args=[kind[2].objects.order_by("pk").first().pk])
    if kind[0] == "redirect":
        app, model_name = kind[1].split(".")
        model = next(m for m in admin.site._registry if m._meta.label_lower == kind[1])
        return f"/admin/{app}/{model_name}/{model.objects.order_by('pk').first().pk}/"
    _kind, _label, page, model, _model_admin = kind
    obj = model.objects.order_by("pk").first()
    if page in ("changelist", "add"):
        return reverse(route.name)
    if page == "simple_history":
        record = obj.history.order_by("history_id").first()
        return reverse(route.name, args=[obj.pk, record.history_id])
    return reverse(route.name, args=[obj.pk])


def _admin_expected(kind, method):
    """What the superuser gets (GET, or POST where asked)."""
    if kind[0] == "site":
        return SITE_PAGES[kind[1]]
    if kind[0] == "catch-all":
        return "404"
    if kind[0] == "extra":
        return EXTRA_MODEL_PAGES[kind[1]]
    if kind[0] == "redirect":
        return "302"
    _kind, label, page, _model, _model_admin = kind
    if label in READ_ONLY_ADMINS and (page in ("add", "delete") or method == "post"):
        return "403"
    if label in NO_ADD_ADMINS and page == "add":
        return "403"
    return "200"


def test_the_admin_matrix(actors):
    """Anonymous visitors and every staff role (none of them is admin staff) are sent to the admin login from every
    admin page; the superuser gets each changelist, add, change, delete and history page, except that the audit
    trail (and django-axes' records) can be read but never added to, changed or deleted, not even by a POST."""
    event = _admin_world()
    failures = []
    for route in admin_routes():
        kind = _admin_kind(route)
        url = _admin_url(kind, route)
        methods = ["get"]
        if kind[0] == "model" and kind[1] in READ_ONLY_ADMINS and kind[2] in ("add", "change", "delete"):
            methods.append("post")
        for method in methods:
            for actor in ACTORS:
                if actor == "super":
                    expected = _admin_expected(kind, method)
                elif kind == ("site", "admin:login"):
                    expected = "200"
                elif kind == ("site", "admin:logout"):
                    expected = "302"
                else:
                    expected = "AL"
                response = getattr(actors[actor], method)(url)
                if not _matches(expected, response, admin_login=True):
                    failures.append(
                        f"{method.upper()} {url} as {actor}: expected {expected}, got {_describe(response)}"
                    )
    assert not failures, "\n".join(failures)
    event.refresh_from_db()  # the POSTs above changed and deleted nothing
    assert (event.action, event.username) == (AuditEvent.Action.LOGIN, "kim")
