"""sandbox card provider state in the database (a refund on any web worker finds its capture)

Revision ID: 0006
Revises: 0004
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'sandbox_card_references',
        sa.Column('reference', sa.String(length=100), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('provider_reference', sa.String(length=40), nullable=True),
        sa.Column('amount_minor', sa.BigInteger(), nullable=True),
        sa.Column('currency', sa.String(length=3), nullable=True),
        sa.Column('capture_count', sa.Integer(), nullable=False),
        sa.Column('refunded_minor', sa.BigInteger(), nullable=False),
        sa.Column('refund_count', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('reference', name=op.f('pk_sandbox_card_references')),
        sa.UniqueConstraint('provider_reference', name=op.f('uq_sandbox_card_references_provider_reference')),
    )


def downgrade() -> None:
    op.drop_table('sandbox_card_references')
