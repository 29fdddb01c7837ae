"""pay as you go

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 15:48:22.458968
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import core.db


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('payg_accounts',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('rider_category', sa.String(length=64), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('payment_method', sa.String(length=16), nullable=False),
    sa.Column('card_token', sa.String(length=100), nullable=True),
    sa.Column('wallet_id', sa.String(length=36), nullable=True),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payg_accounts'))
    )
    op.create_table('payg_charges',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('account_id', sa.String(length=64), nullable=False),
    sa.Column('service_date', sa.Date(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('amount_minor', sa.Integer(), nullable=False),
    sa.Column('day_total_minor', sa.Integer(), nullable=False),
    sa.Column('uncapped_minor', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('payment_method', sa.String(length=16), nullable=False),
    sa.Column('provider_reference', sa.String(length=100), nullable=True),
    sa.Column('decline_reason', sa.String(length=200), nullable=True),
    sa.Column('taps_seen', sa.Integer(), nullable=False),
    sa.Column('statement', sa.JSON(), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payg_charges')),
    sa.UniqueConstraint('account_id', 'service_date', 'sequence', name=op.f('uq_payg_charges_account_id_service_date_sequence'))
    )
    with op.batch_alter_table('payg_charges', schema=None) as batch_op:
        batch_op.create_index('ix_payg_charges_created_at', ['created_at'], unique=False)

    op.create_table('payg_taps',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('device_id', sa.String(length=64), nullable=False),
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.Column('account_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=3), nullable=False),
    sa.Column('route_id', sa.String(length=64), nullable=False),
    sa.Column('stop_id', sa.String(length=64), nullable=False),
    sa.Column('tapped_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('service_date', sa.Date(), nullable=False),
    sa.Column('received_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payg_taps')),
    sa.UniqueConstraint('device_id', 'event_id', name=op.f('uq_payg_taps_device_id_event_id'))
    )
    with op.batch_alter_table('payg_taps', schema=None) as batch_op:
        batch_op.create_index('ix_payg_taps_account_day', ['account_id', 'service_date'], unique=False)
        batch_op.create_index('ix_payg_taps_day', ['service_date'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('payg_taps', schema=None) as batch_op:
        batch_op.drop_index('ix_payg_taps_day')
        batch_op.drop_index('ix_payg_taps_account_day')

    op.drop_table('payg_taps')
    with op.batch_alter_table('payg_charges', schema=None) as batch_op:
        batch_op.drop_index('ix_payg_charges_created_at')

    op.drop_table('payg_charges')
    op.drop_table('payg_accounts')
