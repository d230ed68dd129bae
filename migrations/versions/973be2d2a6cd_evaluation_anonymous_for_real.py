"""evaluation answers anonymous for real: no day on an answer, every stored answer
re-keyed and rewritten in the order of its new random key (so that neither SQLite's
rowid nor PostgreSQL's ctid/xmin keep the order people answered in), and the anonymous
one-time codes for answering in the room

Revision ID: 973be2d2a6cd
Revises: c1af71ee52f5
Create Date: 2026-12-07 18:40:00

"""

import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "973be2d2a6cd"
down_revision = "c1af71ee52f5"
branch_labels = None
depends_on = None

answers = sa.table(
    "evaluation_answer",
    sa.column("id", sa.String),
    sa.column("seminar_id", sa.Integer),
    sa.column("scores", sa.JSON),
    sa.column("liked", sa.Text),
    sa.column("improve", sa.Text),
)


def _rewrite_in_random_order():
    conn = op.get_bind()
    rows = (
        conn.execute(
            sa.select(answers.c.seminar_id, answers.c.scores, answers.c.liked, answers.c.improve)
        )
        .mappings()
        .all()
    )
    if not rows:
        return
    keyed = sorted(((secrets.token_hex(16), dict(row)) for row in rows), key=lambda kr: kr[0])
    conn.execute(answers.delete())
    conn.execute(answers.insert(), [{"id": key, **row} for key, row in keyed])


def upgrade():
    op.create_table(
        "evaluation_code",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("seminar_id", sa.Integer(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["seminar_id"],
            ["seminar.id"],
            name=op.f("fk_evaluation_code_seminar_id_seminar"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_evaluation_code")),
    )
    with op.batch_alter_table("evaluation_code", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evaluation_code_seminar_id"), ["seminar_id"], unique=False
        )

    with op.batch_alter_table("evaluation_answer", schema=None) as batch_op:
        batch_op.drop_column("answered_on")
    _rewrite_in_random_order()


def downgrade():
    with op.batch_alter_table("evaluation_answer", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "answered_on", sa.Date(), nullable=False, server_default=sa.func.current_date()
            )
        )
    with op.batch_alter_table("evaluation_answer", schema=None) as batch_op:
        batch_op.alter_column("answered_on", server_default=None)

    with op.batch_alter_table("evaluation_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evaluation_code_seminar_id"))
    op.drop_table("evaluation_code")
