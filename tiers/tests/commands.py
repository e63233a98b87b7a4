"""Running the tier management commands in tests: their output, or the message they refuse with."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

MRR_HEADER = "partner_id,month,customer_domain,customer_country,currency,sold_mrr,managed_mrr\n"


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def rejected(*args: str) -> str:
    with pytest.raises(CommandError) as error:
        run(*args)
    return str(error.value)


def write(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)
