"""flows: a webhook token each (``POST /hooks/<token>``), unique

Revision ID: 0006
Revises: 0003

Every existing flow gets its own token (192 random bits, URL-safe), so a
webhook flow keeps answering, at its new path, and a flow whose trigger
becomes a webhook later has one already.
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE, never batch mode: a batch copy of ``flows`` on SQLite, with foreign
    # keys on, would cascade-delete every flow's steps and messages.
    op.add_column("flows", sa.Column("webhook_token", sa.String(length=64), nullable=True))
    flows = sa.table("flows", sa.column("id", sa.Integer), sa.column("webhook_token", sa.String))
    conn = op.get_bind()
    ids = [row[0] for row in conn.execute(sa.select(flows.c.id).where(flows.c.webhook_token.is_(None)))]
    for start in range(0, len(ids), 1000):
        conn.execute(flows.update().where(flows.c.id == sa.bindparam("fid"))
                     .values(webhook_token=sa.bindparam("token")),
                     [{"fid": fid, "token": secrets.token_urlsafe(24)} for fid in ids[start:start + 1000]])
    op.create_index("ix_flows_webhook_token", "flows", ["webhook_token"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_flows_webhook_token", table_name="flows")
    op.drop_column("flows", "webhook_token")
