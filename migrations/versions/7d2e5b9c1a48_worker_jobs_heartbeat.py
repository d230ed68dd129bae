"""the worker: periodic jobs with their leases, their runs, the workers' heartbeats

Revision ID: 7d2e5b9c1a48
Revises: fee6fac7c721
Create Date: 2026-12-07 18:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7d2e5b9c1a48'
down_revision = 'fee6fac7c721'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'job',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('due_at', sa.DateTime(), nullable=False),
        sa.Column('claimed_until', sa.DateTime(), nullable=True),
        sa.Column('claimed_by', sa.String(length=120), nullable=False),
        sa.Column('last_started_at', sa.DateTime(), nullable=True),
        sa.Column('last_finished_at', sa.DateTime(), nullable=True),
        sa.Column('last_success_at', sa.DateTime(), nullable=True),
        sa.Column('last_outcome', sa.String(length=10), nullable=False),
        sa.Column('last_summary', sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_job')),
    )
    op.create_table(
        'job_run',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('job', sa.String(length=40), nullable=False),
        sa.Column('due_at', sa.DateTime(), nullable=False),
        sa.Column('worker', sa.String(length=120), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.Column('outcome', sa.String(length=10), nullable=False),
        sa.Column('summary', sa.String(length=500), nullable=False),
        sa.Column('takeovers', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_job_run')),
        sa.UniqueConstraint('job', 'due_at', name='uq_job_run_due'),
    )
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_run_job'), ['job'], unique=False)
    op.create_table(
        'worker_beat',
        sa.Column('worker', sa.String(length=120), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('seen_at', sa.DateTime(), nullable=False),
        sa.Column('stopped_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('worker', name=op.f('pk_worker_beat')),
    )
    with op.batch_alter_table('worker_beat', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_worker_beat_seen_at'), ['seen_at'], unique=False)


def downgrade():
    with op.batch_alter_table('worker_beat', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_worker_beat_seen_at'))
    op.drop_table('worker_beat')
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_run_job'))
    op.drop_table('job_run')
    op.drop_table('job')
