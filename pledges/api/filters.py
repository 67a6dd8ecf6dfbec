"""Filters of the open-data API. A value that is not one of the known ones is a 400, not an empty list."""

import django_filters
from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from dialogues.models import Dialogue, Theme
from followup.models import Indicator
from municipalities.models import County, Municipality, PoliceRegion
from pledges.models import Pledge

PUBLIC_STATUS_CHOICES = [(status.value, status.label) for status in Pledge.PUBLIC_STATUSES]


@extend_schema_field(OpenApiTypes.INT)
class YearFilter(django_filters.Filter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1990, max_value=2100, **kwargs)


class KommunkodFilter(django_filters.ModelChoiceFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, queryset=Municipality.objects.all(), to_field_name="code", **kwargs)


class MunicipalityFilter(django_filters.FilterSet):
    lan = django_filters.ChoiceFilter(field_name="county", choices=County.choices, help_text="Län (SCB code).")
    region = django_filters.ModelChoiceFilter(
        field_name="police_areas__region",
        queryset=PoliceRegion.objects.all(),
        to_field_name="slug",
        distinct=True,
        help_text="Police region (slug).",
    )
    has_pledges = django_filters.BooleanFilter(method="filter_has_pledges", help_text="Only with published pledges.")

    class Meta:
        model = Municipality
        fields = []

    def filter_has_pledges(self, queryset, name, value):
        return queryset.filter(public_pledge_count__gt=0) if value else queryset.filter(public_pledge_count=0)


class PledgeFilter(django_filters.FilterSet):
    kommunkod = KommunkodFilter(field_name="municipalities", distinct=True)
    lan = django_filters.ChoiceFilter(
        field_name="municipalities__county", choices=County.choices, distinct=True, help_text="Län (SCB code)."
    )
    status = django_filters.ChoiceFilter(choices=PUBLIC_STATUS_CHOICES)
    year = YearFilter(method="filter_year", help_text="Pledges whose period includes this year.")
    theme = django_filters.ChoiceFilter(field_name="focus_areas__theme", choices=Theme.choices, distinct=True)
    buckets = django_filters.ChoiceFilter(
        choices=[(value, value) for value in ("true", "false", "1", "0")],
        method="filter_nothing",
        help_text="true: include every period of every commitment (progress.buckets) in the list, as a single "
        "pledge always does. Without it a list gives each commitment's totals only, which keeps a page small.",
    )

    class Meta:
        model = Pledge
        fields = []

    def filter_nothing(self, queryset, name, value):
        return queryset  # read by the view (what to include), not a filter

    def filter_year(self, queryset, name, value):
        return queryset.filter(period_start__year__lte=value, period_end__year__gte=value)


class IndicatorFilter(django_filters.FilterSet):
    pledge = django_filters.NumberFilter(field_name="pledge_id", min_value=1, max_value=2**63 - 1)
    kommunkod = KommunkodFilter(field_name="pledge__municipalities", distinct=True)

    class Meta:
        model = Indicator
        fields = []


class DialogueFilter(django_filters.FilterSet):
    kommunkod = KommunkodFilter(field_name="municipality")
    pledge = django_filters.NumberFilter(method="filter_pledge", min_value=1, max_value=2**63 - 1)
    kind = django_filters.ChoiceFilter(choices=Dialogue.Kind.choices)

    class Meta:
        model = Dialogue
        fields = []

    def filter_pledge(self, queryset, name, value):
        # Only through a public pledge: a draft's id must not reveal which dialogues it is based on.
        return queryset.filter(
            pk__in=Dialogue.objects.filter(pledges__in=Pledge.objects.public().filter(pk=value)).values("pk")
        )
