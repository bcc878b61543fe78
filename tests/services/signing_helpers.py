"""A throw-away PKI for the signing tests: a CA and signer certificates made with ``cryptography``,
and pyHanko's SimpleSigner to sign one field at a time (incrementally), as the court's module does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore


@dataclass
class SigningPki:
    ca_pem: Path
    ca_cert: x509.Certificate
    ca_key: ec.EllipticCurvePrivateKey


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"), x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    )


def make_ca(folder: Path, common_name: str = "测试电子认证中心") -> SigningPki:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
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
    pem = folder / f"ca-{x509.random_serial_number() % 10**6}.pem"
    pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return SigningPki(pem, cert, key)


def make_signer(pki: SigningPki, common_name: str) -> signers.SimpleSigner:
    """A signer whose certificate the CA issued (non-repudiation + digital signature)."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(pki.ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(pki.ca_key, hashes.SHA256())
    )
    der = serialization.Encoding.DER
    return signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(cert.public_bytes(der)),
        signing_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        ),
        cert_registry=SimpleCertificateStore.from_certs(
            [asn1_x509.Certificate.load(pki.ca_cert.public_bytes(der))]
        ),
    )


def sign_field(pdf: bytes, field_name: str, signer: signers.SimpleSigner) -> bytes:
    """Sign the existing empty field ``field_name`` in an incremental update."""
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    metadata = signers.PdfSignatureMetadata(field_name=field_name, md_algorithm="sha256")
    out = signers.sign_pdf(writer, metadata, signer=signer)
    return out.getvalue()


def sign_all(pdf: bytes, pki: SigningPki, names: dict[str, str]) -> bytes:
    """Sign investor, company and mediator in turn, each with its own certificate."""
    for field_name, common_name in names.items():
        pdf = sign_field(pdf, field_name, make_signer(pki, common_name))
    return pdf
