import calendar

from django import template
from django.utils.formats import date_format, number_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from followup.progress import Status

register = template.Library()


@register.filter
def percent(value):
    """0.8333 → '83 %' (Swedish puts a no-break space before the sign); None → '–'."""
    if value is None:
        return "–"
    return f"{number_format(round(value * 100))}\u00a0%"


@register.filter
def period(bucket):
    """A bucket's period in words: 'mars 2020', '2020', 'v. 12 2020' or 'd1 – d2'."""
    start, end = bucket.start, bucket.end
    if start == end:
        return date_format(start, "j F Y").lower()
    last_of_month = calendar.monthrange(end.year, end.month)[1]
    if start.day == 1 and end.day == last_of_month:
        if start.year == end.year and start.month == end.month:
            return date_format(start, "F Y").lower()
        if start.year == end.year and start.month == 1 and end.month == 12:
            return str(start.year)
        return f"{date_format(start, 'F Y')} – {date_format(end, 'F Y')}".lower()
    if (end - start).days == 6 and start.weekday() == 0:
        return _("week %(week)s %(year)s") % {"week": start.isocalendar()[1], "year": start.isocalendar()[0]}
    return f"{date_format(start, 'j M Y')} – {date_format(end, 'j M Y')}".lower()


@register.simple_tag
def indicator_trend(indicator):
    """'improved', 'worsened', 'unchanged' or '' from the first to the latest value (reads the prefetched
    values), taking the indicator's direction into account."""
    values = list(indicator.values.all())
    if len(values) < 2:
        return ""
    first, last = values[0].value, values[-1].value
    if first == last:
        return "unchanged"
    higher = last > first
    return "improved" if higher == (indicator.direction == "higher_is_better") else "worsened"


STRIP_PERIODS = 24  # a daily target would otherwise draw over a thousand bars
STRIP_STEP = 8  # px per period: a 6 px bar and a 2 px gap


@register.simple_tag
def progress_strip(progress):
    """A small chart of the latest periods: a bar per period, full height when met, shorter otherwise,
    coloured by status in public.css. Its label and the commitment's figures carry the same facts in
    text. The bars of one status are one path, so that a page of twenty strips stays small."""
    buckets = progress.recent(STRIP_PERIODS)
    if not buckets:
        return ""
    bars = {status: [] for status in Status.values}
    for i, bucket in enumerate(buckets):
        top = 0 if bucket.status == Status.MET else 4
        bars[bucket.status].append(f"M{i * STRIP_STEP},{top}h6v{16 - top}h-6z")
    paths = "".join(f'<path class="status-{status}" d="{"".join(d)}"/>' for status, d in bars.items() if d)
    label = ngettext(
        "Chart of %(counter)s period: %(met)s of %(elapsed)s closed periods met.",
        "Chart of %(counter)s periods: %(met)s of %(elapsed)s closed periods met.",
        len(buckets),
    ) % {"counter": len(buckets), "met": progress.met, "elapsed": progress.elapsed}
    width = len(buckets) * STRIP_STEP
    return format_html(
        '<svg class="progress-strip" role="img" width="{}" height="16" viewBox="0 0 {} 16" focusable="false" '
        'aria-label="{}">{}</svg>',
        width,
        width,
        label,
        mark_safe(paths),  # only numbers and fixed class names
    )
