"""``farebridge users``: users, API tokens and web passwords."""
from __future__ import annotations

from pathlib import Path

import click

from webapp.cli.common import current_runtime, domain_errors


@click.group()
def users() -> None:
    """Users and API tokens."""


def _read_password(password_file: Path | None, ask: bool) -> str | None:
    """From the first line of a file, or asked twice at the terminal (never as an argument: it would be in ps)."""
    from core.errors import ValidationFailed

    if password_file is not None and ask:
        raise click.UsageError("give --password-file or --ask-password, not both")
    if password_file is not None:
        try:
            lines = password_file.read_text(encoding="utf-8").splitlines()
        except OSError as error:
            raise ValidationFailed(f"cannot read {password_file}: {error.strerror}",
                                   details=[{"field": "password-file"}]) from None
        return lines[0] if lines else ""
    if ask:
        return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))
    return None


@users.command("create")
@click.option("--role", type=click.Choice(["admin", "operator", "passenger"]), required=True)
@click.option("--operator", "operator_id", default=None, help="Operator id (role operator)")
@click.option("--email", default=None, help="Login name for the web pages")
@click.option("--password-file", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help="Web login password: the file's first line (needs --email)")
@click.option("--ask-password", is_flag=True, help="Ask for the web login password (needs --email)")
@domain_errors
def users_create(role: str, operator_id: str | None, email: str | None, password_file: Path | None,
                 ask_password: bool) -> None:
    """Create a user and print its API token (shown once); with a password it can also log in to the pages."""
    from sqlalchemy.exc import IntegrityError

    from core.errors import ValidationFailed
    from operators.models import Operator
    from webapp.users import create_user

    password = _read_password(password_file, ask_password)
    uow = current_runtime().uow()
    with uow:
        if operator_id and uow.session.get(Operator, operator_id) is None:
            raise ValidationFailed(f"no operator {operator_id}", details=[{"field": "operator"}])
        _user, token = create_user(uow.session, role, operator_id, email, password=password)
        try:
            uow.commit()
        except IntegrityError:
            raise ValidationFailed(f"a user with email {email} exists", details=[{"field": "email"}]) from None
    click.echo(token)


@users.command("set-password")
@click.option("--email", required=True)
@click.option("--password-file", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help="The file's first line (default: ask)")
@domain_errors
def users_set_password(email: str, password_file: Path | None) -> None:
    """Set or replace a user's web login password; the user's open sessions end."""
    from core.errors import NotFound
    from webapp.users import set_password, user_for_email

    password = _read_password(password_file, password_file is None)
    assert password is not None
    uow = current_runtime().uow()
    with uow:
        user = user_for_email(uow.session, email)
        if user is None:
            raise NotFound(f"no user with email {email}")
        set_password(user, password)
        uow.commit()
    click.echo(f"password set for {email}")
