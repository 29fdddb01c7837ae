"""``farebridge tickets verify``: offline verification of ticket tokens by an inspector."""
from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ticketing.token import TicketSigner, load_or_create_key
from webapp.cli import main

SEED = bytes(range(32))
SIGNER = TicketSigner(Ed25519PrivateKey.from_private_bytes(SEED))
VALID_FROM = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
VALID_UNTIL = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
TOKEN = SIGNER.sign({"tid": "T-42", "rc": "adult", "vf": VALID_FROM.isoformat(), "vu": VALID_UNTIL.isoformat(),
                     "p": "7.10", "cur": "EUR", "legs": [["RE1", "ALT_HBF", "BGS_BF"]]})
DURING = "2026-03-02T08:30:00+00:00"
SIGNATURE_REASON = "the signature does not match: forged or altered ticket"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"FAREBRIDGE_INSTANCE_DIR": str(tmp_path / "instance"),
            "FAREBRIDGE_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
            "FAREBRIDGE_SIGNING_KEY": base64.b64encode(SEED).decode(),
            "FAREBRIDGE_TIMEZONE": "Europe/Berlin"}


def verify(env: dict[str, str], *args: str, stdin: str | None = None):
    return CliRunner().invoke(main, ["tickets", "verify", *args], env=env, input=stdin, catch_exceptions=False)


def claims_of(output: str) -> dict:
    return json.loads(output.split("claims: ", 1)[1])


def public_pem(tmp_path: Path, signer: TicketSigner = SIGNER) -> str:
    path = tmp_path / "inspector.pem"
    path.write_text(signer.public_pem())
    return str(path)


def test_a_genuine_token_within_its_validity_is_valid_with_exit_status_0(env):
    result = verify(env, TOKEN, "--at", DURING)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:3] == ["valid", "reason: -", f"checked at: {DURING}"]
    assert claims_of(result.output) == {"tid": "T-42", "rc": "adult", "vf": VALID_FROM.isoformat(),
                                        "vu": VALID_UNTIL.isoformat(), "p": "7.10", "cur": "EUR",
                                        "legs": [["RE1", "ALT_HBF", "BGS_BF"]], "kid": SIGNER.key_id}


def test_the_check_time_defaults_to_now(env):
    now = datetime.now(UTC)
    token = SIGNER.sign({"tid": "T-now", "vf": (now - timedelta(hours=1)).isoformat(),
                         "vu": (now + timedelta(hours=1)).isoformat()})
    result = verify(env, token)
    assert result.exit_code == 0, result.output
    assert claims_of(result.output)["tid"] == "T-now"


def test_a_tampered_token_is_invalid_with_exit_status_1_and_no_claims(env):
    head, body, signature = TOKEN.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    forged_body = base64.urlsafe_b64encode(json.dumps({**claims, "rc": "child"}, sort_keys=True,
                                                      separators=(",", ":")).encode()).rstrip(b"=").decode()
    result = verify(env, f"{head}.{forged_body}.{signature}", "--at", DURING)
    assert result.exit_code == 1
    assert result.output.splitlines()[:2] == ["invalid", f"reason: {SIGNATURE_REASON}"]
    assert "claims: none (not trusted)" in result.output
    assert verify(env, "not-a-token").output.splitlines()[1] == "reason: not a Farebridge ticket token"


def test_a_token_signed_by_another_key_is_invalid(env, tmp_path: Path):
    other = TicketSigner(Ed25519PrivateKey.generate())
    result = verify(env, TOKEN, "--public-key", public_pem(tmp_path, other), "--at", DURING)
    assert result.exit_code == 1
    assert result.output.splitlines()[1] == f"reason: {SIGNATURE_REASON}"


def test_the_public_key_pem_alone_verifies_fully_offline(env, tmp_path: Path):
    offline = {k: v for k, v in env.items() if k != "FAREBRIDGE_SIGNING_KEY"}
    result = verify(offline, TOKEN, "--public-key", public_pem(tmp_path), "--at", DURING)
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "instance" / "signing_key.pem").exists()


def test_an_expired_or_not_yet_valid_token_shows_its_genuine_claims(env):
    expired = verify(env, TOKEN, "--at", "2026-03-02T10:00:00+00:00")
    assert expired.exit_code == 1
    assert expired.output.splitlines()[1] == f"reason: the ticket has expired (at {VALID_UNTIL.isoformat()})"
    assert claims_of(expired.output)["tid"] == "T-42"
    # A time without offset is the network's local time: 08:30 in Berlin is 07:30 UTC, before the validity.
    early = verify(env, TOKEN, "--at", "2026-03-02T08:30")
    assert early.exit_code == 1
    assert "not valid yet" in early.output
    assert verify(env, TOKEN, "--at", "2026-03-02T09:30").exit_code == 0


def test_the_signing_key_file_of_the_web_app_is_the_default(env, tmp_path: Path):
    key_file = tmp_path / "instance" / "signing_key.pem"
    signer = TicketSigner(load_or_create_key(None, key_file))
    token = signer.sign({"tid": "T-file", "vf": VALID_FROM.isoformat(), "vu": VALID_UNTIL.isoformat()})
    from_file = {k: v for k, v in env.items() if k != "FAREBRIDGE_SIGNING_KEY"}
    assert verify(from_file, token, "--at", DURING).exit_code == 0
    assert verify(from_file, TOKEN, "--at", DURING).exit_code == 1


def test_without_any_key_it_says_so_and_creates_none(env, tmp_path: Path):
    bare = {k: v for k, v in env.items() if k != "FAREBRIDGE_SIGNING_KEY"}
    result = verify(bare, TOKEN, "--at", DURING)
    assert result.exit_code == 1
    assert "no signing key is configured" in result.output and "--public-key" in result.output
    assert not (tmp_path / "instance" / "signing_key.pem").exists()


def test_a_private_key_or_a_broken_pem_is_refused_with_a_message(env, tmp_path: Path):
    private = tmp_path / "private.pem"
    private.write_bytes(Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    result = verify(env, TOKEN, "--public-key", str(private))
    assert result.exit_code == 1
    assert "holds a private key" in result.output
    broken = tmp_path / "broken.pem"
    broken.write_text("hello")
    assert "is not a PEM public key" in verify(env, TOKEN, "--public-key", str(broken)).output
    assert "cannot read" in verify(env, TOKEN, "--public-key", str(tmp_path / "missing.pem")).output
    assert verify(env, TOKEN, "--at", "yesterday").exit_code == 2  # a usage error, as click reports them


def test_a_dash_reads_the_token_from_standard_input(env):
    result = verify(env, "-", "--at", DURING, stdin=TOKEN + "\n")
    assert result.exit_code == 0, result.output
    assert claims_of(result.output)["tid"] == "T-42"
