"""The open-data API's representation. Only what the public may see: never ``internal_details``."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dialogues.models import Dialogue, Finding
from followup.models import Indicator, IndicatorValue
from followup.progress import Status
from municipalities.models import Municipality
from pledges.models import Commitment, FocusArea, Pledge, Signatory


class MunicipalitySerializer(serializers.ModelSerializer):
    kommunkod = serializers.CharField(source="code")
    county_name = serializers.CharField(source="get_county_display")
    police_areas = serializers.SerializerMethodField()
    published_pledges = serializers.IntegerField(source="public_pledge_count")
    url = serializers.SerializerMethodField()

    class Meta:
        model = Municipality
        fields = ["kommunkod", "name", "county", "county_name", "police_areas", "published_pledges", "url"]

    @extend_schema_field(
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "region": {"type": "string"}},
                "required": ["name", "region"],
            },
        }
    )
    def get_police_areas(self, municipality):
        return [{"name": area.name, "region": area.region.name} for area in municipality.police_areas.all()]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, municipality):
        return _absolute(self, reverse("public-municipality", args=[municipality.code]))


def _absolute(serializer, path):
    request = serializer.context.get("request")
    return request.build_absolute_uri(path) if request else path


class BucketSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField(help_text="Last day of the period, inclusive.")
    target = serializers.IntegerField(allow_null=True)
    quantity = serializers.IntegerField()
    entries = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Status.choices)
    missed_reason = serializers.CharField(allow_blank=True)
    corrective_action = serializers.CharField(allow_blank=True)


class CommitmentProgressSerializer(serializers.Serializer):
    measurable = serializers.BooleanField()
    compliance = serializers.FloatField(allow_null=True, help_text="Met / closed periods, 0–1; null if none.")
    met = serializers.IntegerField()
    elapsed = serializers.IntegerField(help_text="Closed periods.")
    total_quantity = serializers.IntegerField()
    entries = serializers.IntegerField()
    last_activity = serializers.DateField(allow_null=True)
    buckets = BucketSerializer(
        many=True,
        required=False,
        help_text="Every period so far. In a single pledge always; in a list only with ?buckets=true.",
    )

    def get_fields(self):
        fields = super().get_fields()
        if not self.context.get("buckets", True):
            del fields["buckets"]
        return fields


class TargetSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(source="target_kind", choices=Commitment.TargetKind.choices)
    comparison = serializers.CharField(allow_blank=True)
    quantity = serializers.IntegerField(allow_null=True)
    interval = serializers.IntegerField(allow_null=True)
    unit = serializers.CharField(allow_blank=True)
    due_month = serializers.IntegerField(allow_null=True)
    measure = serializers.CharField(allow_blank=True)
    text = serializers.CharField(source="target_display", help_text="The target in plain words.")


class CommitmentSerializer(serializers.ModelSerializer):
    responsible = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    target = TargetSerializer(source="*")
    progress = CommitmentProgressSerializer(allow_null=True)

    class Meta:
        model = Commitment
        # Never internal_details: it is for staff only.
        fields = [
            "key",
            "title",
            "description",
            "wording",
            "responsible",
            "responsible_wording",
            "target",
            "valid_from",
            "valid_to",
            "progress",
        ]


class FocusAreaSerializer(serializers.ModelSerializer):
    compliance = serializers.FloatField(source="progress.compliance", allow_null=True, default=None)
    findings = serializers.PrimaryKeyRelatedField(many=True, read_only=True, help_text="Ids of dialogue findings.")
    commitments = CommitmentSerializer(many=True)

    class Meta:
        model = FocusArea
        fields = ["key", "order", "title", "description", "theme", "kind", "compliance", "findings", "commitments"]


class SignatorySerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.name")

    class Meta:
        model = Signatory
        fields = ["name", "title", "organisation", "signed_on", "signed_place"]


class MunicipalityRefSerializer(serializers.ModelSerializer):
    kommunkod = serializers.CharField(source="code")

    class Meta:
        model = Municipality
        fields = ["kommunkod", "name"]


class PledgeSerializer(serializers.ModelSerializer):
    municipalities = MunicipalityRefSerializer(many=True)
    police_areas = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    parties = serializers.SerializerMethodField()
    signatories = SignatorySerializer(many=True)
    effects_sought = serializers.ListField(source="effects_sought_list", child=serializers.CharField())
    compliance = serializers.FloatField(source="progress.compliance", allow_null=True, default=None)
    focus_areas = FocusAreaSerializer(many=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Pledge
        fields = [
            "id",
            "title",
            "summary",
            "status",
            "municipalities",
            "area_description",
            "police_areas",
            "parties",
            "period_start",
            "period_end",
            "signed_on",
            "signed_place",
            "published_on",
            "signatories",
            "background",
            "effects_sought",
            "followup_cadence",
            "contact_name",
            "contact_title",
            "contact_email",
            "contact_phone",
            "compliance",
            "focus_areas",
            "updated_at",
            "url",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_parties(self, pledge):
        return [party.organisation.name for party in pledge.pledge_parties.all()]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, pledge):
        return _absolute(self, reverse("public-pledge", args=[pledge.pk]))


class IndicatorValueSerializer(serializers.ModelSerializer):
    value = serializers.FloatField()

    class Meta:
        model = IndicatorValue
        fields = ["year", "value", "note"]


class IndicatorSerializer(serializers.ModelSerializer):
    pledge = serializers.IntegerField(source="pledge_id")
    kommunkod = serializers.CharField(source="municipality.code", allow_null=True, default=None)
    police_area = serializers.CharField(source="police_area.name", allow_null=True, default=None)
    baseline_value = serializers.FloatField(allow_null=True)
    target_value = serializers.FloatField(allow_null=True)
    values = IndicatorValueSerializer(many=True)

    class Meta:
        model = Indicator
        fields = [
            "id",
            "pledge",
            "key",
            "name",
            "description",
            "unit",
            "direction",
            "kommunkod",
            "police_area",
            "baseline_year",
            "baseline_value",
            "target_year",
            "target_value",
            "source",
            "source_note",
            "values",
        ]


class FindingSerializer(serializers.ModelSerializer):
    place = serializers.CharField(source="place.name", allow_null=True, default=None)

    class Meta:
        model = Finding
        fields = ["id", "key", "kind", "text", "theme", "place", "raised_by_count", "rank"]


class DialogueSerializer(serializers.ModelSerializer):
    kommunkod = serializers.CharField(source="municipality.code")
    place = serializers.CharField(source="place.name", allow_null=True, default=None)
    pledges = serializers.SerializerMethodField()
    findings = FindingSerializer(many=True)

    class Meta:
        model = Dialogue
        fields = [
            "id",
            "kommunkod",
            "kind",
            "title",
            "held_on",
            "date_precision",
            "place",
            "participants_total",
            "participants_women",
            "participants_men",
            "participants_other",
            "summary",
            "pledges",
            "findings",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_pledges(self, dialogue):
        return [pledge.pk for pledge in dialogue.public_pledges]
