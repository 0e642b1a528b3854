"""store_meta: the store's clock (real or simulated) and its secret key's check value

A store made before this revision keeps real time from now on; its key check is
recorded the first time it is opened with a key that decrypts its secrets
(``store.storemeta.verify_key``).

Revision ID: 0005
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    meta = op.create_table(
        "store_meta",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.bulk_insert(meta, [{"name": "clock", "value": "real"}])


def downgrade() -> None:
    op.drop_table("store_meta")
