import datetime
import itertools
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from followup.charts import commitment_chart, indicator_chart, pledge_compliance_chart
from followup.models import ActivityLog, Indicator, IndicatorValue, MissedPeriod
from followup.progress import Bucket, CommitmentProgress, Status, pledge_progress
from pledges.models import Commitment
from pledges.tests.factories import CommitmentFactory, FocusAreaFactory, PledgeFactory

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def english():
    """Our own strings in their source language, so that a new translation does not break the tests;
    Django's month names are checked in Swedish where it matters."""
    with translation.override("en"):
        yield


def commitment(**fields):
    """An unsaved commitment: the charts work on the objects they are given."""
    defaults = {
        "title": "Trafikkontroller",
        "target_kind": Commitment.TargetKind.QUANTITY,
        "comparison": Commitment.Comparison.AT_LEAST,
        "quantity": 10,
        "interval": 1,
        "unit": Commitment.Unit.MONTH,
        "measure": "kontroller",
    }
    return Commitment(**{**defaults, **fields})


def month_bucket(month, status, quantity=0, **fields):
    start = datetime.date(2025, month, 1)
    end = datetime.date(2025, month + 1, 1) - datetime.timedelta(days=1)
    entries = 0 if status == Status.NOT_REPORTED else 1
    return Bucket(start=start, end=end, target=10, quantity=quantity, entries=entries, status=status, **fields)


def four_months(**commitment_fields):
    buckets = [
        month_bucket(1, Status.MET, 12),
        month_bucket(2, Status.NOT_MET, 0, missed_reason="Personalbrist", corrective_action="Extra pass i mars"),
        month_bucket(3, Status.NOT_REPORTED),
        month_bucket(4, Status.IN_PROGRESS, 4),
    ]
    return CommitmentProgress(commitment=commitment(**commitment_fields), measurable=True, buckets=buckets, met=1)


def parse(chart):
    return ET.fromstring(str(chart.svg))


def subpaths(path):
    """The shapes of one path: each begins with an absolute move."""
    return re.findall(r"M[^M]*", path.get("d")) if path is not None else []


def bars(root):
    """The bars drawn (one of height 0 is not), as the subpaths of the paths of bars: the bars of one
    look are one path."""
    return [d for e in root.iter(f"{SVG}path") if "bars" in e.get("class", "").split() for d in subpaths(e)]


def path_of(root, cls):
    return root.find(f".//{SVG}path[@class='{cls}']")


def target_steps(root):
    """The horizontal steps (x from, x to, y) of the target line, read from its path (M, L, H, V)."""
    d = path_of(root, "target").get("d")
    assert d.startswith("M")
    steps, x, y = [], None, None
    for command, numbers in re.findall(r"([MLHV])([-\d.,]+)", d):
        values = [float(n) for n in numbers.split(",")]
        if command in "ML":
            x, y = values
        elif command == "V":
            y = values[0]
        else:
            steps.append((x, values[0], y))
            x = values[0]
    assert "".join(re.findall(r"[A-Za-z]", d)) == "".join(re.findall(r"([MLHV])[-\d.,]+", d))  # nothing else
    return steps


def assert_the_target_line_marks_each_bar(chart):
    """Over each bar's slot the line is at the bar's target: higher for a higher target."""
    root = parse(chart)
    steps = target_steps(root)
    left, right = steps[0][0], steps[-1][1]
    slot = (right - left) / len(chart.table_rows)
    heights = {}
    for i, row in enumerate(chart.table_rows):
        middle = left + slot * (i + 0.5)
        y = next(y for x1, x2, y in steps if x1 < middle < x2)
        heights.setdefault(row[2], set()).add(y)
    assert all(len(ys) == 1 for ys in heights.values())  # one target, one height
    ys = [heights[words].pop() for words in sorted(heights, key=lambda words: int(re.sub(r"\D", "", words)))]
    assert all(lower > higher for lower, higher in itertools.pairwise(ys))  # y grows downwards


def texts(root):
    return ["".join(e.itertext()) for e in root.iter(f"{SVG}text")]


def test_a_commitment_chart_is_an_accessible_svg_with_one_bar_per_period():
    chart = commitment_chart(four_months())

    root = parse(chart)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert root.get("viewBox")
    title_id, desc_id = root.get("aria-labelledby").split()
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title.get("id") == title_id and title.text == "Trafikkontroller" == chart.title
    assert desc.get("id") == desc_id and desc.text == chart.description
    assert "at least 10 per month" in chart.description
    assert target_steps(root) == [(64, 704, target_steps(root)[0][2])]  # one target: one step across
    assert "1 met, 1 not met, 1 not reported" in chart.description
    assert {"jan", "feb", "mar", "apr"} <= set(texts(root))  # a label under each period's bar
    assert len(bars(root)) == 3  # February's report of 0 has no height: its marker (×) shows it
    assert "sans-serif" in root.get("font-family")
    # Plain SVG 1.1 for WeasyPrint: no scripts, styles, foreign HTML or outside resources.
    for tag in ("script", "style", "foreignObject", "image"):
        assert root.find(f".//{SVG}{tag}") is None
    assert "http" not in str(chart.svg).replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "var(" not in str(chart.svg)


def test_every_id_in_a_chart_is_its_own_and_stable():
    chart = commitment_chart(four_months())
    other = commitment_chart(four_months(title="Trygghetsvandringar"))

    ids = {e.get("id") for e in parse(chart).iter() if e.get("id")}
    other_ids = {e.get("id") for e in parse(other).iter() if e.get("id")}
    assert len(ids) == 3  # title, desc and the hatch pattern
    assert not ids & other_ids
    assert str(commitment_chart(four_months()).svg) == str(chart.svg)  # same data, same markup (PDF checksums)


def look(element):
    """A bar as seen without colour: its kind of fill, outline and dashes."""
    fill = element.get("fill")
    fill = "pattern" if fill.startswith("url(") else "empty" if fill == "none" else "solid"
    return fill, element.get("stroke") is not None, element.get("stroke-dasharray")


def test_two_commitments_with_the_same_figures_have_their_own_ids():
    """Two charts on one page never share an id (aria-labelledby, the hatch pattern)."""
    first, second = four_months(pk=1), four_months(pk=2)

    def ids(progress):
        return {e.get("id") for e in parse(commitment_chart(progress)).iter() if e.get("id")}

    assert not ids(first) & ids(second)
    assert ids(first) == ids(four_months(pk=1))


@pytest.mark.parametrize("language", ["sv", "en"])
def test_numbers_are_written_as_django_writes_them(language):
    """The charts group integers themselves (number_format was a noticeable share of a page)."""
    from django.utils.formats import number_format

    from followup.charts import _number

    with translation.override(language):
        for value in [0, 7, -7, 999, 1000, -1000, 1234, 12345, -123456, 1234567, 10**12]:
            assert _number(value) == number_format(value, decimal_pos=0, use_l10n=True, force_grouping=True)
        assert _number(Decimal("1234.50")) == number_format(Decimal("1234.5"), 1, use_l10n=True, force_grouping=True)
    buckets = [month_bucket(1, Status.MET, 12345)]
    with translation.override("sv"):
        chart = commitment_chart(CommitmentProgress(commitment=commitment(), measurable=True, buckets=buckets))
    assert chart.table_rows[0][1] == "12\xa0345"  # a non-breaking space between the thousands
    assert "12\xa0345" in texts(parse(chart))


def test_not_met_and_not_reported_differ_without_colour():
    root = parse(commitment_chart(four_months()))

    # The legend shows each look with its label, and the bars have the look of their status.
    swatches = {status: look(root.find(f".//{SVG}rect[@class='swatch swatch-{status}']")) for status in Status.values}
    assert len(set(swatches.values())) == 4
    assert swatches[Status.NOT_REPORTED] == ("empty", True, "4 3")
    assert swatches[Status.NOT_MET][0] == "pattern"
    assert {"Met", "Not met", "Not reported", "In progress", "Target"} <= set(texts(root))
    for status in (Status.MET, Status.NOT_REPORTED, Status.IN_PROGRESS):
        assert len(subpaths(path_of(root, f"bars bars-{status}"))) == 1
        assert look(path_of(root, f"bars bars-{status}")) == swatches[status]
    # A report of 0 draws no bar, but its marker (×, two strokes) still differs from not reported (○, arcs).
    assert path_of(root, "bars bars-not_met") is None
    crosses = subpaths(path_of(root, "markers markers-not_met"))
    rings = subpaths(path_of(root, "markers markers-not_reported"))
    assert len(crosses) == 1 and "a" not in crosses[0]  # one ×, of straight strokes
    assert len(rings) == 1 and crosses[0].count("l") == 2 and rings[0].count("a") == 2  # one ○, of two arcs
    # And the legend links each marker to its status.
    assert root.find(f".//{SVG}path[@class='swatch-marker swatch-marker-not_met']") is not None
    assert root.find(f".//{SVG}path[@class='swatch-marker swatch-marker-not_reported']") is not None


def test_the_table_has_a_row_per_bar_with_the_reason_for_a_miss():
    chart = commitment_chart(four_months())

    assert chart.table_headers == ["Period", "Logged", "Target", "Status", "Reason for the miss", "Corrective action"]
    assert chart.table_rows == [
        ["jan 2025", "12", "at least 10", "Met", "", ""],
        ["feb 2025", "0", "at least 10", "Not met", "Personalbrist", "Extra pass i mars"],
        ["mar 2025", "–", "at least 10", "Not reported", "", ""],
        ["apr 2025", "4", "at least 10", "In progress", "", ""],
    ]
    with translation.override("sv"):
        assert commitment_chart(four_months()).table_rows[0][0] == "jan 2025"
        may = CommitmentProgress(commitment=commitment(), measurable=True, buckets=[month_bucket(5, Status.MET, 10)])
        assert commitment_chart(may).table_rows[0][0] == "maj 2025"


def test_731_daily_periods_are_merged_into_a_bar_a_month():
    start = datetime.date(2019, 1, 1)
    buckets = []
    for n in range(731):
        day = start + datetime.timedelta(days=n)
        status = Status.NOT_REPORTED if day.day == 1 else Status.MET if n % 3 else Status.NOT_MET
        quantity = 0 if status == Status.NOT_REPORTED else 2 if status == Status.MET else 1
        buckets.append(Bucket(day, day, 2, quantity, int(status != Status.NOT_REPORTED), status))
    progress = CommitmentProgress(
        commitment=commitment(quantity=2, unit=Commitment.Unit.DAY), measurable=True, buckets=buckets
    )

    chart = commitment_chart(progress)

    root = parse(chart)
    assert len(bars(root)) == 24 <= 60
    assert len(chart.table_rows) == 24
    assert "Each bar shows one month: 731 periods are merged into 24 bars" in chart.description
    assert chart.description in root.find(f"{SVG}desc").text
    january = chart.table_rows[0]
    assert january[0] == "jan 2019"
    assert january[2] == "at least 62"  # 31 days × 2
    assert january[3].startswith("Not met (")  # not every day in it was met
    assert len({row[2] for row in chart.table_rows}) == 4  # 28, 29, 30 and 31 days
    assert_the_target_line_marks_each_bar(chart)
    assert len(str(chart.svg)) < 6_000  # each look one path, each look of text one group


def test_sixty_periods_keep_a_bar_each():
    start = datetime.date(2025, 1, 6)
    buckets = [
        Bucket(start + datetime.timedelta(weeks=n), start + datetime.timedelta(weeks=n, days=6), 1, 1, 1, Status.MET)
        for n in range(60)
    ]
    chart = commitment_chart(
        CommitmentProgress(commitment=commitment(unit=Commitment.Unit.WEEK), measurable=True, buckets=buckets)
    )

    assert len(bars(parse(chart))) == len(chart.table_rows) == 60
    assert chart.table_rows[0][0] == "01/06/2025 – 01/12/2025"
    with translation.override("sv"):
        assert (
            commitment_chart(
                CommitmentProgress(commitment=commitment(unit=Commitment.Unit.WEEK), measurable=True, buckets=buckets)
            ).table_rows[0][0]
            == "2025-01-06 – 2025-01-12"
        )


def test_text_in_a_chart_is_escaped():
    progress = four_months(title="<script>alert('x')</script> & co", measure="<b>")
    progress.buckets[1].missed_reason = "<img src=x>"

    chart = commitment_chart(progress)

    svg = str(chart.svg)
    assert "<script" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg
    root = parse(chart)  # still well-formed XML
    assert root.find(f"{SVG}title").text == "<script>alert('x')</script> & co"
    html = render_to_string("followup/chart.html", {"chart": chart})
    assert "<script" not in html and "<img" not in html
    assert "&lt;img src=x&gt;" in html


def test_commitments_without_a_number_or_periods_have_no_chart():
    as_needed = commitment(
        target_kind=Commitment.TargetKind.AS_NEEDED, comparison="", quantity=None, interval=None, unit=""
    )
    assert commitment_chart(CommitmentProgress(commitment=as_needed, measurable=False)) is None
    assert commitment_chart(CommitmentProgress(commitment=commitment(), measurable=True, buckets=[])) is None


def test_the_indicator_chart_shows_the_values_the_baseline_and_the_target():
    indicator = Indicator(
        name="Andel som känner sig trygga",
        unit=Indicator.Unit.PERCENT,
        baseline_year=2019,
        baseline_value=Decimal("55.0"),
        target_year=2026,
        target_value=Decimal("70.0"),
    )
    values = [
        IndicatorValue(year=2021, value=Decimal("56.0")),
        IndicatorValue(year=2019, value=Decimal("55.0")),
        IndicatorValue(year=2023, value=Decimal("62.5"), note="Ny enkät"),
    ]

    chart = indicator_chart(indicator, values)

    root = parse(chart)
    assert root.get("role") == "img"
    assert len(subpaths(path_of(root, "points"))) == 3  # a dot on each value, all one path
    assert root.find(f".//{SVG}title[@id]") is not None and len(root.findall(f".//{SVG}title")) == 1
    assert root.find(f".//{SVG}line[@class='baseline']") is not None
    assert root.find(f".//{SVG}line[@class='target']") is not None
    assert "".join(root.find(f".//{SVG}text[@class='baseline-label']").itertext()) == "Baseline"
    assert "".join(root.find(f".//{SVG}text[@class='target-label']").itertext()) == "Target"
    assert {"2019: 55\xa0%", "2026: 70\xa0%", "62.5\xa0%"} <= set(texts(root))
    assert "Baseline 2019: 55\xa0%. Target 2026: 70\xa0%. Higher is better." in chart.description
    assert chart.table_headers == ["Year", "Value", "Note"]
    assert chart.table_rows == [["2019", "55\xa0%", ""], ["2021", "56\xa0%", ""], ["2023", "62.5\xa0%", "Ny enkät"]]
    with translation.override("sv"):
        assert indicator_chart(indicator, values).table_rows[2][1] == "62,5\xa0%"
    assert indicator_chart(indicator, []) is None


def test_an_indicator_without_baseline_or_target_has_a_chart_of_its_values():
    indicator = Indicator(name="Anmälda inbrott", unit=Indicator.Unit.COUNT)
    chart = indicator_chart(indicator, [IndicatorValue(year=2024, value=Decimal("1234"))])

    root = parse(chart)
    assert root.find(f".//{SVG}line[@class='baseline']") is None
    assert "1,234" in texts(root)


@pytest.mark.django_db
def test_the_pledge_chart_shows_the_share_met_per_quarter(django_assert_num_queries):
    pledge = PledgeFactory(period_start=datetime.date(2025, 1, 1), period_end=datetime.date(2026, 12, 31))
    area = FocusAreaFactory(pledge=pledge)
    monthly = CommitmentFactory(focus_area=area, quantity=10)
    CommitmentFactory(
        focus_area=area,
        target_kind=Commitment.TargetKind.AS_NEEDED,
        comparison="",
        quantity=None,
        interval=None,
        unit="",
    )
    for day, quantity in [("2025-01-10", 10), ("2025-02-03", 3), ("2025-04-02", 10), ("2025-05-02", 12)]:
        ActivityLog.objects.create(commitment=monthly, performed_on=day, quantity=quantity)
    ActivityLog.objects.create(commitment=monthly, performed_on="2025-06-30", quantity=10)
    MissedPeriod.objects.create(
        commitment=monthly,
        period_start=datetime.date(2025, 2, 1),
        period_end=datetime.date(2025, 2, 28),
        reason=MissedPeriod.Reason.LACK_OF_STAFF,
    )
    progress = pledge_progress(pledge, today=datetime.date(2025, 7, 15))

    with django_assert_num_queries(0):  # the charts only read what they are given
        chart = pledge_compliance_chart(progress)
        commitments = [commitment_chart(c) for c in progress.commitments]

    assert chart.title == "Share of periods met, per quarter"
    assert chart.table_headers == ["Period", "Share met", "Periods met", "Closed periods", "Commitments"]
    assert chart.table_rows == [["Q1 2025", "33\xa0%", "1", "3", "1"], ["Q2 2025", "100\xa0%", "3", "3", "1"]]
    assert "1 measurable commitment" in chart.description
    root = parse(chart)
    assert len(bars(root)) == 2
    assert {"Q1", "Q2", "2025", "33\xa0%", "100\xa0%"} <= set(texts(root))
    assert len(root.findall(f".//{SVG}title")) == 1  # the chart's own: the table has the figures

    measured, as_needed = commitments
    assert as_needed is None
    assert len(measured.table_rows) == 7  # January to the month in progress
    assert len(bars(parse(measured))) == 6  # July, in progress, has nothing logged yet: no height
    assert measured.table_rows[1][3:] == ["Not met", "Lack of staff"]

    assert pledge_compliance_chart(pledge_progress(pledge, today=datetime.date(2025, 1, 15))) is None


@pytest.mark.django_db
def test_the_pledge_chart_shows_years_for_a_longer_pledge_and_none_without_numbers():
    pledge = PledgeFactory(period_start=datetime.date(2019, 1, 1), period_end=datetime.date(2022, 12, 31))
    yearly = CommitmentFactory(focus_area__pledge=pledge, quantity=1, unit=Commitment.Unit.YEAR)
    ActivityLog.objects.create(commitment=yearly, performed_on="2019-05-01", quantity=1)
    ActivityLog.objects.create(commitment=yearly, performed_on="2021-05-01", quantity=1)

    chart = pledge_compliance_chart(pledge_progress(pledge, today=datetime.date(2022, 3, 1)))

    assert chart.title == "Share of periods met, per year"
    assert [row[:2] for row in chart.table_rows] == [["2019", "100\xa0%"], ["2020", "0\xa0%"], ["2021", "100\xa0%"]]

    other = PledgeFactory()
    CommitmentFactory(
        focus_area__pledge=other,
        target_kind=Commitment.TargetKind.CONTINUOUS,
        comparison="",
        quantity=None,
        interval=None,
        unit="",
    )
    assert pledge_compliance_chart(pledge_progress(other, today=datetime.date(2026, 6, 1))) is None


def test_the_include_renders_a_figure_with_the_numbers_as_a_table():
    chart = commitment_chart(four_months())

    html = render_to_string("followup/chart.html", {"chart": chart})

    assert html.count("<figure") == 1 and "<figcaption>" in html
    assert str(chart.svg) in html  # embedded as markup, not escaped
    assert "<details" in html and "<summary>Show as table</summary>" in html
    assert "<caption>Trafikkontroller: logged and target per period</caption>" in html
    assert html.count('<th scope="col">') == len(chart.table_headers)
    assert html.count('<th scope="row">') == len(chart.table_rows) == 4
    assert '<th scope="row">feb 2025</th>' in html
    assert "<td>Personalbrist</td>" in html
    assert chart.description in html
    assert not re.search(r">\s*\n\s*<", html)  # no indentation between the tags: a page holds a score of charts


def weeks_across_new_year():
    """A week that began in December 2020, then 52 weeks of 2021, one in progress."""
    start = datetime.date(2020, 12, 28)
    buckets = []
    for n in range(53):
        status = Status.NOT_MET if n % 10 == 3 else Status.NOT_REPORTED if n % 10 == 7 else Status.MET
        quantity = {Status.MET: 2, Status.NOT_MET: 1, Status.NOT_REPORTED: 0}[status]
        monday = start + datetime.timedelta(weeks=n)
        buckets.append(
            Bucket(monday, monday + datetime.timedelta(days=6), 2, quantity, int(status != Status.NOT_REPORTED), status)
        )
    buckets[-1].status = Status.IN_PROGRESS
    return CommitmentProgress(commitment=commitment(unit=Commitment.Unit.WEEK), measurable=True, buckets=buckets)


def test_each_look_is_drawn_once_and_the_print_chart_only_changes_the_font():
    progress = weeks_across_new_year()
    web, printed = commitment_chart(progress), commitment_chart(progress, for_print=True)

    root = parse(web)
    assert "sans-serif" in root.get("font-family")
    # One path per look instead of a rectangle and a hover title per bar (the table has each
    # period's figures): a page holds a score of charts, and WeasyPrint's time goes by elements.
    paths = {e.get("class"): e for e in root.iter(f"{SVG}path") if e.get("class")}
    assert {"bars bars-met", "bars bars-not_met", "bars bars-not_reported", "bars bars-in_progress"} <= set(paths)
    assert {"markers markers-not_met", "markers markers-not_reported"} <= set(paths)
    assert len(subpaths(paths["bars bars-met"])) == sum(b.status == Status.MET for b in progress.buckets)
    assert len(subpaths(paths["markers markers-not_met"])) == sum(b.status == Status.NOT_MET for b in progress.buckets)
    assert paths["bars bars-not_met"].get("fill").startswith("url(#")  # hatched, a bar of 1 has a height
    assert paths["bars bars-not_reported"].get("stroke-dasharray") == "4 3"  # still tells the looks apart
    rects = [e.get("class", "") for e in root.iter(f"{SVG}rect")]  # the background, the hatch's, the legend's
    assert len(rects) <= 6 and all(cls == "" or cls.startswith("swatch ") for cls in rects)
    assert len(root.findall(f".//{SVG}title")) == 1  # the chart's own, no hover title per bar
    assert len(list(root.iter())) < 60  # for 53 bars
    # The look of the texts (size, colour, anchor) is on their groups: most texts carry only their place.
    placed_only = [e for e in root.iter(f"{SVG}text") if set(e.attrib) == {"x", "y"}]
    assert len(placed_only) > 0.8 * len(list(root.iter(f"{SVG}text")))

    printed_root = parse(printed)
    assert printed_root.get("font-family") == "'DejaVu Sans', sans-serif"  # the PDF's embedded font
    # The same drawing, words and numbers as the page's chart (its ids hash the font too).
    assert (printed.title, printed.description, printed.table_rows) == (web.title, web.description, web.table_rows)

    def drawing(chart):
        return re.sub(r'chart-commitment-\w+|font-family="[^"]*"', "", str(chart.svg))

    assert drawing(printed) == drawing(web)


def test_a_year_with_too_few_bars_for_its_label_gets_none():
    root = parse(commitment_chart(weeks_across_new_year()))

    year_labels = [text for text in texts(root) if text in ("2020", "2021")]
    assert year_labels == ["2021"]  # "2020" would have been drawn over it, under the one December week


def test_the_pdf_gets_the_chart_as_an_image_with_its_numbers_as_text():
    chart = commitment_chart(four_months(), for_print=True)

    assert chart.data_uri.startswith("data:image/svg+xml;base64,")
    svg = __import__("base64").b64decode(chart.data_uri.split(",", 1)[1]).decode()
    assert svg == str(chart.svg)
    assert chart.text_alternative == (
        "Trafikkontroller. jan 2025 – Logged: 12, Target: at least 10, Status: Met; "
        "feb 2025 – Logged: 0, Target: at least 10, Status: Not met, Reason for the miss: Personalbrist, "
        "Corrective action: Extra pass i mars; "
        "mar 2025 – Logged: –, Target: at least 10, Status: Not reported; "
        "apr 2025 – Logged: 4, Target: at least 10, Status: In progress"
    )


def test_period_labels_follow_the_language():
    buckets = [
        Bucket(datetime.date(2025, 5, 5), datetime.date(2025, 5, 11), 1, 1, 1, Status.MET),
        Bucket(datetime.date(2025, 5, 12), datetime.date(2025, 5, 18), 1, 1, 1, Status.MET),
    ]
    progress = CommitmentProgress(commitment=commitment(unit=Commitment.Unit.WEEK), measurable=True, buckets=buckets)

    assert commitment_chart(progress).table_rows[0][0] == "05/05/2025 – 05/11/2025"
    with translation.override("sv"):
        chart = commitment_chart(progress)
        assert chart.table_rows[0][0] == "2025-05-05 – 2025-05-11"
        assert chart.table_rows[0][3] == "Uppfyllt"
        quarters = [month_bucket(month, Status.MET, 10) for month in (5, 10)]
        merged = commitment_chart(CommitmentProgress(commitment=commitment(), measurable=True, buckets=quarters))
        assert [row[0] for row in merged.table_rows] == ["maj 2025", "okt 2025"]
    assert commitment_chart(progress).table_rows[0][3] == "Met"  # back in English
