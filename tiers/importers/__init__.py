"""Parsing and validation of the operations files, one module per kind.

* `files` — encodings, decoded lines (`TextFile`), line-numbered problems, `ImportRejected`;
* `partners` — the partners CSV; `regions` — a partner's region from its HQ country;
* `rule_sets` — the rule set JSON; `mrr` — the monthly MRR CSV, loaded set-based.

Validation collects *every* problem with its line number before anything is
written; the services in `tiers.services` decide and write. The names callers
use are re-exported here.
"""

from __future__ import annotations

from tiers.importers.files import (
    COUNTRY_CODES,
    CURRENCY_CODES,
    ImportRejected,
    TextFile,
    encoding_check,
    encoding_for,
    line_problem,
)
from tiers.importers.mrr import (
    LOAD_TABLE,
    MRR_HEADER,
    DuplicateKeys,
    FullChecksNeeded,
    MrrLoad,
    duplicate_errors,
    mrr_fast_import,
    mrr_load,
    mrr_load_table_create,
    mrr_load_table_drop,
    mrr_upsert,
)
from tiers.importers.partners import PARTNER_HEADER, PartnerRow, partner_rows
from tiers.importers.regions import region_for_country
from tiers.importers.rule_sets import (
    RuleSetSpec,
    rule_set_document,
    rule_set_spec,
    rule_set_uncovered_currencies,
)

__all__ = [
    "COUNTRY_CODES",
    "CURRENCY_CODES",
    "LOAD_TABLE",
    "MRR_HEADER",
    "PARTNER_HEADER",
    "DuplicateKeys",
    "FullChecksNeeded",
    "ImportRejected",
    "MrrLoad",
    "PartnerRow",
    "RuleSetSpec",
    "TextFile",
    "duplicate_errors",
    "encoding_check",
    "encoding_for",
    "line_problem",
    "mrr_load",
    "mrr_load_table_create",
    "mrr_fast_import",
    "mrr_load_table_drop",
    "mrr_upsert",
    "partner_rows",
    "region_for_country",
    "rule_set_document",
    "rule_set_spec",
    "rule_set_uncovered_currencies",
]
