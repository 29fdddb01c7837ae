"""ledger rows refuse UPDATE and DELETE in PostgreSQL

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24

The application never changes a ledger row (corrections are reversals); the
ORM guard in clearing/models.py refuses it in every session. These triggers
refuse it for raw SQL too, on PostgreSQL. SQLite keeps the ORM guard only.
``TRUNCATE`` is not covered (no row triggers fire; it needs table ownership);
someone who can disable triggers can still alter rows, and
``farebridge ledger verify`` is what finds that.
"""
from __future__ import annotations

from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

FUNCTION = "farebridge_ledger_append_only"
TABLES = ("ledger_transactions", "ledger_entries")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"""
        CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'ledger rows are append-only: % on % refused; post a reversal', TG_OP, TG_TABLE_NAME
                USING ERRCODE = 'restrict_violation';
        END;
        $$
    """)
    for table in TABLES:
        op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                   f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    op.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
