"""A thin layer over DB-API connections, so one body of SQL serves SQLite and PostgreSQL.

The ledger's SQL is written for SQLite (``?`` placeholders, ``INSERT OR IGNORE``, ``GROUP_CONCAT``,
``rowid``); :class:`PostgresDatabase` rewrites those few forms. Full-text search differs too much to
rewrite and lives in :mod:`threatledger.store.sql_fts`.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any, Protocol

Row = Any  # sqlite3.Row, or a :class:`PgRow`: both index by position and by column name


class Cursor(Protocol):
    def fetchone(self) -> Row: ...

    def fetchall(self) -> list[Row]: ...

    def __iter__(self) -> Iterator[Row]: ...


def column_list(columns: Sequence[str]) -> str:
    """Column names for SQL, ``end`` quoted (a reserved word in both dialects)."""
    return ", ".join('"end"' if c == "end" else c for c in columns)


class Database:
    """A connection that runs the ledger's SQL; SQLite needs no rewriting."""

    dialect = "sqlite"

    def __init__(self, raw: Any) -> None:
        self.raw = raw
        self.touched: set[str] = set()  # incidents whose filter rows the transaction must recompute

    def touch(self, incident_ids: Iterable[str]) -> None:
        """Mark incidents whose live events, dates, incident or role fillers this transaction changed."""
        self.touched.update(incident_ids)

    def take_touched(self) -> set[str]:
        """The incidents marked so far, forgetting them."""
        found, self.touched = self.touched, set()
        return found

    def translate(self, sql: str) -> str:
        return sql

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        cursor: Cursor = self.raw.execute(self.translate(sql), tuple(params))
        return cursor

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        batch = [tuple(r) for r in rows]
        if batch:
            self.raw.cursor().executemany(self.translate(sql), batch)

    def reset_sequence(self, table: str, column: str = "pk") -> None:
        """After rows were given their keys by the writer (SQLite's rowid keys need nothing)."""

    def defer(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], *, ignore: bool = False
    ) -> None:
        """Insert rows that nothing reads back before the transaction ends: at once here; a
        :class:`BufferedDatabase` keeps them for one bulk insert."""
        self.insert_rows(table, columns, rows, ignore=ignore)

    def insert_rows(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], *, ignore: bool = False
    ) -> None:
        """Insert many rows at once (bulk loads); ``ignore`` skips rows whose key is already stored."""
        if rows:
            verb = "INSERT OR IGNORE" if ignore else "INSERT"
            marks = ", ".join("?" * len(columns))
            self.raw.executemany(f"{verb} INTO {table} ({column_list(columns)}) VALUES ({marks})", rows)


class BufferedDatabase(Database):
    """A database whose deferred rows are kept and sent in bulk (``COPY`` or ``executemany``) by
    :meth:`flush`, or when ``limit`` rows wait; everything else goes straight through."""

    def __init__(self, inner: Database, *, limit: int = 50_000) -> None:
        super().__init__(inner.raw)
        self.inner, self.limit, self.dialect = inner, limit, inner.dialect
        self.waiting: dict[tuple[str, tuple[str, ...], bool], list[Sequence[Any]]] = {}
        self.count = 0

    def translate(self, sql: str) -> str:
        return self.inner.translate(sql)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        return self.inner.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self.inner.executemany(sql, rows)

    def insert_rows(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], *, ignore: bool = False
    ) -> None:
        self.inner.insert_rows(table, columns, rows, ignore=ignore)

    def reset_sequence(self, table: str, column: str = "pk") -> None:
        self.inner.reset_sequence(table, column)

    def touch(self, incident_ids: Iterable[str]) -> None:
        self.inner.touch(incident_ids)

    def take_touched(self) -> set[str]:
        return self.inner.take_touched()

    def defer(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], *, ignore: bool = False
    ) -> None:
        self.waiting.setdefault((table, tuple(columns), ignore), []).extend(rows)
        self.count += len(rows)
        if self.count >= self.limit:
            self.flush()

    def flush(self) -> None:
        """Send the waiting rows, table by table in the order they were first deferred."""
        for (table, columns, ignore), rows in self.waiting.items():
            self.inner.insert_rows(table, columns, rows, ignore=ignore)
        self.waiting.clear()
        self.count = 0


class SQLiteDatabase(Database):
    """An ``sqlite3`` connection (rows are ``sqlite3.Row``)."""

    def __init__(self, raw: sqlite3.Connection) -> None:
        raw.row_factory = sqlite3.Row
        super().__init__(raw)


class PgRow:
    """A PostgreSQL row that, like ``sqlite3.Row``, is indexed by position or column name."""

    __slots__ = ("_index", "_values")

    def __init__(self, index: dict[str, int], values: Sequence[Any]) -> None:
        self._index = index
        self._values = tuple(values)

    def __getitem__(self, key: int | str) -> Any:
        return self._values[key if isinstance(key, int) else self._index[key]]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def keys(self) -> list[str]:
        return list(self._index)


def pg_row_factory(cursor: Any) -> Any:
    """psycopg row factory making :class:`PgRow` rows."""
    index = {column.name: i for i, column in enumerate(cursor.description or ())}
    return lambda values: PgRow(index, values)


_INSERT_IGNORE = re.compile(r"^\s*INSERT OR IGNORE INTO", re.I)
_GROUP_CONCAT = re.compile(r"GROUP_CONCAT\(DISTINCT ([^)]+)\)", re.I)
_ROWID = re.compile(r"\browid\b")


@lru_cache(maxsize=512)
def to_postgres(sql: str) -> str:
    """Rewrite the ledger's SQLite SQL for PostgreSQL."""
    out = sql.replace("%", "%%").replace("?", "%s")
    if _INSERT_IGNORE.match(out):
        out = _INSERT_IGNORE.sub("INSERT INTO", out) + " ON CONFLICT DO NOTHING"
    out = _GROUP_CONCAT.sub(r"string_agg(DISTINCT \1, ',')", out)
    return _ROWID.sub("seq", out)


COPY_MIN_ROWS = 200  # fewer rows than this are inserted, not copied


class PostgresDatabase(Database):
    """A psycopg 3 connection in autocommit mode; transactions are opened with ``BEGIN``."""

    dialect = "postgresql"

    def translate(self, sql: str) -> str:
        return to_postgres(sql)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        batch = [tuple(r) for r in rows]
        if batch:
            with self.raw.cursor() as cursor:
                cursor.executemany(self.translate(sql), batch)

    def insert_rows(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], *, ignore: bool = False
    ) -> None:
        """``COPY`` the rows in; with ``ignore``, through a staging table and ``ON CONFLICT DO NOTHING``
        (``COPY`` itself cannot skip a row). A few rows go in by ``executemany``, which costs less."""
        if not rows:
            return
        names = column_list(columns)
        if len(rows) < COPY_MIN_ROWS:
            marks = ", ".join(["%s"] * len(columns))
            conflict = " ON CONFLICT DO NOTHING" if ignore else ""
            with self.raw.cursor() as cursor:
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks}){conflict}", rows)
            return
        with self.raw.cursor() as cursor:
            if not ignore:
                _copy(cursor, f"{table} ({names})", rows)
                return
            stage = f"tl_stage_{table}"
            cursor.execute(f"CREATE TEMP TABLE {stage} AS SELECT {names} FROM {table} WITH NO DATA")
            try:
                _copy(cursor, f"{stage} ({names})", rows)
                cursor.execute(
                    f"INSERT INTO {table} ({names}) SELECT {names} FROM {stage} ON CONFLICT DO NOTHING"
                )
            finally:
                cursor.execute(f"DROP TABLE {stage}")

    def reset_sequence(self, table: str, column: str = "pk") -> None:
        """After rows were given their keys by the writer: the next generated key follows the largest."""
        self.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'),"
            f" GREATEST((SELECT MAX({column}) FROM {table}), 1))"
        )


def _copy(cursor: Any, target: str, rows: Sequence[Sequence[Any]]) -> None:
    with cursor.copy(f"COPY {target} FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
