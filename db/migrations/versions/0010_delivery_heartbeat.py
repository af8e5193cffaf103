"""delivery heartbeat: 'late' means the service was really down

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


def downgrade() -> None:
    op.drop_table('heartbeat')
