"""One upsert helper for SQLite and PostgreSQL: ``INSERT ... ON CONFLICT``.

Statements are built once per table and clause (``_upsert_statement``) and run with
the rows as bound parameters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Result
from sqlalchemy.orm import Session

UpdateColumns = Sequence[str] | Mapping[str, Any]


def upsert(
    session: Session | Connection,
    model_or_table: Any,
    values: dict[str, Any] | list[dict[str, Any]],
    conflict_columns: Sequence[str],
    update_columns: UpdateColumns = (),
    *,
    returning: Sequence[Any] = (),
) -> Result[Any] | None:
    """INSERT ... ON CONFLICT (conflict_columns) DO UPDATE / DO NOTHING.

    ``update_columns``: column names (set from the proposed row, ``excluded``), or a
    mapping of column name to a value, SQL expression or ``callable(excluded)``.
    Empty: DO NOTHING. Atomic on both databases, so racing writers do not fail.
    With a list, rows must not repeat a conflict key (PostgreSQL refuses that).
    Returns the Result (use ``returning`` to get columns back), or None for no rows.
    The values are bound parameters of the statement: its text is the same for the
    same table, columns and conflict clause, and is built once (``_upsert_statement``).
    """
    if isinstance(values, list) and not values:
        return None
    table = getattr(model_or_table, "__table__", model_or_table)
    bind = session.get_bind() if isinstance(session, Session) else session
    stmt = _upsert_statement(bind.dialect.name, table, tuple(conflict_columns),
                             update_columns, tuple(returning))
    return session.execute(stmt, values)  # a list: executemany (without RETURNING)


# Statements whose update clause is column names, plain values or callables without a
# closure (a function of ``excluded`` alone): building one costs more than running it
# on SQLite (``excluded`` copies the table), and a crawl runs the same few thousands
# of times.
_UPSERTS: dict[tuple[Any, ...], Any] = {}


def _upsert_statement(dialect: str, table: Table, conflict: tuple[str, ...],
                      update_columns: UpdateColumns, returning: tuple[Any, ...]) -> Any:
    key = _statement_key(dialect, table, conflict, update_columns, returning)
    stmt = _UPSERTS.get(key) if key is not None else None
    if stmt is not None:
        return stmt
    if dialect == "postgresql":
        stmt = postgresql.insert(table)
    elif dialect == "sqlite":
        stmt = sqlite.insert(table)
    else:  # pragma: no cover - only the two supported databases
        raise NotImplementedError(f"upsert is not implemented for {dialect}")
    if isinstance(update_columns, Mapping):
        set_ = {k: (v(stmt.excluded) if callable(v) else v) for k, v in update_columns.items()}
    else:
        set_ = {name: stmt.excluded[name] for name in update_columns}
    if set_:
        stmt = stmt.on_conflict_do_update(index_elements=list(conflict), set_=set_)
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(conflict))
    if returning:
        stmt = stmt.returning(*returning)
    if key is not None and len(_UPSERTS) < 256:
        _UPSERTS[key] = stmt
    return stmt


def _statement_key(dialect: str, table: Table, conflict: tuple[str, ...],
                   update_columns: UpdateColumns, returning: tuple[Any, ...]
                   ) -> tuple[Any, ...] | None:
    """A cache key, or None when the update clause holds per-call values."""
    if not isinstance(update_columns, Mapping):
        return (dialect, table, conflict, tuple(update_columns), returning)
    parts = []
    for name, value in update_columns.items():
        if callable(value) and getattr(value, "__closure__", True) is None:
            parts.append((name, value.__code__))
        elif value is None or isinstance(value, (bool, int, str)):
            parts.append((name, type(value), value))
        else:
            return None  # an SQL expression or a closure: built for this call
    return (dialect, table, conflict, tuple(parts), returning)
