"""PDF documents: rendered by WeasyPrint as tagged PDF/A-3a, signed (PAdES) with pyHanko.

The agreement and the yearly evaluation both go through here. Rendering reads only our own static
files (fonts, styles): any other address a template might name is refused, so a PDF never makes a
network request and never depends on what a machine happens to have installed.
"""

import asyncio
import concurrent.futures
import contextlib
import functools
import gc
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

# WeasyPrint resolves the templates' "/static/…" addresses against this made-up origin; the fetcher
# below answers them from the static files and refuses everything else.
BASE_URL = "https://medborgarloften.invalid/"
PDF_VARIANT = "pdf/a-3a"  # tagged (MarkInfo, StructTreeRoot) with Lang; pdf/a-3u writes no tags


class SigningUnavailable(Exception):
    """No usable signing key: the PDF must not be passed off as signed."""


def _static_only_fetcher():
    """WeasyPrint's URL fetcher narrowed to data: URLs and our own static files. A template that names
    anything else fails loudly instead of fetching it."""
    import mimetypes

    from weasyprint.urls import URLFetcher, URLFetcherResponse

    static_prefix = "/" + settings.STATIC_URL.lstrip("/")

    class StaticOnlyURLFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            parts = urlsplit(url)
            if f"{parts.scheme}://{parts.netloc}/" == BASE_URL and parts.path.startswith(static_prefix):
                relative = parts.path[len(static_prefix) :]
                found = None
                if ".." not in Path(relative).parts:
                    # the app's static folders, or STATIC_ROOT where only collected files are deployed
                    found = finders.find(relative) or Path(settings.STATIC_ROOT) / relative
                if found and Path(found).is_file():
                    mime_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, body=Path(found).read_bytes(), headers={"Content-Type": mime_type})
            raise ValueError(f"PDF rendering reads only our own static files, not {url!r}")

    return StaticOnlyURLFetcher(fail_on_errors=True)


@contextlib.contextmanager
def _fewer_garbage_collections():
    """WeasyPrint makes millions of short-lived objects per document: with Python's default threshold
    (700) the cyclic garbage collector ran some thousand times per evaluation, a sixth of its time.
    Raised for the render only; every object is still collected, in fewer rounds."""
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], 10_000), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


def render_pdf(template_name: str, context: dict) -> bytes:
    """A template rendered to PDF/A-3a. Title, author and language come from the HTML head."""
    from weasyprint import HTML

    # Plain (unhashed) static addresses: the fetcher reads the files themselves, no manifest needed.
    html = render_to_string(template_name, {"pdf_static_url": "/" + settings.STATIC_URL.lstrip("/"), **context})
    with _fewer_garbage_collections():
        document = HTML(string=html, base_url=BASE_URL, url_fetcher=_static_only_fetcher())
        return document.write_pdf(pdf_variant=PDF_VARIANT)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _signer():
    path = settings.SIGNING_P12_PATH
    if not path or not Path(path).is_file():
        raise SigningUnavailable(
            _("No signing certificate at %(path)s (SIGNING_P12_PATH). Run manage.py create_signing_certificate.")
            % {"path": path or "–"}
        )
    # Opening the key file is slow on purpose (key derivation): do it once per file and passphrase.
    return _load_signer(str(path), Path(path).stat().st_mtime, settings.SIGNING_P12_PASSPHRASE)


@functools.lru_cache(maxsize=4)
def _load_signer(path, mtime, passphrase):
    from pyhanko.sign import signers

    passphrase = passphrase.encode() if passphrase else None
    try:
        signer = signers.SimpleSigner.load_pkcs12(path, passphrase=passphrase)
    except (ValueError, OSError, TypeError):
        signer = None
    if signer is None:
        raise SigningUnavailable(
            _("The signing certificate %(path)s cannot be opened: wrong passphrase (SIGNING_P12_PASSPHRASE)?")
            % {"path": path}
        )
    return _key_caching_signer_class()(
        signing_cert=signer.signing_cert,
        signing_key=signer.signing_key,
        cert_registry=signer.cert_registry,
        signature_mechanism=signer.signature_mechanism,
    )


@functools.cache
def _key_caching_signer_class():
    """pyHanko's SimpleSigner decodes its private key on every signature, twice per PDF (once to
    estimate the signature's size), and decoding checks an RSA key: about 90 ms each time. This
    signer decodes it once per process for the usual kinds of key (RSA PKCS#1 v1.5, ECDSA) and
    leaves any other kind to pyHanko."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ec import ECDSA, EllipticCurvePrivateKey
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
    from pyhanko.sign import signers
    from pyhanko_certvalidator.util import get_pyca_cryptography_hash

    class KeyCachingSigner(signers.SimpleSigner):
        @functools.cached_property
        def private_key(self):
            return serialization.load_der_private_key(self.signing_key.dump(), password=None)

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            try:
                mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
            except ValueError:
                mechanism = None
            key = self.private_key
            if mechanism == "rsassa_pkcs1v15" and isinstance(key, RSAPrivateKey):
                return key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
            if mechanism == "ecdsa" and isinstance(key, EllipticCurvePrivateKey):
                return key.sign(data, ECDSA(get_pyca_cryptography_hash(digest_algorithm)))
            return super().sign_raw(data, digest_algorithm)

    return KeyCachingSigner


def check_signing_available():
    """Raise SigningUnavailable now rather than after minutes of rendering."""
    _signer()


def _outside_event_loop(function, *args, **kwargs):
    """pyHanko runs its own asyncio loop; where a loop already runs in this thread (an ASGI server,
    a browser test driving the page) it is run in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(function, *args, **kwargs).result()


def sign_pdf(pdf: bytes, *, reason: str, location: str = "") -> bytes:
    return _outside_event_loop(_sign_pdf, pdf, reason=reason, location=location)


def _sign_pdf(pdf: bytes, *, reason: str, location: str = "") -> bytes:
    """The PDF with a PAdES signature of the organisation's certificate added (incrementally)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    signer = _signer()
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    metadata = signers.PdfSignatureMetadata(
        field_name="Signatur", subfilter=fields.SigSeedSubFilter.PADES, reason=reason, location=location
    )
    return signers.sign_pdf(writer, metadata, signer=signer).getvalue()


@dataclass(frozen=True)
class Verification:
    signed: bool
    intact: bool = False
    valid: bool = False
    trusted: bool = False
    signer: str = ""
    signed_at: object = None
    summary: str = ""

    @property
    def ok(self):
        return self.signed and self.intact and self.valid


def _common_name(certificate) -> str:
    if certificate is None:
        return ""
    subject = certificate.subject.native
    return subject.get("common_name") or certificate.subject.human_friendly


def verify_pdf(pdf: bytes) -> Verification:
    return _outside_event_loop(_verify_pdf, pdf)


def _verify_pdf(pdf: bytes) -> Verification:
    """Check the file's signatures: intact (not one byte changed), valid, and trusted by our certificate."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except Exception as exc:  # a damaged file is reported, not raised
        return Verification(signed=False, summary=str(exc))
    if not signatures:
        return Verification(signed=False, summary=_("The file has no signature."))
    trust_roots = []
    with contextlib.suppress(SigningUnavailable):
        trust_roots.append(_signer().signing_cert)
    try:
        status = validate_pdf_signature(signatures[-1], ValidationContext(trust_roots=trust_roots))
    except Exception as exc:  # reported in the result, like a broken signature
        return Verification(signed=True, summary=str(exc))
    return Verification(
        signed=True,
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted,
        signer=_common_name(status.signing_cert),
        signed_at=status.signer_reported_dt,
        summary=status.summary(),
    )
