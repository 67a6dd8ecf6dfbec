"""The agreement PDF: made when signed, signed with our certificate, never changed, a new version per amendment."""

import hashlib
import io
import os

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from municipalities.tests.factories import OrganisationFactory
from pledges.agreement import latest_agreement
from pledges.models import AgreementDocument, Pledge
from pledges.pdf import verify_pdf
from pledges.tests.staff_data import form_data, make_pledge, member

pytestmark = pytest.mark.django_db


def sign(client, pledge):
    chief = member("kommunchef")
    client.force_login(chief)
    police = OrganisationFactory(name="Polisen")
    data = {
        "signed_on": "2025-02-03",
        "signed_place": "Norsjö",
        "signatories-TOTAL_FORMS": "1",
        "signatories-INITIAL_FORMS": "0",
        "signatories-0-name": "Kai Kommunchef",
        "signatories-0-title": "kommunchef",
        "signatories-0-organisation": str(police.pk),
        "signatories-0-signed_on": "2025-02-03",
        "signatories-0-signed_place": "Norsjö",
    }
    response = client.post(reverse("staff:pledge_sign", args=[pledge.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return chief


def read(document):
    with document.pdf.open("rb") as handle:
        return handle.read()


def test_signing_makes_a_signed_pdfa_agreement_that_verifies(client):
    pledge = make_pledge(status=Pledge.Status.REVIEW, title="Trygghet i Norsjö – åtaganden för ökad närvaro")
    sign(client, pledge)
    document = AgreementDocument.objects.get(pledge=pledge)
    data = read(document)
    assert (document.version, document.digitally_signed) == (1, True)
    assert document.checksum == hashlib.sha256(data).hexdigest()
    verification = verify_pdf(data)
    assert verification.ok and verification.trusted, verification.summary

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "Trygghet i Norsjö – åtaganden för ökad närvaro" in " ".join(text.split())
    assert "Kai Kommunchef" in text and "Åtagande 1.1" in text
    pdf = pikepdf.open(io.BytesIO(data))
    assert pdf.open_metadata().get("pdfaid:part") == "3"
    assert pdf.Root.MarkInfo.Marked and "/StructTreeRoot" in pdf.Root and str(pdf.Root.Lang) == "sv"


def test_changing_one_byte_breaks_the_signature(client):
    pledge = make_pledge(status=Pledge.Status.REVIEW)
    sign(client, pledge)
    data = bytearray(read(AgreementDocument.objects.get(pledge=pledge)))
    position = data.index(b"/Contents") - 200  # inside the signed page content, before the signature itself
    data[position] ^= 0x01
    verification = verify_pdf(bytes(data))
    assert not (verification.intact and verification.valid)


def test_the_staff_page_shows_the_signature_check_and_every_download_is_the_same_bytes(client):
    pledge = make_pledge(status=Pledge.Status.REVIEW)
    sign(client, pledge)
    page = client.get(reverse("staff:pledge_agreement", args=[pledge.pk])).content.decode()
    assert "signaturen är giltig och filen är oförändrad" in page
    document = latest_agreement(pledge)
    url = reverse("staff:pledge_agreement_pdf", args=[pledge.pk, document.pk])
    first, second = (b"".join(client.get(url).streaming_content) for _ in range(2))
    assert first == second == read(document)


def test_the_public_gets_the_agreement_of_a_published_pledge_only(client):
    pledge = make_pledge(status=Pledge.Status.REVIEW)
    sign(client, pledge)
    client.logout()
    url = reverse("public-agreement-pdf", args=[pledge.pk])
    assert client.get(url).status_code == 404  # signed, not yet published
    Pledge.objects.filter(pk=pledge.pk).update(status=Pledge.Status.PUBLISHED)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"medborgarlofte-{pledge.external_id}.pdf" in response["Content-Disposition"]
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == latest_agreement(pledge).checksum


def test_an_amendment_makes_a_new_version_beside_the_signed_one(client):
    pledge = make_pledge(status=Pledge.Status.REVIEW)
    sign(client, pledge)
    first = latest_agreement(pledge)
    signed_bytes = read(first)
    client.force_login(member("kommunpolis"))
    url = reverse("staff:pledge_edit", args=[pledge.pk])
    data = form_data(client.get(url).context["form"], client.get(url).context["formset"])
    assert client.post(url, {**data, "title": "Nytt namn", "amendment_reason": "Namnet var fel"}).status_code == 302
    versions = list(AgreementDocument.objects.filter(pledge=pledge).order_by("version"))
    assert [(v.version, v.amendment is not None) for v in versions] == [(1, False), (2, True)]
    assert read(versions[0]) == signed_bytes
    assert "Namnet var fel" in " ".join(PdfReader(io.BytesIO(read(versions[1]))).pages[-1].extract_text().split())


def test_demo_pledges_imported_as_signed_have_their_agreement_and_a_reimport_adds_none():
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert AgreementDocument.objects.filter(version=1, digitally_signed=True).count() == 5
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert AgreementDocument.objects.count() == 5


def test_without_a_signing_key_the_agreement_is_marked_unsigned(client, settings):
    settings.SIGNING_P12_PASSPHRASE = "fel"
    pledge = make_pledge(status=Pledge.Status.REVIEW)
    sign(client, pledge)
    document = latest_agreement(pledge)
    assert not document.digitally_signed
    assert not verify_pdf(read(document)).signed
    page = client.get(reverse("staff:pledge_agreement", args=[pledge.pk])).content.decode()
    assert "inte digitalt signerad" in page


def encrypted_pdf():
    buffer = io.BytesIO()
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.save(buffer, encryption=pikepdf.Encryption(owner="a", user="b"))
    return buffer.getvalue()


def plain_pdf():
    buffer = io.BytesIO()
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"GIF89a not a pdf", "Filen är inte en PDF"),
        (encrypted_pdf(), "krypterad"),
    ],
)
def test_a_scanned_copy_must_be_an_unprotected_pdf(client, content, message):
    pledge = make_pledge(status=Pledge.Status.PUBLISHED)
    client.force_login(member("samordnare"))
    response = client.post(
        reverse("staff:pledge_agreement", args=[pledge.pk]), {"file": SimpleUploadedFile("skanning.pdf", content)}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not AgreementDocument.objects.exists()


def test_a_scanned_copy_is_kept_beside_the_agreement(client):
    pledge = make_pledge(status=Pledge.Status.PUBLISHED)
    client.force_login(member("samordnare"))
    content = plain_pdf()
    response = client.post(
        reverse("staff:pledge_agreement", args=[pledge.pk]), {"file": SimpleUploadedFile("skanning.pdf", content)}
    )
    assert response.status_code == 302
    document = AgreementDocument.objects.get()
    assert (document.kind, document.checksum) == ("scanned", hashlib.sha256(content).hexdigest())
