"""`farebridge users create` with a web login password; `users set-password`."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from webapp.cli import main
from webapp.users import User, authenticate


@pytest.fixture
def cli(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {"FAREBRIDGE_INSTANCE_DIR": str(tmp_path / "instance"), "FAREBRIDGE_DATABASE_URL": url,
           "FAREBRIDGE_BROKER_URL": ""}
    runner = CliRunner()

    def run(*args: str, input: str | None = None):  # noqa: A002 - click's name
        return runner.invoke(main, list(args), env=env, input=input, catch_exceptions=False)

    assert run("db", "upgrade").exit_code == 0
    run.url = url  # type: ignore[attr-defined]
    return run


def _login(url: str, email: str, password: str) -> User | None:
    engine = create_engine(url)
    with Session(engine) as session:
        user = authenticate(session, email, password)
    engine.dispose()
    return user


def test_a_user_created_with_a_password_file_can_log_in(cli, tmp_path: Path):
    secret = tmp_path / "password"
    secret.write_text("a-long-enough-password\n")
    result = cli("users", "create", "--role", "admin", "--email", "Ann@Example.org", "--password-file", str(secret))
    assert result.exit_code == 0, result.output
    assert len(result.output.strip()) > 20  # the API token, as before
    assert _login(cli.url, "ann@example.org", "a-long-enough-password") is not None
    assert _login(cli.url, "ann@example.org", "a-long-enough-passwor") is None


def test_the_password_can_be_asked_for_and_is_stored_only_hashed(cli):
    result = cli("users", "create", "--role", "passenger", "--email", "p@example.org", "--ask-password",
                 input="typed-password-123\ntyped-password-123\n")
    assert result.exit_code == 0, result.output
    engine = create_engine(cli.url)
    with Session(engine) as session:
        stored = session.scalars(select(User.password_hash).where(User.email == "p@example.org")).one()
    engine.dispose()
    assert stored.startswith("$argon2id$") and "typed-password-123" not in stored


def test_without_a_password_the_command_works_as_before(cli):
    result = cli("users", "create", "--role", "admin")
    assert result.exit_code == 0 and result.output.strip()


def test_a_short_password_or_one_without_email_is_refused(cli, tmp_path: Path):
    secret = tmp_path / "password"
    secret.write_text("short\n")
    result = cli("users", "create", "--role", "admin", "--email", "a@example.org", "--password-file", str(secret))
    assert result.exit_code == 1 and "at least 10 characters" in result.output
    secret.write_text("long-enough-password\n")
    result = cli("users", "create", "--role", "admin", "--password-file", str(secret))
    assert result.exit_code == 1 and "needs an e-mail" in result.output


def test_set_password_replaces_the_old_one(cli, tmp_path: Path):
    secret = tmp_path / "password"
    secret.write_text("the-first-password\n")
    cli("users", "create", "--role", "admin", "--email", "a@example.org", "--password-file", str(secret))
    secret.write_text("the-second-password\n")
    result = cli("users", "set-password", "--email", "a@example.org", "--password-file", str(secret))
    assert result.exit_code == 0, result.output
    assert _login(cli.url, "a@example.org", "the-first-password") is None
    assert _login(cli.url, "a@example.org", "the-second-password") is not None
    assert cli("users", "set-password", "--email", "x@example.org", "--password-file", str(secret)).exit_code == 1
