"""Certificate authorities and certificates made at test time with `cryptography`: nothing of
the kind is ever committed. A server certificate names 127.0.0.1 and localhost; a client
certificate carries a SAN URI identity (`spiffe://o2c/psa/certinia`), a subject CN, or both."""

from __future__ import annotations

import datetime
import ipaddress
import json
from collections.abc import Mapping
from pathlib import Path

import grpc
from attrs import frozen
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

LIFETIME = datetime.timedelta(days=2)


@frozen
class Issued:
    """A certificate (PEM, with any chain) and its private key (unencrypted PKCS#8 PEM)."""

    certificate: bytes
    private_key: bytes

    def write(self, directory: Path, name: str) -> tuple[Path, Path]:
        """The certificate and key as files `<name>.crt` and `<name>.key` in `directory`."""
        certificate, key = directory / f"{name}.crt", directory / f"{name}.key"
        certificate.write_bytes(self.certificate)
        key.write_bytes(self.private_key)
        return certificate, key


@frozen
class CertificateAuthority:
    name: str
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    @property
    def pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def write(self, directory: Path) -> Path:
        path = directory / f"{self.name}-ca.crt"
        path.write_bytes(self.pem)
        return path

    def server(self, *names: str) -> Issued:
        """A server certificate for 127.0.0.1 and localhost, and any further DNS names."""
        sans: list[x509.GeneralName] = [
            x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
            x509.DNSName("localhost"),
            *(x509.DNSName(name) for name in names),
        ]
        return self.issue("o2c server", sans, ExtendedKeyUsageOID.SERVER_AUTH)

    def client(self, uri: str | None = None, common_name: str = "o2c client") -> Issued:
        """A client certificate: its identity is the SAN `uri` if given, else `common_name`."""
        sans: list[x509.GeneralName] = [x509.UniformResourceIdentifier(uri)] if uri else []
        return self.issue(common_name, sans, ExtendedKeyUsageOID.CLIENT_AUTH)

    def issue(
        self, common_name: str, sans: list[x509.GeneralName], usage: x509.ObjectIdentifier
    ) -> Issued:
        key = ec.generate_private_key(ec.SECP256R1())
        builder = (
            certificate_builder(common_name, self.certificate.subject, key.public_key())
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        )
        if sans:
            builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
        certificate = builder.sign(self.key, hashes.SHA256())
        return Issued(certificate.public_bytes(serialization.Encoding.PEM), pem_of(key))


def certificate_authority(name: str = "o2c test") -> CertificateAuthority:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{name} CA")])
    certificate = (
        certificate_builder(f"{name} CA", subject, key.public_key())
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
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
    return CertificateAuthority(name.replace(" ", "-"), key, certificate)


def certificate_builder(
    common_name: str, issuer: x509.Name, public_key: ec.EllipticCurvePublicKey
) -> x509.CertificateBuilder:
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + LIFETIME)
    )


def pem_of(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def server_settings(
    directory: Path, authority: CertificateAuthority, client_auth: str = "none"
) -> dict[str, str]:
    """Settings for a server with a certificate from `authority`, which with
    `client_auth="require"` also accepts only client certificates from `authority`."""
    certificate, key = authority.server().write(directory, "server")
    return {
        "O2C_TLS_CERT_FILE": str(certificate),
        "O2C_TLS_KEY_FILE": str(key),
        "O2C_TLS_CLIENT_CA_FILE": str(authority.write(directory)),
        "O2C_TLS_CLIENT_AUTH": client_auth,
    }


def principals_file(directory: Path, principals: Mapping[str, Mapping[str, object]]) -> str:
    """An O2C_CLIENT_CERT_PRINCIPALS file: identity → {system, legal_entities, scopes}."""
    path = directory / "client-principals.json"
    path.write_text(json.dumps(principals))
    return str(path)


def channel_credentials(
    authority: CertificateAuthority, client: Issued | None = None
) -> grpc.ChannelCredentials:
    """Trusts `authority`'s servers; presents `client` when given."""
    if client is None:
        return grpc.ssl_channel_credentials(root_certificates=authority.pem)
    return grpc.ssl_channel_credentials(authority.pem, client.private_key, client.certificate)
