"""flows: the (status, deadline) index also holds workspace_id, so the time-left list counts
and pages the active Limited flows a caller may see from the index alone

Revision ID: 0008
Revises: 0003
"""

from alembic import op

revision = "0008"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_flows_status_deadline_workspace", "flows",
                    ["status", "deadline", "workspace_id"])
    op.drop_index("ix_flows_status_deadline", table_name="flows")


def downgrade() -> None:
    op.create_index("ix_flows_status_deadline", "flows", ["status", "deadline"])
    op.drop_index("ix_flows_status_deadline_workspace", table_name="flows")
