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

``for_print=True`` draws the same chart for the PDF: in the PDF's own embedded font, without the
hover titles of each bar (a PDF has no hover), and with the bars, markers and grid lines of one
look drawn as one path each. WeasyPrint's time goes by the number of SVG elements, so this keeps
a chart to a few dozen elements however many bars it has.
"""

import base64
import datetime
import functools
import hashlib
import math
from dataclasses import dataclass
from decimal import Decimal

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.formats import date_format, get_format, number_format
from django.utils.html import escape
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


def _n(value: float) -> str:
    """A coordinate, short."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _chart_id(kind: str, *content) -> str:
    digest = hashlib.sha1(repr((kind, *content)).encode(), usedforsecurity=False).hexdigest()
    return f"chart-{kind}-{digest[:10]}"


def _text(x, y, text, *, anchor="start", size=12, fill=INK, weight=None, extra=""):
    weight = f' font-weight="{weight}"' if weight else ""
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" font-size="{size}" fill="{fill}"{weight}{extra}>'
        f"{escape(text)}</text>"
    )


def _text_width(text: str, size=12) -> float:
    """A generous estimate of a text's width (no font metrics on the server)."""
    return len(str(text)) * size * 0.6


def _svg(chart_id: str, title: str, description: str, defs: str, body: list[str], height=HEIGHT, font=FONT) -> str:
    # Safe: every text in it went through escape().
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" class="chart" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'font-family="{escape(font)}" font-size="12">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
        f"<defs>{defs}</defs>"
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>' + "".join(body) + "</svg>"
    )


def _number(value, places=None) -> str:
    """A number in the active language (Swedish: 1 234,5), with no more decimals than it has (≤ 2)."""
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


def _y_axis(ticks, y_of, left, right, label_of, for_print=False) -> list[str]:
    if for_print:  # the grid as one path, the axis as another
        grid = " ".join(f"M{_n(left)},{_n(y_of(tick))} H{_n(right)}" for tick in ticks[1:])
        parts = [
            f'<path d="{grid}" stroke="{GRID}"/>' if grid else "",
            f'<path d="M{_n(left)},{_n(y_of(ticks[0]))} H{_n(right)}" stroke="{MUTED}"/>',
        ]
        return parts + [_text(left - 6, y_of(t) + 4, label_of(t), anchor="end", size=11, fill=MUTED) for t in ticks]
    parts = []
    for tick in ticks:
        y = y_of(tick)
        colour = MUTED if tick == ticks[0] else GRID
        parts.append(f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(right)}" y2="{_n(y)}" stroke="{colour}"/>')
        parts.append(_text(left - 6, y + 4, label_of(tick), anchor="end", size=11, fill=MUTED))
    return parts


def _axis_title(text, x, y_middle) -> str:
    return _text(
        0,
        0,
        text,
        anchor="middle",
        size=11,
        fill=MUTED,
        extra=f' transform="translate({_n(x)} {_n(y_middle)}) rotate(-90)"',
    )


def _legend(items: list[tuple[tuple[str, float], str]], y: float, left: float) -> list[str]:
    """Items of ((swatch markup drawn from 0,0 and 12 high, its width), label), in one row from left."""
    parts, x = [], left
    for (swatch, width), label in items:
        parts.append(f'<g transform="translate({_n(x)} {_n(y - 10)})">{swatch}</g>')
        parts.append(_text(x + width + 6, y, label, size=12))
        x += width + 6 + _text_width(label) + 18
    return parts


# Periods: labels in the active language, for the table and the axis.


def _month_end(day: datetime.date) -> datetime.date:
    after = datetime.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return after - datetime.timedelta(days=1)


def _whole_months(start, end) -> bool:
    return start.day == 1 and end == _month_end(end)


def _whole_year(start, end) -> bool:
    return start == datetime.date(start.year, 1, 1) and end == datetime.date(start.year, 12, 31)


# Django's date format codes that _Calendar writes itself; any other code goes through date_format.
_DATE_CODES = {
    "Y": "{0.year:04d}",
    "y": "{1:02d}",
    "m": "{0.month:02d}",
    "n": "{0.month}",
    "d": "{0.day:02d}",
    "j": "{0.day}",
}


class _Calendar:
    """Period labels in a language. The month names and the short date format are looked up once
    (per language and process, see _calendar): date_format() for each of two thousand labels was
    most of the time of a pledge page."""

    def __init__(self):
        self.months = [date_format(datetime.date(2000, month, 1), "b") for month in range(1, 13)]
        short = get_format("SHORT_DATE_FORMAT")
        if all(code in _DATE_CODES or not (code.isalpha() or code == "\\") for code in short):
            template = "".join(_DATE_CODES.get(code) or code.replace("{", "{{").replace("}", "}}") for code in short)
            self._short = lambda day: template.format(day, day.year % 100)
        else:
            self._short = lambda day: date_format(day, "SHORT_DATE_FORMAT")

    def month(self, day: datetime.date) -> str:
        return self.months[day.month - 1]

    def month_year(self, day: datetime.date) -> str:
        return f"{self.months[day.month - 1]} {day.year:04d}"

    def short_date(self, day: datetime.date) -> str:
        return self._short(day)

    def period(self, start: datetime.date, end: datetime.date) -> str:
        """'maj 2025', 'jan–mar 2025', '2025', '2025-05-07' or '2025-01-06 – 2025-01-12'."""
        if _whole_year(start, end):
            return str(start.year)
        if _whole_months(start, end):
            if (start.year, start.month) == (end.year, end.month):
                return self.month_year(start)
            if start.year == end.year:
                return f"{self.month(start)}{EN_DASH}{self.month_year(end)}"
            return f"{self.month_year(start)} {EN_DASH} {self.month_year(end)}"
        if start == end:
            return self.short_date(start)
        return f"{self.short_date(start)} {EN_DASH} {self.short_date(end)}"

    def axis(self, start: datetime.date, end: datetime.date, bars: int) -> tuple[str, bool]:
        """A short label under a bar, and whether it needs the year row under it."""
        if _whole_year(start, end):
            return str(start.year), False
        if bars <= 3 or (_whole_months(start, end) and start.year != end.year):
            return self.period(start, end), False
        if _whole_months(start, end):
            if start.month == end.month:
                return self.month(start), True
            return f"{self.month(start)}{EN_DASH}{self.month(end)}", True
        return f"{start.day} {self.month(start)}", True


@functools.lru_cache(maxsize=16)
def _calendar(language) -> _Calendar:
    """The calendar of the active language (the argument is only the cache key)."""
    return _Calendar()


def _x_labels(labels: list[tuple[str, bool]], years: list[int], slot: float, x_of, axis: float) -> list[str]:
    """Labels under the bars, thinned so they do not overlap, and the year under the first bar of
    each year with a faint line between the years. A year with too few bars for its label (a week
    that began in December) gets the line but no label, rather than one over the next year's."""
    parts, y = [], axis + 20
    widest = max(_text_width(label, 11) for label, _year_row in labels) + 8
    every = max(1, math.ceil(widest / slot))
    for i, (label, _year_row) in enumerate(labels):
        if i % every == 0:
            parts.append(_text(x_of(i), y, label, anchor="middle", size=11, fill=MUTED))
    if any(year_row for _label, year_row in labels):
        starts = [i for i, year in enumerate(years) if i == 0 or year != years[i - 1]]
        right = x_of(len(years) - 1) + slot / 2 + 16  # the chart's right margin may take a label's end
        for n, i in enumerate(starts):
            x = x_of(i) - slot / 2
            if n:
                parts.append(f'<line x1="{_n(x)}" y1="{_n(axis)}" x2="{_n(x)}" y2="{_n(y + 18)}" stroke="{GRID}"/>')
            end = x_of(starts[n + 1]) - slot / 2 if n + 1 < len(starts) else right
            if end - x >= _text_width(str(years[i]), 11) + 6:
                parts.append(_text(x + 3, y + 16, str(years[i]), size=11, fill=MUTED, weight="bold"))
    return parts


# The progress of one commitment.


@dataclass
class _Bar:
    buckets: list[Bucket]
    quantity: int
    target: int | None
    status: str
    met: int
    closed: int

    @property
    def start(self):
        return self.buckets[0].start

    @property
    def end(self):
        return self.buckets[-1].end

    @property
    def merged(self):
        return len(self.buckets) > 1


def _bar(buckets: list[Bucket]) -> _Bar:
    """One bar for consecutive buckets: the sums, and a status that is met only when all are met."""
    statuses = {bucket.status for bucket in buckets}
    if Status.IN_PROGRESS in statuses:
        status = Status.IN_PROGRESS
    elif statuses == {Status.NOT_REPORTED}:
        status = Status.NOT_REPORTED
    elif statuses == {Status.MET}:
        status = Status.MET
    else:
        status = Status.NOT_MET
    targets = [bucket.target for bucket in buckets]
    return _Bar(
        buckets=buckets,
        quantity=sum(bucket.quantity for bucket in buckets),
        target=None if None in targets else sum(targets),
        status=status,
        met=sum(bucket.status == Status.MET for bucket in buckets),
        closed=sum(bucket.is_closed for bucket in buckets),
    )


_GROUPINGS = {
    "month": lambda day: (day.year, day.month),
    "quarter": lambda day: (day.year, (day.month - 1) // 3),
    "year": lambda day: day.year,
}


def _group(buckets: list[Bucket]) -> tuple[list[list[Bucket]], str | None]:
    """At most MAX_BARS groups of consecutive buckets: each bucket alone if they are few, otherwise
    by the calendar month, quarter or year the bucket starts in (the first that is few enough)."""
    if len(buckets) <= MAX_BARS:
        return [[bucket] for bucket in buckets], None
    for grouping, key in _GROUPINGS.items():
        groups = {}
        for bucket in buckets:
            groups.setdefault(key(bucket.start), []).append(bucket)
        if len(groups) <= MAX_BARS or grouping == "year":
            return list(groups.values()), grouping
    raise AssertionError("unreachable: the last grouping is always taken")


def _status_defs(chart_id: str) -> str:
    # Diagonal hatching for "not met": drawn with lines rather than patternTransform, which not
    # every SVG renderer (WeasyPrint among them) supports.
    return (
        f'<pattern id="{chart_id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse">'
        f'<rect width="6" height="6" fill="#ffffff"/>'
        f'<path d="M-1,1 L1,-1 M0,6 L6,0 M5,7 L7,5" stroke="{RED}" stroke-width="1.6"/></pattern>'
    )


def _status_look(chart_id, status) -> str:
    """The fill and outline of a bar of the status, so that it reads without colour too."""
    if status == Status.MET:
        return f'fill="{GREEN}"'
    if status == Status.NOT_MET:
        return f'fill="url(#{chart_id}-hatch)" stroke="{RED}"'
    if status == Status.NOT_REPORTED:
        return f'fill="none" stroke="{MUTED}" stroke-width="1.5" stroke-dasharray="4 3"'
    return f'fill="{LIGHT_BLUE}" stroke="{BLUE}" stroke-width="1.5"'


def _status_shape(chart_id, status, x, y, width, height) -> str:
    """A bar's rectangle, styled by its status."""
    geometry = f'x="{_n(x)}" y="{_n(y)}" width="{_n(width)}" height="{_n(height)}"'
    return f'<rect class="bar bar-{status}" {geometry} {_status_look(chart_id, status)}/>'


def _status_path(chart_id, status, rectangles) -> str:
    """The bars of one status as one path (for print); a bar of height 0 is not drawn, as with <rect>."""
    d = " ".join(f"M{_n(x)},{_n(y)} h{_n(w)} v{_n(h)} h{_n(-w)} Z" for x, y, w, h in rectangles if w > 0 and h > 0)
    return f'<path class="bars bars-{status}" d="{d}" {_status_look(chart_id, status)}/>' if d else ""


_MARKER_LOOK = {
    Status.NOT_MET: f'fill="none" stroke="{RED}" stroke-width="2"',
    Status.NOT_REPORTED: f'fill="none" stroke="{MUTED}" stroke-width="1.5"',
}


def _marker_d(status, x, y) -> str:
    if status == Status.NOT_MET:
        return f"M{_n(x - 4)},{_n(y - 4)} L{_n(x + 4)},{_n(y + 4)} M{_n(x - 4)},{_n(y + 4)} L{_n(x + 4)},{_n(y - 4)}"
    return f"M{_n(x - 4)},{_n(y)} a4,4 0 1,0 8,0 a4,4 0 1,0 -8,0"  # a circle


def _status_marker(status, x, y) -> str:
    """A marker under a missed bar: × not met (also for a bar of 0), ○ not reported."""
    if status == Status.NOT_MET:
        return f'<path class="marker marker-not_met" d="{_marker_d(status, x, y)}" stroke="{RED}" stroke-width="2"/>'
    if status == Status.NOT_REPORTED:
        return (
            f'<circle class="marker marker-not_reported" cx="{_n(x)}" cy="{_n(y)}" r="4" fill="none" '
            f'stroke="{MUTED}" stroke-width="1.5"/>'
        )
    return ""


def _marker_path(status, points) -> str:
    """The markers of one status as one path (for print)."""
    if status not in _MARKER_LOOK or not points:
        return ""
    d = " ".join(_marker_d(status, x, y) for x, y in points)
    return f'<path class="markers markers-{status}" d="{d}" {_MARKER_LOOK[status]}/>'


def _status_swatch(chart_id, status) -> tuple[str, float]:
    """The bar's look and, to its right, its marker: the legend links both to the status."""
    shape = _status_shape(chart_id, status, 1, 0, 14, 12).replace('class="bar ', 'class="swatch ')
    marker = _status_marker(status, 25, 6).replace('class="marker ', 'class="swatch-marker ')
    return shape + marker, 32 if marker else 16


@functools.lru_cache(maxsize=16)
def _status_words(language) -> tuple[dict, str]:
    """The status labels and the label of a merged bar in the active language (the argument is only
    the cache key)."""
    return {status: str(label) for status, label in Status.choices}, _("%(status)s (%(met)s of %(closed)s met)")


@receiver(setting_changed)
def _forget_words(**kwargs):
    """As Django forgets its cached formats when a test changes a setting."""
    _calendar.cache_clear()
    _status_words.cache_clear()


class _Words:
    """The words of a commitment chart that repeat on every bar, translated once."""

    def __init__(self, commitment):
        language = get_language()
        self.calendar = _calendar(language)
        self.status, self.merged_status = _status_words(language)
        self.comparison = str(Commitment.Comparison(commitment.comparison).label) if commitment.comparison else ""
        self._numbers = {}

    def number(self, value) -> str:
        if value not in self._numbers:
            self._numbers[value] = _number(value)
        return self._numbers[value]

    def target(self, target) -> str:
        if target is None:
            return ""
        return f"{self.comparison} {self.number(target)}".strip()

    def bar_status(self, bar: _Bar) -> str:
        label = self.status[bar.status]
        if bar.merged and bar.closed:
            return self.merged_status % {"status": label, "met": bar.met, "closed": bar.closed}
        return label


def _distinct(texts) -> str:
    return "; ".join(dict.fromkeys(text for text in texts if text))


_EACH_BAR = {
    "month": lambda: _("Each bar shows one month"),
    "quarter": lambda: _("Each bar shows one quarter"),
    "year": lambda: _("Each bar shows one year"),
}


def commitment_chart(progress: CommitmentProgress, *, for_print=False) -> Chart | None:
    """Logged against target per period: a bar per period (or per month, quarter or year when there
    are more than MAX_BARS periods), the target as a stepped line. None without a number or periods."""
    commitment = progress.commitment
    if not progress.measurable or not progress.buckets:
        return None
    groups, grouping = _group(progress.buckets)
    bars = [_bar(group) for group in groups]
    words = _Words(commitment)
    periods = [words.calendar.period(bar.start, bar.end) for bar in bars]
    chart_id = _chart_id(
        "commitment",
        commitment.pk,
        commitment.title,
        [
            (b.start.toordinal(), b.end.toordinal(), b.target, b.quantity, b.entries, str(b.status))
            for b in progress.buckets
        ],
    )

    # The words: title, description and the table.
    title = commitment.title
    closed = [bucket for bucket in progress.buckets if bucket.is_closed]
    count = {status: sum(bucket.status == status for bucket in closed) for status in Status.values}
    sentences = [_("Target: %(target)s.") % {"target": commitment.target_display()}]
    if grouping:
        sentences.append(
            _(
                "%(each_bar)s: %(periods)s periods are merged into %(bars)s bars. A bar is the sum logged, the line "
                "the sum of the targets, and a bar counts as met only when every period in it was met."
            )
            % {"each_bar": _EACH_BAR[grouping](), "periods": len(progress.buckets), "bars": len(bars)}
        )
    else:
        sentences.append(
            _("Each bar is one period of the target: its height is the number logged, the line marks the target.")
        )
    if closed:
        sentences.append(
            ngettext(
                "%(closed)s closed period: %(met)s met, %(not_met)s not met, %(not_reported)s not reported.",
                "%(closed)s closed periods: %(met)s met, %(not_met)s not met, %(not_reported)s not reported.",
                len(closed),
            )
            % {"closed": len(closed), **count}
        )
    else:
        sentences.append(_("No period has closed yet."))
    if progress.current:
        sentences.append(_("The current period is in progress."))
    description = " ".join(sentences)

    headers = [
        _("Period"),
        pgettext("chart", "Logged"),
        _("Target"),
        pgettext("chart", "Status"),
        _("Reason for the miss"),
    ]
    actions = [_distinct(b.corrective_action for b in bar.buckets) for bar in bars]
    if any(actions):
        headers.append(pgettext("chart", "Corrective action"))
    rows = []
    for bar, period, action in zip(bars, periods, actions, strict=True):
        row = [
            period,
            words.number(bar.quantity) if bar.status != Status.NOT_REPORTED else EN_DASH,
            words.target(bar.target),
            words.bar_status(bar),
            _distinct(b.missed_reason for b in bar.buckets),
        ]
        rows.append([*row, action] if any(actions) else row)

    # The drawing.
    left, right, top, bottom = 64, WIDTH - 16, 46, HEIGHT - 72
    slot = (right - left) / len(bars)
    bar_width = min(slot * 0.72, 56)
    highest = max([bar.quantity for bar in bars] + [bar.target or 0 for bar in bars] + [1])
    ticks = _ticks(0, highest * 1.08, integer=True)  # room above the highest bar for its number

    def y_of(value):
        return bottom - (bottom - top) * value / ticks[-1]

    def x_of(i):
        return left + slot * (i + 0.5)

    body = _y_axis(ticks, y_of, left, right, words.number, for_print)
    body.append(_axis_title(commitment.measure or pgettext("chart", "Number"), 16, (top + bottom) / 2))
    show_values = len(bars) <= 16
    rectangles, markers = {}, {}  # for print: {status: [...]}, drawn as one path each
    for i, (bar, period) in enumerate(zip(bars, periods, strict=True)):
        x = x_of(i) - bar_width / 2
        # Nothing reported: an empty dashed outline up to the target, where a report of 0 has no bar.
        shown = bar.target or 0 if bar.status == Status.NOT_REPORTED else bar.quantity
        if for_print:
            rectangles.setdefault(bar.status, []).append((x, y_of(shown), bar_width, bottom - y_of(shown)))
            markers.setdefault(bar.status, []).append((x_of(i), bottom + 10))
        else:
            body.append(f"<g><title>{escape(f'{period}: {words.bar_status(bar)}')}</title>")
            body.append(_status_shape(chart_id, bar.status, x, y_of(shown), bar_width, bottom - y_of(shown)))
            body.append(_status_marker(bar.status, x_of(i), bottom + 10))
            body.append("</g>")
        if show_values and bar.status != Status.NOT_REPORTED:
            body.append(_text(x_of(i), y_of(bar.quantity) - 5, words.number(bar.quantity), anchor="middle", size=11))
    for status in Status.values:
        body.append(_status_path(chart_id, status, rectangles.get(status, [])))
        body.append(_marker_path(status, markers.get(status, [])))

    # The target: a stepped line across each bar's slot, so that targets summed over months of
    # different lengths still sit on their own bar.
    steps = [(i, bar.target) for i, bar in enumerate(bars) if bar.target is not None]
    if steps:
        path = []
        for i, target in steps:
            start = x_of(i) - slot / 2
            path.append(f"{'L' if path else 'M'}{_n(start)},{_n(y_of(target))} H{_n(start + slot)}")
        body.append(
            f'<path class="target" d="{" ".join(path)}" fill="none" stroke="{INK}" stroke-width="2" '
            f'stroke-linejoin="round"/>'
        )

    labels = [words.calendar.axis(bar.start, bar.end, len(bars)) for bar in bars]
    body += _x_labels(labels, [bar.start.year for bar in bars], slot, x_of, bottom + 16)

    present = [status for status in Status.values if any(bar.status == status for bar in bars)]
    legend = [(_status_swatch(chart_id, status), words.status[status]) for status in present]
    legend.append(((f'<line x1="0" y1="6" x2="18" y2="6" stroke="{INK}" stroke-width="2"/>', 18), _("Target")))
    body += _legend(legend, 22, left)

    return Chart(
        svg=_svg(chart_id, title, description, _status_defs(chart_id), body, font=PRINT_FONT if for_print else FONT),
        title=title,
        description=description,
        table_caption=_("%(title)s: logged and target per period") % {"title": title},
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

    chart_id = _chart_id(
        "compliance", progress.pledge.pk, sorted((key, tuple(value)) for key, value in per_period.items())
    )
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
    for i, key in enumerate(keys):
        if key not in shares:
            body.append(_text(x_of(i), bottom - 6, EN_DASH, anchor="middle", fill=MUTED))
            continue
        share = shares[key]
        body.append(
            f'<rect class="bar" x="{_n(x_of(i) - bar_width / 2)}" y="{_n(y_of(share))}" width="{_n(bar_width)}" '
            f'height="{_n(bottom - y_of(share))}" fill="{BLUE}"><title>{escape(label(key))}: '
            f"{escape(_percent(share))}</title></rect>"
        )
        body.append(_text(x_of(i), y_of(share) - 6, _percent(share), anchor="middle", weight="bold"))
    if quarterly:
        quarters = [(_("Q%(quarter)s") % {"quarter": quarter}, True) for _year, quarter in keys]
        body += _x_labels(quarters, [year for year, _quarter in keys], slot, x_of, bottom)
    else:
        body += _x_labels([(str(key), False) for key in keys], keys, slot, x_of, bottom)

    return Chart(
        svg=_svg(chart_id, title, description, "", body),
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

    chart_id = _chart_id(
        "indicator", indicator.pk, indicator.name, indicator.unit, baseline, target, [(v.year, v.value) for v in values]
    )
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
        body.append(
            _text(right + 8, label_y - 2, line["word"], fill=colour, weight="bold", extra=f' class="{kind}-label"')
        )
        body.append(_text(right + 8, label_y + 12, f"{year}: {fmt(value)}", size=11, fill=colour))
        if kind == "target":
            x = x_of(year)
            body.append(
                f'<path d="M{_n(x)},{_n(y - 7)} L{_n(x + 7)},{_n(y)} L{_n(x)},{_n(y + 7)} L{_n(x - 7)},{_n(y)} Z" '
                f'fill="#ffffff" stroke="{PURPLE}" stroke-width="2"/>'
            )

    points = [(x_of(v.year), y_of(v.value)) for v in values]
    body.append(
        f'<polyline class="series" points="{" ".join(f"{_n(x)},{_n(y)}" for x, y in points)}" fill="none" '
        f'stroke="{BLUE}" stroke-width="2.5" stroke-linejoin="round"/>'
    )
    for i, ((x, y), v) in enumerate(zip(points, values, strict=True)):
        body.append(
            f'<circle class="point" cx="{_n(x)}" cy="{_n(y)}" r="4.5" fill="{BLUE}" stroke="#ffffff" '
            f'stroke-width="1.5">'
            + ("" if for_print else f"<title>{escape(f'{v.year}: {fmt(v.value)}')}</title>")
            + "</circle>"
        )
        if len(values) <= 12:
            # Above the point, unless the line rises away from it on average: then below, off the line.
            neighbours = [points[j][1] for j in (i - 1, i + 1) if 0 <= j < len(points)]
            below = bool(neighbours) and sum(neighbours) / len(neighbours) < y
            label_y = y + 19 if below else y - 10
            body.append(_text(x, label_y, fmt(v.value), anchor="middle", size=11, weight="bold", fill=BLUE))

    year_labels = [(str(year), False) for year in range(first_year, last_year + 1)]
    body += _x_labels(year_labels, [], slot, lambda i: x_of(first_year + i), bottom)

    return Chart(
        svg=_svg(chart_id, title, description, "", body, font=PRINT_FONT if for_print else FONT),
        title=title,
        description=description,
        table_caption=" – ".join(caption_parts),
        table_headers=headers,
        table_rows=rows,
    )
