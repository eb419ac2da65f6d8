"""X.509 certificates for an authority's Ed25519 signing key.

PAdES signatures (the formal PDF documents) identify the signer by a certificate, not by a bare
key. In the demo and between nodes that trust each other's directory entries, the authority
issues its own certificate: subject and issuer are the same (authority name, organisation,
country), and the receiving node trusts exactly that certificate, taken from the directory.
The authority's certificate is also a CA of depth 0: it issues the personal certificates of
its officials (a supervisor's approval key), so an approval or a PDF signed by a person chains
to the authority key the directory publishes. This module is the only place that builds
certificates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature
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
    issues_people: bool = False,
) -> bytes:
    """A PEM certificate for the Ed25519 key `private_raw`, signed by that same key.

    `issues_people`: the key also certifies its officials' personal keys (a CA that may issue
    end-entity certificates only, path length 0).

    With a fixed `serial_number` the certificate is reproducible (Ed25519 signatures are
    deterministic): a node can re-issue the same certificate for a key instead of storing it."""
    _check_validity(country, common_name, not_before, not_after)
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
        # Without `issues_people` not a CA: the certificate only vouches for its own key, and a
        # validator must not accept anything it might appear to issue.
        .add_extension(
            x509.BasicConstraints(ca=issues_people, path_length=0 if issues_people else None),
            critical=True,
        )
        .add_extension(_usage(cert_sign=issues_people), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
    )
    # Ed25519 signs the message itself, so no hash algorithm is passed (RFC 8410).
    certificate = builder.sign(private_key=key, algorithm=None)
    return certificate.public_bytes(serialization.Encoding.PEM)


def _check_validity(
    country: str, common_name: str, not_before: datetime, not_after: datetime
) -> None:
    if not_before.tzinfo is None or not_after.tzinfo is None:
        raise CertificateError("certificate validity dates must carry a time zone")
    if not_after <= not_before:
        raise CertificateError("certificate validity ends before it starts")
    if len(country) != 2 or not country.isascii() or not country.isalpha():
        # X.509 countryName is exactly two letters (ISO 3166-1 alpha-2).
        raise CertificateError(f"country must be an ISO 3166-1 alpha-2 code, not {country!r}")
    if not common_name.strip():
        raise CertificateError("the certificate needs a name")


def _usage(*, cert_sign: bool) -> x509.KeyUsage:
    # pyHanko's validator expects non-repudiation (content commitment) on a document signer's
    # certificate by default; digital signature covers the CMS signature itself.
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


@dataclass(frozen=True)
class Person:
    """Who a personal certificate names, and for which key and period."""

    name: str
    title: str
    user_id: str
    authority_id: str
    public_raw: bytes
    not_before: datetime
    not_after: datetime


def issue_personal_certificate(
    *,
    issuer_private_raw: bytes,
    issuer_certificate_pem: bytes,
    person: Person,
    country: str,
    organization: str,
    serial_number: int | None = None,
) -> bytes:
    """A PEM certificate for a person's Ed25519 key, issued by their authority's key (whose
    certificate, from `self_issued_certificate(issues_people=True)`, is the issuer). The
    subject names the person (CN), their function (title), their user id (UID) and the
    authority (O, organizationIdentifier, C)."""
    _check_validity(country, person.name, person.not_before, person.not_after)
    issuer = _load(issuer_certificate_pem)
    if not matches_private_key(
        certificate_pem=issuer_certificate_pem, private_raw=issuer_private_raw
    ):
        raise CertificateError("the issuer's certificate does not certify the issuing key")
    public = ed25519.Ed25519PublicKey.from_public_bytes(person.public_raw)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, person.name),
            x509.NameAttribute(NameOID.TITLE, person.title),
            x509.NameAttribute(NameOID.USER_ID, person.user_id),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization or person.authority_id),
            x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, person.authority_id),
            x509.NameAttribute(NameOID.COUNTRY_NAME, country.upper()),
        ]
    )
    issuer_key = signing_key(issuer_private_raw)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.subject)
        .public_key(public)
        .serial_number(serial_number or x509.random_serial_number())
        .not_valid_before(person.not_before)
        .not_valid_after(person.not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(cert_sign=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )
    return builder.sign(private_key=issuer_key, algorithm=None).public_bytes(
        serialization.Encoding.PEM
    )


def read_person(certificate_pem: bytes) -> Person:
    """What a personal certificate says (not whether it is genuine: see `issued_by`)."""
    certificate = _load(certificate_pem)
    key = certificate.public_key()
    if not isinstance(key, ed25519.Ed25519PublicKey):
        raise CertificateError("the certificate is not for an Ed25519 key")

    def one(oid: x509.ObjectIdentifier) -> str:
        found = certificate.subject.get_attributes_for_oid(oid)
        if len(found) != 1:
            raise CertificateError("the certificate does not name one person of one authority")
        return str(found[0].value)

    return Person(
        name=one(NameOID.COMMON_NAME),
        title=one(NameOID.TITLE),
        user_id=one(NameOID.USER_ID),
        authority_id=one(NameOID.ORGANIZATION_IDENTIFIER),
        public_raw=key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
    )


def issued_by(*, certificate_pem: bytes, issuer_public_raw: bytes) -> bool:
    """Whether the certificate's signature was made by the Ed25519 key `issuer_public_raw`."""
    certificate = _load(certificate_pem)
    issuer = ed25519.Ed25519PublicKey.from_public_bytes(issuer_public_raw)
    try:
        issuer.verify(certificate.signature, certificate.tbs_certificate_bytes)
    except InvalidSignature:
        return False
    return True


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
