"""scripts/backup_check.py: dump, restore into a fresh database, compare every table's row count."""

from __future__ import annotations

import importlib.util
import os
import uuid
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("backup_check", ROOT / "scripts" / "backup_check.py")
backup_check = importlib.util.module_from_spec(spec)
spec.loader.exec_module(backup_check)


def test_differences_name_every_table_that_does_not_match():
    source = {"public.partner": 320, "public.deal": 12, "public.gone": 3, "public.same": 7}
    restored = {"public.partner": 320, "public.deal": 11, "public.extra": 1, "public.same": 7}
    assert backup_check.differences(source, restored) == [
        "public.deal: 12 rows in the source, 11 restored",
        "public.extra: only in the restore (1 rows)",
        "public.gone: missing from the restore (3 rows in the source)",
    ]
    assert backup_check.differences(source, dict(source)) == []


def test_unreachable_database_exits_2_with_the_reason(capsys):
    assert backup_check.main(["postgres://postgres@127.0.0.1:1/nothing"]) == 2
    assert "pg_dump failed" in capsys.readouterr().err


def test_url_without_a_database_is_refused(capsys):
    assert backup_check.main(["postgres://postgres@127.0.0.1:5432"]) == 2
    assert "names no database" in capsys.readouterr().err


@pytest.fixture
def small_database():
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        pytest.skip("DATABASE_URL is not PostgreSQL: the backup check needs pg_dump and a server (CI sets it)")
    name = f"backup_check_test_{uuid.uuid4().hex[:8]}"
    admin = backup_check.with_database(base, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = backup_check.with_database(base, name)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE partner (id serial PRIMARY KEY, name text)")
        conn.execute("INSERT INTO partner (name) SELECT 'p' || n FROM generate_series(1, 25) n")
        conn.execute("CREATE SCHEMA audit")
        conn.execute("CREATE TABLE audit.event (id serial PRIMARY KEY)")
    yield url
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def test_a_real_backup_restores_with_the_same_row_counts(small_database, tmp_path, capsys):
    dump = tmp_path / "portal.dump"
    assert backup_check.main([small_database, "--dump", str(dump)]) == 0
    out = capsys.readouterr().out
    assert "compared 2 tables, 25 rows" in out and "backup check passed" in out
    assert dump.stat().st_size > 0
    # The restored database is gone again.
    with psycopg.connect(backup_check.with_database(small_database, "postgres")) as conn:
        left = conn.execute("SELECT count(*) FROM pg_database WHERE datname LIKE '%restore_check%'").fetchone()[0]
    assert left == 0
