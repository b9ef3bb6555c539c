"""PEM material for TLS, checked before a server uses it: certificates that parse, a private key
that is the key of its certificate. A problem is said in words that never quote the key."""

from __future__ import annotations

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes, PublicKeyTypes


class CertificateProblem(ValueError):
    """PEM material a TLS server cannot use; the message says why, never what the key holds."""


def certificates_in(pem: bytes) -> list[x509.Certificate]:
    try:
        return x509.load_pem_x509_certificates(pem)
    except ValueError:
        raise CertificateProblem("holds no PEM certificate") from None


def private_key_in(pem: bytes) -> PrivateKeyTypes:
    try:
        return serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise CertificateProblem("holds no unencrypted PEM private key") from None


def check_key_pair(chain: bytes, key: bytes) -> None:
    """The chain's first certificate is the one its private key `key` belongs to."""
    private = private_key_in(key)
    if encoded(private.public_key()) != encoded(certificates_in(chain)[0].public_key()):
        raise CertificateProblem("is not the private key of the certificate")


def encoded(public_key: PublicKeyTypes) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
