"""The one month arithmetic (portal.months): month starts stay month starts, other days clamp."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.months import add_months, last_closed_month, month_end, month_start, months_between, parse_month


def test_month_starts_move_by_whole_months_across_years():
    assert add_months(dt.date(2022, 11, 1), 3) == dt.date(2023, 2, 1)
    assert add_months(dt.date(2023, 1, 1), -6) == dt.date(2022, 7, 1)


def test_other_days_clamp_to_the_last_day_of_a_shorter_month():
    assert add_months(dt.date(2022, 8, 31), 6) == dt.date(2023, 2, 28)
    assert add_months(dt.date(2023, 8, 31), 6) == dt.date(2024, 2, 29)


def test_month_bounds_and_ranges():
    assert month_start(dt.date(2022, 7, 15)) == dt.date(2022, 7, 1)
    assert month_end(dt.date(2024, 2, 1)) == dt.date(2024, 2, 29)
    assert list(months_between(dt.date(2022, 11, 20), dt.date(2023, 1, 3))) == [
        dt.date(2022, 11, 1),
        dt.date(2022, 12, 1),
        dt.date(2023, 1, 1),
    ]
    assert last_closed_month(dt.date(2023, 1, 15)) == dt.date(2022, 12, 1)


@pytest.mark.parametrize("text", ["2022-7", "22-07-01", "2022/07", "abcd-ef"])
def test_parse_month_names_the_expected_shape(text):
    with pytest.raises(ValueError, match="YYYY-MM"):
        parse_month(text)
    assert parse_month("2022-07") == dt.date(2022, 7, 1)
