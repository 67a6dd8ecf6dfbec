"""Test data and helpers for the staff-area tests."""

import datetime

from dialogues.models import Dialogue, Finding
from municipalities.models import Membership, PoliceArea
from municipalities.tests.factories import OrganisationFactory, UserFactory, municipality
from pledges.models import Pledge
from pledges.tests.factories import CommitmentFactory, FocusAreaFactory, PledgeFactory

ROLES = ["kommunpolis", "samordnare", "kommunchef", "lokalpolisomradeschef", "lasare"]


def member(role, code="2417", username=None):
    """A user with one role: in the municipality, or for the police-area chief in the police area covering it."""
    user = UserFactory(**({"username": username} if username else {}))
    if role == "lokalpolisomradeschef":
        area = PoliceArea.objects.filter(municipalities__code=code).first()
        Membership.objects.create(user=user, role=role, police_area=area)
    else:
        Membership.objects.create(user=user, role=role, municipality=municipality(code))
    return user


def make_pledge(status=Pledge.Status.DRAFT, code="2417", areas=1, commitments=1, **fields):
    pledge = PledgeFactory(status=status, **fields)
    pledge.municipalities.add(municipality(code))
    police = OrganisationFactory(name="Polisen")
    for a in range(areas):
        area = FocusAreaFactory(pledge=pledge, order=a + 1, key=f"area-{a}", title=f"Fokusområde {a + 1}")
        for c in range(commitments):
            CommitmentFactory(
                focus_area=area, order=c + 1, key=f"c-{c}", title=f"Åtagande {a + 1}.{c + 1}", responsible=[police]
            )
    return pledge


def make_dialogue(code="2417", findings=1):
    dialogue = Dialogue.objects.create(
        municipality=municipality(code),
        kind=Dialogue.Kind.OPEN_MEETING,
        title=f"Dialogmöte {code}",
        held_on=datetime.date(2024, 10, 1),
    )
    for n in range(findings):
        Finding.objects.create(dialogue=dialogue, key=f"f-{n}", order=n + 1, text=f"Bilister kör för fort {n}")
    return dialogue


def _value(value):
    if hasattr(value, "pk"):
        return str(value.pk)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def form_data(*forms) -> dict:
    """The POST data a browser would send for unchanged forms and formsets (from the page's context)."""
    data = {}
    for form in forms:
        if hasattr(form, "management_form"):
            data.update(form_data(form.management_form, *form.forms))
            continue
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if value is None or value is False:
                continue
            if value is True:
                data[key] = "on"
            elif isinstance(value, (list, tuple)) or (hasattr(value, "__iter__") and not isinstance(value, str)):
                data[key] = [_value(v) for v in value]
            else:
                data[key] = _value(value)
    return data
