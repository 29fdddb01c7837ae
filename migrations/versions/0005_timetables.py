"""timetables: kept with full GTFS tariff versions and stored for a network revision

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 14:42:51.084886
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import core.db


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('timetables',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('network_revision', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('archive', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_timetables'))
    )
    with op.batch_alter_table('timetables', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_timetables_network_revision'), ['network_revision'], unique=False)

    op.create_table('tariff_timetables',
    sa.Column('tariff_version_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('archive', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tariff_version_id'], ['tariff_versions.id'], name=op.f('fk_tariff_timetables_tariff_version_id_tariff_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tariff_version_id', name=op.f('pk_tariff_timetables'))
    )
    with op.batch_alter_table('network_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tariff_version_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_network_state_tariff_version_id_tariff_versions'), 'tariff_versions', ['tariff_version_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('network_state', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_network_state_tariff_version_id_tariff_versions'), type_='foreignkey')
        batch_op.drop_column('tariff_version_id')

    op.drop_table('tariff_timetables')
    with op.batch_alter_table('timetables', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_timetables_network_revision'))

    op.drop_table('timetables')
