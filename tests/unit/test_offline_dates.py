"""Date phrases in admin commands, resolved against a fixed today (Tuesday 2026-11-24)."""

from __future__ import annotations

from datetime import date

import pytest

from agent.offline.dates import DateRange, describe_range, find_dates, parse_point, shift_months

TODAY = date(2026, 11, 24)  # a Tuesday
D = date


def _range(text: str) -> DateRange | None:
    return find_dates(text, TODAY).range


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # calendar periods
        ("last week", DateRange(D(2026, 11, 16), D(2026, 11, 22))),
        ("previous week", DateRange(D(2026, 11, 16), D(2026, 11, 22))),
        ("this week", DateRange(D(2026, 11, 23), TODAY)),
        ("this month", DateRange(D(2026, 11, 1), TODAY)),
        ("last month", DateRange(D(2026, 10, 1), D(2026, 10, 31))),
        ("this year", DateRange(D(2026, 1, 1), TODAY)),
        ("last year", DateRange(D(2025, 1, 1), D(2025, 12, 31))),
        ("last quarter", DateRange(D(2026, 7, 1), D(2026, 9, 30))),
        ("this quarter", DateRange(D(2026, 10, 1), TODAY)),
        # single days
        ("today", DateRange(TODAY, TODAY)),
        ("yesterday", DateRange(D(2026, 11, 23), D(2026, 11, 23))),
        ("on 2026-03-01", DateRange(D(2026, 3, 1), D(2026, 3, 1))),
        ("on nov 20th", DateRange(D(2026, 11, 20), D(2026, 11, 20))),
        ("on the 3rd of march", DateRange(D(2026, 3, 3), D(2026, 3, 3))),
        ("last friday", DateRange(D(2026, 11, 20), D(2026, 11, 20))),
        # rolling windows end today and include it
        ("in the last 7 days", DateRange(D(2026, 11, 18), TODAY)),
        ("past 2 weeks", DateRange(D(2026, 11, 11), TODAY)),
        ("the past week", DateRange(D(2026, 11, 18), TODAY)),
        ("in the last three months", DateRange(D(2026, 8, 25), TODAY)),
        # open ranges
        ("since March 3", DateRange(D(2026, 3, 3), None)),
        ("since monday", DateRange(D(2026, 11, 23), None)),
        ("after 2026-03-01", DateRange(D(2026, 3, 2), None)),
        ("as of 1 october", DateRange(D(2026, 10, 1), None)),
        ("from march 3 onwards", DateRange(D(2026, 3, 3), None)),
        ("before the 15th", DateRange(None, D(2026, 11, 14))),
        ("before 2026-03-01", DateRange(None, D(2026, 2, 28))),
        ("until march 10", DateRange(None, D(2026, 3, 10))),
        # closed ranges and months
        ("between March 1 and March 10", DateRange(D(2026, 3, 1), D(2026, 3, 10))),
        ("from 2026-03-01 to 2026-03-10", DateRange(D(2026, 3, 1), D(2026, 3, 10))),
        ("from march to may", DateRange(D(2026, 3, 1), D(2026, 5, 31))),
        ("in March", DateRange(D(2026, 3, 1), D(2026, 3, 31))),
        ("during february 2024", DateRange(D(2024, 2, 1), D(2024, 2, 29))),
        ("in 2025", DateRange(D(2025, 1, 1), D(2025, 12, 31))),
        ("what about March?", DateRange(D(2026, 3, 1), D(2026, 3, 31))),
        ("orders from last week", DateRange(D(2026, 11, 16), D(2026, 11, 22))),
        # quarters: the most recent one that has begun
        ("for q3", DateRange(D(2026, 7, 1), D(2026, 9, 30))),
        ("in q4", DateRange(D(2026, 10, 1), D(2026, 12, 31))),
        ("q1 2025", DateRange(D(2025, 1, 1), D(2025, 3, 31))),
    ],
)
def test_phrases(text: str, expected: DateRange) -> None:
    assert _range(text.lower()) == expected


def test_a_day_or_month_without_a_year_is_the_most_recent_one() -> None:
    # December 3 has not come yet this year: the last one was in 2025.
    assert _range("since december 3") == DateRange(D(2025, 12, 3), None)
    assert _range("in december") == DateRange(D(2025, 12, 1), D(2025, 12, 31))
    # Across the year boundary each end takes its own most recent year.
    assert _range("between december 1 and january 10") == DateRange(D(2025, 12, 1), D(2026, 1, 10))


def test_phrases_in_one_command_narrow_each_other() -> None:
    assert _range("this month before the 15th") == DateRange(D(2026, 11, 1), D(2026, 11, 14))
    assert _range("since march 1 and before march 10") == DateRange(D(2026, 3, 1), D(2026, 3, 9))


def test_an_end_before_the_start_is_reported() -> None:
    finding = find_dates("between march 10 and march 1", TODAY)
    assert finding.inverted
    assert finding.range is not None and finding.range.is_empty


def test_spans_cover_the_phrases_so_callers_can_mask_them() -> None:
    text = "sheets in pricing modified since march 3 by alice"
    finding = find_dates(text, TODAY)
    assert [text[a:b] for a, b in finding.spans] == ["since march 3"]


@pytest.mark.parametrize(
    "text",
    [
        "top 5 sheets",
        "price list 2027",  # a year alone is a name, not a date
        "may i see the sheets",  # a month alone needs a cue word
        "order 3f1c2a9e",
        "on the 31st",  # November has 30 days
        "february 30",
        "a sheet called q1 prices",  # a quarter alone needs a cue word
    ],
)
def test_things_that_are_not_dates(text: str) -> None:
    assert _range(text) is None


def test_clearing_dates() -> None:
    for text in ("any date", "all time", "without the date filter", "no date limit"):
        finding = find_dates(text, TODAY)
        assert finding.clear and finding.range is None, text


def test_parse_point_takes_one_whole_expression() -> None:
    assert parse_point("march 3", TODAY) == DateRange(D(2026, 3, 3), D(2026, 3, 3))
    assert parse_point("the 15th", TODAY) == DateRange(D(2026, 11, 15), D(2026, 11, 15))
    assert parse_point("sheets from march", TODAY) is None


def test_shift_months_clamps_to_the_month_length() -> None:
    assert shift_months(D(2026, 3, 31), -1) == D(2026, 2, 28)
    assert shift_months(D(2026, 1, 15), -2) == D(2025, 11, 15)
    assert shift_months(D(2026, 11, 30), 3) == D(2027, 2, 28)


def test_describe_range() -> None:
    assert describe_range(D(2026, 11, 16), D(2026, 11, 22)) == "from 2026-11-16 to 2026-11-22"
    assert describe_range(TODAY, TODAY) == "on 2026-11-24"
    assert describe_range(D(2026, 3, 3), None) == "since 2026-03-03"
    assert describe_range(None, D(2026, 3, 3)) == "up to 2026-03-03"
    assert describe_range(None, None) == "at any date"


def test_intersect() -> None:
    a = DateRange(D(2026, 1, 1), D(2026, 1, 31))
    assert a.intersect(DateRange(D(2026, 1, 10), None)) == DateRange(D(2026, 1, 10), D(2026, 1, 31))
    assert a.intersect(DateRange(D(2026, 2, 1), None)).is_empty
