"""The scale seed: every municipality with two pledges and years of follow-up, for the benchmarks.

``scale_seed()`` first removes what an earlier run made and then writes, per municipality, one published
pledge that is running now and one ended pledge of the period before, each with five focus areas of four
commitments (a mix of daily, weekly, monthly, quarterly, yearly and whole-period targets and some
without a number), dialogues with findings, indicators with yearly values, signatories and parties, and
activity logs at the rates the targets imply: most periods met, some missed, some not reported. One
kommunpolis and one samordnare per municipality, and one user (``scale-tio``) with ten municipalities
for the staff dashboard benchmark.

Everything it makes is found again by a ``scale-`` prefix (pledge and dialogue external ids, usernames),
so a rerun replaces it and nothing else is touched: not the demo pledges, not the reference data.
Organisations are reused where they exist (``<name> kommun``, ``Polisen``) and kept on removal.

Speed: rows are written with ``bulk_create`` in large batches, and the activity logs (about a million at
the defaults) with PostgreSQL's COPY. Removal is plain SQL DELETEs in dependency order, without the ORM's
collector: no signals, so no history rows and no public-cache bumps per row (the cache is bumped once at
the end). No history rows are written for seeded rows, and no agreement PDFs are made.
"""

import datetime
import io
import random
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from dialogues.models import Dialogue, Finding, Place, Theme
from followup.models import ActivityLog, Evaluation, Indicator, IndicatorValue, MissedPeriod, ProgressSnapshot
from municipalities.models import Membership, Municipality, Organisation

from .models import Commitment, FocusArea, Pledge, PledgeDialogue, PledgeParty, Signatory
from .public_cache import public_cache_bump

PREFIX = "scale-"
BATCH = 5_000

# (unit, interval, quantity, comparison, due month, valid one year only, wording) per commitment, in order;
# None as unit: a target without a number (its kind in the last field).
COMMITMENT_PLAN = [
    ("day", 1, 1, "at_least", None, True, "Polisen patrullerar centrum minst en gång per dygn"),
    ("week", 1, 1, "at_least", None, False, "Mobila poliskontoret minst en dag i veckan"),
    ("week", 1, 1, "at_least", None, False, "Besök på fritidsgården varje vecka"),
    ("week", 1, 1, "at_least", None, False, "Trafikkontroller minst en gång i veckan"),
    ("week", 3, 1, "at_least", None, False, "Var tredje helg besöka fritidsgården"),
    ("month", 1, 2, "at_least", None, False, "Minst två narkotikakontroller per månad"),
    ("month", 1, 1, "at_least", None, False, "Samverkansmöte en gång i månaden"),
    ("month", 1, 3, "at_least", None, False, "Minst tre hastighetskontroller per månad"),
    ("month", 1, 2, "at_least", None, False, "Två skolbesök per månad"),
    ("month", 2, 1, "at_least", None, False, "Nattvandring varannan månad"),
    ("quarter", 1, 2, "at_least", None, False, "Två trygghetsmöten per kvartal"),
    ("quarter", 1, 1, "at_least", None, False, "Information i lokaltidningen varje kvartal"),
    ("quarter", 1, 3, "at_least", None, False, "Tre grannsamverkansträffar per kvartal"),
    ("year", 1, 1, "at_least", 10, False, "Samordnar varje oktober en trygghetsvandring"),
    ("year", 1, 2, "at_least", None, False, "Trygghetsvandring två gånger per år"),
    ("period", 1, 1, "at_least", None, False, "Vid minst ett tillfälle en informationsträff"),
    (None, None, None, "", None, False, "as_needed"),
    (None, None, None, "", None, False, "continuous"),
    (None, None, None, "", None, False, "every_shift"),
    (None, None, None, "", None, False, "unspecified"),
]
NO_NUMBER_WORDING = {
    "as_needed": "Vid behov",
    "continuous": "Kontinuerligt",
    "every_shift": "Varje arbetspass",
    "unspecified": "Löpande under året",
}
THEMES = [Theme.NARCOTICS, Theme.TRAFFIC, Theme.BURGLARY, Theme.YOUTH, Theme.POLICE_PRESENCE]
AREA_TITLES = ["Narkotika", "Trafik", "Inbrott", "Unga", "Polisens närvaro"]
MET, NOT_MET, NOT_REPORTED = "met", "not_met", "not_reported"


@dataclass
class SeedResult:
    municipalities: int
    pledges: int
    commitments: int
    activity_logs: int


def _in_batches(model, objects):
    return model.objects.bulk_create(objects, batch_size=BATCH)


def _delete(table, where, params=()):
    with connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{table}" WHERE {where}', params)  # table names come from _meta


def _table(model):
    return model._meta.db_table


def scale_remove():
    """Remove everything an earlier scale_seed() made (plain SQL, children first)."""
    like = (PREFIX + "%",)
    pledges = f'SELECT id FROM "{_table(Pledge)}" WHERE external_id LIKE %s'
    areas = f'SELECT id FROM "{_table(FocusArea)}" WHERE pledge_id IN ({pledges})'
    commitments = f'SELECT id FROM "{_table(Commitment)}" WHERE focus_area_id IN ({areas})'
    for model in (ActivityLog, MissedPeriod):
        _delete(_table(model), f"commitment_id IN ({commitments})", like)
    from followup.models import Reminder

    _delete(_table(Reminder), f"commitment_id IN ({commitments})", like)
    for field in ("responsible", "places"):
        _delete(
            Commitment._meta.get_field(field).remote_field.through._meta.db_table,
            f"commitment_id IN ({commitments})",
            like,
        )
    _delete(_table(Commitment), f"focus_area_id IN ({areas})", like)
    _delete(FocusArea.findings.through._meta.db_table, f"focusarea_id IN ({areas})", like)
    _delete(_table(FocusArea), f"pledge_id IN ({pledges})", like)
    indicators = f'SELECT id FROM "{_table(Indicator)}" WHERE pledge_id IN ({pledges})'
    _delete(_table(IndicatorValue), f"indicator_id IN ({indicators})", like)
    for model in (Indicator, Signatory, PledgeParty, PledgeDialogue, Evaluation, ProgressSnapshot):
        _delete(_table(model), f"pledge_id IN ({pledges})", like)
    for field in ("municipalities", "police_areas"):
        _delete(Pledge._meta.get_field(field).remote_field.through._meta.db_table, f"pledge_id IN ({pledges})", like)
    _delete(_table(Pledge), "external_id LIKE %s", like)
    dialogues = f'SELECT id FROM "{_table(Dialogue)}" WHERE external_id LIKE %s'
    _delete(_table(Finding), f"dialogue_id IN ({dialogues})", like)
    _delete(_table(Dialogue), "external_id LIKE %s", like)
    _delete(_table(Place), "description = %s", ("scale-seed",))
    # Whatever else points at a seeded user — memberships, and what a benchmark's login leaves behind
    # (audit events, two-factor devices, history rows) — goes or lets go of it as its on_delete says.
    users = list(User.objects.filter(username__startswith=PREFIX).values_list("pk", flat=True))
    for relation in User._meta.get_fields(include_hidden=True):
        if relation.auto_created and not relation.concrete:
            rows = relation.related_model._base_manager.filter(**{f"{relation.field.attname}__in": users})
            if relation.field.null:
                rows.update(**{relation.field.attname: None})
            else:
                rows.delete()
    _delete(_table(User), "username LIKE %s", like)


def _periods(pledge_start, years, today, ended):
    """(period_start, period_end) of the ended pledge or the running one."""
    if ended:
        start = datetime.date(pledge_start.year - years, 1, 1)
    else:
        start = pledge_start
    return start, datetime.date(start.year + years - 1, 12, 31)


def _logs_for(rng, commitment, start, end, today, user_id):
    """Activity logs for one commitment between start and end (not after yesterday): rows of
    (date, quantity, hours). Most periods meet the target, about one in ten falls short and one in
    twenty is not reported at all."""
    from followup.progress import bucket_ranges

    last_day = min(end, today - datetime.timedelta(days=1))
    rows, missed = [], []
    if not commitment.is_measurable:
        # Logged now and then: about twice a month.
        day = start
        while day <= last_day:
            rows.append((day, rng.randint(1, 3), None))
            day += datetime.timedelta(days=rng.randint(7, 21))
        return rows, missed
    for first, last in bucket_ranges(commitment, start, end):
        if first > last_day:
            break
        last = min(last, last_day)
        span = (last - first).days
        roll = rng.random()
        if roll < 0.05:
            missed.append(first)
            continue
        target = commitment.quantity
        total = target if roll >= 0.15 else rng.randint(0, target - 1)
        if total == 0:
            rows.append((first + datetime.timedelta(days=rng.randint(0, span)), 0, None))
            missed.append(first)
            continue
        if roll < 0.15:
            missed.append(first)
        # Longer periods get their total in up to two entries (each with an hour count now and then).
        entries = 1 if commitment.unit == Commitment.Unit.DAY else min(total, 2)
        for number in range(entries):
            quantity = total // entries + (1 if number < total % entries else 0)
            hours = f"{rng.choice((1, 1.5, 2, 3))}" if rng.random() < 0.3 else None
            rows.append((first + datetime.timedelta(days=rng.randint(0, span)), quantity, hours))
    return rows, missed


def _copy_logs(rows):
    """Write activity logs: COPY on PostgreSQL, bulk_create elsewhere."""
    now = timezone.now()
    if connection.vendor != "postgresql":
        _in_batches(
            ActivityLog,
            [
                ActivityLog(
                    commitment_id=c, performed_on=d, quantity=q, hours_spent=h, logged_by_id=u, note="", imported=False
                )
                for c, d, q, h, u in rows
            ],
        )
        return
    columns = "commitment_id, performed_on, quantity, hours_spent, note, logged_by_id, imported, created_at, updated_at"
    stamp = now.isoformat()
    with connection.cursor() as cursor:
        raw = cursor.connection  # psycopg 3
        with raw.cursor() as copy_cursor:
            sql = f'COPY "{_table(ActivityLog)}" ({columns}) FROM STDIN'
            with copy_cursor.copy(sql) as copy:
                buffer = io.StringIO()
                for number, (c, d, q, h, u) in enumerate(rows, 1):
                    buffer.write(f"{c}\t{d.isoformat()}\t{q}\t{h or chr(92) + 'N'}\t\t{u}\tf\t{stamp}\t{stamp}\n")
                    if number % 50_000 == 0:
                        copy.write(buffer.getvalue())
                        buffer = io.StringIO()
                copy.write(buffer.getvalue())


def vacuum_seeded_tables() -> None:
    """VACUUM (ANALYZE) the tables a seed fills, outside its transaction (PostgreSQL only).

    A rerun deletes a million activity logs and inserts them again: until autovacuum comes by, the
    dead rows and the missing visibility map make index scans and even the planner walk them (the
    dashboard's query planned for 50 ms). Production has autovacuum; the benchmarks should measure that
    steady state rather than the minutes after a bulk load, and some machines run with autovacuum off."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:  # VACUUM cannot run in a transaction
        return
    with connection.cursor() as cursor:
        for model in (ActivityLog, MissedPeriod, ProgressSnapshot, Commitment, FocusArea, Pledge, Finding, Dialogue):
            cursor.execute(f'VACUUM (ANALYZE) "{_table(model)}"')


@transaction.atomic
def scale_seed(*, municipalities=290, years=4, seed=2026, today=None, stdout=None) -> SeedResult:
    """Replace the scale seed: ``municipalities`` municipalities (in kommunkod order), ``years``-year
    pledges. Returns the counts it made."""
    rng = random.Random(seed)
    today = today or timezone.localdate()
    scale_remove()
    chosen = list(Municipality.objects.order_by("code")[:municipalities])
    # The running pledge started years-1 years ago and ends this year or later; the ended one came before.
    running_start = datetime.date(today.year - years + 1, 1, 1)

    police, _created = Organisation.objects.get_or_create(
        name="Polisen", municipality=None, defaults={"kind": Organisation.Kind.POLICE}
    )
    existing = {o.municipality_id: o for o in Organisation.objects.filter(municipality__in=chosen, kind="municipality")}
    missing = [
        Organisation(name=f"{m.name} kommun", kind=Organisation.Kind.MUNICIPALITY, municipality=m)
        for m in chosen
        if m.pk not in existing
    ]
    for organisation in _in_batches(Organisation, missing):
        existing[organisation.municipality_id] = organisation

    users = []
    for m in chosen:
        for role in ("kommunpolis", "samordnare"):
            users.append(User(username=f"{PREFIX}{role}-{m.code}", first_name=role.title(), last_name=m.name))
    users.append(User(username=f"{PREFIX}tio", first_name="Tio", last_name="Kommuner"))
    for user in users:
        user.set_unusable_password()
    users = _in_batches(User, users)
    user_by_name = {u.username: u for u in users}
    memberships = []
    for m in chosen:
        for role in ("kommunpolis", "samordnare"):
            memberships.append(Membership(user=user_by_name[f"{PREFIX}{role}-{m.code}"], municipality=m, role=role))
    memberships += [
        Membership(user=user_by_name[f"{PREFIX}tio"], municipality=m, role="kommunpolis") for m in chosen[:10]
    ]
    _in_batches(Membership, memberships)

    # Pledges: the ended one first, so that the running one can point back at it.
    pledges = []
    for m in chosen:
        for ended in (True, False):
            start, end = _periods(running_start, years, today, ended)
            status = Pledge.Status.ENDED if ended or end < today else Pledge.Status.PUBLISHED
            pledges.append(
                Pledge(
                    external_id=f"{PREFIX}{m.code}-{start.year}",
                    title=f"Medborgarlöfte {m.name} {start.year}–{end.year}",
                    summary=f"Polisen och {m.name} kommun lovar att arbeta tillsammans för ökad trygghet.",
                    period_start=start,
                    period_end=end,
                    status=status,
                    signed_on=start - datetime.timedelta(days=20),
                    signed_place=m.name,
                    published_on=start - datetime.timedelta(days=10),
                    background="Lägesbilden bygger på trygghetsundersökningen och medborgardialoger.",
                    effects_sought="Ökad trygghet i centrum\nFärre inbrott\nLägre hastigheter",
                    followup_cadence=Pledge.Cadence.TERTIAL,
                    contact_name="Kommunpolisen",
                )
            )
    pledges = _in_batches(Pledge, pledges)
    by_municipality = {}
    for index, m in enumerate(chosen):
        ended, running = pledges[2 * index], pledges[2 * index + 1]
        running.previous_pledge_id = ended.pk
        by_municipality[m.pk] = (ended, running)
    Pledge.objects.bulk_update([p for pair in by_municipality.values() for p in pair[1:]], ["previous_pledge"])

    through = Pledge.municipalities.through
    _in_batches(through, [through(pledge_id=p.pk, municipality_id=m.pk) for m in chosen for p in by_municipality[m.pk]])
    parties, signatories = [], []
    for m in chosen:
        for p in by_municipality[m.pk]:
            parties += [
                PledgeParty(pledge=p, organisation=police, order=0),
                PledgeParty(pledge=p, organisation=existing[m.pk], order=1),
            ]
            signatories += [
                Signatory(pledge=p, name="Lokalpolisområdeschef", title="lokalpolisområdeschef", organisation=police),
                Signatory(pledge=p, name="Kommunchef", title="kommunchef", organisation=existing[m.pk], order=1),
                Signatory(
                    pledge=p, name="KSO", title="kommunstyrelsens ordförande", organisation=existing[m.pk], order=2
                ),
            ]
    _in_batches(PledgeParty, parties)
    _in_batches(Signatory, signatories)

    # Dialogues with findings: two before each pledge (a meeting and a safety walk at a place).
    places = _in_batches(
        Place, [Place(municipality=m, name="Centrum (scale)", description="scale-seed") for m in chosen]
    )
    place_by_municipality = {p.municipality_id: p for p in places}
    dialogues = []
    for m in chosen:
        for p in by_municipality[m.pk]:
            for number, kind in enumerate((Dialogue.Kind.OPEN_MEETING, Dialogue.Kind.SAFETY_WALK)):
                dialogues.append(
                    Dialogue(
                        external_id=f"{PREFIX}{m.code}-{p.period_start.year}-{number}",
                        municipality=m,
                        kind=kind,
                        title=f"{Dialogue.Kind(kind).label} {p.period_start.year - 1}",
                        held_on=datetime.date(p.period_start.year - 1, 9 + number, 15),
                        place=place_by_municipality[m.pk],
                        participants_total=40,
                        participants_women=22,
                        participants_men=17,
                        participants_other=1,
                        summary="Invånarna tog upp narkotika, trafik, inbrott och ungas trygghet.",
                    )
                )
    dialogues = _in_batches(Dialogue, dialogues)
    findings, links = [], []
    for dialogue in dialogues:
        p = by_municipality[dialogue.municipality_id][0 if dialogue.held_on.year < running_start.year - 1 else 1]
        links.append(PledgeDialogue(pledge=p, dialogue=dialogue))
        for order, (theme, title) in enumerate(zip(THEMES, AREA_TITLES, strict=True)):
            findings.append(
                Finding(
                    dialogue=dialogue,
                    key=f"f{order}",
                    order=order,
                    theme=theme,
                    text=f"{title}: invånarna känner sig otrygga",
                    raised_by_count=rng.randint(2, 30),
                    place=dialogue.place if order == 1 else None,
                )
            )
    _in_batches(PledgeDialogue, links)
    findings = _in_batches(Finding, findings)
    findings_by_dialogue = {}
    for finding in findings:
        findings_by_dialogue.setdefault(finding.dialogue_id, []).append(finding)

    # Focus areas and commitments.
    areas = []
    for p in pledges:
        for order, (theme, title) in enumerate(zip(THEMES, AREA_TITLES, strict=True)):
            areas.append(FocusArea(pledge=p, key=f"area-{order + 1}", order=order, title=title, theme=theme))
    areas = _in_batches(FocusArea, areas)
    pledge_by_id = {p.pk: p for p in pledges}
    link_by_pledge = {}
    for link in links:
        link_by_pledge.setdefault(link.pledge_id, []).append(link.dialogue_id)
    area_findings = FocusArea.findings.through
    _in_batches(
        area_findings,
        [
            area_findings(focusarea_id=a.pk, finding_id=findings_by_dialogue[d][a.order].pk)
            for a in areas
            for d in link_by_pledge[a.pledge_id]
        ],
    )
    commitments = []
    for a in areas:
        p = pledge_by_id[a.pledge_id]
        for number in range(4):
            unit, interval, quantity, comparison, due_month, one_year, wording = COMMITMENT_PLAN[a.order * 4 + number]
            kind = Commitment.TargetKind.QUANTITY if unit else wording
            commitments.append(
                Commitment(
                    focus_area=a,
                    key=f"c-{a.order + 1}-{number + 1}",
                    order=number,
                    title=NO_NUMBER_WORDING.get(wording, wording),
                    wording=NO_NUMBER_WORDING.get(wording, wording),
                    target_kind=kind,
                    comparison=comparison,
                    quantity=quantity,
                    interval=interval,
                    unit=unit or "",
                    due_month=due_month,
                    # A daily target is made concrete in one year's implementation plan.
                    valid_from=datetime.date(p.period_end.year, 1, 1) if one_year else None,
                    valid_to=p.period_end if one_year else None,
                    internal_details="Tider och platser för kontroller (internt).",
                )
            )
    commitments = _in_batches(Commitment, commitments)
    responsible = Commitment.responsible.through
    area_by_id = {a.pk: a for a in areas}
    municipality_of = {p.pk: m_pk for m_pk, pair in by_municipality.items() for p in pair}
    _in_batches(
        responsible,
        [
            responsible(
                commitment_id=c.pk,
                organisation_id=police.pk
                if c.order % 2 == 0
                else existing[municipality_of[area_by_id[c.focus_area_id].pledge_id]].pk,
            )
            for c in commitments
        ],
    )

    # Indicators with yearly values (two per pledge).
    indicators = []
    for p in pledges:
        m_pk = municipality_of[p.pk]
        indicators += [
            Indicator(
                pledge=p,
                key="trygghet",
                name="Andel som känner sig trygga i centrum",
                unit=Indicator.Unit.PERCENT,
                municipality_id=m_pk,
                baseline_year=p.period_start.year - 1,
                baseline_value=62,
                target_year=p.period_end.year,
                target_value=75,
            ),
            Indicator(
                pledge=p,
                key="inbrott",
                name="Anmälda bostadsinbrott",
                unit=Indicator.Unit.COUNT,
                direction=Indicator.Direction.LOWER_IS_BETTER,
                source=Indicator.Source.POLICE_STATISTICS,
                municipality_id=m_pk,
                order=1,
            ),
        ]
    indicators = _in_batches(Indicator, indicators)
    values = []
    for indicator in indicators:
        p = pledge_by_id[indicator.pledge_id]
        for year in range(p.period_start.year, min(p.period_end.year, today.year - 1) + 1):
            values.append(IndicatorValue(indicator=indicator, year=year, value=rng.randint(40, 90)))
    _in_batches(IndicatorValue, values)

    # Activity logs and reasons for some of the missed periods.
    logger = {m.pk: user_by_name[f"{PREFIX}kommunpolis-{m.code}"].pk for m in chosen}
    rows, reasons = [], []
    for c in commitments:
        p = pledge_by_id[area_by_id[c.focus_area_id].pledge_id]
        start, end = c.valid_from or p.period_start, c.valid_to or p.period_end
        logs, missed = _logs_for(rng, c, start, end, today, None)
        user_id = logger[municipality_of[p.pk]]
        rows += [(c.pk, d, q, h, user_id) for d, q, h in logs]
        for first in missed:
            if c.unit in ("month", "quarter", "year") and rng.random() < 0.5:
                reasons.append(
                    MissedPeriod(
                        commitment=c,
                        period_start=first,
                        period_end=first,  # only the start identifies it; the end is informative
                        reason=rng.choice(["not_prioritised", "lack_of_staff", "weather"]),
                        corrective_action="Prioriteras nästa period.",
                    )
                )
    _copy_logs(rows)
    _in_batches(MissedPeriod, reasons)
    if connection.vendor == "postgresql":
        # Fresh statistics, or the planner guesses from an empty table after a bulk load.
        with connection.cursor() as cursor:
            for model in (ActivityLog, MissedPeriod, Commitment, FocusArea, Pledge, Finding, Dialogue):
                cursor.execute(f'ANALYZE "{_table(model)}"')
    transaction.on_commit(public_cache_bump)
    return SeedResult(
        municipalities=len(chosen), pledges=len(pledges), commitments=len(commitments), activity_logs=len(rows)
    )
