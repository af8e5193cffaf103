"""coordinator review: confirmations, approved extensions, plan scope, notices, prompts

Revision ID: 0030
Revises: 0010
Create Date: 2026-11-25 23:00:00
"""

import secrets

import sqlalchemy as sa
from alembic import op

import db.types

revision = "0030"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("original_due_date", sa.Date(), nullable=True))
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("all_plans", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    # Coordinators who joined before plans were scoped keep seeing every plan.
    op.execute("UPDATE contact SET all_plans = TRUE WHERE role IN ('coordinator', 'admin')")
    with op.batch_alter_table("invite", schema=None) as batch_op:
        batch_op.add_column(sa.Column("plan_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_invite_plan_id_plan", "plan", ["plan_id"], ["id"], ondelete="SET NULL"
        )
    op.create_table(
        "plancoordinator",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("plan_id", "contact_id"),
    )
    op.create_table(
        "taskassignment",
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("task_id", "agency_id"),
    )
    op.create_table(
        "notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("status_update_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("buttons", sa.JSON(), nullable=True),
        sa.Column("due_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_until", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(), nullable=True),
        sa.Column("last_error", sa.String(), nullable=True),
        sa.Column("sent_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("message_id", sa.String(), nullable=True),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["status_update_id"], ["statusupdate.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_notice_due", "notice", ["state", "due_at"])
    op.create_index("ix_notice_task_id", "notice", ["task_id"])
    op.create_index("ix_notice_contact_id", "notice", ["contact_id"])
    op.create_index("ix_notice_message_id", "notice", ["message_id"])
    op.create_table(
        "prompt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("status_update_id", sa.Integer(), nullable=False),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["status_update_id"], ["statusupdate.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_prompt_contact_id", "prompt", ["contact_id"])
    # The history of one task and the last word per task are read by task.
    op.create_index("ix_statusupdate_task_created", "statusupdate", ["task_id", "id"])
    # Covering indexes for the progress aggregates: /tiendo reads these instead of the rows.
    op.create_index(
        "ix_task_progress",
        "task",
        ["withdrawn_at", "plan_id", "deadline_kind", "status", "due_date", "completed_on"],
    )
    _create_stamp()


# Any change to tasks, their agency links or agency names moves the progress stamp, so that
# cached /tiendo aggregates (db.progress_cache) are recomputed; triggers catch every writer.
STAMPED_TABLES = ("task", "taskagency", "agency")


def _create_stamp() -> None:
    op.create_table(
        "progressstamp",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    # A random start: two stores never share a version, so a cache keyed by it cannot mix them.
    start = secrets.randbelow(2**48)
    op.execute(f"INSERT INTO progressstamp (id, version) VALUES (1, {start})")
    bump = "UPDATE progressstamp SET version = version + 1 WHERE id = 1"
    if op.get_bind().dialect.name == "postgresql":
        # Deferred to commit and once per transaction: the stamp's row lock is the last lock a
        # writer takes, so two writers can never deadlock over it, and readers see the new
        # version together with the data it stands for.
        op.execute(
            "CREATE FUNCTION nhacviec_bump_progress() RETURNS trigger AS $$ BEGIN "
            "IF current_setting('nhacviec.progress_bumped', true) = txid_current()::text "
            "THEN RETURN NULL; END IF; "
            "PERFORM set_config('nhacviec.progress_bumped', txid_current()::text, true); "
            f"{bump}; RETURN NULL; END $$ LANGUAGE plpgsql"
        )
        for table in STAMPED_TABLES:
            op.execute(
                f"CREATE CONSTRAINT TRIGGER {table}_progress_stamp "
                f"AFTER INSERT OR UPDATE OR DELETE ON {table} "
                "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                "EXECUTE FUNCTION nhacviec_bump_progress()"
            )
        return
    for table in STAMPED_TABLES:
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_progress_stamp_{event.lower()} AFTER {event} ON {table} "
                f"BEGIN {bump}; END"
            )


def _drop_stamp() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in STAMPED_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_progress_stamp ON {table}")
        op.execute("DROP FUNCTION IF EXISTS nhacviec_bump_progress()")
    else:
        for table in STAMPED_TABLES:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_progress_stamp_{event}")
    op.drop_table("progressstamp")


def downgrade() -> None:
    _drop_stamp()
    op.drop_index("ix_task_progress", table_name="task")
    op.drop_index("ix_statusupdate_task_created", table_name="statusupdate")
    op.drop_table("prompt")
    op.drop_table("notice")
    op.drop_table("taskassignment")
    op.drop_table("plancoordinator")
    with op.batch_alter_table("invite", schema=None) as batch_op:
        batch_op.drop_constraint("fk_invite_plan_id_plan", type_="foreignkey")
        batch_op.drop_column("plan_id")
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_column("all_plans")
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_column("original_due_date")
