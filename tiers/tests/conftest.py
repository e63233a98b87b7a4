"""Fixtures the tier tests share: the SPEC emerging markets in every database test (autouse), the page
tests' day and rule set (dashboard, book, what-if, rule-set editor)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tiers.tests.dashboard_factories import rule_set_make
from tiers.tests.factories import spec_emerging_markets  # noqa: F401  (autouse fixture)


@pytest.fixture
def dashboard_day():
    """Thursday 20 November 2025, 09:00 UTC: the day the page tests read their pages on
    (October 2025 is the last closed month)."""
    with time_machine.travel(dt.datetime(2025, 11, 20, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def rule_set(db):
    """The rule set in force (`rule_set_make`): Platinum 4000 points, 800 sales points; Gold 1000 / 200."""
    return rule_set_make()
