"""The yearly evaluation PDF: what it says, what it is (PDF/A, tagged, signed), and how it is built."""

import io

import pikepdf
import pytest
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from followup.evaluation import evaluation_build, evaluation_for, evaluation_request_build
from followup.models import Evaluation
from pledges.models import Pledge
from pledges.pdf import verify_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def norsjo(django_capture_on_commit_callbacks):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Pledge.objects.get(external_id="norsjo-2019-2022")


def build(pledge, year, django_capture_on_commit_callbacks):
    evaluation = evaluation_for(pledge, year)
    # No broker in the test settings: the job runs in-process once the transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        assert evaluation_request_build(evaluation=evaluation)
    evaluation.refresh_from_db()
    return evaluation


def text_of(evaluation):
    with evaluation.pdf.open("rb") as handle:
        data = handle.read()
    return data, "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_norsjo_2020_holds_every_commitments_wording_and_its_figures(norsjo, django_capture_on_commit_callbacks):
    evaluation = build(norsjo, 2020, django_capture_on_commit_callbacks)
    assert evaluation.status == "done", evaluation.error
    assert evaluation.attempts == 1
    data, text = text_of(evaluation)
    flat = " ".join(text.split())
    assert "Utvärdering 2020" in flat
    for commitment in norsjo.focus_areas.all().values_list("commitments__wording", flat=True):
        if commitment:
            assert " ".join(commitment.split()) in flat, commitment
    # July 2020: a report of 0 traffic controls, with its reason.
    assert "Polisens resurser i lokalpolisområdet omfördelades" in flat
    assert "Ej uppfyllt" in flat
    assert evaluation.checksum == __import__("hashlib").sha256(data).hexdigest()


def test_the_pdf_is_pdfa_tagged_swedish_with_fonts_embedded_and_signed(norsjo, django_capture_on_commit_callbacks):
    data, text = text_of(build(norsjo, 2021, django_capture_on_commit_callbacks))
    pdf = pikepdf.open(io.BytesIO(data))
    metadata = pdf.open_metadata()
    assert (metadata.get("pdfaid:part"), metadata.get("pdfaid:conformance")) == ("3", "A")
    assert pdf.Root.MarkInfo.Marked
    assert "/StructTreeRoot" in pdf.Root
    assert str(pdf.Root.Lang) == "sv"
    assert str(pdf.docinfo["/Title"]) == "Utvärdering 2021: Norsjö – medborgarlöften"
    assert "Polisen" in str(pdf.docinfo["/Author"])
    fonts = fonts_of(pdf)
    for font in fonts:
        descendant = font.get("/DescendantFonts", [font])[0]
        descriptor = descendant.get("/FontDescriptor")
        assert descriptor is not None and any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    # Only the font we ship, in the charts too: nothing depends on the fonts a machine has installed.
    assert {str(font.BaseFont).split("+", 1)[1] for font in fonts} <= {"DejaVu-Sans", "DejaVu-Sans-Bold"}
    assert "å" in text and "ä" in text and "ö" in text
    verification = verify_pdf(data)
    assert verification.ok and verification.trusted, verification.summary


def fonts_of(pdf):
    """Every font of every page, with those of the charts (form XObjects inside the pages)."""
    fonts, seen = [], set()

    def walk(resources):
        for font in resources.get("/Font", {}).values():
            if font.objgen not in seen:
                seen.add(font.objgen)
                fonts.append(font)
        for xobject in resources.get("/XObject", {}).values():
            if "/Resources" in xobject:
                walk(xobject.Resources)

    for page in pdf.pages:
        walk(page.Resources)
    return fonts


def figures_of(node):
    """The alternative texts of the Figure elements of the PDF's structure tree."""
    if isinstance(node, pikepdf.Array):
        return [text for child in node for text in figures_of(child)]
    if not isinstance(node, pikepdf.Dictionary):
        return []
    own = [str(node.get("/Alt", ""))] if node.get("/S") == "/Figure" else []
    return own + figures_of(node.get("/K")) if "/K" in node else own


def test_every_chart_is_a_figure_with_its_numbers_as_alternative_text(norsjo, django_capture_on_commit_callbacks):
    data, _text = text_of(build(norsjo, 2020, django_capture_on_commit_callbacks))

    pdf = pikepdf.open(io.BytesIO(data))
    figures = figures_of(pdf.Root.StructTreeRoot)
    traffic = next(text for text in figures if text.startswith("Trafikkontroller"))
    # July 2020: the report of 0 with its reason, read out where the chart cannot be seen.
    assert "jul 2020 – Registrerat: 0, Mål: minst 10" in traffic
    assert "Polisens resurser i lokalpolisområdet omfördelades" in traffic
    assert all(figures), "a chart without alternative text"


def test_a_double_click_queues_one_job(norsjo, django_capture_on_commit_callbacks):
    evaluation = evaluation_for(norsjo, 2019)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert evaluation_request_build(evaluation=evaluation)
        assert not evaluation_request_build(evaluation=evaluation)
    assert len(callbacks) == 1
    assert Evaluation.objects.get(pk=evaluation.pk).status == "queued"


def test_a_rebuild_replaces_the_file(norsjo, django_capture_on_commit_callbacks):
    first = build(norsjo, 2022, django_capture_on_commit_callbacks)
    old_name = first.pdf.name
    first.narrative = "Ett år med fler trafikkontroller än någonsin."
    first.save()
    second = build(norsjo, 2022, django_capture_on_commit_callbacks)
    assert second.pdf.name != old_name
    assert not first.pdf.storage.exists(old_name)
    assert "fler trafikkontroller" in " ".join(text_of(second)[1].split())


def test_a_job_that_keeps_failing_stops_after_its_attempts(norsjo):
    evaluation = evaluation_for(norsjo, 2020)
    Evaluation.objects.filter(pk=evaluation.pk).update(status="building", attempts=Evaluation.MAX_ATTEMPTS)
    assert evaluation_build(evaluation.pk) is False
    evaluation.refresh_from_db()
    assert evaluation.status == "failed"
    assert "3 försök" in evaluation.error


def test_without_a_signing_key_it_fails_clearly_and_stores_nothing(
    norsjo, settings, django_capture_on_commit_callbacks
):
    settings.SIGNING_P12_PASSPHRASE = "fel lösenord"
    evaluation = build(norsjo, 2020, django_capture_on_commit_callbacks)
    assert evaluation.status == "failed"
    assert "SIGNING_P12_PASSPHRASE" in evaluation.error
    assert not evaluation.pdf


def test_when_the_job_queue_is_down_the_build_says_to_try_again_and_nothing_breaks(
    norsjo, client, django_capture_on_commit_callbacks
):
    from conftest import celery_broker
    from pledges.tests.staff_data import member

    client.force_login(member("kommunpolis"))
    url = reverse("followup:evaluation_build", args=[norsjo.pk, 2020])
    down = celery_broker("redis://127.0.0.1:1/0", broker_connection_timeout=1, task_publish_retry=False)
    with down, django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    page = client.get(reverse("followup:evaluation", args=[norsjo.pk, 2020])).content.decode()
    assert "Jobbkön kunde inte nås. Inget har gått förlorat: försök igen om en stund." in page
    assert "Försök igen" in page
    assert Evaluation.objects.get(pledge=norsjo, year=2020).status == "failed"
