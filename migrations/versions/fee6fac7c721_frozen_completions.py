"""frozen completions: the series figures outlive the purge of registrations

Revision ID: fee6fac7c721
Revises: a3c94e1f7b20
Create Date: 2026-12-07 18:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'fee6fac7c721'
down_revision = 'a3c94e1f7b20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('frozen_completion',
    sa.Column('seminar_id', sa.Integer(), nullable=False),
    sa.Column('person_key', sa.String(length=64), nullable=False),
    sa.Column('frozen_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['seminar_id'], ['seminar.id'], name=op.f('fk_frozen_completion_seminar_id_seminar'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('seminar_id', 'person_key', name=op.f('pk_frozen_completion'))
    )
    with op.batch_alter_table('frozen_completion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_frozen_completion_person_key'), ['person_key'], unique=False)


def downgrade():
    with op.batch_alter_table('frozen_completion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_frozen_completion_person_key'))

    op.drop_table('frozen_completion')
