import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Create a self-signed certificate and key (PKCS#12) for signing PDFs in development and the demo, "
        "at SIGNING_P12_PATH with SIGNING_P12_PASSPHRASE. Use the organisation's own certificate in production."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Replace an existing file.")
        parser.add_argument("--name", default="Medborgarlöften (utvecklingscertifikat)", help="The certificate's name.")

    def handle(self, *args, force, name, **options):
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.hazmat.primitives.serialization import pkcs12
        from cryptography.x509.oid import NameOID

        path = Path(settings.SIGNING_P12_PATH)
        if path.exists() and not force:
            self.stdout.write(f"{path} exists; keeping it (--force replaces it).")
            return
        if not settings.SIGNING_P12_PASSPHRASE:
            raise CommandError("Set SIGNING_P12_PASSPHRASE first: the key is never stored unencrypted.")
        key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "SE"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Medborgarlöften"),
                x509.NameAttribute(NameOID.COMMON_NAME, name),
            ]
        )
        now = datetime.datetime.now(datetime.UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=5 * 365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=True,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .sign(key, hashes.SHA256())
        )
        data = pkcs12.serialize_key_and_certificates(
            name.encode(),
            key,
            certificate,
            None,
            serialization.BestAvailableEncryption(settings.SIGNING_P12_PASSPHRASE.encode()),
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        path.chmod(0o600)
        self.stdout.write(f"Created {path}: a self-signed certificate «{name}», valid for five years.")
