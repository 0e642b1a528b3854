"""events: indexes that serve 'newest first' overall and for a contract, workspace or flow

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_SCOPES = ("contract", "workspace", "flow")


def upgrade() -> None:
    for scope in _SCOPES:
        op.drop_index(f"ix_events_{scope}", table_name="events")
        op.create_index(f"ix_events_{scope}_at", "events", [f"{scope}_id", "at", "id"])
    op.create_index("ix_events_at", "events", ["at", "id"])


def downgrade() -> None:
    op.drop_index("ix_events_at", table_name="events")
    for scope in _SCOPES:
        op.drop_index(f"ix_events_{scope}_at", table_name="events")
        op.create_index(f"ix_events_{scope}", "events", [f"{scope}_id", "id"])
