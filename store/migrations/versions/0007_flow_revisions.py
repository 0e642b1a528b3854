"""flow revisions: every definition kept; flows and messages know their revision

Each existing flow gets revision 1 made from its current steps and type, at
its creation time and by its creator; every queued message runs on it.

Revision ID: 0007
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "flow_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("flow_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("change", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["by_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["flow_id"], ["flows.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("flow_id", "number"),
    )
    # plain ALTER TABLE, never a batch copy: on SQLite, re-creating ``flows`` would cascade
    # the deletion of its steps and messages
    op.add_column("flows", sa.Column("revision", sa.Integer(), nullable=False,
                                     server_default="1"))
    op.add_column("messages", sa.Column("revision", sa.Integer(), nullable=False,
                                        server_default="1"))

    # revision 1 of every existing flow, from its steps as they are
    bind = op.get_bind()
    flows = sa.table("flows", sa.column("id"), sa.column("type"), sa.column("created_at"),
                     sa.column("created_by_id"))
    steps = sa.table("flow_steps", sa.column("flow_id"), sa.column("position"),
                     sa.column("component"), sa.column("credential_id"),
                     sa.column("settings", sa.JSON()))
    creds = sa.table("credentials", sa.column("id"), sa.column("name"))
    revisions = sa.table("flow_revisions", sa.column("flow_id"), sa.column("number"),
                         sa.column("at"), sa.column("by_id"), sa.column("change"),
                         sa.column("type"), sa.column("steps", sa.JSON()))
    by_flow: dict[int, list[dict]] = {}
    for row in bind.execute(
            sa.select(steps.c.flow_id, steps.c.component, steps.c.credential_id,
                      steps.c.settings, creds.c.name)
            .select_from(steps.outerjoin(creds, creds.c.id == steps.c.credential_id))
            .order_by(steps.c.flow_id, steps.c.position)):
        by_flow.setdefault(row.flow_id, []).append({
            "component": row.component, "credential_id": row.credential_id,
            "credential": row.name, "settings": dict(row.settings or {})})
    rows = [dict(flow_id=f.id, number=1, at=f.created_at, by_id=f.created_by_id,
                 change="created", type=f.type, steps=by_flow.get(f.id, []))
            for f in bind.execute(sa.select(flows.c.id, flows.c.type, flows.c.created_at,
                                            flows.c.created_by_id))]
    for i in range(0, len(rows), 1000):
        bind.execute(sa.insert(revisions), rows[i:i + 1000])


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+, PostgreSQL): no copy of ``flows``, so
    # nothing cascades
    op.execute("ALTER TABLE messages DROP COLUMN revision")
    op.execute("ALTER TABLE flows DROP COLUMN revision")
    op.drop_table("flow_revisions")
