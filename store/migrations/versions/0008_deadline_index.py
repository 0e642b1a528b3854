"""flows: an index on (status, workspace_id, deadline), so the time-left list counts the
active Limited flows of the workspaces a caller may see from the index alone (the
(status, deadline) index still orders its pages and finds what is due)

Revision ID: 0008
Revises: 0003
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_flows_status_workspace_deadline", "flows",
                    ["status", "workspace_id", "deadline"])


def downgrade() -> None:
    op.drop_index("ix_flows_status_workspace_deadline", table_name="flows")
