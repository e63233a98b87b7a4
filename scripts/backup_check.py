"""Back up a PostgreSQL database and prove the backup restores.

    python scripts/backup_check.py DATABASE_URL [--dump PATH] [--keep]

1. `pg_dump -Fc` the database into PATH (default: a temporary file, deleted afterwards).
2. Create a fresh database next to it (`<name>_restore_check_<pid>`) and `pg_restore` the dump into it.
3. Count the rows of every table in both and compare; a table missing on either side counts as a difference.
4. Drop the restored database (unless --keep).

Exit 0 when every table has the same number of rows, 1 when some differ (each named on
stderr), 2 when a step fails (tool missing, database unreachable, restore error).
Needs `pg_dump` and `pg_restore` of the server's major version or newer on PATH.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

Counts = dict[str, int]


class CheckError(Exception):
    pass


def with_database(url: str, name: str) -> str:
    """The same server URL, pointing at database `name`."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def database_name(url: str) -> str:
    name = urlsplit(url).path.lstrip("/")
    if not name:
        raise CheckError(f"the database URL names no database: {url!r}")
    return name


def table_counts(url: str) -> Counts:
    """Exact row count of every table outside PostgreSQL's own schemas, as `schema.table`."""
    with psycopg.connect(url, autocommit=True) as conn:
        tables = conn.execute(
            "SELECT schemaname, tablename FROM pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"
        ).fetchall()
        counts = {}
        for schema, table in tables:
            query = sql.SQL("SELECT count(*) FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(table))
            counts[f"{schema}.{table}"] = conn.execute(query).fetchone()[0]
    return counts


def differences(source: Counts, restored: Counts) -> list[str]:
    """One line per table whose row count differs or that exists on one side only."""
    lines = []
    for table in sorted(source.keys() | restored.keys()):
        if table not in restored:
            lines.append(f"{table}: missing from the restore ({source[table]} rows in the source)")
        elif table not in source:
            lines.append(f"{table}: only in the restore ({restored[table]} rows)")
        elif source[table] != restored[table]:
            lines.append(f"{table}: {source[table]} rows in the source, {restored[table]} restored")
    return lines


def run(command: list[str]) -> None:
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise CheckError(f"{command[0]} is not installed (PostgreSQL client tools are needed)") from exc
    if result.returncode != 0:
        raise CheckError(f"{command[0]} failed (exit {result.returncode}): {result.stderr.strip()}")


def check(url: str, *, dump: Path, keep: bool, out=None) -> list[str]:
    out = out or sys.stdout
    source_name = database_name(url)
    restore_name = f"{source_name}_restore_check_{os.getpid()}"
    restore_url = with_database(url, restore_name)
    admin_url = with_database(url, "postgres")

    run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", f"--dbname={url}"])
    print(f"dumped {source_name} to {dump} ({dump.stat().st_size:,} bytes)", file=out)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(restore_name)))
    try:
        run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restore_url}", str(dump)])
        print(f"restored into {restore_name}", file=out)
        source, restored = table_counts(url), table_counts(restore_url)
        print(f"compared {len(source)} tables, {sum(source.values()):,} rows", file=out)
        return differences(source, restored)
    finally:
        if keep:
            print(f"kept {restore_name}", file=out)
        else:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(restore_name)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Dump a database, restore it into a fresh one, compare row counts.")
    parser.add_argument("database_url", help="postgres://user@host:5432/name of the database to back up")
    parser.add_argument("--dump", type=Path, help="where to write the dump (kept); default a temporary file")
    parser.add_argument("--keep", action="store_true", help="keep the restored database for inspection")
    args = parser.parse_args(argv)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            dump = args.dump or Path(tmp) / "backup.dump"
            problems = check(args.database_url, dump=dump, keep=args.keep)
    except (CheckError, psycopg.Error) as exc:
        print(f"backup check failed: {exc}", file=sys.stderr)
        return 2
    if problems:
        print("backup check: the restore differs from the source:", file=sys.stderr)
        for line in problems:
            print(f"  {line}", file=sys.stderr)
        return 1
    print("backup check passed: every table has the same number of rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
