"""Atom feeds for the whole country and per municipality: new published pledges, finished evaluations,
and a monthly summary of what was logged for each public pledge. Three or four queries per feed."""

import datetime
from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from followup.models import ActivityLog, Evaluation
from municipalities.selectors import public_municipality_get

from .models import Pledge

MAX_ENTRIES = 50


@dataclass
class Entry:
    guid: str
    title: str
    description: str
    link: str
    updated: datetime.datetime


def _at_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def feed_entries(municipality=None, *, today=None) -> list[Entry]:
    """The newest entries, newest first (3 queries: pledges, evaluations, monthly sums)."""
    today = today or timezone.localdate()
    pledges = Pledge.objects.public()
    if municipality is not None:
        pledges = pledges.filter(municipalities=municipality)
    pledges = {
        pledge.pk: pledge
        for pledge in pledges.only("pk", "title", "summary", "published_on", "signed_on", "period_start")
    }
    entries = []
    for pledge in pledges.values():
        link = reverse("public-pledge", args=[pledge.pk])
        entries.append(
            Entry(
                guid=f"pledge-{pledge.pk}",
                title=_("New citizen pledge: %(title)s") % {"title": pledge.title},
                description=pledge.summary,
                link=link,
                updated=_at_midnight(pledge.published_on or pledge.signed_on or pledge.period_start),
            )
        )
    # Built is not published: staff read an evaluation before they publish it, and may never do.
    evaluations = Evaluation.objects.filter(pledge_id__in=pledges, status=Evaluation.Status.DONE, published=True).only(
        "pk", "pledge_id", "year", "built_at", "updated_at"
    )
    for evaluation in evaluations:
        pledge = pledges[evaluation.pledge_id]
        entries.append(
            Entry(
                guid=f"evaluation-{evaluation.pk}",
                title=_("Evaluation %(year)s: %(title)s") % {"year": evaluation.year, "title": pledge.title},
                description=_("The yearly evaluation of the pledge is published."),
                link=reverse("public-pledge", args=[pledge.pk]) + "#utvarderingar",
                updated=evaluation.built_at or evaluation.updated_at,
            )
        )
    this_month = today.replace(day=1)
    months = (
        ActivityLog.objects.filter(commitment__focus_area__pledge_id__in=pledges, performed_on__lt=this_month)
        .annotate(month=TruncMonth("performed_on"))
        .values("commitment__focus_area__pledge_id", "month")
        .annotate(quantity=Sum("quantity"), commitments=Count("commitment", distinct=True))
        .order_by("-month")[: MAX_ENTRIES * 2]
    )
    for row in months:
        pledge = pledges[row["commitment__focus_area__pledge_id"]]
        month = row["month"]
        next_month = (month + datetime.timedelta(days=32)).replace(day=1)
        entries.append(
            Entry(
                guid=f"progress-{pledge.pk}-{month:%Y-%m}",
                title=_("Follow-up %(month)s: %(title)s")
                % {"month": date_format(month, "F Y").lower(), "title": pledge.title},
                description=_("%(quantity)s activities logged for %(commitments)s commitments.")
                % {"quantity": row["quantity"], "commitments": row["commitments"]},
                link=reverse("public-pledge", args=[pledge.pk]) + "#vi-gjorde",
                updated=_at_midnight(next_month),
            )
        )
    entries.sort(key=lambda entry: (entry.updated, entry.guid), reverse=True)
    return entries[:MAX_ENTRIES]


class CountryFeed(Feed):
    feed_type = Atom1Feed

    def title(self):
        return _("Citizen pledges in Sweden")

    def subtitle(self):
        return _("New published citizen pledges, evaluations and monthly follow-up.")

    def link(self):
        return reverse("home")

    def items(self):
        return feed_entries()

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.description

    def item_link(self, item):
        return item.link

    def item_guid(self, item):
        return f"tag:medborgarloften,2026:{item.guid}"

    item_guid_is_permalink = False

    def item_updateddate(self, item):
        return item.updated

    def item_pubdate(self, item):
        return item.updated


class MunicipalityFeed(CountryFeed):
    def get_object(self, request, code):
        return public_municipality_get(code)

    def title(self, municipality):
        return _("Citizen pledges in %(name)s") % {"name": municipality.display_name}

    def link(self, municipality):
        return reverse("public-municipality", args=[municipality.code])

    def items(self, municipality):
        return feed_entries(municipality)
