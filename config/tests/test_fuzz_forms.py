"""Every form of the staff area (and the login) sent hostile input by hypothesis.

Each example starts from what the page itself would send (its forms as shown, via staff_data.form_data) and
replaces some fields with hostile values chosen by the field's type: huge strings, control characters (NUL,
which PostgreSQL text refuses), HTML and <script>, SQL-looking text, right-to-left marks, emoji, combining
marks; dates at the edges (0001-01-01, 9999-12-31, 2020-02-30); numbers at the edges (0, -1, 2**31, 2**63, NaN,
1e309); and for a choice of objects the id of another municipality's object or one that cannot exist.

Asserted for every example: never a 500 (the test client raises the view's exception); a refusal (the form shown
again) leaves the database as it was and names the field; an accepted form shows the text escaped on the staff
page (and, once the pledge is public, on the public page). The cases that found bugs are kept as examples.

Bounded: MAX_EXAMPLES per form keeps the module within about a minute on one core.
"""

import datetime
import hashlib
import os

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dialogues.models import Dialogue, Finding, Place
from followup.models import ActivityLog, Evaluation, MissedPeriod
from municipalities.models import Organisation
from municipalities.tests.factories import UserFactory
from pledges.models import AgreementDocument, Amendment, Commitment, FocusArea, Pledge, Signatory, StatusChange
from pledges.tests.staff_data import form_data, make_dialogue, make_pledge, member

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
FUZZ = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,  # the same examples on every run: a failure in CI can be run again here
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

SCRIPT = "<script>alert('fuzz')</script>"
IMAGE = '"><img src=x onerror=alert(1)>'
HOSTILE_TEXT = [
    "\x00",
    "Trafik\x00kontroller",
    SCRIPT,
    IMAGE,
    "'; DROP TABLE pledges_pledge; --",
    "1' OR '1'='1",
    "\u202eevil\u202c \u200f\u200e",
    "🚓👮‍♀️🏳️‍🌈",
    "e" + "\u0301" * 60,
    "\r\n\t\x0b\x0c\x1b[31m\x7f",
    "%s %(title)s {0} {{ pledge }} {% debug %}",
    "../../etc/passwd",
    "\ufeff\uffff",
    " ",
    "x" * 5000,
    "ä" * 70_000,
]
HOSTILE_DATES = ["0001-01-01", "9999-12-31", "2020-02-30", "2024-13-01", "24-1-1", "", "1990-01-01", "2100-12-31"]
HOSTILE_NUMBERS = ["0", "-1", str(2**31), str(2**63), "NaN", "1e309", "-Infinity", "1.5", "", "٣", "²", "0x10"]

TEXT = st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(max_size=200))
DATES = st.one_of(st.sampled_from(HOSTILE_DATES), st.dates().map(str))
NUMBERS = st.one_of(st.sampled_from(HOSTILE_NUMBERS), st.integers().map(str))


def _other_id(field):
    """The id of an object of the field's model that the user may not choose, or an impossible id."""
    outside = field.queryset.model.objects.exclude(pk__in=field.queryset.values("pk")).order_by("pk").first()
    return str(outside.pk) if outside else str(2**63)


def _strategy(field):
    if isinstance(field, forms.FileField):
        return None
    if isinstance(field, forms.DateField):
        return DATES
    if isinstance(field, (forms.IntegerField, forms.DecimalField, forms.FloatField)):
        return NUMBERS
    if isinstance(field, forms.ModelChoiceField):  # also the multiple choice
        ids = [_other_id(field), str(2**63), "-1", "x"]
        return st.one_of(st.sampled_from(ids), st.lists(st.sampled_from(ids), min_size=1, max_size=3))
    if isinstance(field, forms.BooleanField):
        return st.sampled_from(["on", "", "false", SCRIPT])
    if isinstance(field, forms.ChoiceField):
        values = [str(value) for value, _label in field.choices if value != ""]
        return st.one_of(st.sampled_from(values), TEXT) if values else TEXT
    return TEXT


def _all_forms(forms_):
    for form in forms_:
        if hasattr(form, "management_form"):
            yield form.management_form
            yield from form.forms
        else:
            yield form


def hostile_fields(*forms_):
    """A strategy for a dict replacing some of the forms' fields with hostile values."""
    optional = {}
    for form in _all_forms(forms_):
        for name, field in form.fields.items():
            strategy = _strategy(field)
            if strategy is not None:
                optional[form.add_prefix(name)] = strategy
    # One to four fields at a time: a refusal then points at the field, and many examples get through to a save.
    keys = st.lists(st.sampled_from(sorted(optional)), min_size=1, max_size=4, unique=True)
    return keys.flatmap(lambda chosen: st.fixed_dictionaries({key: optional[key] for key in chosen}))


# --- What is compared before and after ---------------------------------------------------------------------------


def database_state():
    """Row counts of everything a staff form writes, and a digest of their contents."""
    state = {}
    for model in (
        Pledge,
        FocusArea,
        Commitment,
        Signatory,
        StatusChange,
        Amendment,
        AgreementDocument,
        Dialogue,
        Finding,
        Place,
        Organisation,
        ActivityLog,
        MissedPeriod,
        Evaluation,
    ):
        rows = list(model.objects.order_by("pk").values_list())
        state[model.__name__] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    for model in (Pledge, FocusArea, Commitment, ActivityLog):
        state[f"{model.__name__} history"] = model.history.count()
    return state


def assert_escaped(response):
    html = response.content.decode()
    assert SCRIPT not in html and IMAGE not in html, f"unescaped hostile text on {response.request['PATH_INFO']}"


def _errors(response, names):
    errors = []
    for name in names:
        form = response.context[name]
        if hasattr(form, "management_form"):
            errors += [(form.management_form, e) for e in form.management_form.errors]
            errors += [(f, e) for f in form.forms for e in f.errors]
            errors += [(form, "__all__") for _e in form.non_form_errors()]
        else:
            errors += [(form, e) for e in form.errors]
    return errors


def send(client, url, forms_in_context, overrides, *, check_pages=(), files=None, page=None):
    """POST the page's own data with the overrides (a dict, or a function of the page's forms that draws one);
    assert the outcome is a clean refusal or a save whose text is shown escaped."""
    page = page or client.get(url)
    assert page.status_code == 200
    shown = [page.context[name] for name in forms_in_context]
    if callable(overrides):
        overrides = overrides(*shown)
    data = form_data(*shown)
    data["csrfmiddlewaretoken"] = "x"  # as a browser sends (the test client does not check it): never an empty POST
    data.update(overrides)
    if files:
        data.update(files)
    before = database_state()
    response = client.post(url, data)
    assert response.status_code in (200, 302), f"{response.status_code} for {overrides!r}"
    if response.status_code == 200 and response.context and forms_in_context[0] in response.context:
        errors = _errors(response, forms_in_context)
        messages = [str(m) for m in response.context.get("messages", [])]
        conflict = response.context.get("conflict")
        assert errors or conflict or messages, f"form shown again without a message: {overrides!r}"
        for form, name in errors:
            assert name == "__all__" or name in form.fields, f"error on an unknown field {name}"
        assert database_state() == before, f"a refused form changed the database: {overrides!r}"
        assert_escaped(response)
    elif response.status_code == 302:
        for page_url in check_pages:
            shown_page = client.get(page_url)
            assert shown_page.status_code == 200
            assert_escaped(shown_page)
    return response


def draw_hostile(data, **fixed):
    """overrides for send(): hostile values for some of the forms' fields, then ``fixed`` where not drawn."""

    def draw(*forms_):
        overrides = data.draw(hostile_fields(*forms_))
        for key, value in fixed.items():
            overrides.setdefault(key, value(forms_) if callable(value) else value)
        return overrides

    return draw


@pytest.fixture
def chief(client):
    user = member("kommunchef", "2417")
    member("kommunchef", "1435")  # objects of another municipality exist to be guessed at
    make_pledge(code="1435")
    make_dialogue("1435")
    client.force_login(user)
    return user


# --- The pledge editor ---------------------------------------------------------------------------------------------


@FUZZ
@given(data=st.data())
def test_pledge_create(client, chief, data):
    overrides = draw_hostile(
        data,
        municipalities=lambda forms_: [str(forms_[0].fields["municipalities"].queryset.first().pk)],
        title=SCRIPT,
        period_start="2025-01-01",
        period_end="2026-12-31",
    )
    response = send(client, reverse("staff:pledge_create"), ["form", "formset"], overrides)
    if response.status_code == 302:
        assert_escaped(client.get(response["Location"]))


@FUZZ
@given(data=st.data())
def test_pledge_edit(client, chief, data):
    pledge = make_pledge(status=Pledge.Status.DRAFT, areas=2)
    url = reverse("staff:pledge_edit", args=[pledge.pk])
    overrides = draw_hostile(data)
    detail = reverse("staff:pledge_detail", args=[pledge.pk])
    send(
        client, url, ["form", "formset"], overrides, check_pages=[detail, reverse("followup:pledge", args=[pledge.pk])]
    )


def _commitments(client, overrides):
    pledge = make_pledge(status=Pledge.Status.DRAFT, commitments=2)
    area = pledge.focus_areas.first()
    url = reverse("staff:focus_area_edit", args=[pledge.pk, area.pk])
    checks = [reverse("staff:pledge_detail", args=[pledge.pk]), reverse("followup:pledge", args=[pledge.pk])]
    return send(client, url, ["page_form", "formset"], overrides, check_pages=checks)


@FUZZ
@given(data=st.data())
def test_commitments(client, chief, data):
    _commitments(client, draw_hostile(data))


@settings(FUZZ, max_examples=5)  # a successful signature renders and signs the agreement PDF
@given(data=st.data())
def test_signing(client, chief, data):
    pledge = make_pledge(status=Pledge.Status.REVIEW)
    url = reverse("staff:pledge_sign", args=[pledge.pk])
    overrides = draw_hostile(
        data,
        signed_on="2025-01-01",
        signed_place=SCRIPT,
        **{
            "signatories-0-name": SCRIPT,
            "signatories-0-title": "kommunchef",
            "signatories-0-organisation": lambda forms_: str(forms_[1].forms[0].fields["organisation"].queryset[0].pk),
        },
    )
    send(client, url, ["form", "formset"], overrides, check_pages=[reverse("staff:pledge_detail", args=[pledge.pk])])


@FUZZ
@given(comment=TEXT, transition=st.sampled_from(["review", "withdraw", "publish", "return"]))
def test_workflow_comment(client, chief, comment, transition):
    pledge = make_pledge(status=Pledge.Status.DRAFT)
    url = reverse("staff:pledge_transition", args=[pledge.pk, transition])
    send(client, url, ["form"], {"comment": comment}, check_pages=[reverse("staff:pledge_history", args=[pledge.pk])])


@FUZZ
@given(
    content=st.one_of(
        st.binary(max_size=2000),
        st.binary(max_size=2000).map(lambda b: b"%PDF-1.7\n" + b),
        st.sampled_from([b"", b"%PDF-", b"%PDF-1.7\n%%EOF", b"%PDF-1.7\n1 0 obj\n<< /Encrypt 2 0 R >>\nendobj\n%%EOF"]),
    ),
    name=TEXT,
)
def test_scanned_copy_upload(client, chief, content, name):
    pledge = make_pledge(status=Pledge.Status.PUBLISHED)
    url = reverse("staff:pledge_agreement", args=[pledge.pk])
    safe_name = "".join(c for c in name if c not in "\x00/\\")[:100] or "x"
    upload = SimpleUploadedFile(safe_name + ".pdf", content, content_type="application/pdf")
    send(client, url, ["form"], {}, files={"file": upload})


# --- Dialogues -----------------------------------------------------------------------------------------------------


@FUZZ
@given(data=st.data())
def test_dialogue_create(client, chief, data):
    overrides = draw_hostile(
        data,
        municipality=lambda forms_: str(forms_[0].fields["municipality"].queryset.first().pk),
        title=SCRIPT,
        held_on="2024-10-01",
        kind=Dialogue.Kind.SAFETY_WALK,
    )
    response = send(client, reverse("staff:dialogue_create"), ["form", "formset"], overrides)
    if response.status_code == 302:
        assert_escaped(client.get(response["Location"]))


@FUZZ
@given(data=st.data())
def test_dialogue_edit(client, chief, data):
    dialogue = make_dialogue("2417", findings=2)
    url = reverse("staff:dialogue_edit", args=[dialogue.pk])
    overrides = draw_hostile(data)
    send(
        client, url, ["form", "formset"], overrides, check_pages=[reverse("staff:dialogue_detail", args=[dialogue.pk])]
    )


# --- Follow-up -----------------------------------------------------------------------------------------------------


@FUZZ
@given(data=st.data())
def test_activity_create(client, chief, data):
    pledge = make_pledge(status=Pledge.Status.PUBLISHED)
    url = reverse("followup:activity_create", args=[pledge.pk])
    overrides = draw_hostile(data, note=SCRIPT)
    send(client, url, ["form"], overrides, check_pages=[reverse("followup:pledge", args=[pledge.pk])])


@FUZZ
@given(data=st.data())
def test_activity_edit(client, chief, data):
    pledge = make_pledge(status=Pledge.Status.PUBLISHED)
    commitment = Commitment.objects.get(focus_area__pledge=pledge)
    log = ActivityLog.objects.create(commitment=commitment, performed_on=datetime.date(2025, 2, 3), logged_by=chief)
    url = reverse("followup:activity_edit", args=[log.pk])
    overrides = draw_hostile(data)
    send(client, url, ["form"], overrides, check_pages=[reverse("followup:pledge", args=[pledge.pk])])


@FUZZ
@given(data=st.data())
def test_missed_period_reason(client, chief, data):
    pledge = make_pledge(status=Pledge.Status.PUBLISHED)
    commitment = Commitment.objects.get(focus_area__pledge=pledge)
    url = reverse("followup:missed_period", args=[commitment.pk, "2025-01-01"])
    overrides = draw_hostile(data)
    send(client, url, ["form"], overrides, check_pages=[reverse("followup:pledge", args=[pledge.pk])])


@FUZZ
@given(data=st.data())
def test_evaluation_text(client, chief, data):
    pledge = make_pledge(status=Pledge.Status.PUBLISHED)
    url = reverse("followup:evaluation", args=[pledge.pk, 2025])
    overrides = draw_hostile(data)
    send(client, url, ["form"], overrides)
    assert_escaped(client.get(url))


# The CSV upload: rows of hostile cells, in the file's encodings and separators.
CELLS = st.one_of(TEXT, DATES, NUMBERS, st.sampled_from(["c-0", "1", "²", "NaN", "sNaN", "Infinity", "1,5", "-0"]))


@st.composite
def csv_files(draw):
    separator = draw(st.sampled_from([",", ";", "\t"]))
    header = draw(
        st.sampled_from([["commitment", "date", "quantity", "hours", "note"], ["commitment", "date", "quantity"]])
    )
    rows = [header]
    for _row in range(draw(st.integers(0, 4))):
        rows.append(
            [draw(st.sampled_from(["c-0", "x", ""])), draw(DATES), draw(NUMBERS), draw(CELLS), draw(TEXT)][
                : len(header)
            ]
        )
    text = "\n".join(separator.join(row) for row in rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    return text.encode(encoding, errors="replace")


@FUZZ
@given(content=st.one_of(csv_files(), st.binary(max_size=500)))
@example(content="commitment,date,quantity\nc-0,2025-02-01,²\n".encode())
@example(content=b"commitment,date,quantity,hours\nc-0,2025-02-01,1,NaN\n")
@example(content=b"commitment,date,quantity,hours\nc-0,2025-02-01,1,sNaN\n")
@example(content=b"commitment,date,quantity,hours\nc-0,2025-02-01,1,Infinity\n")
@example(content=f"commitment,date,quantity\nc-0,2025-02-01,{2**63}\n".encode())
@example(content=("commitment,date,quantity\nc-0,2025-02-01," + "9" * 5000 + "\n").encode())
@example(content=b"commitment,date,quantity,note\nc-0,2025-02-01,1,a\x00b\n")
@example(content=("commitment,date,quantity,note\nc-0,2025-02-01,1," + "x" * 200_000 + "\n").encode())
@example(content=b'commitment,date,quantity\n"c-0\n')
def test_activities_csv(client, chief, content):
    pledge = make_pledge(status=Pledge.Status.PUBLISHED)
    url = reverse("followup:activities_upload", args=[pledge.pk])
    before = database_state()
    response = client.post(url, {"file": SimpleUploadedFile("aktiviteter.csv", content, content_type="text/csv")})
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert response.context["csv_errors"] or response.context["form"].errors
        assert database_state() == before
        assert_escaped(response)
    else:
        assert_escaped(client.get(reverse("followup:pledge", args=[pledge.pk])))


# --- Logging in --------------------------------------------------------------------------------------------------


@FUZZ
@given(username=TEXT, password=TEXT)
@example(username="x" * 5000, password="fel")  # was a 500: django-axes could not store the name it was given
def test_login(client, username, password):
    UserFactory(username="kim")
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code in (200, 302, 403)  # 403: the lockout page after repeated failures
    assert_escaped(response)
    if len(username) > 150:
        assert "username" in response.context["form"].errors


# --- Hostile text shown on the public pages once published ---------------------------------------------------------


def test_hostile_text_from_the_staff_forms_is_escaped_on_the_public_pages(client, chief):
    """Text entered through the editor, the commitments page and the activity log of a pledge that is then
    published: the public page, the embed, the feed and the API show it as text."""
    pledge = make_pledge(status=Pledge.Status.DRAFT)
    url = reverse("staff:pledge_edit", args=[pledge.pk])
    send(client, url, ["form", "formset"], {"title": SCRIPT, "summary": IMAGE, "areas-0-title": SCRIPT})
    area = pledge.focus_areas.first()
    url = reverse("staff:focus_area_edit", args=[pledge.pk, area.pk])
    send(client, url, ["page_form", "formset"], {"commitments-0-title": SCRIPT, "commitments-0-wording": IMAGE})
    Pledge.objects.filter(pk=pledge.pk).update(status=Pledge.Status.PUBLISHED)
    url = reverse("followup:activity_create", args=[pledge.pk])
    send(client, url, ["form"], {"note": SCRIPT, "performed_on": "2025-02-03"})
    pledge.refresh_from_db()
    assert pledge.title == SCRIPT
    client.logout()
    for address in (
        reverse("public-pledge", args=[pledge.pk]),
        reverse("public-municipality", args=["2417"]),
        reverse("public-municipality-embed", args=["2417"]),
        reverse("public-municipality-feed", args=["2417"]),
        reverse("country-feed"),
        reverse("home"),
        reverse("api-pledge-detail", args=[pledge.pk]),
        reverse("api-pledge-list") + "?format=csv",
    ):
        response = client.get(address)
        assert response.status_code == 200, address
        assert SCRIPT.encode() not in response.content or address.startswith("/api/"), address


# --- The cases that found bugs, kept as plain examples -------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [("period_end", "9999-12-31"), ("period_start", "0001-01-01"), ("period_end", "2101-01-01")],
)
def test_a_pledge_period_outside_1990_2100_is_refused(client, chief, field, value):
    """Was a 500 on every follow-up and public page of the pledge: its periods ran past the calendar's year 9999
    (or cut 24,000 months from year 1)."""
    pledge = make_pledge(status=Pledge.Status.DRAFT)
    response = send(client, reverse("staff:pledge_edit", args=[pledge.pk]), ["form", "formset"], {field: value})
    assert response.status_code == 200
    assert "1990" in str(response.context["form"].errors[field])


@pytest.mark.parametrize(
    "overrides",
    [
        {"commitments-0-valid_to": "9999-12-31"},
        {"commitments-0-valid_from": "0001-01-01", "commitments-0-unit": "day"},
        {"commitments-0-valid_from": "2024-12-31"},  # a day before the pledge's period
    ],
)
def test_a_commitment_valid_outside_the_pledge_period_is_refused(client, chief, overrides):
    """Was a 500 on the follow-up page (and the public page once published)."""
    response = _commitments(client, overrides)
    assert response.status_code == 200
    field = next(iter(overrides)).removeprefix("commitments-0-")
    assert "2025-01-01 – 2026-12-31" in str(response.context["formset"].forms[0].errors[field])


@pytest.mark.parametrize("prefix", ["areas", "commitments", "signatories", "findings"])
def test_a_formset_count_sent_by_the_client_is_bounded(client, chief, prefix):
    """A TOTAL_FORMS of 2**31 made 1,000–2,000 forms to build and render: seconds of work for one request."""
    pledge = make_pledge(status=Pledge.Status.REVIEW)
    url, names = {
        "areas": (reverse("staff:pledge_edit", args=[pledge.pk]), ["form", "formset"]),
        "commitments": (
            reverse("staff:focus_area_edit", args=[pledge.pk, pledge.focus_areas.first().pk]),
            ["page_form", "formset"],
        ),
        "signatories": (reverse("staff:pledge_sign", args=[pledge.pk]), ["form", "formset"]),
        "findings": (reverse("staff:dialogue_edit", args=[make_dialogue("2417").pk]), ["form", "formset"]),
    }[prefix]
    response = send(client, url, names, {f"{prefix}-TOTAL_FORMS": str(2**31)})
    assert response.status_code == 200
    formset = response.context["formset"]
    assert len(formset.forms) <= 300 and formset.non_form_errors()


def test_the_next_period_after_2100_is_refused_with_a_message(client, chief):
    """Was a 500 (a date past 9999-12-31) or a pledge whose evaluation years the database refuses."""
    pledge = make_pledge(status=Pledge.Status.PUBLISHED)
    Pledge.objects.filter(pk=pledge.pk).update(period_start="2099-01-01", period_end="2100-12-31")
    before = database_state()
    response = client.post(reverse("staff:pledge_next_period", args=[pledge.pk]), follow=True)
    assert response.status_code == 200
    assert "2101-01-01" in response.content.decode()
    assert database_state() == before


@pytest.mark.parametrize("held_on", ["0001-01-01", "9999-12-31"])
def test_a_dialogue_date_outside_1990_2100_is_refused(client, chief, held_on):
    """Stored before, and then a pledge document that names the dialogue could not be imported again."""
    dialogue = make_dialogue("2417")
    response = send(
        client, reverse("staff:dialogue_edit", args=[dialogue.pk]), ["form", "formset"], {"held_on": held_on}
    )
    assert "held_on" in response.context["form"].errors
