"""Run integrity: where and how far a run got, and which period decided a case's status.

runs: stage, host, pid, heartbeat_at, stored_at (a dead run is found and marked
abandoned; `succeeded` only with outputs). cases: status_period (a run of an older
month never changes a status a newer month decided).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

SYSTEM_KINDS = "('created', 'seen_again', 'resolved_by_data', 'reopened')"


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stage", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("host", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("pid", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("heartbeat_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("stored_at", sa.DateTime(), nullable=True))
    # Runs that finished before this revision stored their cases.
    op.execute("UPDATE runs SET stored_at = finished_at, stage = 'done' WHERE status = 'succeeded'")

    # A plain ADD COLUMN (NOT NULL with a default), never a batch copy of `cases`: SQLite
    # would have to drop the table that case_events and case_observations point at.
    op.add_column("cases", sa.Column("status_period", sa.String(length=7), nullable=False, server_default=""))
    # The period of the last system event is the period that decided the status so far.
    op.execute(
        "UPDATE cases SET status_period = COALESCE((SELECT MAX(e.period) FROM case_events e "
        f"WHERE e.case_id = cases.case_id AND e.kind IN {SYSTEM_KINDS}), last_period)"
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column("cases", "status_period")  # SQLite >= 3.35 drops a column in place
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_column("stored_at")
        batch_op.drop_column("heartbeat_at")
        batch_op.drop_column("pid")
        batch_op.drop_column("host")
        batch_op.drop_column("stage")
