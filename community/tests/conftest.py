"""Fixtures for the community programmes: a clock inside an open PUG window, groups, cohorts."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from community.models import (
    DeibCohort,
    ExecutiveSponsor,
    HugEvent,
    HugGroup,
    PugGroup,
    PugReviewCycle,
)

# Inside the 2022 H1 PUG window and the H1 2022 DEI&B window.
TODAY = dt.datetime(2022, 3, 15, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def cycle(db):
    return PugReviewCycle.objects.create(
        name="2022 H1",
        opens_on=dt.date(2022, 3, 1),
        closes_on=dt.date(2022, 3, 31),
        cohort_starts_on=dt.date(2022, 4, 1),
        cohort_ends_on=dt.date(2022, 9, 30),
    )


@pytest.fixture
def pug_group(db):
    return PugGroup.objects.create(
        name="Sales leaders Japan",
        role="sales",
        region="japan",
        champion="Aiko Tanaka",
        capacity=2,
        meeting_cadence="Monthly, first Tuesday",
    )


@pytest.fixture
def cohort(db):
    return DeibCohort.objects.create(
        name="H1 2022", opens_on=dt.date(2022, 1, 15), closes_on=dt.date(2022, 3, 31), capacity=5
    )


@pytest.fixture
def sponsor(db):
    return ExecutiveSponsor.objects.create(name="Jordan Exec", title="Chief Customer Officer")


@pytest.fixture
def hug(db):
    return HugGroup.objects.create(
        name="Tokyo Automation HUG", topic="automation", region="japan", language="ja", format="in_person", city="Tokyo"
    )


@pytest.fixture
def hug_event(hug):
    return HugEvent.objects.create(group=hug, title="Workflows 101", starts_at=TODAY + dt.timedelta(days=20))
