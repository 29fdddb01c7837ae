"""Users (admin, operator, passenger): API tokens and login passwords.

Only a SHA-256 hash of a token is stored, and only an Argon2id hash of a password.
"""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ForeignKey, Integer, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.access_tokens import hash_token, new_token
from core.db import Base, UtcDateTime, utcnow
from core.errors import ValidationFailed

ROLES = ("admin", "operator", "passenger")
MIN_PASSWORD_LENGTH = 10


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    email: Mapped[str | None] = mapped_column(String(255), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    operator_id: Mapped[str | None] = mapped_column(ForeignKey("operators.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id with the library's current recommended parameters


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(
    session: Session, role: str, operator_id: str | None = None, email: str | None = None, token: str | None = None,
    password: str | None = None,
) -> tuple[User, str]:
    """Create a user and return it with its API token (shown once)."""
    if role not in ROLES:
        raise ValidationFailed(f"role must be one of {', '.join(ROLES)}", details=[{"field": "role"}])
    if role == "operator" and not operator_id:
        raise ValidationFailed("an operator user needs --operator", details=[{"field": "operator"}])
    if role != "operator" and operator_id:
        raise ValidationFailed("only operator users belong to an operator", details=[{"field": "operator"}])
    if password is not None and not email:
        raise ValidationFailed("a user who logs in with a password needs an e-mail", details=[{"field": "email"}])
    token = token or new_token()
    user = User(role=role, operator_id=operator_id, email=normalise_email(email) if email else None,
                token_hash=hash_token(token))
    if password is not None:
        set_password(user, password)
    session.add(user)
    return user, token


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(f"a password needs at least {MIN_PASSWORD_LENGTH} characters",
                               details=[{"field": "password"}])
    return _hasher().hash(password)


def set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)


def user_for_token(session: Session, token: str) -> User | None:
    return session.scalars(select(User).where(User.token_hash == hash_token(token))).one_or_none()


def user_for_email(session: Session, email: str) -> User | None:
    return session.scalars(select(User).where(func.lower(User.email) == normalise_email(email))).one_or_none()


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    return _hasher().hash("no such user: the same work as a real check")


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user with this e-mail and password, or None. Takes as long for an unknown e-mail as for a known one.

    An outdated hash (the library's parameters grew) is replaced; the caller commits.
    """
    user = user_for_email(session, email) if email else None
    stored = user.password_hash if user is not None and user.password_hash else _decoy_hash()
    try:
        _hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.password_hash:
        return None
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = _hasher().hash(password)
    return user
