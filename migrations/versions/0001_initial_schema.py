"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-24
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import core.db


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('dead_letters',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.Column('event_type', sa.String(length=64), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('first_failed_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('last_failed_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', core.db.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dead_letters')),
    sa.UniqueConstraint('event_id', name=op.f('uq_dead_letters_event_id'))
    )
    with op.batch_alter_table('dead_letters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dead_letters_resolved_at'), ['resolved_at'], unique=False)

    op.create_table('idempotency_records',
    sa.Column('scope', sa.String(length=200), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('response_status', sa.Integer(), nullable=True),
    sa.Column('response_body', sa.JSON(), nullable=True),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('completed_at', core.db.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('scope', 'key', name=op.f('pk_idempotency_records'))
    )
    op.create_table('ledger_head',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_head'))
    )
    op.create_table('ledger_transactions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('occurred_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('booked_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('reverses_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['reverses_id'], ['ledger_transactions.id'], name=op.f('fk_ledger_transactions_reverses_id_ledger_transactions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_transactions')),
    sa.UniqueConstraint('reference', name=op.f('uq_ledger_transactions_reference')),
    sa.UniqueConstraint('reverses_id', name=op.f('uq_ledger_transactions_reverses_id')),
    sa.UniqueConstraint('sequence', name=op.f('uq_ledger_transactions_sequence'))
    )
    op.create_table('network_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('updated_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_network_state'))
    )
    op.create_table('operators',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('iban', sa.String(length=34), nullable=True),
    sa.Column('bic', sa.String(length=11), nullable=True),
    sa.Column('email', sa.String(length=255), nullable=True),
    sa.Column('vat_rate_bp', sa.Integer(), server_default='700', nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_operators'))
    )
    op.create_table('outbox_events',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('type', sa.String(length=64), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('published_at', core.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('publish_attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_events'))
    )
    with op.batch_alter_table('outbox_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_events_published_at'), ['published_at'], unique=False)

    op.create_table('stops',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('zone_id', sa.String(length=32), nullable=True),
    sa.Column('parent_station', sa.String(length=64), nullable=True),
    sa.Column('town', sa.String(length=100), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stops'))
    )
    with op.batch_alter_table('stops', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stops_name'), ['name'], unique=False)

    op.create_table('subscriptions',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('owner_user_id', sa.Integer(), nullable=False),
    sa.Column('pass_product_id', sa.String(length=64), nullable=False),
    sa.Column('rider_category', sa.String(length=64), nullable=False),
    sa.Column('payment_method', sa.String(length=16), nullable=False),
    sa.Column('payment_source', sa.String(length=100), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('started_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('current_period_start', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('current_period_end', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('renews_at', core.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('cancelled_at', core.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('credit_minor', sa.Integer(), nullable=True),
    sa.Column('last_failure', sa.String(length=200), nullable=True),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subscriptions'))
    )
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subscriptions_owner_user_id'), ['owner_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subscriptions_renews_at'), ['renews_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_subscriptions_status'), ['status'], unique=False)

    op.create_table('tariff_versions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('format', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('activated_at', core.db.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tariff_versions'))
    )
    with op.batch_alter_table('tariff_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tariff_versions_status'), ['status'], unique=False)

    op.create_table('wallets',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('owner_user_id', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('balance_minor', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('balance_minor >= 0', name=op.f('ck_wallets_balance_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wallets')),
    sa.UniqueConstraint('owner_user_id', 'currency', name=op.f('uq_wallets_owner_user_id_currency'))
    )
    op.create_table('clearing_carries',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('operator_id', sa.String(length=32), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('carry_units', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['operator_id'], ['operators.id'], name=op.f('fk_clearing_carries_operator_id_operators')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clearing_carries')),
    sa.UniqueConstraint('operator_id', 'period', 'currency', name=op.f('uq_clearing_carries_operator_id_period_currency'))
    )
    with op.batch_alter_table('clearing_carries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clearing_carries_operator_id'), ['operator_id'], unique=False)

    op.create_table('clearing_records',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('event_type', sa.String(length=64), nullable=False),
    sa.Column('sale_id', sa.String(length=36), nullable=False),
    sa.Column('amount_minor', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('sale_period', sa.String(length=7), nullable=False),
    sa.Column('occurred_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('cleared_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('transaction_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['transaction_id'], ['ledger_transactions.id'], name=op.f('fk_clearing_records_transaction_id_ledger_transactions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clearing_records')),
    sa.UniqueConstraint('event_id', name=op.f('uq_clearing_records_event_id'))
    )
    with op.batch_alter_table('clearing_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clearing_records_sale_id'), ['sale_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_clearing_records_sale_period'), ['sale_period'], unique=False)

    op.create_table('ledger_accounts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('code', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('operator_id', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['operator_id'], ['operators.id'], name=op.f('fk_ledger_accounts_operator_id_operators')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_accounts')),
    sa.UniqueConstraint('code', name=op.f('uq_ledger_accounts_code'))
    )
    with op.batch_alter_table('ledger_accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_accounts_operator_id'), ['operator_id'], unique=False)

    op.create_table('orders',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=True),
    sa.Column('rider_category', sa.String(length=64), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('total_minor', sa.Integer(), nullable=False),
    sa.Column('legs', sa.JSON(), nullable=False),
    sa.Column('breakdown', sa.JSON(), nullable=False),
    sa.Column('tariff_version_id', sa.Integer(), nullable=True),
    sa.Column('access_token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('paid_at', core.db.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['tariff_version_id'], ['tariff_versions.id'], name=op.f('fk_orders_tariff_version_id_tariff_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders')),
    sa.UniqueConstraint('access_token_hash', name=op.f('uq_orders_access_token_hash'))
    )
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_orders_paid_at'), ['paid_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_user_id'), ['user_id'], unique=False)

    op.create_table('routes',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('operator_id', sa.String(length=32), nullable=False),
    sa.Column('short_name', sa.String(length=50), nullable=False),
    sa.Column('long_name', sa.String(length=200), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('headway_s', sa.Integer(), nullable=False),
    sa.Column('first_departure_s', sa.Integer(), nullable=False),
    sa.Column('last_departure_s', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['operator_id'], ['operators.id'], name=op.f('fk_routes_operator_id_operators')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_routes'))
    )
    with op.batch_alter_table('routes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_routes_operator_id'), ['operator_id'], unique=False)

    op.create_table('settlements',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('operator_id', sa.String(length=32), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('total_minor', sa.Integer(), nullable=False),
    sa.Column('sales_count', sa.Integer(), nullable=False),
    sa.Column('statement_csv', sa.Text(), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['operator_id'], ['operators.id'], name=op.f('fk_settlements_operator_id_operators')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_settlements')),
    sa.UniqueConstraint('period', 'operator_id', name=op.f('uq_settlements_period_operator_id'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('email', sa.String(length=255), nullable=True),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('operator_id', sa.String(length=32), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['operator_id'], ['operators.id'], name=op.f('fk_users_operator_id_operators')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_users_token_hash'))
    )
    op.create_table('walks',
    sa.Column('from_stop_id', sa.String(length=64), nullable=False),
    sa.Column('to_stop_id', sa.String(length=64), nullable=False),
    sa.Column('seconds', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['from_stop_id'], ['stops.id'], name=op.f('fk_walks_from_stop_id_stops')),
    sa.ForeignKeyConstraint(['to_stop_id'], ['stops.id'], name=op.f('fk_walks_to_stop_id_stops')),
    sa.PrimaryKeyConstraint('from_stop_id', 'to_stop_id', name=op.f('pk_walks'))
    )
    op.create_table('clearing_shares',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('operator_id', sa.String(length=32), nullable=False),
    sa.Column('amount_minor', sa.Integer(), nullable=False),
    sa.Column('weight_minor', sa.Integer(), nullable=False),
    sa.Column('sale_period', sa.String(length=7), nullable=False),
    sa.Column('settlement_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['operator_id'], ['operators.id'], name=op.f('fk_clearing_shares_operator_id_operators')),
    sa.ForeignKeyConstraint(['record_id'], ['clearing_records.id'], name=op.f('fk_clearing_shares_record_id_clearing_records')),
    sa.ForeignKeyConstraint(['settlement_id'], ['settlements.id'], name=op.f('fk_clearing_shares_settlement_id_settlements')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clearing_shares'))
    )
    with op.batch_alter_table('clearing_shares', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clearing_shares_operator_id'), ['operator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_clearing_shares_record_id'), ['record_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_clearing_shares_sale_period'), ['sale_period'], unique=False)
        batch_op.create_index(batch_op.f('ix_clearing_shares_settlement_id'), ['settlement_id'], unique=False)

    op.create_table('ledger_entries',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('transaction_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('amount_minor', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['ledger_accounts.id'], name=op.f('fk_ledger_entries_account_id_ledger_accounts')),
    sa.ForeignKeyConstraint(['transaction_id'], ['ledger_transactions.id'], name=op.f('fk_ledger_entries_transaction_id_ledger_transactions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_entries'))
    )
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_entries_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_transaction_id'), ['transaction_id'], unique=False)

    op.create_table('payments',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('order_id', sa.String(length=36), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('amount_minor', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('provider_reference', sa.String(length=100), nullable=True),
    sa.Column('decline_reason', sa.String(length=200), nullable=True),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_payments_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payments'))
    )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payments_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_payments_order_id'), ['order_id'], unique=False)

    op.create_table('route_patterns',
    sa.Column('route_id', sa.String(length=64), nullable=False),
    sa.Column('pattern_index', sa.Integer(), nullable=False),
    sa.Column('direction_id', sa.Integer(), nullable=False),
    sa.Column('headway_s', sa.Integer(), nullable=True),
    sa.Column('first_departure_s', sa.Integer(), nullable=True),
    sa.Column('last_departure_s', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['route_id'], ['routes.id'], name=op.f('fk_route_patterns_route_id_routes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('route_id', 'pattern_index', name=op.f('pk_route_patterns'))
    )
    op.create_table('wallet_entries',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('wallet_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('amount_minor', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=36), nullable=False),
    sa.Column('order_id', sa.String(length=36), nullable=True),
    sa.Column('provider_reference', sa.String(length=100), nullable=True),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_wallet_entries_order_id_orders')),
    sa.ForeignKeyConstraint(['wallet_id'], ['wallets.id'], name=op.f('fk_wallet_entries_wallet_id_wallets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wallet_entries')),
    sa.UniqueConstraint('kind', 'reference', name=op.f('uq_wallet_entries_kind_reference'))
    )
    with op.batch_alter_table('wallet_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wallet_entries_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_wallet_entries_wallet_id'), ['wallet_id'], unique=False)

    op.create_table('pass_holdings',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('order_id', sa.String(length=36), nullable=False),
    sa.Column('payment_id', sa.String(length=36), nullable=False),
    sa.Column('owner_user_id', sa.Integer(), nullable=True),
    sa.Column('owner_token_hash', sa.String(length=64), nullable=True),
    sa.Column('pass_product_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('tariff_version_id', sa.Integer(), nullable=True),
    sa.Column('rider_category', sa.String(length=64), nullable=False),
    sa.Column('scope', sa.JSON(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('valid_from', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('valid_until', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('amount_minor', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('subscription_id', sa.String(length=36), nullable=True),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_pass_holdings_order_id_orders')),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_pass_holdings_payment_id_payments')),
    sa.ForeignKeyConstraint(['subscription_id'], ['subscriptions.id'], name=op.f('fk_pass_holdings_subscription_id_subscriptions')),
    sa.ForeignKeyConstraint(['tariff_version_id'], ['tariff_versions.id'], name=op.f('fk_pass_holdings_tariff_version_id_tariff_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pass_holdings')),
    sa.UniqueConstraint('order_id', name=op.f('uq_pass_holdings_order_id')),
    sa.UniqueConstraint('payment_id', name=op.f('uq_pass_holdings_payment_id')),
    sa.UniqueConstraint('subscription_id', 'valid_from', name=op.f('uq_pass_holdings_subscription_id_valid_from'))
    )
    with op.batch_alter_table('pass_holdings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pass_holdings_owner_token_hash'), ['owner_token_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_pass_holdings_owner_user_id'), ['owner_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pass_holdings_subscription_id'), ['subscription_id'], unique=False)

    op.create_table('route_stops',
    sa.Column('route_id', sa.String(length=64), nullable=False),
    sa.Column('pattern_index', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('stop_id', sa.String(length=64), nullable=False),
    sa.Column('offset_s', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['route_id', 'pattern_index'], ['route_patterns.route_id', 'route_patterns.pattern_index'], name=op.f('fk_route_stops_route_id_route_patterns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stop_id'], ['stops.id'], name=op.f('fk_route_stops_stop_id_stops')),
    sa.PrimaryKeyConstraint('route_id', 'pattern_index', 'sequence', name=op.f('pk_route_stops'))
    )
    with op.batch_alter_table('route_stops', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_route_stops_stop_id'), ['stop_id'], unique=False)

    op.create_table('tickets',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('order_id', sa.String(length=36), nullable=False),
    sa.Column('payment_id', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('rider_category', sa.String(length=64), nullable=False),
    sa.Column('valid_from', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('valid_until', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('token', sa.Text(), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_tickets_order_id_orders')),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_tickets_payment_id_payments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tickets')),
    sa.UniqueConstraint('order_id', name=op.f('uq_tickets_order_id')),
    sa.UniqueConstraint('payment_id', name=op.f('uq_tickets_payment_id'))
    )
    op.create_table('pass_trips',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('pass_id', sa.String(length=36), nullable=False),
    sa.Column('rider_category', sa.String(length=64), nullable=False),
    sa.Column('legs', sa.JSON(), nullable=False),
    sa.Column('valid_from', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('valid_until', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('token', sa.Text(), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['pass_id'], ['pass_holdings.id'], name=op.f('fk_pass_trips_pass_id_pass_holdings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pass_trips'))
    )
    with op.batch_alter_table('pass_trips', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pass_trips_pass_id'), ['pass_id'], unique=False)

    op.create_table('refunds',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('order_id', sa.String(length=36), nullable=False),
    sa.Column('ticket_id', sa.String(length=36), nullable=False),
    sa.Column('payment_id', sa.String(length=36), nullable=False),
    sa.Column('amount_minor', sa.Integer(), nullable=False),
    sa.Column('fee_minor', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('payment_method', sa.String(length=16), nullable=False),
    sa.Column('provider_reference', sa.String(length=100), nullable=True),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount_minor > 0', name=op.f('ck_refunds_amount_positive')),
    sa.CheckConstraint('fee_minor >= 0', name=op.f('ck_refunds_fee_not_negative')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_refunds_order_id_orders')),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_refunds_payment_id_payments')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_refunds_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refunds'))
    )
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refunds_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_refunds_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_refunds_ticket_id'), ['ticket_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_refunds_ticket_id'))
        batch_op.drop_index(batch_op.f('ix_refunds_order_id'))
        batch_op.drop_index(batch_op.f('ix_refunds_created_at'))

    op.drop_table('refunds')
    with op.batch_alter_table('pass_trips', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pass_trips_pass_id'))

    op.drop_table('pass_trips')
    op.drop_table('tickets')
    with op.batch_alter_table('route_stops', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_route_stops_stop_id'))

    op.drop_table('route_stops')
    with op.batch_alter_table('pass_holdings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pass_holdings_subscription_id'))
        batch_op.drop_index(batch_op.f('ix_pass_holdings_owner_user_id'))
        batch_op.drop_index(batch_op.f('ix_pass_holdings_owner_token_hash'))

    op.drop_table('pass_holdings')
    with op.batch_alter_table('wallet_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wallet_entries_wallet_id'))
        batch_op.drop_index(batch_op.f('ix_wallet_entries_order_id'))

    op.drop_table('wallet_entries')
    op.drop_table('route_patterns')
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payments_order_id'))
        batch_op.drop_index(batch_op.f('ix_payments_created_at'))

    op.drop_table('payments')
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_entries_transaction_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_entries_account_id'))

    op.drop_table('ledger_entries')
    with op.batch_alter_table('clearing_shares', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clearing_shares_settlement_id'))
        batch_op.drop_index(batch_op.f('ix_clearing_shares_sale_period'))
        batch_op.drop_index(batch_op.f('ix_clearing_shares_record_id'))
        batch_op.drop_index(batch_op.f('ix_clearing_shares_operator_id'))

    op.drop_table('clearing_shares')
    op.drop_table('walks')
    op.drop_table('users')
    op.drop_table('settlements')
    with op.batch_alter_table('routes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_routes_operator_id'))

    op.drop_table('routes')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_user_id'))
        batch_op.drop_index(batch_op.f('ix_orders_status'))
        batch_op.drop_index(batch_op.f('ix_orders_paid_at'))

    op.drop_table('orders')
    with op.batch_alter_table('ledger_accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_accounts_operator_id'))

    op.drop_table('ledger_accounts')
    with op.batch_alter_table('clearing_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clearing_records_sale_period'))
        batch_op.drop_index(batch_op.f('ix_clearing_records_sale_id'))

    op.drop_table('clearing_records')
    with op.batch_alter_table('clearing_carries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clearing_carries_operator_id'))

    op.drop_table('clearing_carries')
    op.drop_table('wallets')
    with op.batch_alter_table('tariff_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tariff_versions_status'))

    op.drop_table('tariff_versions')
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subscriptions_status'))
        batch_op.drop_index(batch_op.f('ix_subscriptions_renews_at'))
        batch_op.drop_index(batch_op.f('ix_subscriptions_owner_user_id'))

    op.drop_table('subscriptions')
    with op.batch_alter_table('stops', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stops_name'))

    op.drop_table('stops')
    with op.batch_alter_table('outbox_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_events_published_at'))

    op.drop_table('outbox_events')
    op.drop_table('operators')
    op.drop_table('network_state')
    op.drop_table('ledger_transactions')
    op.drop_table('ledger_head')
    op.drop_table('idempotency_records')
    with op.batch_alter_table('dead_letters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dead_letters_resolved_at'))

    op.drop_table('dead_letters')
