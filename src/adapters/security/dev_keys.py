"""Development keys for the embedded default: a signing key made on first start, kept beside
the SQLite file (var/ is never committed), and the public JWKS that o2c then trusts.

The private key is written once, readable by its owner only, and never logged."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path

import jwt
from attrs import frozen
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

from adapters.security.jwt_tokens import TrustedKeys

ALGORITHM = "ES256"
PRIVATE_KEY_FILE = "dev-signing-key.pem"
JWKS_FILE = "dev-jwks.json"


class NoDevelopmentKey(RuntimeError):
    pass


@frozen
class Signer:
    key_id: str
    private_key: ec.EllipticCurvePrivateKey

    def sign(self, claims: dict[str, object]) -> str:
        return jwt.encode(
            claims, self.private_key, algorithm=ALGORITHM, headers={"kid": self.key_id}
        )

    def public_jwks(self) -> dict[str, object]:
        jwk = json.loads(ECAlgorithm.to_jwk(self.private_key.public_key()))
        return {"keys": [{**jwk, "kid": self.key_id, "alg": ALGORITHM, "use": "sig"}]}


def key_id_of(private_key: ec.EllipticCurvePrivateKey) -> str:
    der = private_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return f"o2c-dev-{hashlib.sha256(der).hexdigest()[:16]}"


@frozen
class DevelopmentKeys:
    directory: Path

    @property
    def private_key_path(self) -> Path:
        return self.directory / PRIVATE_KEY_FILE

    @property
    def jwks_path(self) -> Path:
        return self.directory / JWKS_FILE

    def ensure(self) -> TrustedKeys:
        """The keys to trust, made on first use; the JWKS is rewritten from the private key."""
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            write_private(self.private_key_path, ec.generate_private_key(ec.SECP256R1()))
        jwks = self.signer().public_jwks()
        write_atomically(self.jwks_path, json.dumps(jwks, indent=2))
        return TrustedKeys.from_jwks(jwks)

    def signer(self) -> Signer:
        try:
            pem = self.private_key_path.read_bytes()
        except FileNotFoundError:
            raise NoDevelopmentKey(
                f"no development key in {self.directory}: start `o2c serve` once to make it"
            ) from None
        private_key = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(private_key, ec.EllipticCurvePrivateKey):
            raise NoDevelopmentKey(f"{self.private_key_path} is not an EC P-256 key")
        return Signer(key_id_of(private_key), private_key)


def write_private(path: Path, private_key: ec.EllipticCurvePrivateKey) -> None:
    pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)


def write_atomically(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_text(text)
    partial.replace(path)
