import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from pledges.models import Commitment, FocusArea, Pledge, Signatory
from pledges.tests.factories import CommitmentFactory, FocusAreaFactory, PledgeFactory

pytestmark = pytest.mark.django_db


def raises_integrity_error():
    class _Both:
        def __enter__(self):
            self.raises = pytest.raises(IntegrityError)
            self.raises.__enter__()
            self.atomic = transaction.atomic()
            self.atomic.__enter__()

        def __exit__(self, *exc):
            self.atomic.__exit__(*exc)
            return self.raises.__exit__(*exc)

    return _Both()


def test_the_period_cannot_end_before_it_starts():
    with raises_integrity_error():
        PledgeFactory(period_start=datetime.date(2025, 1, 1), period_end=datetime.date(2024, 12, 31))
    with pytest.raises(ValidationError) as excinfo:
        PledgeFactory.build(period_start=datetime.date(2025, 1, 1), period_end=datetime.date(2024, 12, 31)).clean()
    assert "period_end" in excinfo.value.message_dict


def test_the_period_may_start_before_signing_and_be_one_day_long():
    pledge = PledgeFactory(
        period_start=datetime.date(2015, 1, 1),
        period_end=datetime.date(2015, 1, 1),
        signed_on=datetime.date(2015, 11, 27),
    )
    assert pledge.signed_on > pledge.period_start


def test_focus_areas_are_unique_in_their_order_and_key():
    pledge = PledgeFactory()
    FocusAreaFactory(pledge=pledge, order=0, key="trafik")
    with raises_integrity_error():
        FocusAreaFactory(pledge=pledge, order=0, key="narkotika")
    with raises_integrity_error():
        FocusAreaFactory(pledge=pledge, order=1, key="trafik")
    FocusAreaFactory(pledge=PledgeFactory(), order=0, key="trafik")  # another pledge may


def test_commitments_are_unique_in_their_order_within_a_focus_area():
    area = FocusAreaFactory()
    CommitmentFactory(focus_area=area, order=0)
    with raises_integrity_error():
        CommitmentFactory(focus_area=area, order=0)
    CommitmentFactory(focus_area=FocusAreaFactory(pledge=area.pledge), order=0)


@pytest.mark.parametrize("quantity", [0, None])
def test_a_measurable_target_needs_a_positive_quantity(quantity):
    with raises_integrity_error():
        CommitmentFactory(quantity=quantity)


def test_a_measurable_target_needs_an_interval_and_a_unit():
    with raises_integrity_error():
        CommitmentFactory(unit="")
    with raises_integrity_error():
        CommitmentFactory(interval=0)


def test_a_target_without_a_number_carries_no_number():
    CommitmentFactory(target_kind="as_needed", comparison="", quantity=None, interval=None, unit="")
    with raises_integrity_error():
        CommitmentFactory(target_kind="continuous", comparison="", quantity=5, interval=None, unit="")


def test_a_due_month_goes_only_with_a_yearly_target():
    CommitmentFactory(quantity=1, unit="year", due_month=10)
    with raises_integrity_error():
        CommitmentFactory(quantity=1, unit="month", due_month=10)
    with raises_integrity_error():
        CommitmentFactory(quantity=1, unit="year", due_month=13)


def test_a_whole_period_target_has_the_interval_one():
    with raises_integrity_error():
        CommitmentFactory(quantity=1, unit="period", interval=2)


def test_a_commitment_may_be_valid_for_part_of_the_period_but_not_backwards():
    CommitmentFactory(valid_from=datetime.date(2025, 1, 1), valid_to=datetime.date(2025, 12, 31))
    with raises_integrity_error():
        CommitmentFactory(valid_from=datetime.date(2025, 1, 1), valid_to=datetime.date(2024, 12, 31))


def test_clean_names_the_fields_of_an_incomplete_target():
    commitment = CommitmentFactory.build(quantity=None, unit="")
    with pytest.raises(ValidationError) as excinfo:
        commitment.clean()
    assert set(excinfo.value.message_dict) == {"quantity", "unit"}


def test_signatories_are_ordered_and_any_number_per_party():
    pledge = PledgeFactory()
    from municipalities.tests.factories import OrganisationFactory

    police = OrganisationFactory()
    for order, title in enumerate(["lokalpolisområdeschef", "kommunpolis", "säkerhetssamordnare"]):
        Signatory.objects.create(pledge=pledge, name=f"Person {order}", title=title, organisation=police, order=order)
    assert [s.title for s in pledge.signatories.all()] == [
        "lokalpolisområdeschef",
        "kommunpolis",
        "säkerhetssamordnare",
    ]
    with raises_integrity_error():
        Signatory.objects.create(pledge=pledge, name="Dubbel", title="x", organisation=police, order=0)


@pytest.mark.parametrize(
    ("fields", "swedish"),
    [
        ({"quantity": 10, "interval": 1, "unit": "month"}, "minst 10 per månad"),
        ({"quantity": 1, "interval": 1, "unit": "day"}, "minst 1 per dygn"),
        ({"quantity": 2, "interval": 1, "unit": "year"}, "minst 2 per år"),
        ({"quantity": 1, "interval": 3, "unit": "week"}, "minst 1 per 3 veckor"),
        ({"quantity": 1, "interval": 1, "unit": "year", "due_month": 10}, "minst 1 per år, i oktober"),
        ({"quantity": 1, "interval": 1, "unit": "period"}, "minst 1 under perioden"),
        ({"quantity": 12, "interval": 1, "unit": "year"}, "minst 12 per år"),
        (
            {"target_kind": "as_needed", "comparison": "", "quantity": None, "interval": None, "unit": ""},
            "Vid behov",
        ),
    ],
)
def test_the_target_reads_as_plain_swedish(fields, swedish):
    commitment = Commitment(**({"target_kind": "quantity", "comparison": "at_least"} | fields))
    with translation.override("sv"):
        assert commitment.target_display() == swedish


def test_public_pledges_are_published_and_ended_only():
    for status in Pledge.Status.values:
        PledgeFactory(status=status)
    assert sorted(Pledge.objects.public().values_list("status", flat=True)) == ["ended", "published"]


def test_changes_to_pledges_and_commitments_keep_their_history():
    commitment = CommitmentFactory()
    commitment.quantity = 12
    commitment.save()
    assert [h.quantity for h in commitment.history.order_by("history_id")] == [10, 12]
    pledge = commitment.focus_area.pledge
    pledge.title = "Nytt namn"
    pledge.save()
    assert pledge.history.count() == 2
    assert FocusArea.history.filter(id=commitment.focus_area_id).count() == 1
