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
        indexes = [
            models.Index(fields=["commitment", "performed_on"], name="activity_commitment_date_idx"),
            # The dashboard's latest activities: newest first, read backwards until ten match the user's pledges.
            models.Index(fields=["-performed_on", "-id"], name="activity_latest_idx"),
        ]

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

    class Stage(models.TextChoices):
        COLLECTING = "collecting", _("Collecting the data")
        RENDERING = "rendering", _("Rendering the PDF")
        SIGNING = "signing", _("Signing")
        STORING = "storing", _("Storing")

    MAX_ATTEMPTS = 3  # a job that keeps killing its worker stops here and is marked failed

    pledge = models.ForeignKey(
        "pledges.Pledge", on_delete=models.CASCADE, related_name="evaluations", verbose_name=_("pledge")
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)])
    narrative = models.TextField(
        _("narrative"), blank=True, help_text=_("What was done this year, what was not and why, and what changes.")
    )
    published = models.BooleanField(
        _("published"), default=False, help_text=_("Published evaluations can be downloaded by the public.")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NOT_BUILT)
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
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

    @property
    def is_busy(self):
        return self.status in (self.Status.QUEUED, self.Status.BUILDING)


class MissedPeriod(models.Model):
    """Why a period of a commitment was missed (not met or not reported), and what is done about it.

    Shown wherever the miss is shown: staff pages, public pages, API and the evaluation.
    """

    class Reason(models.TextChoices):
        NOT_PRIORITISED = "not_prioritised", _("Not prioritised")
        LACK_OF_STAFF = "lack_of_staff", _("Lack of staff")
        WEATHER = "weather", _("Weather")
        OTHER = "other", _("Other")

    commitment = models.ForeignKey(
        "pledges.Commitment", on_delete=models.CASCADE, related_name="missed_periods", verbose_name=_("commitment")
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    reason_text = models.TextField(_("explanation"), blank=True, help_text=_("Required when the reason is Other."))
    corrective_action = models.TextField(_("corrective action"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["commitment", "period_start"]
        verbose_name = _("missed period")
        verbose_name_plural = _("missed periods")
        constraints = [
            models.UniqueConstraint(fields=["commitment", "period_start"], name="missed_period_one_per_period"),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="missed_period_end_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(reason="other") | ~Q(reason_text=""), name="missed_period_other_is_explained"
            ),
        ]

    def __str__(self):
        return f"{self.commitment} {self.period_start}: {self.get_reason_display()}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.reason == self.Reason.OTHER and not self.reason_text.strip():
            raise ValidationError({"reason_text": _("Explain the reason when you choose Other.")})

    @property
    def reason_display(self):
        """The reason as shown to readers: the explanation stands for Other."""
        if self.reason == self.Reason.OTHER:
            return self.reason_text
        if self.reason_text:
            return f"{self.get_reason_display()}: {self.reason_text}"
        return self.get_reason_display()


class Reminder(models.Model):
    """One e-mail sent to one user about one closed period without any entry: the unique
    constraint is what keeps a user from being reminded twice."""

    commitment = models.ForeignKey("pledges.Commitment", on_delete=models.CASCADE, related_name="reminders")
    period_start = models.DateField(_("period start"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(fields=["commitment", "period_start", "user"], name="reminder_once_per_period_user")
        ]

    def __str__(self):
        return f"{self.commitment} {self.period_start} → {self.user}"


class ProgressSnapshot(models.Model):
    """A pledge's progress as computed on one day, stored so that public pages, the API and the dashboard
    read it instead of summing the activity logs on every request (followup/snapshots.py).

    It is a derived copy, never a source: a change to the logs or the missed-period reasons deletes it
    (signals, and explicit calls after bulk writes), a change to the commitments or the period shows in
    its fingerprint, and one made on an earlier day is not used. Deleting every row loses nothing."""

    pledge = models.OneToOneField(
        "pledges.Pledge", on_delete=models.CASCADE, primary_key=True, related_name="progress_snapshot"
    )
    computed_on = models.DateField(_("computed for"))
    compliance = models.FloatField(_("compliance"), null=True, blank=True)
    # The totals of each commitment and its latest periods (small: what lists and the dashboard read) …
    data = models.TextField(_("data"))
    # … and every period of each commitment (large: read only by pages that draw them all).
    periods = models.TextField(_("periods"), blank=True, default="")

    class Meta:
        verbose_name = _("progress snapshot")
        verbose_name_plural = _("progress snapshots")

    def __str__(self):
        return f"{self.pledge_id} {self.computed_on}"
