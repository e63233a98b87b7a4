"""Migration operations shared by the apps (imported by migrations only)."""

from __future__ import annotations

from django.db import migrations

_FUNCTION = """
CREATE OR REPLACE FUNCTION portal_refuse_history_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = 'history table ' || TG_TABLE_NAME || ' is append-only: ' || TG_OP || ' refused',
        ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def append_only(*labels: str) -> migrations.RunPython:
    """PostgreSQL only: triggers that refuse UPDATE and DELETE on these models' tables (TRUNCATE stays for tests).

    SQLite has no such triggers here; the ORM guard (`AppendOnlyModel`) still refuses there.
    """

    def tables(apps) -> list[str]:
        return [apps.get_model(label)._meta.db_table for label in labels]

    def forwards(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(_FUNCTION)
        for table in tables(apps):
            schema_editor.execute(
                f'CREATE TRIGGER "{table}_append_only" BEFORE UPDATE OR DELETE ON "{table}" '
                "FOR EACH ROW EXECUTE FUNCTION portal_refuse_history_change()"
            )

    def backwards(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for table in tables(apps):
            schema_editor.execute(f'DROP TRIGGER IF EXISTS "{table}_append_only" ON "{table}"')

    return migrations.RunPython(forwards, backwards, elidable=False)
