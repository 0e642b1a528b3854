"""runtime: message claims, timer marks, webhook hits, throughput

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claim', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('claimed_until', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_messages_claimable', ['failed', 'id'], unique=False)

    with op.batch_alter_table('flow_steps', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fired_at', sa.DateTime(), nullable=True))

    op.create_table('webhook_hits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('webhook_hits', schema=None) as batch_op:
        batch_op.create_index('ix_webhook_hits_contract_at', ['contract_id', 'at'], unique=False)

    op.create_table('flow_throughput',
    sa.Column('flow_id', sa.Integer(), nullable=False),
    sa.Column('minute', sa.DateTime(), nullable=False),
    sa.Column('processed', sa.Integer(), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['flow_id'], ['flows.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('flow_id', 'minute')
    )


def downgrade() -> None:
    op.drop_table('flow_throughput')
    with op.batch_alter_table('webhook_hits', schema=None) as batch_op:
        batch_op.drop_index('ix_webhook_hits_contract_at')
    op.drop_table('webhook_hits')
    with op.batch_alter_table('flow_steps', schema=None) as batch_op:
        batch_op.drop_column('fired_at')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index('ix_messages_claimable')
        batch_op.drop_column('claimed_until')
        batch_op.drop_column('claim')
