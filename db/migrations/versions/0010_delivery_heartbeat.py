"""delivery heartbeat ('late' means the service was really down) and the claim index

Revision ID: 0010
Revises: 0003
Create Date: 2026-11-25 22:50:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import db.types


revision = '0010'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('heartbeat',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('beat_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('up_since', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    # Claims read due rows in (due_at, id) order: with id in the index, a Monday morning of
    # 100,000 rows due at the same second needs no sort.
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.drop_index('ix_reminder_due')
        batch_op.create_index('ix_reminder_claim', ['state', 'due_at', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.drop_index('ix_reminder_claim')
        batch_op.create_index('ix_reminder_due', ['state', 'due_at'], unique=False)
    op.drop_table('heartbeat')
