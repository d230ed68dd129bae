"""settlement record: the count at start, persons present, the submitted figures

Revision ID: a3c94e1f7b20
Revises: 5c0f1a2b3d4e
Create Date: 2026-12-07 18:50:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "a3c94e1f7b20"
down_revision = "5c0f1a2b3d4e"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("seminar", schema=None) as batch_op:
        batch_op.add_column(sa.Column("confirmed_at_start", sa.Integer(), nullable=True))
    with op.batch_alter_table("seminar_evidence", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attended_persons", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("fundable", sa.Boolean(), nullable=True))
    with op.batch_alter_table("settlement", schema=None) as batch_op:
        batch_op.add_column(sa.Column("record", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("returned_record", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("settlement", schema=None) as batch_op:
        batch_op.drop_column("returned_record")
        batch_op.drop_column("record")
    with op.batch_alter_table("seminar_evidence", schema=None) as batch_op:
        batch_op.drop_column("fundable")
        batch_op.drop_column("attended_persons")
    with op.batch_alter_table("seminar", schema=None) as batch_op:
        batch_op.drop_column("confirmed_at_start")
