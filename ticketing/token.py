"""Compact signed ticket tokens (Ed25519), verifiable offline with the public key.

Format: ``FB1.<claims>.<signature>``, both parts base64url without padding;
the claims are canonical JSON. The signature covers ``FB1.<claims>``.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PREFIX = "FB1"


class InvalidTicketToken(ValueError):
    """``claims`` is set when the signature is genuine but the ticket is not valid now."""

    def __init__(self, reason: str, claims: dict[str, Any] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.claims = claims


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    """Strict: characters outside the alphabet are an error, so every token has one spelling."""
    data = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    if _b64(data) != text:
        raise ValueError("non-canonical base64")
    return data


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


class TicketSigner:
    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._key = private_key
        self.public_key = private_key.public_key()
        self.key_id = key_id(self.public_key)

    def sign(self, claims: dict[str, Any]) -> str:
        body = _b64(json.dumps({**claims, "kid": self.key_id}, sort_keys=True, separators=(",", ":")).encode())
        signed = f"{PREFIX}.{body}"
        return f"{signed}.{_b64(self._key.sign(signed.encode()))}"

    def public_pem(self) -> str:
        return self.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()


def verify_token(token: str, public_key: Ed25519PublicKey, now: datetime | None = None) -> dict[str, Any]:
    """Return the claims, or raise ``InvalidTicketToken`` with a reason a person can read."""
    if now is not None and now.tzinfo is None:
        raise ValueError("verify_token needs a timezone-aware 'now'")
    parts = token.strip().split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        raise InvalidTicketToken("not a Farebridge ticket token")
    try:
        signature = _unb64(parts[2])
        claims = json.loads(_unb64(parts[1]))
    except (ValueError, json.JSONDecodeError):  # binascii.Error is a ValueError
        raise InvalidTicketToken("the token is damaged") from None
    if not isinstance(claims, dict):
        raise InvalidTicketToken("the token is damaged")
    try:
        public_key.verify(signature, f"{parts[0]}.{parts[1]}".encode())
    except InvalidSignature:
        raise InvalidTicketToken("the signature does not match: forged or altered ticket") from None
    try:
        valid_from, valid_until = datetime.fromisoformat(claims["vf"]), datetime.fromisoformat(claims["vu"])
        str(claims["tid"])
    except (KeyError, TypeError, ValueError):
        raise InvalidTicketToken("the token lacks its ticket id or validity") from None
    if now is not None:
        if now < valid_from:
            raise InvalidTicketToken(f"the ticket is not valid yet (from {claims['vf']})", dict(claims))
        if now >= valid_until:
            raise InvalidTicketToken(f"the ticket has expired (at {claims['vu']})", dict(claims))
    return dict(claims)


def load_or_create_key(key_b64: str | None, key_file: Path) -> Ed25519PrivateKey:
    """The signing key from settings (base64 of the 32-byte seed) or a PEM file, created on first use."""
    if key_b64:
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(key_b64))
    if key_file.exists():
        key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{key_file} does not hold an Ed25519 key")
        return key
    key = Ed25519PrivateKey.generate()
    key_file.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    # Created with mode 600 from the start; O_EXCL so two processes starting at once cannot both write.
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return load_or_create_key(None, key_file)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return key
