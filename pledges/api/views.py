"""The read-only open-data API: published and ended pledges only, a fixed number of queries per list."""

import hashlib

from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import render
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.exceptions import NotFound
from rest_framework.renderers import BrowsableAPIRenderer
from rest_framework.response import Response

from dialogues.models import Dialogue, Finding
from followup.models import Indicator, IndicatorValue
from municipalities.models import Municipality, PoliceArea
from pledges.models import Pledge
from pledges.public_cache import public_cached
from pledges.public_selectors import MAX_ID, attach_progress, public_pledge_details

from . import filters, renderers, representation, serializers

BAD_REQUEST = OpenApiResponse(description="An unknown filter value, page or page size (JSON error).")
NOT_FOUND = OpenApiResponse(description="No such published item.")
LIST_RESPONSES = {400: BAD_REQUEST}
DETAIL_RESPONSES = {404: NOT_FOUND}


class PublicViewSet(viewsets.ReadOnlyModelViewSet):
    """Every list is also CSV (?format=csv), then unpaginated; ids must be positive whole numbers.

    An answer is the same for everyone, so JSON and CSV answers are cached whole, rendered, per data
    version (pledges/public_cache.py: every change of public data makes new ones), address, format and host
    (the links in them are absolute). The browsable HTML view is not: it carries a CSRF token."""

    cached_formats = ("json", "csv")
    # The settings' renderers, with DRF's JSON made faster (renderers.JSONRenderer: the same bytes).
    renderer_classes = [renderers.JSONRenderer, BrowsableAPIRenderer, renderers.CSVRenderer]

    def list(self, request, *args, **kwargs):
        return self.cached(request, self.uncached_list, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        return self.cached(request, super().retrieve, *args, **kwargs)

    def uncached_list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def cached(self, request, respond, *args, **kwargs):
        if request.accepted_renderer.format not in self.cached_formats:
            return respond(request, *args, **kwargs)
        address = [request.scheme, request.get_host(), request.get_full_path(), request.accepted_media_type]
        key = "api:" + hashlib.sha256("\n".join(address).encode()).hexdigest()

        def render():
            return self.rendered(request, respond, *args, **kwargs)

        answer = public_cached(key, render)
        return HttpResponse(answer["body"], status=answer["status"], content_type=answer["type"])

    def rendered(self, request, respond, *args, **kwargs):
        response = respond(request, *args, **kwargs)
        # What finalize_response() would do, so that the bytes are rendered once, here.
        response.accepted_renderer = request.accepted_renderer
        response.accepted_media_type = request.accepted_media_type
        response.renderer_context = self.get_renderer_context()
        response.render()
        # Rendering puts the response into its own renderer context: a reference cycle that would keep the
        # data (a page of pledges is some 30,000 dicts and lists) until the cyclic garbage collector runs.
        del response.renderer_context["response"]
        return {"status": response.status_code, "body": response.content, "type": response["Content-Type"]}

    def paginate_queryset(self, queryset):
        if getattr(self.request.accepted_renderer, "format", None) == "csv":
            return None
        return super().paginate_queryset(queryset)

    def get_object(self):
        value = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, "")
        if self.lookup_field == "pk" and (not value.isdigit() or not 0 < int(value) <= MAX_ID):
            raise NotFound
        return super().get_object()


@extend_schema_view(
    list=extend_schema(responses={200: serializers.MunicipalitySerializer(many=True), **LIST_RESPONSES}),
    retrieve=extend_schema(responses={200: serializers.MunicipalitySerializer, **DETAIL_RESPONSES}),
)
class MunicipalityViewSet(PublicViewSet):
    """All 290 municipalities with their number of published pledges (4 queries per page)."""

    serializer_class = serializers.MunicipalitySerializer
    filterset_class = filters.MunicipalityFilter
    lookup_field = "code"
    lookup_value_regex = "[0-9]{4}"

    def get_queryset(self):
        return (
            Municipality.objects.annotate(
                public_pledge_count=Count(
                    "pledges", filter=Q(pledges__status__in=Pledge.PUBLIC_STATUSES), distinct=True
                )
            )
            .prefetch_related(Prefetch("police_areas", queryset=PoliceArea.objects.select_related("region")))
            .order_by("code")
        )


@extend_schema_view(
    list=extend_schema(responses={200: serializers.PledgeSerializer(many=True), **LIST_RESPONSES}),
    retrieve=extend_schema(responses={200: serializers.PledgeSerializer, **DETAIL_RESPONSES}),
)
class PledgeViewSet(PublicViewSet):
    """Published and ended pledges with focus areas, commitments and their progress per period."""

    serializer_class = serializers.PledgeSerializer
    filterset_class = filters.PledgeFilter

    def get_queryset(self):
        if self.action == "list":
            return representation.public_pledge_rows().order_by("-period_start", "pk")
        return public_pledge_details().order_by("-period_start", "pk")

    def uncached_list(self, request, *args, **kwargs):
        # PledgeSerializer's JSON, built without it (see representation): a page of 50 is 30,000 fields.
        pledges = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(pledges)
        data = representation.pledge_list(
            page if page is not None else pledges, request=request, buckets=self.wants_buckets
        )
        return self.get_paginated_response(data) if page is not None else Response(data)

    @property
    def wants_buckets(self):
        # A list leaves out the periods unless asked (PledgeFilter.buckets has validated the value).
        return self.action != "list" or self.request.query_params.get("buckets") in ("true", "1")

    def get_serializer(self, instance=None, *args, **kwargs):
        # Progress for every pledge given at once (today's snapshots: 1 query when fresh).
        if instance is not None:
            attach_progress(instance if kwargs.get("many") else [instance])
        return super().get_serializer(instance, *args, **kwargs)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "buckets": self.wants_buckets}


def _public_pledges():
    return Pledge.objects.public()


@extend_schema_view(
    list=extend_schema(responses={200: serializers.IndicatorSerializer(many=True), **LIST_RESPONSES}),
    retrieve=extend_schema(responses={200: serializers.IndicatorSerializer, **DETAIL_RESPONSES}),
)
class IndicatorViewSet(PublicViewSet):
    """Effect indicators of published pledges, with their yearly values."""

    serializer_class = serializers.IndicatorSerializer
    filterset_class = filters.IndicatorFilter

    def get_queryset(self):
        return (
            Indicator.objects.filter(pledge__in=_public_pledges())
            .select_related("municipality", "police_area")
            .prefetch_related(Prefetch("values", queryset=IndicatorValue.objects.order_by("year")))
            .order_by("pledge_id", "order", "pk")
        )


@extend_schema_view(
    list=extend_schema(responses={200: serializers.DialogueSerializer(many=True), **LIST_RESPONSES}),
    retrieve=extend_schema(responses={200: serializers.DialogueSerializer, **DETAIL_RESPONSES}),
)
class DialogueViewSet(PublicViewSet):
    """Citizen dialogues behind published pledges, with what they found."""

    serializer_class = serializers.DialogueSerializer
    filterset_class = filters.DialogueFilter

    def get_queryset(self):
        return (
            Dialogue.objects.filter(pk__in=Dialogue.objects.filter(pledges__in=_public_pledges()).values("pk"))
            .select_related("municipality", "place")
            .prefetch_related(
                Prefetch("findings", queryset=Finding.objects.select_related("place").order_by("order", "pk")),
                Prefetch("pledges", queryset=_public_pledges().only("pk"), to_attr="public_pledges"),
            )
            .order_by("municipality__code", "held_on", "pk")
        )


def api_docs(request):
    """The browsable documentation of the API: Swagger UI served from our own static files."""
    return render(request, "public/api_docs.html")
