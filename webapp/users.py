"""Users (admin, operator, passenger) and their API tokens. Only a hash of a token is stored."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.access_tokens import hash_token, new_token
from core.db import Base, UtcDateTime, utcnow
from core.errors import ValidationFailed

ROLES = ("admin", "operator", "passenger")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    email: Mapped[str | None] = mapped_column(String(255), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    operator_id: Mapped[str | None] = mapped_column(ForeignKey("operators.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


def create_user(
    session: Session, role: str, operator_id: str | None = None, email: str | None = None, token: str | None = None
) -> tuple[User, str]:
    """Create a user and return it with its API token (shown once)."""
    if role not in ROLES:
        raise ValidationFailed(f"role must be one of {', '.join(ROLES)}", details=[{"field": "role"}])
    if role == "operator" and not operator_id:
        raise ValidationFailed("an operator user needs --operator", details=[{"field": "operator"}])
    if role != "operator" and operator_id:
        raise ValidationFailed("only operator users belong to an operator", details=[{"field": "operator"}])
    token = token or new_token()
    user = User(role=role, operator_id=operator_id, email=email, token_hash=hash_token(token))
    session.add(user)
    return user, token


def user_for_token(session: Session, token: str) -> User | None:
    return session.scalars(select(User).where(User.token_hash == hash_token(token))).one_or_none()
