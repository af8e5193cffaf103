"""progress stamps per plan; indexes for standing duties' answers and the report's order

Revision ID: 0050
Revises: 0040

The one store-wide stamp of 0030 made every officer's "xong" recompute /tiendo over every
task (300 ms at 100k tasks) and made every writer on PostgreSQL queue for one row. Tasks and
their agency links now move a stamp per plan; the store-wide stamp still moves on agency
changes (names appear in every plan's table) and still tells stores apart.
"""

import sqlalchemy as sa
from alembic import op

revision = "0050"
down_revision = "0040"
branch_labels = None
depends_on = None

PLAN_TABLES = ("task", "taskagency")
EVENTS = ("INSERT", "UPDATE", "DELETE")

# SQLite: the plan a row belongs to, for each table and row image (NEW or OLD).
_SQLITE_PLAN = {
    "task": "SELECT {row}.plan_id, 1 WHERE true",
    "taskagency": "SELECT plan_id, 1 FROM task WHERE id = {row}.task_id",
}
_SQLITE_BUMP = (
    "INSERT INTO planstamp (plan_id, version) {select} "
    "ON CONFLICT(plan_id) DO UPDATE SET version = version + 1;"
)


def upgrade() -> None:
    op.create_table(
        "planstamp",
        sa.Column("plan_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("plan_id"),
    )
    op.execute("INSERT INTO planstamp (plan_id, version) SELECT id, 1 FROM plan")
    # Standing duties' latest answers, newest first: /tiendo read every task's row for them.
    op.create_index("ix_task_duties", "task", ["deadline_kind", "updated_at"])
    # The report's task sheet in plan order, read without sorting every task.
    op.create_index("ix_task_plan_position", "task", ["plan_id", "position", "id"])
    if op.get_bind().dialect.name == "postgresql":
        _postgres_triggers()
    else:
        _sqlite_triggers()


def _postgres_triggers() -> None:
    for table in PLAN_TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_progress_stamp ON {table}")
    # Deferred to commit and once per transaction and plan, like the store-wide stamp: the
    # stamp rows are the last locks a writer takes, and readers see a new version together
    # with the data it stands for.
    op.execute(
        "CREATE FUNCTION nhacviec_bump_plan_stamp(plan integer) RETURNS void AS $$ BEGIN "
        "IF plan IS NULL OR current_setting('nhacviec.plan_bumped_' || plan, true) "
        "= txid_current()::text THEN RETURN; END IF; "
        "PERFORM set_config('nhacviec.plan_bumped_' || plan, txid_current()::text, true); "
        "INSERT INTO planstamp (plan_id, version) VALUES (plan, 1) "
        "ON CONFLICT (plan_id) DO UPDATE SET version = planstamp.version + 1; "
        "END $$ LANGUAGE plpgsql"
    )
    op.execute(
        "CREATE FUNCTION nhacviec_task_plan_stamp() RETURNS trigger AS $$ BEGIN "
        "IF TG_OP <> 'INSERT' THEN PERFORM nhacviec_bump_plan_stamp(OLD.plan_id); END IF; "
        "IF TG_OP <> 'DELETE' THEN PERFORM nhacviec_bump_plan_stamp(NEW.plan_id); END IF; "
        "RETURN NULL; END $$ LANGUAGE plpgsql"
    )
    op.execute(
        "CREATE FUNCTION nhacviec_link_plan_stamp() RETURNS trigger AS $$ BEGIN "
        "IF TG_OP <> 'INSERT' THEN PERFORM nhacviec_bump_plan_stamp("
        "(SELECT plan_id FROM task WHERE id = OLD.task_id)); END IF; "
        "IF TG_OP <> 'DELETE' THEN PERFORM nhacviec_bump_plan_stamp("
        "(SELECT plan_id FROM task WHERE id = NEW.task_id)); END IF; "
        "RETURN NULL; END $$ LANGUAGE plpgsql"
    )
    for table, function in (("task", "task"), ("taskagency", "link")):
        op.execute(
            f"CREATE CONSTRAINT TRIGGER {table}_plan_stamp "
            f"AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
            f"EXECUTE FUNCTION nhacviec_{function}_plan_stamp()"
        )


def _sqlite_triggers() -> None:
    for table in PLAN_TABLES:
        plan_of = _SQLITE_PLAN[table]
        for event in EVENTS:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_progress_stamp_{event.lower()}")
            rows = {"INSERT": ("NEW",), "UPDATE": ("OLD", "NEW"), "DELETE": ("OLD",)}[event]
            body = " ".join(_SQLITE_BUMP.format(select=plan_of.format(row=row)) for row in rows)
            op.execute(
                f"CREATE TRIGGER {table}_plan_stamp_{event.lower()} AFTER {event} ON {table} "
                f"BEGIN {body} END"
            )


def downgrade() -> None:
    bump = "UPDATE progressstamp SET version = version + 1 WHERE id = 1"
    if op.get_bind().dialect.name == "postgresql":
        for table in PLAN_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_plan_stamp ON {table}")
            op.execute(
                f"CREATE CONSTRAINT TRIGGER {table}_progress_stamp "
                f"AFTER INSERT OR UPDATE OR DELETE ON {table} "
                "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                "EXECUTE FUNCTION nhacviec_bump_progress()"
            )
        for function in ("task_plan_stamp()", "link_plan_stamp()", "bump_plan_stamp(integer)"):
            op.execute(f"DROP FUNCTION IF EXISTS nhacviec_{function}")
    else:
        for table in PLAN_TABLES:
            for event in EVENTS:
                op.execute(f"DROP TRIGGER IF EXISTS {table}_plan_stamp_{event.lower()}")
                op.execute(
                    f"CREATE TRIGGER {table}_progress_stamp_{event.lower()} AFTER {event} "
                    f"ON {table} BEGIN {bump}; END"
                )
    op.drop_index("ix_task_plan_position", table_name="task")
    op.drop_index("ix_task_duties", table_name="task")
    op.drop_table("planstamp")
