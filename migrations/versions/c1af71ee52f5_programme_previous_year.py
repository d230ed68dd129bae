"""programme: the programme it was started from as the next year, once per programme

Revision ID: c1af71ee52f5
Revises: 7d2e5b9c1a48
Create Date: 2026-12-07 18:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c1af71ee52f5'
down_revision = '7d2e5b9c1a48'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('previous_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_programme_previous_id'), ['previous_id'])
        batch_op.create_foreign_key(
            batch_op.f('fk_programme_previous_id_programme'),
            'programme',
            ['previous_id'],
            ['id'],
            ondelete='SET NULL',
        )


def downgrade():
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_programme_previous_id_programme'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_programme_previous_id'), type_='unique')
        batch_op.drop_column('previous_id')
