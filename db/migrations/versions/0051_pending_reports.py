"""pending reports: an officer's words kept while the bot asks which task they are about

Revision ID: 0051
Revises: 0050
"""

import sqlalchemy as sa
from alembic import op

import db.types

revision = "0051"
down_revision = "0050"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pendingreport",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("words", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=True),
        sa.Column("requested_until", sa.Date(), nullable=True),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_pendingreport_contact_id", "pendingreport", ["contact_id"])


def downgrade() -> None:
    op.drop_index("ix_pendingreport_contact_id", table_name="pendingreport")
    op.drop_table("pendingreport")
