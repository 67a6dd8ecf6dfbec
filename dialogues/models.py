from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Theme(models.TextChoices):
    """What a finding or a focus area is about. Shared so that findings and focus areas can be
    matched, and the public can filter pledges by it."""

    NARCOTICS = "narcotics", _("Narcotics")
    TRAFFIC = "traffic", _("Traffic")
    BURGLARY = "burglary", _("Burglary and theft")
    VIOLENCE = "violence", _("Violence in public places")
    DOMESTIC_VIOLENCE = "domestic_violence", _("Domestic violence")
    YOUTH = "youth", _("Young people")
    POLICE_PRESENCE = "police_presence", _("Police presence")
    LIGHTING = "lighting", _("Lighting and physical environment")
    PUBLIC_SAFETY = "public_safety", _("Safety in public places")
    NEIGHBOURHOOD_WATCH = "neighbourhood_watch", _("Neighbourhood watch")
    INFORMATION = "information", _("Information and dialogue")
    OTHER = "other", _("Other")


class DatePrecision(models.TextChoices):
    """How much of a date the source gives: "i oktober 2017" is month precision."""

    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


class Place(models.Model):
    """A named location in a municipality: Engelbrektsgatan, sjön Noren, stationsområdet."""

    municipality = models.ForeignKey(
        "municipalities.Municipality", on_delete=models.PROTECT, related_name="places", verbose_name=_("municipality")
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )

    class Meta:
        ordering = ["municipality", "name"]
        verbose_name = _("place")
        verbose_name_plural = _("places")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="place_name_unique_in_municipality"),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="place_coordinates_both_or_neither",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="place_latitude_in_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="place_longitude_in_range",
            ),
        ]

    def __str__(self):
        return self.name


class Dialogue(models.Model):
    """A citizen dialogue or another source of the local picture (lägesbild)."""

    class Kind(models.TextChoices):
        OPEN_MEETING = "open_meeting", _("Open meeting")
        WEB_SURVEY = "web_survey", _("Web survey")
        SAFETY_WALK = "safety_walk", _("Safety walk (trygghetsvandring)")
        SAFETY_SURVEY = "safety_survey", _("Safety survey (trygghetsundersökning)")
        EMPLOYEE_DIALOGUE = "employee_dialogue", _("Police employee dialogue (medarbetardialog)")
        KEY_GROUP_MEETING = "key_group_meeting", _("Key-group meeting")
        OTHER = "other", _("Other")

    external_id = models.SlugField(
        _("external identifier"),
        max_length=100,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Stable identifier used by pledge documents (import and export)."),
    )
    municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.PROTECT,
        related_name="dialogues",
        verbose_name=_("municipality"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("held on"), null=True, blank=True)
    date_precision = models.CharField(
        _("date precision"), max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    place = models.ForeignKey(
        Place, on_delete=models.SET_NULL, null=True, blank=True, related_name="dialogues", verbose_name=_("place")
    )
    participants_total = models.PositiveIntegerField(_("participants"), null=True, blank=True)
    participants_women = models.PositiveIntegerField(_("women"), null=True, blank=True)
    participants_men = models.PositiveIntegerField(_("men"), null=True, blank=True)
    participants_other = models.PositiveIntegerField(
        _("other or not stated"), null=True, blank=True, help_text=_("Other gender identity or not stated.")
    )
    summary = models.TextField(_("summary"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["municipality", "-held_on", "title"]
        verbose_name = _("dialogue")
        verbose_name_plural = _("dialogues")
        constraints = [
            # Gendered counts never add up to more than the total, where all are known.
            models.CheckConstraint(
                condition=Q(participants_total__isnull=True)
                | Q(participants_women__isnull=True)
                | Q(participants_men__isnull=True)
                | Q(participants_other__isnull=True)
                | Q(participants_total__gte=F("participants_women") + F("participants_men") + F("participants_other")),
                name="dialogue_gendered_participants_within_total",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def participants_by_gender_known(self):
        return any(
            count is not None for count in (self.participants_women, self.participants_men, self.participants_other)
        )


class Finding(models.Model):
    """A problem or an idea raised in a dialogue (synpunkt). Focus areas link back to the
    findings they answer, so every commitment can be traced to what citizens said."""

    class Kind(models.TextChoices):
        PROBLEM = "problem", _("Problem")
        IDEA = "idea", _("Idea")

    dialogue = models.ForeignKey(
        Dialogue, on_delete=models.CASCADE, related_name="findings", verbose_name=_("dialogue")
    )
    key = models.SlugField(_("key"), max_length=50, help_text=_("Identifies the finding within its dialogue."))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PROBLEM)
    text = models.TextField(_("text"))
    theme = models.CharField(_("theme"), max_length=30, choices=Theme.choices, default=Theme.OTHER)
    place = models.ForeignKey(
        Place, on_delete=models.SET_NULL, null=True, blank=True, related_name="findings", verbose_name=_("place")
    )
    raised_by_count = models.PositiveIntegerField(
        _("raised by"), null=True, blank=True, help_text=_("How many raised it, where known.")
    )
    rank = models.PositiveSmallIntegerField(
        _("rank"), null=True, blank=True, help_text=_("Its place when the dialogue ranked the problems (1 = first).")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["dialogue", "order"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        constraints = [
            models.UniqueConstraint(fields=["dialogue", "key"], name="finding_key_unique_in_dialogue"),
            models.UniqueConstraint(fields=["dialogue", "order"], name="finding_order_unique_in_dialogue"),
            models.CheckConstraint(condition=Q(rank__isnull=True) | Q(rank__gte=1), name="finding_rank_positive"),
        ]

    def __str__(self):
        return self.text[:80]
