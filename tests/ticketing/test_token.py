"""Signed ticket tokens (Ed25519): round trip, refusals with a reason, the signing key."""
from __future__ import annotations

import base64
import hashlib
import json
import stat
from datetime import UTC, datetime, timedelta, timezone

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ticketing.token import InvalidTicketToken, TicketSigner, load_or_create_key, verify_token

# RFC 8032, section 7.1, TEST 1
RFC_SEED = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
RFC_PUBLIC = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
RFC_EMPTY_MESSAGE_SIGNATURE = bytes.fromhex(
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
)

UTC = UTC
VALID_FROM = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
VALID_UNTIL = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
CLAIMS = {"tid": "T-42", "vf": VALID_FROM.isoformat(), "vu": VALID_UNTIL.isoformat()}
SIGNATURE_REASON = "the signature does not match: forged or altered ticket"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.fixture(scope="module")
def rfc_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(RFC_SEED)


@pytest.fixture(scope="module")
def signer(rfc_key) -> TicketSigner:
    return TicketSigner(rfc_key)


def reason(token: str, public_key, now: datetime | None = VALID_FROM) -> str:
    with pytest.raises(InvalidTicketToken) as caught:
        verify_token(token, public_key, now)
    assert str(caught.value) == caught.value.reason
    return caught.value.reason


# --- round trip ---------------------------------------------------------------------


def test_the_key_id_is_the_start_of_the_sha256_of_the_raw_public_key(signer):
    assert signer.key_id == hashlib.sha256(RFC_PUBLIC).hexdigest()[:16]


def test_a_token_carries_canonical_claims_with_the_key_id(signer):
    token = signer.sign({"vu": CLAIMS["vu"], "tid": "T-42", "vf": CLAIMS["vf"]})

    prefix, body, signature = token.split(".")
    assert prefix == "FB1"
    assert "=" not in body + signature
    kid = hashlib.sha256(RFC_PUBLIC).hexdigest()[:16]
    assert unb64(body).decode() == (
        '{"kid":"' + kid + '","tid":"T-42","vf":"2026-03-02T08:00:00+00:00","vu":"2026-03-02T10:00:00+00:00"}'
    )
    assert len(unb64(signature)) == 64


def test_a_signed_token_verifies_and_gives_back_its_claims(signer):
    token = signer.sign(CLAIMS)

    assert verify_token(token, signer.public_key, VALID_FROM + timedelta(minutes=30)) == {
        **CLAIMS,
        "kid": signer.key_id,
    }


def test_signing_is_deterministic_for_the_same_claims(signer):
    assert signer.sign(CLAIMS) == signer.sign(dict(reversed(list(CLAIMS.items()))))


def test_surrounding_whitespace_is_ignored(signer):
    token = signer.sign(CLAIMS)

    assert verify_token(f"  {token}\n", signer.public_key, VALID_FROM)["tid"] == "T-42"


def test_the_public_pem_loads_back_as_the_same_public_key(signer):
    pem = signer.public_pem()

    assert pem.startswith("-----BEGIN PUBLIC KEY-----")
    loaded = serialization.load_pem_public_key(pem.encode())
    assert loaded.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw) == RFC_PUBLIC


# --- forged, altered, damaged --------------------------------------------------------


def test_altered_claims_fail_the_signature(signer):
    prefix, body, signature = signer.sign(CLAIMS).split(".")
    claims = json.loads(unb64(body))
    claims["vu"] = "2027-03-02T10:00:00+00:00"
    altered = ".".join([prefix, b64(json.dumps(claims, sort_keys=True, separators=(",", ":")).encode()), signature])

    assert reason(altered, signer.public_key) == SIGNATURE_REASON


def test_a_token_checked_with_another_key_fails_the_signature(signer):
    other = Ed25519PrivateKey.from_private_bytes(bytes(32)).public_key()

    assert reason(signer.sign(CLAIMS), other) == SIGNATURE_REASON


def test_a_signature_of_another_token_fails(signer):
    prefix, body, _ = signer.sign(CLAIMS).split(".")
    _, _, other_signature = signer.sign({**CLAIMS, "tid": "T-43"}).split(".")

    assert reason(f"{prefix}.{body}.{other_signature}", signer.public_key) == SIGNATURE_REASON


@pytest.mark.parametrize("token", ["", "FB1.abc", "FB2.abc.def", "FB1.a.b.c", "eyJhbGciOiJIUzI1NiJ9.e30.sig"])
def test_something_that_is_not_a_ticket_token_says_so(signer, token):
    assert reason(token, signer.public_key) == "not a Farebridge ticket token"


def test_a_claims_part_that_is_not_json_is_damaged(rfc_key, signer):
    body = b64(b"not json")
    signature = b64(rfc_key.sign(f"FB1.{body}".encode()))

    assert reason(f"FB1.{body}.{signature}", signer.public_key) == "the token is damaged"


def test_claims_that_are_not_an_object_are_damaged(rfc_key, signer):
    body = b64(b"[1,2]")
    signature = b64(rfc_key.sign(f"FB1.{body}".encode()))

    assert reason(f"FB1.{body}.{signature}", signer.public_key) == "the token is damaged"


def test_a_truncated_claims_part_is_damaged(signer):
    prefix, body, signature = signer.sign(CLAIMS).split(".")
    cut = body[: len(body) - (len(body) % 4) - 3]  # one character past a multiple of four

    assert len(cut) % 4 == 1
    assert reason(f"{prefix}.{cut}.{signature}", signer.public_key) == "the token is damaged"


@pytest.mark.parametrize("missing", ["tid", "vf", "vu"])
def test_a_genuine_token_without_ticket_id_or_validity_is_refused(signer, missing):
    claims = {k: v for k, v in CLAIMS.items() if k != missing}

    assert reason(signer.sign(claims), signer.public_key) == "the token lacks its ticket id or validity"


def test_a_validity_that_is_not_a_date_is_refused(signer):
    token = signer.sign({**CLAIMS, "vu": "tomorrow"})

    assert reason(token, signer.public_key) == "the token lacks its ticket id or validity"


# --- validity window -------------------------------------------------------------------


def test_a_ticket_is_not_valid_before_its_start(signer):
    token = signer.sign(CLAIMS)

    assert reason(token, signer.public_key, VALID_FROM - timedelta(seconds=1)) == (
        "the ticket is not valid yet (from 2026-03-02T08:00:00+00:00)"
    )


def test_a_ticket_is_valid_from_its_first_to_its_last_second(signer):
    token = signer.sign(CLAIMS)

    assert verify_token(token, signer.public_key, VALID_FROM)["tid"] == "T-42"
    assert verify_token(token, signer.public_key, VALID_UNTIL - timedelta(seconds=1))["tid"] == "T-42"


def test_a_ticket_has_expired_at_its_end(signer):
    token = signer.sign(CLAIMS)

    assert reason(token, signer.public_key, VALID_UNTIL) == "the ticket has expired (at 2026-03-02T10:00:00+00:00)"


def test_without_a_time_only_the_signature_is_checked(signer):
    token = signer.sign(CLAIMS)

    assert verify_token(token, signer.public_key, None)["tid"] == "T-42"


def test_the_validity_window_compares_instants_across_timezones(signer):
    token = signer.sign(CLAIMS)
    berlin_winter = timezone(timedelta(hours=1))

    # 09:59 in UTC+1 is 08:59 UTC: inside the window
    assert verify_token(token, signer.public_key, datetime(2026, 3, 2, 9, 59, tzinfo=berlin_winter))["tid"] == "T-42"
    # 11:00 in UTC+1 is 10:00 UTC: expired
    assert reason(token, signer.public_key, datetime(2026, 3, 2, 11, 0, tzinfo=berlin_winter)).startswith(
        "the ticket has expired"
    )


# --- the signing key ----------------------------------------------------------------


def test_a_base64_seed_setting_gives_the_rfc_8032_key(tmp_path):
    key = load_or_create_key(base64.b64encode(RFC_SEED).decode(), tmp_path / "ticket.pem")

    assert key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw) == RFC_PUBLIC
    assert key.sign(b"") == RFC_EMPTY_MESSAGE_SIGNATURE


def test_a_base64_seed_setting_wins_over_the_key_file(tmp_path):
    key_file = tmp_path / "ticket.pem"

    load_or_create_key(base64.b64encode(RFC_SEED).decode(), key_file)

    assert not key_file.exists()


def test_a_seed_of_the_wrong_length_is_refused(tmp_path):
    with pytest.raises(ValueError):
        load_or_create_key(base64.b64encode(b"short").decode(), tmp_path / "ticket.pem")


def test_the_key_file_is_created_once_and_private(tmp_path):
    key_file = tmp_path / "var" / "keys" / "ticket.pem"

    key = load_or_create_key(None, key_file)

    content = key_file.read_bytes()
    assert content.startswith(b"-----BEGIN PRIVATE KEY-----\n")
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    again = load_or_create_key(None, key_file)
    assert key_file.read_bytes() == content
    raw = serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    assert again.private_bytes(*raw) == key.private_bytes(*raw)


def test_a_token_signed_before_a_restart_verifies_after_it(tmp_path):
    key_file = tmp_path / "ticket.pem"
    token = TicketSigner(load_or_create_key(None, key_file)).sign(CLAIMS)

    reloaded = TicketSigner(load_or_create_key(None, key_file))

    assert verify_token(token, reloaded.public_key, VALID_FROM)["tid"] == "T-42"


def test_two_new_key_files_hold_different_keys(tmp_path):
    raw = serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()

    first = load_or_create_key(None, tmp_path / "a.pem")
    second = load_or_create_key(None, tmp_path / "b.pem")

    assert first.private_bytes(*raw) != second.private_bytes(*raw)


def test_a_key_file_with_another_kind_of_key_is_refused(tmp_path):
    key_file = tmp_path / "ticket.pem"
    key_file.write_bytes(
        ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )

    with pytest.raises(ValueError, match="does not hold an Ed25519 key"):
        load_or_create_key(None, key_file)


def test_a_token_has_exactly_one_spelling(signer):
    token = signer.sign(CLAIMS)
    assert reason(token + "!", signer.public_key) == "the token is damaged"
    head, body, signature = token.split(".")
    assert reason(f"{head}.{body}.{signature}=", signer.public_key) == "the token is damaged"
    assert reason(f"{head}.{body}.{signature[:-1]}*{signature[-1]}", signer.public_key) == "the token is damaged"


def test_verifying_against_a_naive_time_is_a_programming_error(signer):
    with pytest.raises(ValueError):
        verify_token(signer.sign(CLAIMS), signer.public_key, now=datetime(2026, 3, 2, 9, 0))
