"""Test data for the public pages, embed, feeds and API: published pledges and a draft beside them."""

import datetime

from dialogues.models import Dialogue, Finding
from followup.models import ActivityLog, Evaluation, Indicator, IndicatorValue
from municipalities.models import Organisation
from municipalities.tests.factories import OrganisationFactory, municipality
from pledges.models import Pledge, PledgeDialogue, PledgeParty, Signatory
from pledges.tests.factories import CommitmentFactory, FocusAreaFactory, PledgeFactory

SECRET = "HEMLIG-KONTROLLPLATS-Storgatan-kl-22"
DRAFT_TITLE = "Utkast som ingen får se"


def published_pledge(code="2417", *, title=None, n=0, status=Pledge.Status.PUBLISHED, commitments=2, theme="traffic"):
    """A public pledge with everything the pages show: parties, signatory, a dialogue with a finding, a focus
    area that answers it, commitments with internal details and logged activities, an indicator with values,
    and a finished evaluation."""
    place = municipality(code)
    police = OrganisationFactory(name="Polisen")
    kommun = OrganisationFactory(name=f"{place.name} kommun", kind=Organisation.Kind.MUNICIPALITY, municipality=place)
    pledge = PledgeFactory(
        title=title or f"Medborgarlöfte {place.name} {n}",
        status=status,
        period_start=datetime.date(2024, 1, 1),
        period_end=datetime.date(2024, 12, 31),
        contact_name="Kim Kontakt",
        contact_email="kim@example.se",
    )
    pledge.municipalities.add(place)
    PledgeParty.objects.create(pledge=pledge, organisation=police, order=0)
    PledgeParty.objects.create(pledge=pledge, organisation=kommun, order=1)
    Signatory.objects.create(pledge=pledge, name="Sara Signerare", title="kommunchef", organisation=kommun, order=0)
    dialogue = Dialogue.objects.create(
        municipality=place,
        kind=Dialogue.Kind.SAFETY_WALK,
        title=f"Trygghetsvandring {n}",
        held_on=datetime.date(2023, 10, 1),
    )
    finding = Finding.objects.create(dialogue=dialogue, key="fart", text="Bilister kör för fort på Storgatan", order=0)
    PledgeDialogue.objects.create(pledge=pledge, dialogue=dialogue)
    area = FocusAreaFactory(pledge=pledge, title="Trafik", theme=theme)
    area.findings.add(finding)
    for index in range(commitments):
        commitment = CommitmentFactory(
            focus_area=area, title=f"Trafikkontroller {index}", internal_details=SECRET, responsible=[police]
        )
        for month in (1, 2, 3):
            ActivityLog.objects.create(commitment=commitment, performed_on=datetime.date(2024, month, 10), quantity=10)
    indicator = Indicator.objects.create(
        pledge=pledge, key="trygg", name="Andel som känner sig trygga", municipality=place
    )
    IndicatorValue.objects.create(indicator=indicator, year=2023, value=60)
    IndicatorValue.objects.create(indicator=indicator, year=2024, value=70)
    Evaluation.objects.create(pledge=pledge, year=2024)
    return pledge


def draft_pledge(code="2417", status=Pledge.Status.DRAFT):
    pledge = published_pledge(code, title=DRAFT_TITLE, status=status, commitments=1, theme="narcotics")
    return pledge
