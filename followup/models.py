from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

models.CharField.register_lookup(Length)


class ActivityLog(models.Model):
    """What was done for a commitment on a day, and how many times.

    A quantity of 0 is a report that nothing was done, which differs from no report at all.
    """

    commitment = models.ForeignKey(
        "pledges.Commitment",
        on_delete=models.PROTECT,  # logged work is never dropped silently with its commitment
        related_name="activity_logs",
        verbose_name=_("commitment"),
    )
    performed_on = models.DateField(_("date"))
    quantity = models.PositiveIntegerField(_("number of times"), default=1)
    hours_spent = models.DecimalField(
        _("hours spent"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Optional: the time it took, for the process follow-up."),
    )
    note = models.TextField(_("note"), blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activity_logs",
        verbose_name=_("logged by"),
    )
    imported = models.BooleanField(
        _("imported"), default=False, help_text=_("Came from a pledge document; re-importing replaces it.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-performed_on", "-id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.CheckConstraint(
                condition=Q(hours_spent__isnull=True) | Q(hours_spent__gte=0), name="activity_hours_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["commitment", "performed_on"], name="activity_commitment_date_idx")]

    def __str__(self):
        return f"{self.performed_on}: {self.commitment} × {self.quantity}"


class Indicator(models.Model):
    """An effect measure of a pledge: share who feel safe, reported burglaries…

    It covers a municipality or, for sources such as BRÅ's NTU that report no finer, a police area.
    """

    class Unit(models.TextChoices):
        PERCENT = "percent", _("Percent")
        COUNT = "count", _("Count")
        PER_1000 = "per_1000", _("Per 1,000 inhabitants")
        INDEX = "index", _("Index")

    class Direction(models.TextChoices):
        HIGHER_IS_BETTER = "higher_is_better", _("Higher is better")
        LOWER_IS_BETTER = "lower_is_better", _("Lower is better")

    class Source(models.TextChoices):
        MUNICIPAL_SURVEY = "municipal_survey", _("The municipality's safety survey")
        POLICE_SURVEY = "police_survey", _("The police's safety survey")
        NTU = "ntu", _("BRÅ's National Crime Survey (NTU)")
        POLICE_STATISTICS = "police_statistics", _("Reported crime statistics")
        OTHER = "other", _("Other")

    pledge = models.ForeignKey(
        "pledges.Pledge", on_delete=models.CASCADE, related_name="indicators", verbose_name=_("pledge")
    )
    key = models.SlugField(_("key"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, default=Unit.PERCENT)
    direction = models.CharField(
        _("direction"), max_length=20, choices=Direction.choices, default=Direction.HIGHER_IS_BETTER
    )
    municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("municipality"),
    )
    police_area = models.ForeignKey(
        "municipalities.PoliceArea",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("local police area"),
    )
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    baseline_value = models.DecimalField(_("baseline"), max_digits=12, decimal_places=2, null=True, blank=True)
    target_year = models.PositiveSmallIntegerField(_("target year"), null=True, blank=True)
    target_value = models.DecimalField(_("target"), max_digits=12, decimal_places=2, null=True, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.MUNICIPAL_SURVEY)
    source_note = models.CharField(_("about the source"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["pledge", "order"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(fields=["pledge", "key"], name="indicator_key_unique_in_pledge"),
            models.CheckConstraint(
                condition=Q(municipality__isnull=True) | Q(police_area__isnull=True),
                name="indicator_one_area_at_most",
            ),
            models.CheckConstraint(
                condition=Q(baseline_year__isnull=True, baseline_value__isnull=True)
                | Q(baseline_year__isnull=False, baseline_value__isnull=False),
                name="indicator_baseline_year_and_value",
            ),
            models.CheckConstraint(
                condition=Q(target_year__isnull=True, target_value__isnull=True)
                | Q(target_year__isnull=False, target_value__isnull=False),
                name="indicator_target_year_and_value",
            ),
        ]

    def __str__(self):
        return self.name


class IndicatorValue(models.Model):
    """An indicator's measured value for one year."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="values", verbose_name=_("indicator")
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)])
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["indicator", "year"]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="indicator_value_one_per_year"),
            models.CheckConstraint(condition=Q(year__gte=1990, year__lte=2100), name="indicator_value_year_in_range"),
        ]

    def __str__(self):
        return f"{self.indicator} {self.year}: {self.value}"


class Evaluation(models.Model):
    """The yearly evaluation of a pledge: the staff's narrative and the PDF built from it.

    Its status is the state machine of the background job that builds the PDF.
    """

    class Status(models.TextChoices):
        NOT_BUILT = "not_built", _("Not built")
        QUEUED = "queued", _("Queued")
        BUILDING = "building", _("Building")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    pledge = models.ForeignKey(
        "pledges.Pledge", on_delete=models.CASCADE, related_name="evaluations", verbose_name=_("pledge")
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)])
    narrative = models.TextField(_("narrative"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NOT_BUILT)
    pdf = models.FileField(_("PDF"), upload_to="evaluations/%Y/", blank=True)
    checksum = models.CharField(_("SHA-256"), max_length=64, blank=True)
    built_at = models.DateTimeField(_("built at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["pledge", "-year"]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        constraints = [
            models.UniqueConstraint(fields=["pledge", "year"], name="evaluation_one_per_pledge_and_year"),
            models.CheckConstraint(condition=Q(year__gte=1990, year__lte=2100), name="evaluation_year_in_range"),
            models.CheckConstraint(
                condition=~Q(status="done") | (Q(checksum__length=64) & Q(built_at__isnull=False)),
                name="evaluation_done_has_checksum",
            ),
        ]

    def __str__(self):
        return _("Evaluation %(year)s – %(pledge)s") % {"year": self.year, "pledge": self.pledge}
