"""outbox mails composed at delivery: what the mail needs besides its registration

Revision ID: 5c0f1a2b3d4e
Revises: d8e1bf130a5d
Create Date: 2026-11-30 19:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c0f1a2b3d4e'
down_revision = 'd8e1bf130a5d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.add_column(sa.Column('params', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.drop_column('params')
