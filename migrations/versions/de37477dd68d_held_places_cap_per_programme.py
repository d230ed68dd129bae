"""held places per seminar capped at a share of its places, per programme; the
registrations' creation moment indexed (bursts of holds on the dashboard)

Revision ID: de37477dd68d
Revises: 973be2d2a6cd
Create Date: 2026-12-07 18:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'de37477dd68d'
down_revision = '973be2d2a6cd'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('max_held_percent', sa.Integer(), server_default='33', nullable=False)
        )
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_created_at'), ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registration_created_at'))
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.drop_column('max_held_percent')
