import datetime

import factory

from municipalities.tests.factories import OrganisationFactory
from pledges.models import Commitment, FocusArea, Pledge


class PledgeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pledge

    external_id = factory.Sequence(lambda n: f"pledge-{n}")
    title = factory.Sequence(lambda n: f"Medborgarlöfte {n}")
    period_start = datetime.date(2025, 1, 1)
    period_end = datetime.date(2026, 12, 31)
    status = Pledge.Status.PUBLISHED


class FocusAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FocusArea

    pledge = factory.SubFactory(PledgeFactory)
    key = factory.Sequence(lambda n: f"area-{n}")
    order = factory.Sequence(lambda n: n)
    title = "Trafik"


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment
        skip_postgeneration_save = True

    focus_area = factory.SubFactory(FocusAreaFactory)
    key = factory.Sequence(lambda n: f"commitment-{n}")
    order = factory.Sequence(lambda n: n)
    title = "Trafikkontroller"
    wording = "Minst 10 kontroller per månad"
    target_kind = Commitment.TargetKind.QUANTITY
    comparison = Commitment.Comparison.AT_LEAST
    quantity = 10
    interval = 1
    unit = Commitment.Unit.MONTH

    @factory.post_generation
    def responsible(self, create, extracted, **kwargs):
        if create:
            self.responsible.set(extracted or [OrganisationFactory()])
