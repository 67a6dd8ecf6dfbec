"""Server-side SVG charts of progress and indicators, for the web pages and the evaluation PDF.

Every function works only on the objects it is given (no queries) and returns a ``Chart``: the SVG
markup, with every text escaped, and the same numbers as a table for readers who cannot see the
chart (templates/followup/chart.html renders both).

The SVG is plain SVG 1.1 (no CSS, scripts, external fonts or foreignObject) because WeasyPrint
draws the same markup in the PDF. Status is told by fill pattern and marker as well as by colour,
and every colour that carries meaning reaches WCAG AA contrast against white. The ids inside an
SVG come from a hash of its content rather than a counter, so that a chart renders identically
every time (the PDF's checksum stays stable) while two different charts on one page do not share
ids.

A chart is drawn with few elements however many bars it has: the bars, markers and grid lines of
one look as one path each, the texts of one look in one group that carries their size, colour and
anchor, and no hover title per bar (the table under the chart has every period's figures). A
pledge page holds a score of charts and WeasyPrint's time goes by the number of SVG elements, so
this keeps both the page and the PDF small. ``for_print=True`` draws the same chart in the PDF's
own embedded font.

The words and numbers that repeat (month names, status labels, integers) are looked up once per
language and process (see _locale): gettext, date_format() and number_format() for each of two
thousand labels were most of the time of a pledge page.
"""

import base64
import calendar
import datetime
import functools
import hashlib
import math
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from html import escape  # what django.utils.html.escape() returns, without its lazy-string wrapper
from typing import NamedTuple

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.formats import date_format, get_format, number_format
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext, pgettext
from django.utils.translation import gettext as _

from pledges.models import Commitment

from .models import Indicator
from .progress import Bucket, CommitmentProgress, PledgeProgress, Status


@dataclass
class Chart:
    svg: str  # safe to embed: every text in it is escaped
    title: str
    description: str
    table_caption: str
    table_headers: list[str]
    table_rows: list[list[str]]

    @property
    def data_uri(self) -> str:
        """The SVG as a data: address, for an <img> in the PDF: WeasyPrint then reads it as an image
        rather than as hundreds of HTML elements to style, which is most of the time of a PDF."""
        return "data:image/svg+xml;base64," + base64.b64encode(str(self.svg).encode()).decode("ascii")

    @property
    def text_alternative(self) -> str:
        """The title and every row of the table in one text: the alternative text of the chart in the
        PDF, where there is no table to open (the description is printed under the chart)."""
        headers = self.table_headers[1:]

        def row_text(row):
            cells = ", ".join(f"{header}: {cell}" for header, cell in zip(headers, row[1:], strict=True) if cell)
            return f"{row[0]} – {cells}"

        rows = "; ".join(row_text(row) for row in self.table_rows)
        return f"{self.title}. {rows}" if rows else self.title

    @functools.cached_property
    def table_html(self) -> str:
        """The table's <thead> and <tbody>, every cell escaped, for the <table> of chart.html: joined
        here because a template loop over the few hundred cells of a page's charts took ten times
        as long (format_html_join as long as the template)."""
        head = "".join(f'<th scope="col">{escape(str(header))}</th>' for header in self.table_headers)
        body = "".join(
            f'<tr><th scope="row">{escape(str(row[0]))}</th>'
            + "".join(f"<td>{escape(str(cell))}</td>" for cell in row[1:])
            + "</tr>"
            for row in self.table_rows
        )
        return mark_safe(f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody>")  # every cell escaped above


# Drawing: one viewBox for every chart, scaled to the width of its container.

WIDTH = 720
HEIGHT = 320
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
PRINT_FONT = "'DejaVu Sans', sans-serif"  # embedded by the PDF's templates/pdf/_style.html
INK = "#1f1f1f"  # 16.5:1 against white
MUTED = "#595959"  # 7.0:1
GRID = "#d9d9d9"  # decorative only: the tick labels carry the values
GREEN = "#1a7f37"  # 5.1:1
RED = "#b42318"  # 6.6:1
BLUE = "#1f5fa8"  # 6.4:1
LIGHT_BLUE = "#cfe0f5"  # a fill only, always inside a BLUE outline
PURPLE = "#6f3fa0"  # 7.3:1

MAX_BARS = 60
EN_DASH = "\u2013"

# The statuses as plain strings, in drawing order (a bucket's status may be the enum or its value).
MET, NOT_MET, NOT_REPORTED, IN_PROGRESS = (str(status.value) for status in Status)
STATUSES = (MET, NOT_MET, NOT_REPORTED, IN_PROGRESS)

# Where a chart's id goes until its content is known: escape() turns the "<" of any text into
# "&lt;", so the only "<@>" left in the markup are these.
_ID = "<@>"

# The looks of texts, on the <g> around the texts of one look (SVG presentation attributes inherit).
SMALL_MUTED = f'font-size="11" fill="{MUTED}"'
AXIS_LABELS = f'text-anchor="end" {SMALL_MUTED}'
BAR_LABELS = f'text-anchor="middle" {SMALL_MUTED}'
YEAR_LABELS = f'font-weight="bold" {SMALL_MUTED}'
VALUE_LABELS = f'text-anchor="middle" font-size="11" fill="{INK}"'


def _n(value: float) -> str:
    """A coordinate, short."""
    text = "%.1f" % value  # noqa: UP031 (a third faster than an f-string, and this runs thousands of times)
    return text[:-2] if text[-1] == "0" else text


def _text(x, y, text, look="") -> str:
    """One text at x, y; its look (size, colour, anchor) from ``look`` or from the <g> around it."""
    return f'<text x="{_n(x)}" y="{_n(y)}"{" " if look else ""}{look}>{escape(text)}</text>'


def _g(look: str, parts) -> str:
    """Texts (or shapes) of one look in one group; nothing for none."""
    inner = "".join(parts)
    return f"<g {look}>{inner}</g>" if inner else ""


def _text_width(text: str, size=12) -> float:
    """A generous estimate of a text's width (no font metrics on the server)."""
    return len(str(text)) * size * 0.6


def _svg(kind, key, title, description, body: list[str], *, defs="", height=HEIGHT, font=FONT) -> str:
    """The whole SVG, its ids a hash of the kind, the key (the object's pk, so that two objects with
    the same data do not share ids on one page) and the markup."""
    markup = (
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" class="chart" role="img" '
        f'aria-labelledby="{_ID}-title {_ID}-desc" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'font-family="{escape(font)}" font-size="12">'
        f'<title id="{_ID}-title">{escape(title)}</title>'
        f'<desc id="{_ID}-desc">{escape(description)}</desc>'
        + (f"<defs>{defs}</defs>" if defs else "")
        + f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>'
        + "".join(body)
        + "</svg>"
    )
    digest = hashlib.sha1(f"{kind} {key!r} {markup}".encode(), usedforsecurity=False).hexdigest()
    # Safe: every text in it went through escape().
    return mark_safe(markup.replace(_ID, f"chart-{kind}-{digest[:10]}"))


def _number(value, places=None) -> str:
    """A number in the active language (Swedish: 1 234,5), with no more decimals than it has (≤ 2)."""
    if type(value) is int and places is None:
        return _locale(get_language()).number(value)
    return _number_format(value, places)


def _number_format(value, places=None) -> str:
    if places is None:
        exponent = Decimal(str(value)).normalize().as_tuple().exponent
        places = min(2, max(0, -exponent)) if isinstance(exponent, int) else 0
    return number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


def _percent(share: float) -> str:
    return f"{_number(round(share * 100))}\u00a0%"


def _nice_step(span: float, ticks=5, integer=False) -> float:
    raw = span / ticks if span > 0 else 1
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        step = factor * magnitude
        if step >= raw:
            break
    return max(1, round(step)) if integer else step


def _ticks(low: float, high: float, integer=False) -> list[float]:
    step = _nice_step(high - low, integer=integer)
    first = math.floor(low / step) * step
    last = math.ceil(high / step) * step
    count = round((last - first) / step)
    return [first + i * step for i in range(count + 1)]


def _y_axis(ticks, y_of, left, right, label_of) -> list[str]:
    """The grid as one path, the axis as another, and the tick labels in one group."""
    l, r = _n(left), _n(right)  # noqa: E741
    grid = "".join(f"M{l},{_n(y_of(tick))}H{r}" for tick in ticks[1:])
    x = _n(left - 6)
    labels = [f'<text x="{x}" y="{_n(y_of(tick) + 4)}">{escape(label_of(tick))}</text>' for tick in ticks]
    return [
        f'<path d="{grid}" stroke="{GRID}"/>' if grid else "",
        f'<path d="M{l},{_n(y_of(ticks[0]))}H{r}" stroke="{MUTED}"/>',
        _g(AXIS_LABELS, labels),
    ]


def _axis_title(text, x, y_middle) -> str:
    return (
        f'<text transform="translate({_n(x)} {_n(y_middle)}) rotate(-90)" text-anchor="middle" {SMALL_MUTED}>'
        f"{escape(text)}</text>"
    )


def _legend(items: list[tuple[tuple[str, float], str]], y: float, left: float) -> list[str]:
    """Items of ((swatch markup drawn from 0,0 and 12 high, its width), label), in one row from left."""
    swatches, labels, x = [], [], left
    for (swatch, width), label in items:
        swatches.append(f'<g transform="translate({_n(x)} {_n(y - 10)})">{swatch}</g>')
        labels.append(_text(x + width + 6, y, label))
        x += width + 6 + _text_width(label) + 18
    return [*swatches, _g(f'fill="{INK}"', labels)]


@functools.lru_cache(maxsize=512)
def _centres(left: float, slot: float, count: int) -> tuple[str, ...]:
    """The middles of count slots from left, as coordinates: the same for every chart of as many bars."""
    return tuple(_n(left + slot * (i + 0.5)) for i in range(count))


def _x_labels(labels: list[str], year_row: bool, years: list[int], left: float, slot: float, axis: float) -> list[str]:
    """Labels under the bars, thinned so they do not overlap, and (with year_row) the year under the
    first bar of each year with a faint line between the years. A year with too few bars for its
    label (a week that began in December) gets the line but no label, rather than one over the next
    year's."""
    y = _n(axis + 20)
    every = max(1, math.ceil((max(map(len, labels)) * 11 * 0.6 + 8) / slot))  # the widest label, by _text_width
    centres = _centres(left, slot, len(labels))
    parts = [
        _g(
            BAR_LABELS,
            [f'<text x="{centres[i]}" y="{y}">{escape(labels[i])}</text>' for i in range(0, len(labels), every)],
        )
    ]
    if year_row:
        starts = [i for i, year in enumerate(years) if i == 0 or year != years[i - 1]]
        right = left + slot * len(years) + 16  # the chart's right margin may take a label's end
        lines, names = [], []
        for n, i in enumerate(starts):
            x = left + slot * i
            if n:
                lines.append(f"M{_n(x)},{_n(axis)}V{_n(axis + 38)}")
            end = left + slot * starts[n + 1] if n + 1 < len(starts) else right
            if end - x >= _text_width(str(years[i]), 11) + 6:
                names.append(_text(x + 3, axis + 36, str(years[i])))
        if lines:
            parts.append(f'<path d="{"".join(lines)}" stroke="{GRID}"/>')
        parts.append(_g(YEAR_LABELS, names))
    return parts


# The words of a language: period labels, statuses and integers.

# Django's date format codes that _Locale writes itself; any other code goes through date_format.
_DATE_CODES = {
    "Y": "{0.year:04d}",
    "y": "{1:02d}",
    "m": "{0.month:02d}",
    "n": "{0.month}",
    "d": "{0.day:02d}",
    "j": "{0.day}",
}


class _Labels(NamedTuple):
    """The words of one period: its full name (the table), its label under a bar among many, and
    whether that label needs the year row under it."""

    period: str
    short: str
    year_row: bool


class _Locale:
    """What the charts write in one language, looked up once per language and process (see
    _locale): month names, the short date format, status labels and the grouping of integers. The
    labels of the periods seen are kept too: a page's commitments share most of their periods."""

    def __init__(self):
        self.months = [date_format(datetime.date(2000, month, 1), "b") for month in range(1, 13)]
        short = get_format("SHORT_DATE_FORMAT")
        if all(code in _DATE_CODES or not (code.isalpha() or code == "\\") for code in short):
            template = "".join(_DATE_CODES.get(code) or code.replace("{", "{{").replace("}", "}}") for code in short)
            self._short = lambda day: template.format(day, day.year % 100)
        else:
            self._short = lambda day: date_format(day, "SHORT_DATE_FORMAT")
        self.status = {value: str(label) for value, label in Status.choices}
        self.merged_status = _("%(status)s (%(met)s of %(closed)s met)")
        self.comparisons = {value: str(label) for value, label in Commitment.Comparison.choices}
        # The fixed words of a commitment chart (gettext for each was a tenth of its time).
        self.target_sentence = _("Target: %(target)s.")
        self.each_bar = {
            "month": _("Each bar shows one month"),
            "quarter": _("Each bar shows one quarter"),
            "year": _("Each bar shows one year"),
        }
        self.merged_sentence = _(
            "%(each_bar)s: %(periods)s periods are merged into %(bars)s bars. A bar is the sum logged, the line "
            "the sum of the targets, and a bar counts as met only when every period in it was met."
        )
        self.bar_sentence = _(
            "Each bar is one period of the target: its height is the number logged, the line marks the target."
        )
        self.none_closed = _("No period has closed yet.")
        self.in_progress = _("The current period is in progress.")
        self.headers = [
            _("Period"),
            pgettext("chart", "Logged"),
            _("Target"),
            pgettext("chart", "Status"),
            _("Reason for the miss"),
        ]
        self.action_header = pgettext("chart", "Corrective action")
        self.number_word = pgettext("chart", "Number")
        self.target = _("Target")
        self.caption = _("%(title)s: logged and target per period")
        # number_format(force_grouping=True) groups an integer's digits by threes with the
        # separator of the language; Python's "," grouping is the same, and 15 times faster.
        separator = get_format("THOUSAND_SEPARATOR")
        self._separator = separator if get_format("NUMBER_GROUPING") == 3 else None
        self._labels = {}

    def number(self, value) -> str:
        """A number as _number() writes it, an integer fast."""
        if self._separator is None or type(value) is not int:
            return _number_format(value)
        return f"{value:,}".replace(",", self._separator)  # digits and separators: nothing to escape

    def month(self, day: datetime.date) -> str:
        return self.months[day.month - 1]

    def month_year(self, day: datetime.date) -> str:
        return f"{self.months[day.month - 1]} {day.year:04d}"

    def labels(self, start: datetime.date, end: datetime.date) -> _Labels:
        key = (start, end)
        labels = self._labels.get(key)
        if labels is None:
            if len(self._labels) >= 20_000:  # a bound, far above the periods of any page
                self._labels.clear()
            labels = self._labels[key] = self._labels_of(start, end)
        return labels

    def _labels_of(self, start: datetime.date, end: datetime.date) -> _Labels:
        """'maj 2025', 'jan–mar 2025', '2025', '2025-05-07' or '2025-01-06 – 2025-01-12', and the
        short label under a bar: 'maj', 'jan–mar', '6 jan' (with the year row) or the whole name."""
        if start.month == 1 and start.day == 1 and end.month == 12 and end.day == 31 and start.year == end.year:
            return _Labels(str(start.year), str(start.year), False)
        whole_months = start.day == 1 and end.day == calendar.monthrange(end.year, end.month)[1]
        if whole_months:
            if (start.year, start.month) == (end.year, end.month):
                return _Labels(self.month_year(start), self.month(start), True)
            if start.year == end.year:
                period = f"{self.month(start)}{EN_DASH}{self.month_year(end)}"
                return _Labels(period, f"{self.month(start)}{EN_DASH}{self.month(end)}", True)
            period = f"{self.month_year(start)} {EN_DASH} {self.month_year(end)}"
            return _Labels(period, period, False)
        if start == end:
            period = self._short(start)
        else:
            period = f"{self._short(start)} {EN_DASH} {self._short(end)}"
        return _Labels(period, f"{start.day} {self.month(start)}", True)


@functools.lru_cache(maxsize=16)
def _locale(language) -> _Locale:
    """The words of the active language (the argument is only the cache key)."""
    return _Locale()


@receiver(setting_changed)
def _forget_words(**kwargs):
    """As Django forgets its cached formats when a test changes a setting."""
    _locale.cache_clear()


# The progress of one commitment.


class _Bar(NamedTuple):
    """One bar: a period, or consecutive periods merged."""

    start: datetime.date
    end: datetime.date
    quantity: int
    target: int | None
    status: str
    status_text: str  # the status in words; a merged bar's with how many of its periods were met
    reason: str  # the reasons for the misses
    action: str  # the corrective actions


def _distinct(texts: list[str]) -> str:
    """The texts once each, in order."""
    return "; ".join(dict.fromkeys(texts)) if texts else ""


def _merged_bar(buckets: list[Bucket], locale: _Locale) -> _Bar:
    """One bar for consecutive buckets: the sums, and a status that is met only when all are met."""
    quantity = met = closed = 0
    target = 0
    statuses, reasons, actions = set(), [], []
    for bucket in buckets:
        quantity += bucket.quantity
        if target is not None:
            target = None if bucket.target is None else target + bucket.target
        status = bucket.status
        statuses.add(status)
        if status == MET:
            met += 1
            closed += 1
        elif status in (NOT_MET, NOT_REPORTED):
            closed += 1
        if bucket.missed_reason:
            reasons.append(bucket.missed_reason)
        if bucket.corrective_action:
            actions.append(bucket.corrective_action)
    if IN_PROGRESS in statuses:
        status = IN_PROGRESS
    elif statuses == {NOT_REPORTED}:
        status = NOT_REPORTED
    elif statuses == {MET}:
        status = MET
    else:
        status = NOT_MET
    text = locale.status[status]
    if len(buckets) > 1 and closed:
        text = locale.merged_status % {"status": text, "met": met, "closed": closed}
    return _Bar(
        buckets[0].start,
        buckets[-1].end,
        quantity,
        target,
        status,
        text,
        _distinct(reasons),
        _distinct(actions),
    )


_GROUPINGS = {
    "month": lambda day: (day.year, day.month),
    "quarter": lambda day: (day.year, (day.month - 1) // 3),
    "year": lambda day: day.year,
}


def _bars(buckets: list[Bucket], locale: _Locale) -> tuple[list[_Bar], str | None]:
    """At most MAX_BARS bars: a bar per bucket if they are few, otherwise per calendar month, quarter
    or year that the buckets start in (the first that is few enough), and that grouping."""
    if len(buckets) <= MAX_BARS:
        status = locale.status
        return [
            _Bar(b.start, b.end, b.quantity, b.target, b.status, status[b.status], b.missed_reason, b.corrective_action)
            for b in buckets
        ], None
    for grouping, key in _GROUPINGS.items():
        groups = {}
        for bucket in buckets:
            groups.setdefault(key(bucket.start), []).append(bucket)
        if len(groups) <= MAX_BARS or grouping == "year":
            return [_merged_bar(group, locale) for group in groups.values()], grouping
    raise AssertionError("unreachable: the last grouping is always taken")


# Diagonal hatching for "not met": drawn with lines rather than patternTransform, which not every
# SVG renderer (WeasyPrint among them) supports.
_HATCH = (
    f'<pattern id="{_ID}-hatch" width="6" height="6" patternUnits="userSpaceOnUse">'
    f'<rect width="6" height="6" fill="#ffffff"/>'
    f'<path d="M-1,1 L1,-1 M0,6 L6,0 M5,7 L7,5" stroke="{RED}" stroke-width="1.6"/></pattern>'
)

# The fill and outline of a bar of each status, so that it reads without colour too.
_LOOK = {
    MET: f'fill="{GREEN}"',
    NOT_MET: f'fill="url(#{_ID}-hatch)" stroke="{RED}"',
    NOT_REPORTED: f'fill="none" stroke="{MUTED}" stroke-width="1.5" stroke-dasharray="4 3"',
    IN_PROGRESS: f'fill="{LIGHT_BLUE}" stroke="{BLUE}" stroke-width="1.5"',
}

# A marker under a missed bar: × not met (also for a bar of 0), ○ not reported; relative to its
# left end, at the height of the marker row.
_MARKER_LOOK = {
    NOT_MET: f'fill="none" stroke="{RED}" stroke-width="2"',
    NOT_REPORTED: f'fill="none" stroke="{MUTED}" stroke-width="1.5"',
}
_MARKER_D = {NOT_MET: "l8,8m-8,0l8,-8", NOT_REPORTED: "a4,4 0 1,0 8,0a4,4 0 1,0 -8,0"}
_MARKER_DY = {NOT_MET: -4, NOT_REPORTED: 0}  # from the middle of the row to where the marker begins


def _swatch(status) -> tuple[str, float]:
    """The bar's look and, to its right, its marker: the legend links both to the status."""
    shape = f'<rect class="swatch swatch-{status}" x="1" width="14" height="12" {_LOOK[status]}/>'
    if status not in _MARKER_D:
        return shape, 16
    marker = (
        f'<path class="swatch-marker swatch-marker-{status}" d="M21,{6 + _MARKER_DY[status]}{_MARKER_D[status]}" '
        f"{_MARKER_LOOK[status]}/>"
    )
    return shape + marker, 32


_SWATCHES = {status: _swatch(status) for status in STATUSES}


def commitment_chart(progress: CommitmentProgress, *, for_print=False) -> Chart | None:
    """Logged against target per period: a bar per period (or per month, quarter or year when there
    are more than MAX_BARS periods), the target as a stepped line. None without a number or periods."""
    commitment = progress.commitment
    buckets = progress.buckets
    if not progress.measurable or not buckets:
        return None
    locale = _locale(get_language())
    bars, grouping = _bars(buckets, locale)
    labels = [locale.labels(bar.start, bar.end) for bar in bars]
    number = locale.number

    # The words: title, description and the table.
    title = commitment.title
    count = Counter(bucket.status for bucket in buckets)
    closed = count[MET] + count[NOT_MET] + count[NOT_REPORTED]
    sentences = [locale.target_sentence % {"target": commitment.target_display()}]
    if grouping:
        sentences.append(
            locale.merged_sentence % {"each_bar": locale.each_bar[grouping], "periods": len(buckets), "bars": len(bars)}
        )
    else:
        sentences.append(locale.bar_sentence)
    if closed:
        sentences.append(
            ngettext(
                "%(closed)s closed period: %(met)s met, %(not_met)s not met, %(not_reported)s not reported.",
                "%(closed)s closed periods: %(met)s met, %(not_met)s not met, %(not_reported)s not reported.",
                closed,
            )
            % {"closed": closed, "met": count[MET], "not_met": count[NOT_MET], "not_reported": count[NOT_REPORTED]}
        )
    else:
        sentences.append(locale.none_closed)
    if count[IN_PROGRESS]:
        sentences.append(locale.in_progress)
    description = " ".join(sentences)

    actions = any(bar.action for bar in bars)
    headers = [*locale.headers, locale.action_header] if actions else list(locale.headers)
    comparison = locale.comparisons[commitment.comparison] if commitment.comparison else ""
    targets = {None: ""}  # {target: its words}, a few for all the bars
    rows = []
    for bar, label in zip(bars, labels, strict=True):
        target = targets.get(bar.target)
        if target is None:
            target = targets[bar.target] = f"{comparison} {number(bar.target)}".strip()
        row = [
            label.period,
            number(bar.quantity) if bar.status != NOT_REPORTED else EN_DASH,
            target,
            bar.status_text,
            bar.reason,
        ]
        if actions:
            row.append(bar.action)
        rows.append(row)

    # The drawing.
    left, right, top, bottom = 64, WIDTH - 16, 46, HEIGHT - 72
    slot = (right - left) / len(bars)
    bar_width = min(slot * 0.72, 56)
    highest = max([bar.quantity for bar in bars] + [bar.target or 0 for bar in bars] + [1])
    ticks = _ticks(0, highest * 1.08, integer=True)  # room above the highest bar for its number
    scale = (bottom - top) / ticks[-1]

    def y_of(value):
        return bottom - scale * value

    body = _y_axis(ticks, y_of, left, right, number)
    body.append(_axis_title(commitment.measure or locale.number_word, 16, (top + bottom) / 2))

    # Each bar from the bottom up (one of height 0 is not drawn), the bars and the markers of one
    # status as one path each; nothing reported is an empty dashed outline up to the target.
    lefts = _centres(left - bar_width / 2, slot, len(bars))
    marker_lefts = _centres(left - 4, slot, len(bars))
    base, width = _n(bottom), _n(bar_width)
    shapes = {status: [] for status in STATUSES}
    markers = {status: [] for status in _MARKER_D}
    for i, bar in enumerate(bars):
        status = bar.status
        height = scale * (bar.target or 0 if status == NOT_REPORTED else bar.quantity)
        if height > 0:
            h = _n(height)
            shapes[status].append(f"M{lefts[i]},{base}v-{h}h{width}v{h}z")
        if status in markers:
            markers[status].append(marker_lefts[i])
    for status in STATUSES:
        if shapes[status]:
            body.append(f'<path class="bars bars-{status}" d="{"".join(shapes[status])}" {_LOOK[status]}/>')
    for status, lefts_of_status in markers.items():
        if lefts_of_status:
            y, d = _n(bottom + 10 + _MARKER_DY[status]), _MARKER_D[status]
            path = "".join(f"M{x},{y}{d}" for x in lefts_of_status)
            body.append(f'<path class="markers markers-{status}" d="{path}" {_MARKER_LOOK[status]}/>')

    centres = _centres(left, slot, len(bars))
    if len(bars) <= 16:  # the number above each bar
        body.append(
            _g(
                VALUE_LABELS,
                [
                    f'<text x="{centres[i]}" y="{_n(y_of(bar.quantity) - 5)}">{number(bar.quantity)}</text>'
                    for i, bar in enumerate(bars)
                    if bar.status != NOT_REPORTED
                ],
            )
        )

    # The target: a stepped line across each bar's slot, so that targets summed over months of
    # different lengths still sit on their own bar. Slots in a row with the same target are one step.
    edges = _centres(left - slot / 2, slot, len(bars) + 1)
    steps, last, ys = [], None, {}
    for i, bar in enumerate(bars):
        if bar.target is None:
            continue
        y = ys.get(bar.target)
        if y is None:
            y = ys[bar.target] = _n(y_of(bar.target))
        if last == (i - 1, y):  # the same target as the slot before: that step goes on
            steps[-1] = f"H{edges[i + 1]}"
        else:
            # up or down from where the step before ended, or a line to this one across a gap
            steps.append(f"V{y}" if last and last[0] == i - 1 else f"{'L' if steps else 'M'}{edges[i]},{y}")
            steps.append(f"H{edges[i + 1]}")
        last = (i, y)
    if steps:
        body.append(
            f'<path class="target" d="{"".join(steps)}" fill="none" stroke="{INK}" stroke-width="2" '
            f'stroke-linejoin="round"/>'
        )

    if len(bars) <= 3:
        axis_labels, year_row = [label.period for label in labels], False
    else:
        axis_labels = [label.short for label in labels]
        year_row = any(label.year_row for label in labels)
    body += _x_labels(axis_labels, year_row, [bar.start.year for bar in bars], left, slot, bottom + 16)

    present = [status for status in STATUSES if any(bar.status == status for bar in bars)]
    legend = [(_SWATCHES[status], locale.status[status]) for status in present]
    legend.append(((f'<path d="M0,6H18" stroke="{INK}" stroke-width="2"/>', 18), locale.target))
    body += _legend(legend, 22, left)

    return Chart(
        svg=_svg(
            "commitment",
            commitment.pk,
            title,
            description,
            body,
            defs=_HATCH if NOT_MET in present else "",
            font=PRINT_FONT if for_print else FONT,
        ),
        title=title,
        description=description,
        table_caption=locale.caption % {"title": title},
        table_headers=headers,
        table_rows=rows,
    )


# Compliance of a whole pledge over time.


def _quarterly(pledge) -> bool:
    """Quarters for a pledge of at most two years, years for a longer one."""
    start, end = pledge.period_start, pledge.period_end
    return (end.year - start.year) * 12 + end.month - start.month < 24


def _next_period(key, quarterly):
    if quarterly:
        year, quarter = key
        return (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return key + 1


def pledge_compliance_chart(progress: PledgeProgress) -> Chart | None:
    """The share of closed periods met, per quarter (pledges of ≤ 2 years) or year, over the pledge's
    measurable commitments. A period is counted in the quarter or year it ends in; the share is the
    mean of the commitments' shares, as the pledge's compliance is. None if nothing has closed."""
    quarterly = _quarterly(progress.pledge)
    measurable = [c for c in progress.commitments if c.measurable and c.buckets]
    per_period = {}  # {period key: [(met, closed) of each commitment]}
    for commitment in measurable:
        counts = {}
        for bucket in commitment.buckets:
            if bucket.is_closed:
                end = bucket.end
                key = (end.year, (end.month - 1) // 3 + 1) if quarterly else end.year
                met, closed = counts.get(key, (0, 0))
                counts[key] = (met + (bucket.status == Status.MET), closed + 1)
        for key, value in counts.items():
            per_period.setdefault(key, []).append(value)
    if not per_period:
        return None

    keys, key = [], min(per_period)
    while key <= max(per_period):
        keys.append(key)
        key = _next_period(key, quarterly)
    shares = {key: sum(met / closed for met, closed in per_period[key]) / len(per_period[key]) for key in per_period}

    def label(key):
        if quarterly:
            return _("Q%(quarter)s %(year)s") % {"quarter": key[1], "year": key[0]}
        return str(key)

    title = _("Share of periods met, per quarter") if quarterly else _("Share of periods met, per year")
    sentences = [
        ngettext(
            "The share of the closed periods of %(count)s measurable commitment that met the target.",
            "The share of the closed periods of %(count)s measurable commitments that met their targets, as the "
            "mean of the commitments' shares so that a daily target does not outweigh a yearly one.",
            len(measurable),
        )
        % {"count": len(measurable)},
        _("A period counts in the quarter it ends in.") if quarterly else _("A period counts in the year it ends in."),
    ]
    if progress.compliance is not None:
        sentences.append(_("Over the whole pledge so far: %(share)s.") % {"share": _percent(progress.compliance)})
    description = " ".join(sentences)

    rows = []
    for key in keys:
        if key in shares:
            counts = per_period[key]
            rows.append(
                [
                    label(key),
                    _percent(shares[key]),
                    _number(sum(met for met, _closed in counts)),
                    _number(sum(closed for _met, closed in counts)),
                    _number(len(counts)),
                ]
            )
        else:
            rows.append([label(key), EN_DASH, "0", "0", "0"])

    left, right, top, bottom = 64, WIDTH - 16, 30, HEIGHT - 56
    slot = (right - left) / len(keys)
    bar_width = min(slot * 0.6, 64)
    ticks = [0, 0.25, 0.5, 0.75, 1]

    def y_of(share):
        return bottom - (bottom - top) * share

    def x_of(i):
        return left + slot * (i + 0.5)

    body = _y_axis(ticks, y_of, left, right, _percent)
    body.append(_axis_title(_("Share met"), 16, (top + bottom) / 2))
    centres = _centres(left, slot, len(keys))
    bars, values, gaps = [], [], []
    for i, key in enumerate(keys):
        if key not in shares:  # nothing closed in the period
            gaps.append(f'<text x="{centres[i]}" y="{_n(bottom - 6)}">{EN_DASH}</text>')
            continue
        share = shares[key]
        height = bottom - y_of(share)
        if height > 0:
            h = _n(height)
            bars.append(f"M{_n(x_of(i) - bar_width / 2)},{_n(bottom)}v-{h}h{_n(bar_width)}v{h}z")
        values.append(f'<text x="{centres[i]}" y="{_n(y_of(share) - 6)}">{escape(_percent(share))}</text>')
    if bars:
        body.append(f'<path class="bars" d="{"".join(bars)}" fill="{BLUE}"/>')
    body.append(_g(f'text-anchor="middle" font-weight="bold" fill="{INK}"', values))
    body.append(_g(f'text-anchor="middle" fill="{MUTED}"', gaps))
    if quarterly:
        quarters = [_("Q%(quarter)s") % {"quarter": quarter} for _year, quarter in keys]
        body += _x_labels(quarters, True, [year for year, _quarter in keys], left, slot, bottom)
    else:
        body += _x_labels([str(key) for key in keys], False, keys, left, slot, bottom)

    return Chart(
        svg=_svg("compliance", progress.pledge.pk, title, description, body),
        title=title,
        description=description,
        table_caption=title,
        table_headers=[
            _("Period"),
            _("Share met"),
            _("Periods met"),
            _("Closed periods"),
            pgettext("chart", "Commitments"),
        ],
        table_rows=rows,
    )


# An indicator's yearly values.


def _indicator_value(indicator, value) -> str:
    if indicator.unit == Indicator.Unit.PERCENT:
        return f"{_number(value)}\u00a0%"
    return _number(value)


def indicator_chart(indicator, values, *, for_print=False) -> Chart | None:
    """The indicator's values per year as a line, with its baseline and target as labelled lines.

    ``values`` are the indicator's IndicatorValue objects (or anything with year, value and note),
    passed in so that this makes no query."""
    values = sorted(values, key=lambda v: v.year)
    if not values:
        return None
    baseline = (indicator.baseline_year, indicator.baseline_value) if indicator.baseline_year else None
    target = (indicator.target_year, indicator.target_value) if indicator.target_year else None
    references = [ref for ref in (baseline, target) if ref and ref[1] is not None]

    title = indicator.name
    first, last = values[0], values[-1]

    def fmt(value):
        return _indicator_value(indicator, value)

    if len(values) == 1:
        sentences = [_("%(year)s: %(value)s.") % {"year": first.year, "value": fmt(first.value)}]
    else:
        sentences = [
            _("From %(first)s in %(first_year)s to %(last)s in %(last_year)s.")
            % {"first": fmt(first.value), "first_year": first.year, "last": fmt(last.value), "last_year": last.year}
        ]
    if baseline:
        sentences.append(_("Baseline %(year)s: %(value)s.") % {"year": baseline[0], "value": fmt(baseline[1])})
    if target:
        sentences.append(_("Target %(year)s: %(value)s.") % {"year": target[0], "value": fmt(target[1])})
    sentences.append(f"{Indicator.Direction(indicator.direction).label}.")
    description = " ".join(sentences)

    notes = any(getattr(v, "note", "") for v in values)
    headers = [_("Year"), _("Value")] + ([pgettext("chart", "Note")] if notes else [])
    rows = [[str(v.year), fmt(v.value)] + ([getattr(v, "note", "")] if notes else []) for v in values]
    caption_parts = [title]
    if baseline:
        caption_parts.append(_("baseline %(year)s: %(value)s") % {"year": baseline[0], "value": fmt(baseline[1])})
    if target:
        caption_parts.append(_("target %(year)s: %(value)s") % {"year": target[0], "value": fmt(target[1])})

    # Scales: the years of the values, the baseline and the target; a value range with some air.
    years = [v.year for v in values] + [ref[0] for ref in references]
    first_year, last_year = min(years), max(years)
    numbers = [float(v.value) for v in values] + [float(ref[1]) for ref in references]
    low, high = min(numbers), max(numbers)
    air = (high - low) * 0.15 or abs(high) * 0.1 or 1
    low, high = low - air, high + air
    if min(numbers) >= 0:
        low = max(low, 0)
    if indicator.unit == Indicator.Unit.PERCENT:
        low, high = max(low, 0), min(high, 100) if max(numbers) <= 100 else high
    ticks = _ticks(low, high)

    left, right, top, bottom = 64, WIDTH - 120, 24, HEIGHT - 52
    slot = (right - left) / (last_year - first_year + 1)

    def x_of(year):
        return left + slot * (year - first_year + 0.5)

    def y_of(value):
        return bottom - (bottom - top) * (float(value) - ticks[0]) / (ticks[-1] - ticks[0])

    body = _y_axis(ticks, y_of, left, right, fmt)
    body.append(_axis_title(Indicator.Unit(indicator.unit).label, 16, (top + bottom) / 2))

    # Reference lines, labelled in the right margin where no data point can hide the label; two
    # labels close together are pushed apart.
    lines = []
    for ref, kind, colour, dash, word in (
        (baseline, "baseline", MUTED, "3 3", pgettext("chart", "Baseline")),
        (target, "target", PURPLE, "8 4", _("Target")),
    ):
        if ref and ref[1] is not None:
            lines.append({"kind": kind, "y": y_of(ref[1]), "colour": colour, "dash": dash, "word": word, "ref": ref})
    lines.sort(key=lambda line: line["y"])
    for line in lines:
        line["label_y"] = line["y"]
    if len(lines) == 2 and lines[1]["label_y"] - lines[0]["label_y"] < 32:
        middle = (lines[0]["y"] + lines[1]["y"]) / 2
        lines[0]["label_y"], lines[1]["label_y"] = middle - 16, middle + 16
    for line in lines:
        y, label_y, colour, kind = line["y"], line["label_y"], line["colour"], line["kind"]
        year, value = line["ref"]
        body.append(
            f'<line class="{kind}" x1="{_n(left)}" y1="{_n(y)}" x2="{_n(right + 4)}" y2="{_n(y)}" stroke="{colour}" '
            f'stroke-width="1.5" stroke-dasharray="{line["dash"]}"/>'
        )
        labels = [
            _text(right + 8, label_y - 2, line["word"], f'font-weight="bold" class="{kind}-label"'),
            _text(right + 8, label_y + 12, f"{year}: {fmt(value)}", 'font-size="11"'),
        ]
        body.append(_g(f'fill="{colour}"', labels))
        if kind == "target":
            x = x_of(year)
            body.append(
                f'<path d="M{_n(x)},{_n(y - 7)} L{_n(x + 7)},{_n(y)} L{_n(x)},{_n(y + 7)} L{_n(x - 7)},{_n(y)} Z" '
                f'fill="#ffffff" stroke="{PURPLE}" stroke-width="2"/>'
            )

    # The values: a line, a dot on each (all dots one path) and, if they are few, each value.
    points = [(x_of(v.year), y_of(v.value)) for v in values]
    body.append(
        f'<polyline class="series" points="{" ".join(f"{_n(x)},{_n(y)}" for x, y in points)}" fill="none" '
        f'stroke="{BLUE}" stroke-width="2.5" stroke-linejoin="round"/>'
    )
    dots = "".join(f"M{_n(x - 4.5)},{_n(y)}a4.5,4.5 0 1,0 9,0a4.5,4.5 0 1,0 -9,0" for x, y in points)
    body.append(f'<path class="points" d="{dots}" fill="{BLUE}" stroke="#ffffff" stroke-width="1.5"/>')
    if len(values) <= 12:
        labels = []
        for i, ((x, y), v) in enumerate(zip(points, values, strict=True)):
            # Above the point, unless the line rises away from it on average: then below, off the line.
            neighbours = [points[j][1] for j in (i - 1, i + 1) if 0 <= j < len(points)]
            below = bool(neighbours) and sum(neighbours) / len(neighbours) < y
            labels.append(_text(x, y + 19 if below else y - 10, fmt(v.value)))
        body.append(_g(f'text-anchor="middle" font-size="11" font-weight="bold" fill="{BLUE}"', labels))

    years = [str(year) for year in range(first_year, last_year + 1)]
    body += _x_labels(years, False, [], left, slot, bottom)

    return Chart(
        svg=_svg("indicator", indicator.pk, title, description, body, font=PRINT_FONT if for_print else FONT),
        title=title,
        description=description,
        table_caption=" – ".join(caption_parts),
        table_headers=headers,
        table_rows=rows,
    )
