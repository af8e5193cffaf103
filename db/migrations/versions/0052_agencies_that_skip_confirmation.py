"""agencies whose officers' completions need no coordinator's confirmation

Revision ID: 0052
Revises: 0051
"""

import sqlalchemy as sa
from alembic import op

revision = "0052"
down_revision = "0051"
branch_labels = None
depends_on = None


# Plain ADD/DROP COLUMN, not a batch copy: copying the table would drop its triggers on SQLite.
def upgrade() -> None:
    op.add_column(
        "agency",
        sa.Column("skips_confirmation", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_column("agency", "skips_confirmation")
