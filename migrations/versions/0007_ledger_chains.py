"""ledger in several hash chains, clearing carries per lane

Revision ID: 0007
Revises: 0004
Create Date: 2026-12-02

Every posting used to lock the one chain head. Now the ledger has
``clearing.ledger_chain.CHAINS`` chains with a head each, and a writer seals
into a chain no other writer holds (docs/ledger.md). The ledger booked so far
is chain 1 as it stands: chain 1 starts from the same ``GENESIS``, so every
stored hash stays valid and ``farebridge ledger verify`` checks it unchanged;
nothing is re-sealed. The other heads start empty. Carry rows get a lane (the
chain whose head a writer holds); the existing ones are lane 1.
"""
from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

CHAINS = 16  # clearing.ledger_chain.CHAINS when this revision was written
GENESIS = "0" * 64


def _genesis(chain: int) -> str:
    return GENESIS if chain == 1 else hashlib.sha256(f"farebridge-ledger-chain:{chain}".encode()).hexdigest()


def upgrade() -> None:
    with op.batch_alter_table('ledger_transactions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chain', sa.Integer(), nullable=False, server_default='1'))
        batch_op.drop_constraint('uq_ledger_transactions_sequence', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_ledger_transactions_chain_sequence'), ['chain', 'sequence'])
    with op.batch_alter_table('clearing_carries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lane', sa.Integer(), nullable=False, server_default='1'))
        batch_op.drop_constraint('uq_clearing_carries_operator_id_period_currency', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_clearing_carries_operator_id_period_currency_lane'),
                                          ['operator_id', 'period', 'currency', 'lane'])
    if op.get_bind().dialect.name != "sqlite":
        # Every writer names its chain and lane. SQLite keeps the default (one table rebuild is enough).
        op.alter_column('ledger_transactions', 'chain', server_default=None)
        op.alter_column('clearing_carries', 'lane', server_default=None)

    bind = op.get_bind()
    head = sa.table('ledger_head', sa.column('id', sa.Integer), sa.column('sequence', sa.Integer),
                    sa.column('hash', sa.String))
    transactions = sa.table('ledger_transactions', sa.column('sequence', sa.Integer), sa.column('hash', sa.String))
    existing = set(bind.execute(sa.select(head.c.id)).scalars())
    booked = bind.execute(sa.select(sa.func.count()).select_from(transactions)).scalar_one()
    if not existing and not booked:
        return  # a new database: the first posting creates every head
    rows = []
    if 1 not in existing:  # a head-less ledger (created before the head row) continues from its newest transaction
        last = bind.execute(sa.select(transactions.c.sequence, transactions.c.hash)
                            .order_by(transactions.c.sequence.desc()).limit(1)).first()
        rows.append({"id": 1, "sequence": last[0] if last else 0, "hash": last[1] if last else GENESIS})
    rows += [{"id": chain, "sequence": 0, "hash": _genesis(chain)} for chain in range(2, CHAINS + 1)
             if chain not in existing]
    if rows:
        op.bulk_insert(head, rows)


def downgrade() -> None:
    bind = op.get_bind()
    others = bind.execute(sa.text("SELECT count(*) FROM ledger_transactions WHERE chain <> 1")).scalar_one()
    if others:
        raise RuntimeError(f"{others} ledger transaction(s) are sealed in chains other than 1: a single chain "
                           "cannot hold them without re-sealing the ledger")
    op.execute("DELETE FROM ledger_head WHERE id <> 1")
    with op.batch_alter_table('clearing_carries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_clearing_carries_operator_id_period_currency_lane'), type_='unique')
        batch_op.drop_column('lane')
        batch_op.create_unique_constraint('uq_clearing_carries_operator_id_period_currency',
                                          ['operator_id', 'period', 'currency'])
    with op.batch_alter_table('ledger_transactions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_ledger_transactions_chain_sequence'), type_='unique')
        batch_op.drop_column('chain')
        batch_op.create_unique_constraint('uq_ledger_transactions_sequence', ['sequence'])
