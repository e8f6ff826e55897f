"""Alembic environment: run by cases.db.upgrade with a connection, or with HECHA_DB."""

from __future__ import annotations

from alembic import context

from cases.db import make_engine
from cases.schema import Base

target_metadata = Base.metadata


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        # Developer use (`alembic revision --autogenerate`): connect like the service does.
        with make_engine(None).begin() as own_connection:
            _run(own_connection)
    else:
        _run(connection)


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
