"""reminder kinds and per-role offsets

Revision ID: 0020
Revises: 0010
Create Date: 2026-11-25 22:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(), nullable=False, server_default="reminder")
        )
        batch_op.add_column(sa.Column("role", sa.String(), nullable=True))
        # Digests and Monday lists are about no single task.
        batch_op.alter_column("task_id", existing_type=sa.Integer(), nullable=True)
    # Planning writes a million rows at a time: no index that another one already covers
    # (task_id leads uq_reminder_slot), and message ids indexed only where a row has one.
    op.drop_index("ix_reminder_task_id", table_name="reminder")
    op.drop_index("ix_reminder_message_id", table_name="reminder")
    op.create_index(
        "ix_reminder_message_id",
        "reminder",
        ["message_id"],
        sqlite_where=sa.text("message_id IS NOT NULL"),
        postgresql_where=sa.text("message_id IS NOT NULL"),
    )
    op.create_index(
        "uq_reminder_taskless_slot",
        "reminder",
        ["kind", "contact_id", "cycle"],
        unique=True,
        sqlite_where=sa.text("task_id IS NULL"),
        postgresql_where=sa.text("task_id IS NULL"),
    )
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.add_column(sa.Column("offsets", sa.JSON(), nullable=True))
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("offsets", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_column("offsets")
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.drop_column("offsets")
    op.drop_index("uq_reminder_taskless_slot", table_name="reminder")
    op.drop_index("ix_reminder_message_id", table_name="reminder")
    op.create_index("ix_reminder_message_id", "reminder", ["message_id"])
    op.create_index("ix_reminder_task_id", "reminder", ["task_id"])
    op.execute("DELETE FROM reminder WHERE task_id IS NULL")
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.alter_column("task_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("role")
        batch_op.drop_column("kind")
