"""zalo: linked chats, one-time link codes, seen events, offered choices, delivery channel

Revision ID: 0040
Revises: 0030
"""

import sqlalchemy as sa
from alembic import op

import db.types

revision = "0040"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contactchat",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("chat_id", sa.String(), nullable=False),
        sa.Column("preferred", sa.Boolean(), nullable=False),
        sa.Column("unreachable_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "chat_id", name="uq_contact_chat_channel_chat"),
    )
    op.create_index("ix_contactchat_contact_id", "contactchat", ["contact_id"])
    op.create_table(
        "linkcode",
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_index("ix_linkcode_contact_id", "linkcode", ["contact_id"])
    op.create_table(
        "seenevent",
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("event_id", sa.String(), nullable=False),
        sa.Column("seen_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("channel", "event_id"),
    )
    op.create_index("ix_seenevent_seen_at", "seenevent", ["seen_at"])
    op.create_table(
        "offeredchoices",
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("chat_id", sa.String(), nullable=False),
        sa.Column("choices", sa.String(), nullable=False),
        sa.Column("offered_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("channel", "chat_id"),
    )
    op.create_index("ix_offeredchoices_offered_at", "offeredchoices", ["offered_at"])
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.add_column(sa.Column("delivered_channel", sa.String(), nullable=True))
        batch_op.add_column(
            sa.Column("fallback", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("failing_since", db.types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.drop_column("failing_since")
        batch_op.drop_column("fallback")
        batch_op.drop_column("delivered_channel")
    op.drop_index("ix_offeredchoices_offered_at", table_name="offeredchoices")
    op.drop_table("offeredchoices")
    op.drop_index("ix_seenevent_seen_at", table_name="seenevent")
    op.drop_table("seenevent")
    op.drop_index("ix_linkcode_contact_id", table_name="linkcode")
    op.drop_table("linkcode")
    op.drop_index("ix_contactchat_contact_id", table_name="contactchat")
    op.drop_table("contactchat")
