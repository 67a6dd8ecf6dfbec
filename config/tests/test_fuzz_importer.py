"""The pledge importer (pledges/documents.py, pledges/services.py, manage.py import_pledges) sent hostile documents.

Each example takes the full test document of test_import_export and replaces one to four of its values with a
hostile one of the same kind or of another: huge strings, NUL and other control characters, lone surrogates
(which JSON can spell as \\ud800), HTML and <script>, SQL-looking text, RTL marks, emoji, combining marks; dates
at the edges; whole numbers past what the database holds, NaN and infinities; or drops a field. The files behind
the command also get bytes that are not JSON at all, numbers of 5,000 digits and nesting 100,000 deep.

Asserted: the importer either imports or raises DocumentInvalid naming a path and a problem, never another
exception; a refused document writes nothing; an imported hostile text is shown escaped on the staff page.
"""

import copy
import io
import json
import math
import os
import time

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from config.tests.test_fuzz_forms import HOSTILE_DATES, HOSTILE_TEXT, IMAGE, SCRIPT, assert_escaped, database_state
from followup.models import Indicator, IndicatorValue
from municipalities.tests.factories import UserFactory
from pledges.documents import DocumentInvalid, read_document_file
from pledges.models import Pledge, PledgeParty
from pledges.services import pledge_import_document
from pledges.tests.test_import_export import DOCUMENT

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "400")),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

# A draft: a signed or published pledge gets its agreement PDF rendered at import, a second a time.
BASE = {**copy.deepcopy(DOCUMENT), "status": "draft"}

HOSTILE_NUMBERS = [0, -1, 2**31, 2**63, 10**30, -(2**63), math.nan, math.inf, -math.inf, 1.5, 1e-300, True]
ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=8,
)
TEXTS = st.one_of(st.sampled_from([*HOSTILE_TEXT, "\ud800", "a\udfffb"]), st.text(max_size=100))
DATES = st.one_of(st.sampled_from(HOSTILE_DATES), st.dates().map(str))
NUMBERS = st.one_of(st.sampled_from(HOSTILE_NUMBERS), st.integers(), st.floats())
DROP = object()


def _leaves(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*path, key), item
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield (*path, index), item
            yield from _leaves(item, (*path, index))


PATHS = sorted((path for path, _value in _leaves(BASE)), key=str)


def _replacement(path):
    original = dict(_leaves(BASE))[path]
    looks_like_date = isinstance(original, str) and len(original) == 10 and original[4:5] == "-"
    typed = DATES if looks_like_date else TEXTS if isinstance(original, str) else NUMBERS
    if isinstance(original, (dict, list)):
        typed = ANY_JSON
    return st.one_of(typed, ANY_JSON, st.just(DROP)) if path[-1] not in ("format", "id") else typed


@st.composite
def hostile_documents(draw):
    document = copy.deepcopy(BASE)
    for path in draw(st.lists(st.sampled_from(PATHS), min_size=1, max_size=4, unique=True)):
        target = document
        try:
            for part in path[:-1]:
                target = target[part]
            target[path[-1]]
        except (KeyError, IndexError, TypeError):
            continue
        value = draw(_replacement(path))
        if value is DROP and isinstance(target, dict):
            del target[path[-1]]
        elif value is not DROP:
            target[path[-1]] = value
    return document


def state():
    return database_state() | {
        model.__name__: model.objects.count() for model in (Indicator, IndicatorValue, PledgeParty)
    }


def import_or_refuse(document):
    """Import; on refusal assert that nothing was written and every problem names a place in the document."""
    before = state()
    try:
        pledge, _created = pledge_import_document(document=document)
    except DocumentInvalid as invalid:
        assert invalid.errors
        for error in invalid.errors:
            assert error.message.strip(), invalid
        assert state() == before, "a refused document wrote something"
        return None
    return pledge


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


@FUZZ
@given(document=hostile_documents())
@example(document={**BASE, "title": "Trafik\x00kontroller"})
@example(document={**BASE, "summary": "\ud800"})
@example(document={**BASE, "period": {"start": "2025-01-01", "end": "9999-12-31"}})
@example(document={**BASE, "period": {"start": "0001-01-01", "end": "2026-12-31"}})
@example(document=json.loads(json.dumps(BASE).replace('"quantity": 6', f'"quantity": {2**63}')))
@example(document=json.loads(json.dumps(BASE).replace('"quantity": 6', f'"quantity": {2**31}')))
@example(document=json.loads(json.dumps(BASE).replace('"hours": 4.5', '"hours": NaN')))
@example(document=json.loads(json.dumps(BASE).replace('"hours": 4.5', '"hours": Infinity')))
@example(document=json.loads(json.dumps(BASE).replace('"hours": 4.5', '"hours": 1e300')))
@example(document=json.loads(json.dumps(BASE).replace('"value": 64.5', '"value": NaN')))
@example(document=json.loads(json.dumps(BASE).replace('"value": 64.5', '"value": 12345678901.5')))
@example(document=json.loads(json.dumps(BASE).replace('"rank": 1', f'"rank": {2**15}')))
@example(document=json.loads(json.dumps(BASE).replace('"total": 120', f'"total": {2**63}')))
@example(document=json.loads(json.dumps(BASE).replace('"valid_to": "2025-12-31"', '"valid_to": "9999-12-31"')))
@example(document=json.loads(json.dumps(BASE).replace('"note": "Hastighet"', '"note": "a\\u0000b"')))
def test_the_importer_takes_or_refuses_hostile_documents(superuser_client, document):
    pledge = import_or_refuse(document)
    if pledge is not None:
        assert_escaped(superuser_client.get(reverse("staff:pledge_detail", args=[pledge.pk])))


def test_hostile_text_imported_is_escaped_on_the_staff_and_public_pages(superuser_client):
    document = copy.deepcopy(BASE)
    document.update(title=SCRIPT, summary=IMAGE, status="published")  # renders the agreement PDF once
    document["focus_areas"][0]["commitments"][0]["title"] = SCRIPT
    document["dialogues"][0]["findings"][0]["text"] = IMAGE
    pledge = import_or_refuse(document)
    assert pledge is not None and pledge.title == SCRIPT
    for address in (
        reverse("staff:pledge_detail", args=[pledge.pk]),
        reverse("staff:pledge_trace", args=[pledge.pk]),
        reverse("public-pledge", args=[pledge.pk]),
        reverse("public-municipality", args=["2417"]),
    ):
        response = superuser_client.get(address)
        assert response.status_code == 200, address
        assert_escaped(response)


# --- The files the command reads -----------------------------------------------------------------------------------

RAW_FILES = [
    b"",
    b"\x00\x01\x02",
    b"\xff\xfe\x00{",
    b"[]",
    b"null",
    b'{"format": ' + b"1" * 5000 + b"}",  # Python refuses to read a number of more than 4,300 digits
    b"[" * 100_000,  # nested deeper than the parser's recursion
    json.dumps(BASE).replace('"hours": 4.5', '"hours": NaN').encode(),
    json.dumps(BASE).replace('"title": "Trafik"', '"title": "\\ud800"').encode(),
]
YAML_FILES = [
    b"a: &a [1, 2]\nb: *a\n",
    b"!!python/object/apply:os.system ['echo pwned']\n",
    b"title: .nan\n",
    (b"format: medborgarloften.pledge/1\nperiod:\n  start: 2025-01-01\n"),  # a YAML date, not a string
    b"- [" * 2000,
]


@settings(FUZZ, max_examples=15)
@given(raw=st.one_of(st.sampled_from(RAW_FILES), st.binary(max_size=300)), suffix=st.sampled_from([".json", ".yaml"]))
@example(raw=RAW_FILES[5], suffix=".json")
@example(raw=RAW_FILES[6], suffix=".json")
@example(raw=YAML_FILES[4], suffix=".yaml")
def test_the_command_reads_or_refuses_any_file(tmp_path_factory, raw, suffix):
    path = tmp_path_factory.mktemp("import") / f"document{suffix}"
    path.write_bytes(raw)
    before = state()
    try:
        document = read_document_file(path)
    except DocumentInvalid as invalid:
        assert invalid.errors and all(e.message for e in invalid.errors)
        return
    assert isinstance(document, dict)
    with pytest.raises(CommandError):
        call_command("import_pledges", str(path), stdout=open(os.devnull, "w"), stderr=open(os.devnull, "w"))  # noqa: SIM115
    assert state() == before


@pytest.mark.parametrize("raw", YAML_FILES)
def test_hostile_yaml_is_refused_whole(tmp_path, raw):
    path = tmp_path / "document.yaml"
    path.write_bytes(raw)
    before = state()
    with pytest.raises(CommandError):
        call_command("import_pledges", str(path), stdout=open(os.devnull, "w"), stderr=open(os.devnull, "w"))  # noqa: SIM115
    assert state() == before
    assert not os.path.exists("pwned")


def test_one_bad_file_among_good_ones_imports_nothing(tmp_path):
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(BASE), encoding="utf-8")
    bad.write_text(json.dumps({**BASE, "id": "annan-2025", "summary": "a\x00b"}), encoding="utf-8")
    before = state()
    with pytest.raises(CommandError):
        call_command("import_pledges", str(good), str(bad), stdout=open(os.devnull, "w"), stderr=open(os.devnull, "w"))  # noqa: SIM115
    assert state() == before
    assert not Pledge.objects.filter(external_id=BASE["id"]).exists()


def alias_bomb():
    """A "billion laughs": nine levels of nine aliases each, 10⁹ strings from about 500 bytes."""
    lines = ["format: medborgarloften.pledge/1", 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 9):
        lines.append(f"a{level}: &a{level} [" + ",".join([f"*a{level - 1}"] * 9) + "]")
    lines.append("title: *a8")
    return ("\n".join(lines) + "\n").encode()


def test_a_yaml_alias_bomb_is_refused_at_once_naming_the_alias(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_bytes(alias_bomb())
    assert len(path.read_bytes()) < 600
    before = state()

    problems = io.StringIO()

    started = time.monotonic()
    with pytest.raises(DocumentInvalid) as refused:
        read_document_file(path)
    with pytest.raises(CommandError):
        call_command("import_pledges", str(path), stdout=open(os.devnull, "w"), stderr=problems)  # noqa: SIM115
    elapsed = time.monotonic() - started

    assert elapsed < 1, elapsed
    assert "Rad 3" in str(refused.value) and "YAML-alias" in str(refused.value), str(refused.value)
    assert "bomb.yaml: Rad 3 använder ett YAML-alias" in problems.getvalue()
    assert state() == before


def test_an_error_message_quotes_only_the_start_of_a_huge_value():
    from pledges.documents import _quoted

    huge = [["x" * 1000] * 1000] * 1000  # a billion characters if serialised whole

    started = time.monotonic()
    text = _quoted(huge)

    assert time.monotonic() - started < 0.1
    assert len(text) == 81 and text.startswith('[["xxx') and text.endswith("…")
