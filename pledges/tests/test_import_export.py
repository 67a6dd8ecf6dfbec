"""The pledge document format: import, export, and bad input rejected whole."""

import copy
import json

import pytest
import yaml
from django.core.management import CommandError, call_command

from dialogues.models import Dialogue, Finding, Place
from followup.models import ActivityLog, Indicator
from municipalities.models import Organisation
from pledges.documents import normalise_document
from pledges.models import Commitment, FocusArea, Pledge, Signatory
from pledges.selectors import pledge_document, pledge_for_export

pytestmark = pytest.mark.django_db

DOCUMENT = {
    "format": "medborgarloften.pledge/1",
    "id": "testkommun-2025",
    "title": "Medborgarlöfte för Norsjö 2025",
    "status": "published",
    "municipalities": ["2417"],
    "police_areas": ["Skellefteå"],
    "organisations": [
        {"name": "Polisen", "kind": "police"},
        {"name": "Norsjö kommun", "kind": "municipality", "municipality": "2417"},
        {"name": "Fritidsgården", "kind": "municipal_unit", "municipality": "2417"},
    ],
    "parties": ["Polisen", "Norsjö kommun"],
    "period": {"start": "2025-01-01", "end": "2026-12-31"},
    "effects_sought": ["Ökad upplevd trygghet.", "Minska brottsligheten."],
    "signing": {"date": "2025-02-03", "place": "Norsjö"},
    "signatories": [
        {"name": "Anna Andersson", "title": "lokalpolisområdeschef", "organisation": "Polisen"},
        {"name": "Bo Berg", "title": "kommunchef", "organisation": "Norsjö kommun"},
        {"name": "Cia Cederberg", "title": "KSO", "organisation": "Norsjö kommun"},
    ],
    "places": [{"name": "Storgatan", "municipality": "2417", "latitude": 64.9128, "longitude": 19.4836}],
    "dialogues": [
        {
            "id": "norsjo-2024-webbenkat",
            "kind": "web_survey",
            "title": "Webbenkät 2024",
            "municipality": "2417",
            "held_on": "2024-10-01",
            "date_precision": "month",
            "participants": {"total": 120, "women": 70, "men": 48, "other": 2},
            "findings": [
                {
                    "key": "fart",
                    "text": "Bilister kör för fort på Storgatan",
                    "theme": "traffic",
                    "place": "Storgatan",
                    "rank": 1,
                    "raised_by": 35,
                },
                {"key": "ljus", "kind": "idea", "text": "Bättre belysning", "theme": "lighting", "rank": 2},
            ],
        }
    ],
    "focus_areas": [
        {
            "key": "trafik",
            "title": "Trafik",
            "theme": "traffic",
            "findings": ["norsjo-2024-webbenkat/fart"],
            "commitments": [
                {
                    "key": "trafikkontroller",
                    "title": "Trafikkontroller",
                    "wording": "Minst 10 kontroller per månad",
                    "responsible": ["Polisen"],
                    "responsible_wording": "Samverkan: Polisen.",
                    "target": {
                        "kind": "quantity",
                        "comparison": "at_least",
                        "quantity": 10,
                        "interval": 1,
                        "unit": "month",
                        "measure": "kontroller",
                    },
                    "places": ["Storgatan"],
                    "activities": [
                        {"date": "2025-01-10", "quantity": 6, "hours": 4.5, "note": "Hastighet"},
                        {"date": "2025-01-24", "quantity": 5},
                        {"date": "2025-02-07", "quantity": 0, "note": "Inget gjort: personalbrist"},
                    ],
                },
                {
                    "key": "fritidsgard",
                    "title": "Fritidsgårdsbesök",
                    "wording": "Var tredje helg besöka fritidsgårdens öppna verksamhet",
                    "responsible": ["Polisen", "Fritidsgården"],
                    "target": {
                        "kind": "quantity",
                        "comparison": "at_least",
                        "quantity": 1,
                        "interval": 3,
                        "unit": "week",
                    },
                    "valid_from": "2025-01-01",
                    "valid_to": "2025-12-31",
                },
            ],
        },
        {
            "key": "narkotika",
            "title": "Narkotika",
            "theme": "narcotics",
            "commitments": [
                {
                    "key": "besok",
                    "title": "Besöka miljöer där ungdomar vistas",
                    "wording": "Vid behov",
                    "responsible": ["Polisen", "Norsjö kommun"],
                    "target": {"kind": "as_needed"},
                },
            ],
        },
    ],
    "indicators": [
        {
            "key": "trygga",
            "name": "Andel som känner sig trygga i centrum",
            "unit": "percent",
            "area": {"municipality": "2417"},
            "baseline": {"year": 2024, "value": 62},
            "target": {"year": 2026, "value": 70},
            "values": [{"year": 2025, "value": 64.5}],
        }
    ],
}

COUNTED = (Pledge, FocusArea, Commitment, Signatory, Dialogue, Finding, Place, Organisation, ActivityLog, Indicator)


def counts():
    return {model.__name__: model.objects.count() for model in COUNTED} | {
        "history": Pledge.history.count() + Commitment.history.count() + ActivityLog.history.count()
    }


def write(tmp_path, document, name="pledge.json"):
    path = tmp_path / name
    if name.endswith(".json"):
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def import_error(tmp_path, document, name="pledge.json"):
    """Import a bad document; return the messages after checking nothing was written."""
    path = write(tmp_path, document, name)
    before = counts()
    with pytest.raises(CommandError, match="inget importerades"):
        call_command("import_pledges", str(path))
    assert counts() == before
    return path


def test_it_imports_a_document_with_everything_in_it(tmp_path, capsys):
    call_command("import_pledges", str(write(tmp_path, DOCUMENT)))
    assert "skapade medborgarlöfte" in capsys.readouterr().out
    pledge = Pledge.objects.get(external_id="testkommun-2025")
    assert [s.title for s in pledge.signatories.all()] == ["lokalpolisområdeschef", "kommunchef", "KSO"]
    assert [p.organisation.name for p in pledge.pledge_parties.all()] == ["Polisen", "Norsjö kommun"]
    controls = Commitment.objects.get(key="trafikkontroller")
    assert (controls.comparison, controls.quantity, controls.interval, controls.unit) == ("at_least", 10, 1, "month")
    assert controls.focus_area.findings.get().text == "Bilister kör för fort på Storgatan"
    assert controls.activity_logs.count() == 3
    assert Commitment.objects.get(key="besok").target_kind == "as_needed"
    dialogue = Dialogue.objects.get(external_id="norsjo-2024-webbenkat")
    assert (dialogue.participants_women, dialogue.participants_men, dialogue.participants_other) == (70, 48, 2)
    assert pledge.effects_sought_list == ["Ökad upplevd trygghet.", "Minska brottsligheten."]


def test_export_of_an_import_gives_back_the_same_document(tmp_path):
    call_command("import_pledges", str(write(tmp_path, DOCUMENT)))
    out = tmp_path / "out.json"
    call_command("export_pledge", "testkommun-2025", output=str(out))
    assert json.loads(out.read_text(encoding="utf-8")) == normalise_document(DOCUMENT)


def test_yaml_is_read_and_written_too(tmp_path, capsys):
    call_command("import_pledges", str(write(tmp_path, DOCUMENT, "pledge.yaml")))
    capsys.readouterr()
    call_command("export_pledge", str(Pledge.objects.get().pk), format="yaml")
    assert yaml.safe_load(capsys.readouterr().out) == normalise_document(DOCUMENT)


def test_importing_the_same_document_again_changes_nothing(tmp_path):
    path = write(tmp_path, DOCUMENT)
    call_command("import_pledges", str(path))
    before = counts()
    call_command("import_pledges", str(path))
    assert counts() == before


def test_importing_a_changed_document_updates_the_same_pledge(tmp_path):
    call_command("import_pledges", str(write(tmp_path, DOCUMENT)))
    pledge = Pledge.objects.get()
    changed = copy.deepcopy(DOCUMENT)
    changed["title"] = "Nytt namn"
    # Reorder the focus areas, change a target, drop an activity and a signatory.
    changed["focus_areas"].reverse()
    changed["focus_areas"][1]["commitments"][0]["target"]["quantity"] = 12
    changed["focus_areas"][1]["commitments"][0]["activities"].pop()
    changed["signatories"].pop()
    call_command("import_pledges", str(write(tmp_path, changed)))
    assert Pledge.objects.get().pk == pledge.pk
    pledge.refresh_from_db()
    assert pledge.title == "Nytt namn"
    assert [a.key for a in pledge.focus_areas.all()] == ["narkotika", "trafik"]
    assert Commitment.objects.get(key="trafikkontroller").quantity == 12
    assert ActivityLog.objects.count() == 2
    assert pledge.signatories.count() == 2
    assert pledge_document(pledge_for_export(pledge.pk)) == normalise_document(changed)


def test_activities_logged_by_staff_survive_a_reimport(tmp_path):
    path = write(tmp_path, DOCUMENT)
    call_command("import_pledges", str(path))
    controls = Commitment.objects.get(key="trafikkontroller")
    ActivityLog.objects.create(commitment=controls, performed_on="2025-03-01", quantity=2)
    call_command("import_pledges", str(path))
    assert controls.activity_logs.count() == 4


def test_a_commitment_with_logged_work_is_not_removed_by_an_import(tmp_path):
    call_command("import_pledges", str(write(tmp_path, DOCUMENT)))
    controls = Commitment.objects.get(key="trafikkontroller")
    ActivityLog.objects.create(commitment=controls, performed_on="2025-03-01", quantity=2)
    changed = copy.deepcopy(DOCUMENT)
    del changed["focus_areas"][0]["commitments"][0]
    changed["title"] = "Ändrad"
    path = write(tmp_path, changed)
    with pytest.raises(CommandError):
        call_command("import_pledges", str(path))
    assert Pledge.objects.get().title == DOCUMENT["title"]  # rolled back whole
    assert Commitment.objects.filter(key="trafikkontroller").exists()


def test_the_query_count_of_an_export_does_not_grow_with_the_data(tmp_path, django_assert_max_num_queries):
    call_command("import_pledges", str(write(tmp_path, DOCUMENT)))
    pk = Pledge.objects.get().pk
    # pledge, municipalities, police areas, parties (+organisation+municipality), signatories (+2),
    # dialogue links (+findings), focus areas, their findings (+dialogue), commitments,
    # responsible (+municipality), places (+municipality), activities, missed periods, indicators (+values)
    with django_assert_max_num_queries(23):
        pledge_document(pledge_for_export(pk))


# Bad input: every case is rejected whole, with the file, the path and the problem named.


def without(document, *path):
    broken = copy.deepcopy(document)
    target = broken
    for part in path[:-1]:
        target = target[part]
    del target[path[-1]]
    return broken


def replaced(document, value, *path):
    broken = copy.deepcopy(document)
    target = broken
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return broken


TARGET = ("focus_areas", 0, "commitments", 0, "target")


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (without(DOCUMENT, "title"), "title: uppgift saknas"),
        (without(DOCUMENT, *TARGET, "kind"), "focus_areas[0].commitments[0].target.kind: uppgift saknas"),
        (replaced(DOCUMENT, ["9999"], "municipalities"), "municipalities[0]: okänd kommunkod 9999"),
        (
            replaced(DOCUMENT, "2024-12-31", "period", "end"),
            "period.end: perioden slutar (2024-12-31) innan den börjar (2025-01-01)",
        ),
        (
            replaced(DOCUMENT, 0, *TARGET, "quantity"),
            "focus_areas[0].commitments[0].target.quantity: måste vara större än 0, inte 0",
        ),
        (
            replaced(DOCUMENT, -3, *TARGET, "quantity"),
            "focus_areas[0].commitments[0].target.quantity: måste vara större än 0, inte -3",
        ),
        (
            replaced(DOCUMENT, "fortnight", *TARGET, "unit"),
            'focus_areas[0].commitments[0].target.unit: okänt värde "fortnight"; tillåtna: day, week, month',
        ),
        (
            replaced(DOCUMENT, "1/1 2025", "period", "start"),
            'period.start: "1/1 2025" är inget datum på formen ÅÅÅÅ-MM-DD',
        ),
        (replaced(DOCUMENT, "2025-02-30", "signing", "date"), 'signing.date: "2025-02-30" är inget datum som finns'),
        (replaced(DOCUMENT, "Okänt", "parties", 1), 'parties[1]: "Okänt" är inte en av dokumentets organisationer'),
        (
            replaced(DOCUMENT, ["norsjo-2024-webbenkat/saknas"], "focus_areas", 0, "findings"),
            'focus_areas[0].findings[0]: "norsjo-2024-webbenkat/saknas" pekar inte på någon synpunkt',
        ),
        (
            # The path points into the document as written, although activities are sorted on export.
            replaced(DOCUMENT, "2027-01-01", "focus_areas", 0, "commitments", 0, "activities", 0, "date"),
            "focus_areas[0].commitments[0].activities[0].date: 2027-01-01 ligger utanför perioden då åtagandet gäller, "
            "2025-01-01 – 2026-12-31",
        ),
    ],
)
def test_a_bad_document_is_rejected_whole_with_the_field_and_the_problem_named(tmp_path, capsys, broken, message):
    path = import_error(tmp_path, broken)
    err = capsys.readouterr().err
    assert f"{path}: {message}" in err


def test_every_problem_is_listed_not_just_the_first(tmp_path, capsys):
    broken = replaced(replaced(DOCUMENT, ["9999"], "municipalities"), "2024-12-31", "period", "end")
    import_error(tmp_path, broken)
    err = capsys.readouterr().err
    assert "okänd kommunkod 9999" in err
    assert "perioden slutar" in err


def test_a_file_that_is_not_json_or_yaml_is_rejected(tmp_path, capsys):
    path = tmp_path / "pledge.json"
    path.write_text('{"id": "x", ', encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_pledges", str(path))
    assert f"{path}: Filen är inte giltig JSON eller YAML" in capsys.readouterr().err
    path = tmp_path / "pledge.yaml"
    path.write_text("- bara\n- en lista\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_pledges", str(path))
    assert "Dokumentet måste vara ett JSON- eller YAML-objekt" in capsys.readouterr().err


def test_one_bad_file_stops_the_whole_batch(tmp_path, capsys):
    good = write(tmp_path, DOCUMENT, "good.json")
    bad = write(tmp_path, without(DOCUMENT, "period"), "bad.json")
    with pytest.raises(CommandError):
        call_command("import_pledges", str(good), str(bad))
    assert f"{bad}: period: uppgift saknas" in capsys.readouterr().err
    assert not Pledge.objects.exists()


def test_an_unknown_field_is_named(tmp_path, capsys):
    import_error(tmp_path, replaced(DOCUMENT, "x", "titel"))
    assert "titel: är inget fält i det här formatet" in capsys.readouterr().err


def test_export_of_an_unknown_pledge_says_so():
    with pytest.raises(CommandError, match="Inget medborgarlöfte med id 'saknas'"):
        call_command("export_pledge", "saknas")


def test_the_example_in_the_format_documentation_imports_and_round_trips(tmp_path):
    from django.conf import settings

    text = (settings.BASE_DIR / "docs" / "pledge-format.md").read_text(encoding="utf-8")
    example = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "example.yaml"
    path.write_text(example, encoding="utf-8")
    call_command("import_pledges", str(path))
    pledge = Pledge.objects.get(external_id="norsjo-2019-2022")
    assert pledge_document(pledge_for_export(pledge.pk)) == normalise_document(yaml.safe_load(example))
