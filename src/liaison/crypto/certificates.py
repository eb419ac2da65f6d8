"""X.509 certificates for an authority's Ed25519 signing key.

PAdES signatures (the formal PDF documents) identify the signer by a certificate, not by a bare
key. In the demo and between nodes that trust each other's directory entries, the authority
issues its own certificate: subject and issuer are the same (authority name, organisation,
country), and the receiving node trusts exactly that certificate, taken from the directory.
This module is the only place that builds certificates.
"""

from __future__ import annotations

from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.x509.oid import NameOID

from liaison.crypto.keys import signing_key


class CertificateError(ValueError):
    """A certificate cannot be issued from the given parameters."""


def self_issued_certificate(
    *,
    private_raw: bytes,
    common_name: str,
    country: str,
    organization: str,
    not_before: datetime,
    not_after: datetime,
    serial_number: int | None = None,
) -> bytes:
    """A PEM certificate for the Ed25519 key `private_raw`, signed by that same key.

    With a fixed `serial_number` the certificate is reproducible (Ed25519 signatures are
    deterministic): a node can re-issue the same certificate for a key instead of storing it."""
    if not_before.tzinfo is None or not_after.tzinfo is None:
        raise CertificateError("certificate validity dates must carry a time zone")
    if not_after <= not_before:
        raise CertificateError("certificate validity ends before it starts")
    if len(country) != 2 or not country.isascii() or not country.isalpha():
        # X.509 countryName is exactly two letters (ISO 3166-1 alpha-2).
        raise CertificateError(f"country must be an ISO 3166-1 alpha-2 code, not {country!r}")
    if not common_name.strip():
        raise CertificateError("the certificate needs the authority's name")
    key = signing_key(private_raw)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization or common_name),
            x509.NameAttribute(NameOID.COUNTRY_NAME, country.upper()),
        ]
    )
    public = key.public_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(serial_number or x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        # Not a CA: the certificate only vouches for its own key, and a validator must not
        # accept anything it might appear to issue.
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        # pyHanko's validator expects non-repudiation (content commitment) on a document
        # signer's certificate by default; digital signature covers the CMS signature itself.
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
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
    )
    # Ed25519 signs the message itself, so no hash algorithm is passed (RFC 8410).
    certificate = builder.sign(private_key=key, algorithm=None)
    return certificate.public_bytes(serialization.Encoding.PEM)


def _load(certificate_pem: bytes) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(certificate_pem)
    except ValueError as exc:
        raise CertificateError("not a PEM certificate") from exc


def certificate_der(certificate_pem: bytes) -> bytes:
    """The DER form of a PEM certificate, for libraries that take ASN.1 bytes."""
    return _load(certificate_pem).public_bytes(serialization.Encoding.DER)


def private_key_pkcs8_der(private_raw: bytes) -> bytes:
    """The raw Ed25519 private key as unencrypted PKCS#8 DER, the form PDF signers load.

    The result is secret key material: keep it in memory only.
    """
    return signing_key(private_raw).private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def public_key_raw(certificate_pem: bytes) -> bytes | None:
    """The raw Ed25519 public key a certificate certifies; None for any other kind of key."""
    key = _load(certificate_pem).public_key()
    if not isinstance(key, ed25519.Ed25519PublicKey):
        return None
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def matches_private_key(*, certificate_pem: bytes, private_raw: bytes) -> bool:
    """Whether the certificate certifies the public half of `private_raw`."""
    certificate = _load(certificate_pem)
    raw = serialization.Encoding.Raw
    expected = (
        signing_key(private_raw).public_key().public_bytes(raw, serialization.PublicFormat.Raw)
    )
    found = certificate.public_key().public_bytes(raw, serialization.PublicFormat.Raw)
    return found == expected
