from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _
from django.utils.translation import npgettext, pgettext, pgettext_lazy
from simple_history.models import HistoricalRecords

from dialogues.models import Theme

models.CharField.register_lookup(Length)


class PledgeQuerySet(models.QuerySet):
    def public(self):
        """Only published and ended pledges exist for the public."""
        return self.filter(status__in=Pledge.PUBLIC_STATUSES)

    def with_parties(self):
        return self.prefetch_related("municipalities", "police_areas", "pledge_parties__organisation")


class Pledge(models.Model):
    """A medborgarlöfte: the signed agreement between the police and one or more municipalities."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        SIGNED = "signed", _("Signed")
        PUBLISHED = "published", _("Published")
        ENDED = "ended", _("Ended")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Cadence(models.TextChoices):
        MONTH = "month", _("Monthly")
        TERTIAL = "tertial", _("Every four months (tertial)")
        QUARTER = "quarter", _("Quarterly")
        HALF_YEAR = "half_year", _("Every six months")
        YEAR = "year", _("Yearly")

    PUBLIC_STATUSES = (Status.PUBLISHED, Status.ENDED)

    external_id = models.SlugField(
        _("external identifier"),
        max_length=100,
        unique=True,
        help_text=_("Stable identifier used by pledge documents: importing the same document updates this pledge."),
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True, help_text=_("A short introduction for the public."))
    municipalities = models.ManyToManyField(
        "municipalities.Municipality", related_name="pledges", verbose_name=_("municipalities")
    )
    area_description = models.CharField(
        _("part of the municipality"),
        max_length=200,
        blank=True,
        help_text=_("Where the pledge covers only part of a municipality: a district, the station areas…"),
    )
    police_areas = models.ManyToManyField(
        "municipalities.PoliceArea", related_name="pledges", blank=True, verbose_name=_("local police areas")
    )
    parties = models.ManyToManyField(
        "municipalities.Organisation",
        through="PledgeParty",
        related_name="pledges",
        verbose_name=_("parties"),
    )
    dialogues = models.ManyToManyField(
        "dialogues.Dialogue", through="PledgeDialogue", related_name="pledges", blank=True, verbose_name=_("dialogues")
    )
    period_start = models.DateField(_("period start"), help_text=_("May lie before the signing date."))
    period_end = models.DateField(_("period end"), help_text=_("Moved when the pledge is extended."))
    background = models.TextField(_("background (lägesbild)"), blank=True)
    effects_sought = models.TextField(_("effects sought (effektmål)"), blank=True, help_text=_("One effect per line."))
    communication_plan = models.TextField(_("communication plan"), blank=True)
    followup_cadence = models.CharField(
        _("follow-up cadence"), max_length=10, choices=Cadence.choices, default=Cadence.YEAR
    )
    followup_description = models.TextField(_("how it is followed up"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_title = models.CharField(_("contact person's title"), max_length=200, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=50, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signed_place = models.CharField(_("signed at (place)"), max_length=200, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    source_url = models.URLField(_("source address"), max_length=500, blank=True)
    previous_pledge = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_pledges",
        verbose_name=_("previous pledge"),
        help_text=_("The pledge of the previous period that this one was created from."),
    )
    # Raised by every save through the staff area; a save based on an older version is refused,
    # so that two people editing at once cannot overwrite each other silently.
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()
    objects = PledgeQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start", "title"]
        verbose_name = _("citizen pledge")
        verbose_name_plural = _("citizen pledges")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="pledge_period_end_after_start"
            ),
        ]
        indexes = [models.Index(fields=["status", "period_start"], name="pledge_status_period_idx")]

    def __str__(self):
        return self.title

    def clean(self):
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("The period cannot end before it starts.")})

    @property
    def is_public(self):
        return self.status in self.PUBLIC_STATUSES

    @property
    def effects_sought_list(self):
        return [line for line in self.effects_sought.splitlines() if line.strip()]


class StatusChange(models.Model):
    """One step of the workflow (draft → review → signed → published → ended / withdrawn): who and when."""

    pledge = models.ForeignKey(
        Pledge, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("pledge")
    )
    from_status = models.CharField(_("from"), max_length=10, choices=Pledge.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=10, choices=Pledge.Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pledge_status_changes",
        verbose_name=_("changed by"),
        help_text=_("Empty when the system made the change, e.g. ended the pledge after its end date."),
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["pledge", "changed_at", "id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        constraints = [
            models.CheckConstraint(condition=~Q(from_status=F("to_status")), name="status_change_changes_status"),
        ]

    def __str__(self):
        return f"{self.pledge}: {self.from_status} → {self.to_status}"


class Amendment(models.Model):
    """A change made to a pledge after it was signed. The signed agreement stays as it was;
    the amendment says why it changed and what."""

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="amendments", verbose_name=_("pledge"))
    reason = models.TextField(_("reason for the change"))
    changes = models.TextField(_("what changed"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="pledge_amendments",
        verbose_name=_("made by"),
    )
    created_at = models.DateTimeField(_("made at"), auto_now_add=True)

    class Meta:
        ordering = ["pledge", "created_at", "id"]
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="amendment_has_reason"),
        ]

    def __str__(self):
        return f"{self.pledge}: {self.reason[:60]}"


class PledgeParty(models.Model):
    """A party to the agreement, in the order the agreement names them."""

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="pledge_parties")
    organisation = models.ForeignKey(
        "municipalities.Organisation", on_delete=models.PROTECT, related_name="pledge_parties"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["pledge", "order"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        constraints = [
            models.UniqueConstraint(fields=["pledge", "organisation"], name="pledge_party_unique"),
            models.UniqueConstraint(fields=["pledge", "order"], name="pledge_party_order_unique"),
        ]

    def __str__(self):
        return str(self.organisation)


class PledgeDialogue(models.Model):
    """Links a pledge to a dialogue: one it was based on, or one held during it to prepare the next."""

    class Role(models.TextChoices):
        BASIS = "basis", _("Basis of the pledge")
        FOLLOW_UP = "follow_up", _("Held during the pledge, for the next one")

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="pledge_dialogues")
    dialogue = models.ForeignKey("dialogues.Dialogue", on_delete=models.CASCADE, related_name="pledge_dialogues")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.BASIS)

    class Meta:
        verbose_name = _("pledge dialogue")
        verbose_name_plural = _("pledge dialogues")
        constraints = [models.UniqueConstraint(fields=["pledge", "dialogue"], name="pledge_dialogue_unique")]

    def __str__(self):
        return f"{self.pledge} – {self.dialogue}"


class Signatory(models.Model):
    """Someone who signed for a party. Any number per party, each with a free-text title."""

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="signatories", verbose_name=_("pledge"))
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=200, help_text=_("E.g. kommunchef, KSO, lokalpolisområdeschef."))
    organisation = models.ForeignKey(
        "municipalities.Organisation",
        on_delete=models.PROTECT,
        related_name="signatories",
        verbose_name=_("organisation"),
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True, help_text=_("Empty: the pledge's date."))
    signed_place = models.CharField(_("signed at (place)"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["pledge", "order"]
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")
        constraints = [models.UniqueConstraint(fields=["pledge", "order"], name="signatory_order_unique_in_pledge")]

    def __str__(self):
        return f"{self.name}, {self.title}"


class FocusArea(models.Model):
    """One of the few problem areas a pledge works on, in the order the pledge lists them."""

    class Kind(models.TextChoices):
        PLEDGE = "pledge", _("Part of the pledge")
        COLLABORATION = "collaboration", _("Longer-term collaboration area")

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="focus_areas", verbose_name=_("pledge"))
    key = models.SlugField(_("key"), max_length=50, help_text=_("Identifies the focus area within its pledge."))
    order = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    theme = models.CharField(_("theme"), max_length=30, choices=Theme.choices, default=Theme.OTHER)
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices, default=Kind.PLEDGE)
    working_group = models.CharField(
        _("working group"), max_length=200, blank=True, help_text=_("A joint working group that carries it, if any.")
    )
    findings = models.ManyToManyField(
        "dialogues.Finding", related_name="focus_areas", blank=True, verbose_name=_("findings it answers")
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["pledge", "order"]
        verbose_name = _("focus area")
        verbose_name_plural = _("focus areas")
        constraints = [
            models.UniqueConstraint(fields=["pledge", "order"], name="focus_area_order_unique_in_pledge"),
            models.UniqueConstraint(fields=["pledge", "key"], name="focus_area_key_unique_in_pledge"),
        ]

    def __str__(self):
        return self.title


class Commitment(models.Model):
    """An åtagande: what will be done, by whom, and how often.

    The target is structured (quantity per interval × unit, or a kind without a number) so that
    progress can be computed; the published wording is kept verbatim for display.
    """

    class TargetKind(models.TextChoices):
        QUANTITY = "quantity", _("A number per period")
        AS_NEEDED = "as_needed", _("As needed")
        CONTINUOUS = "continuous", _("Continuously")
        EVERY_SHIFT = "every_shift", _("Every shift")
        UNSPECIFIED = "unspecified", _("No frequency stated")

    class Comparison(models.TextChoices):
        AT_LEAST = "at_least", _("at least")
        AT_MOST = "at_most", _("at most")
        EXACTLY = "exactly", _("exactly")

    class Unit(models.TextChoices):
        DAY = "day", _("day")
        WEEK = "week", _("week")
        MONTH = "month", _("month")
        TERTIAL = "tertial", _("tertial")
        QUARTER = "quarter", _("quarter")
        YEAR = "year", _("year")
        PERIOD = "period", _("the whole pledge period")

    class Month(models.IntegerChoices):
        JANUARY = 1, pgettext_lazy("month", "January")
        FEBRUARY = 2, pgettext_lazy("month", "February")
        MARCH = 3, pgettext_lazy("month", "March")
        APRIL = 4, pgettext_lazy("month", "April")
        MAY = 5, pgettext_lazy("month", "May")
        JUNE = 6, pgettext_lazy("month", "June")
        JULY = 7, pgettext_lazy("month", "July")
        AUGUST = 8, pgettext_lazy("month", "August")
        SEPTEMBER = 9, pgettext_lazy("month", "September")
        OCTOBER = 10, pgettext_lazy("month", "October")
        NOVEMBER = 11, pgettext_lazy("month", "November")
        DECEMBER = 12, pgettext_lazy("month", "December")

    focus_area = models.ForeignKey(
        FocusArea, on_delete=models.CASCADE, related_name="commitments", verbose_name=_("focus area")
    )
    key = models.SlugField(_("key"), max_length=50, help_text=_("Identifies the commitment within its pledge."))
    order = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    wording = models.TextField(
        _("published wording"), blank=True, help_text=_("The target as the published pledge words it, verbatim.")
    )
    responsible = models.ManyToManyField(
        "municipalities.Organisation",
        related_name="commitments",
        blank=True,
        verbose_name=_("responsible organisations"),
    )
    responsible_wording = models.CharField(
        _("responsible, as published"),
        max_length=500,
        blank=True,
        help_text=_("E.g. 'Kommunen, polisen samt Förebyggarrådet, föreningar m.fl.'"),
    )
    target_kind = models.CharField(
        _("kind of target"), max_length=15, choices=TargetKind.choices, default=TargetKind.QUANTITY
    )
    comparison = models.CharField(_("comparison"), max_length=10, choices=Comparison.choices, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)
    interval = models.PositiveSmallIntegerField(
        _("every"), null=True, blank=True, help_text=_("3 with the unit week means: per three weeks.")
    )
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, blank=True)
    due_month = models.PositiveSmallIntegerField(
        _("due in month"),
        choices=Month.choices,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("For a yearly target that is due in one month, e.g. every October."),
    )
    measure = models.CharField(
        _("what is counted"), max_length=100, blank=True, help_text=_("E.g. kontroller, möten, trygghetsvandringar.")
    )
    valid_from = models.DateField(
        _("valid from"), null=True, blank=True, help_text=_("Empty: from the start of the pledge period.")
    )
    valid_to = models.DateField(
        _("valid to"), null=True, blank=True, help_text=_("Empty: to the end of the pledge period.")
    )
    places = models.ManyToManyField("dialogues.Place", related_name="commitments", blank=True, verbose_name=_("places"))
    internal_details = models.TextField(
        _("internal operational details"),
        blank=True,
        help_text=_(
            "Places and times of planned controls and the like. Seen only by staff: never shown on public pages, "
            "the API, feeds or exports for the public."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["focus_area", "order"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        constraints = [
            models.UniqueConstraint(fields=["focus_area", "order"], name="commitment_order_unique_in_focus_area"),
            models.UniqueConstraint(fields=["focus_area", "key"], name="commitment_key_unique_in_focus_area"),
            models.CheckConstraint(
                condition=~Q(target_kind="quantity")
                | Q(
                    # A NULL passes a CHECK, so "is not null" is spelt out.
                    quantity__isnull=False,
                    quantity__gte=1,
                    interval__isnull=False,
                    interval__gte=1,
                    unit__in=["day", "week", "month", "tertial", "quarter", "year", "period"],
                    comparison__in=["at_least", "at_most", "exactly"],
                ),
                name="commitment_quantity_target_complete",
            ),
            models.CheckConstraint(
                condition=Q(target_kind="quantity")
                | Q(quantity__isnull=True, interval__isnull=True, unit="", comparison="", due_month__isnull=True),
                name="commitment_no_number_target_empty",
            ),
            models.CheckConstraint(
                condition=Q(due_month__isnull=True) | Q(due_month__gte=1, due_month__lte=12, unit="year", interval=1),
                name="commitment_due_month_only_yearly",
            ),
            models.CheckConstraint(
                condition=~Q(unit="period") | Q(interval=1), name="commitment_period_unit_single_interval"
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True) | Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="commitment_validity_end_after_start",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        errors = {}
        if self.target_kind == self.TargetKind.QUANTITY:
            for field in ("comparison", "quantity", "interval", "unit"):
                if getattr(self, field) in (None, ""):
                    errors[field] = _("Required when the target is a number per period.")
            if self.quantity is not None and self.quantity < 1:
                errors["quantity"] = _("The quantity must be at least 1.")
            if self.unit == self.Unit.PERIOD and self.interval not in (None, 1):
                errors["interval"] = _("A target for the whole period has the interval 1.")
            if self.due_month is not None and (self.unit != self.Unit.YEAR or self.interval != 1):
                errors["due_month"] = _("A due month only goes with a yearly target.")
        else:
            for field in ("comparison", "quantity", "interval", "unit", "due_month"):
                if getattr(self, field) not in (None, ""):
                    errors[field] = _("Leave empty: this kind of target has no number.")
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            errors["valid_to"] = _("The validity cannot end before it starts.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_measurable(self):
        return self.target_kind == self.TargetKind.QUANTITY

    def target_display(self):
        """The structured target in plain Swedish (or English): 'minst 10 per månad'."""
        if not self.is_measurable:
            return self.TargetKind(self.target_kind).label
        comparison = self.Comparison(self.comparison).label
        if self.unit == self.Unit.PERIOD:
            text = pgettext("target", "%(comparison)s %(quantity)s during the period") % {
                "comparison": comparison,
                "quantity": self.quantity,
            }
        else:
            text = pgettext("target", "%(comparison)s %(quantity)s per %(per)s") % {
                "comparison": comparison,
                "quantity": self.quantity,
                "per": _unit_phrase(self.unit, self.interval),
            }
        if self.due_month:
            text = pgettext("target", "%(target)s, in %(month)s") % {
                "target": text,
                "month": str(self.Month(self.due_month).label).lower(),
            }
        return text


# "per day", "per 3 weeks": the unit after "per", counted by the interval.
_PER_UNIT = {
    Commitment.Unit.DAY: lambda n: npgettext("per", "day", "%(count)d days", n),
    Commitment.Unit.WEEK: lambda n: npgettext("per", "week", "%(count)d weeks", n),
    Commitment.Unit.MONTH: lambda n: npgettext("per", "month", "%(count)d months", n),
    Commitment.Unit.TERTIAL: lambda n: npgettext("per", "tertial", "%(count)d tertials", n),
    Commitment.Unit.QUARTER: lambda n: npgettext("per", "quarter", "%(count)d quarters", n),
    Commitment.Unit.YEAR: lambda n: npgettext("per", "year", "%(count)d years", n),
}


def _unit_phrase(unit, interval):
    return _PER_UNIT[unit](interval) % {"count": interval}


class AgreementDocument(models.Model):
    """The agreement as a PDF: made (and digitally signed) when the pledge is signed, and again as a new
    version beside the old one for every amendment; or a scanned paper copy signed by hand. A stored
    file is never changed: every download returns the same bytes, which its SHA-256 lets anyone check."""

    class Kind(models.TextChoices):
        GENERATED = "generated", _("Made from the pledge")
        SCANNED = "scanned", _("Scanned paper copy")

    pledge = models.ForeignKey(
        Pledge, on_delete=models.CASCADE, related_name="agreement_documents", verbose_name=_("pledge")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.GENERATED)
    version = models.PositiveSmallIntegerField(_("version"))
    amendment = models.ForeignKey(
        Amendment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreement_documents",
        verbose_name=_("amendment"),
    )
    pdf = models.FileField(_("PDF"), upload_to="agreements/%Y/")
    checksum = models.CharField(_("SHA-256"), max_length=64)
    digitally_signed = models.BooleanField(
        _("digitally signed"), default=False, help_text=_("Signed (PAdES) with the organisation's certificate.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("made by"),
    )
    created_at = models.DateTimeField(_("made at"), auto_now_add=True)

    class Meta:
        ordering = ["pledge", "kind", "version"]
        verbose_name = _("agreement document")
        verbose_name_plural = _("agreement documents")
        constraints = [
            models.UniqueConstraint(fields=["pledge", "kind", "version"], name="agreement_document_version_unique"),
            models.CheckConstraint(condition=Q(checksum__length=64), name="agreement_document_checksum"),
            models.CheckConstraint(condition=Q(version__gte=1), name="agreement_document_version_positive"),
        ]

    def __str__(self):
        return f"{self.pledge} – {self.get_kind_display()} v{self.version}"
