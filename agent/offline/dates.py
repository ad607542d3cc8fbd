"""Date phrases in admin commands, turned into date ranges relative to a given day.

Pure functions: every one takes ``today`` so tests can pin it. The interpreter finds the date
phrases in a command with :func:`find_dates`, masks them so they are not mistaken for names, and
maps the resulting inclusive :class:`DateRange` onto each tool's own parameters.

Conventions (documented because natural language is ambiguous):

- A range is inclusive at both ends; ``None`` means open.
- "this week/month/quarter/year" run from the period's first day to ``today``.
- "last week" is the previous calendar week (Monday to Sunday), "last month" the previous
  calendar month; "the last/past week" and "the last 7 days" are rolling windows that end today
  and include it ("the last 7 days" on a Tuesday starts on the Wednesday before).
- A day or month named without a year is its most recent occurrence that is not in the future
  ("since December 3" in November 2026 is 2025-12-03); "the 15th" is in the current month.
- "since X", "as of X" and "from X onwards" include X; "from X" alone means X itself
  ("orders from last week"); "after X" starts the day after X; "before X"
  ends the day before X; "until X" and "through X" include X.
- "Q3" is the most recent third quarter that has begun; "Q3 2025" says which.
- Several phrases in one command narrow each other ("this month before the 15th").
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = [
    "DateFinding",
    "DateRange",
    "describe_range",
    "find_dates",
    "parse_point",
    "shift_months",
]


@dataclass(frozen=True)
class DateRange:
    """Days from ``start`` to ``end``, both included; ``None`` leaves that side open."""

    start: date | None = None
    end: date | None = None

    @property
    def is_empty(self) -> bool:
        """True when the end lies before the start, so no day can match."""
        return self.start is not None and self.end is not None and self.end < self.start

    def intersect(self, other: DateRange) -> DateRange:
        """The days in both ranges (possibly empty: check :attr:`is_empty`)."""
        starts = [d for d in (self.start, other.start) if d is not None]
        ends = [d for d in (self.end, other.end) if d is not None]
        return DateRange(max(starts) if starts else None, min(ends) if ends else None)


@dataclass(frozen=True)
class DateFinding:
    """What :func:`find_dates` saw in a command.

    Attributes:
        range: the combined range of every date phrase, or ``None`` when there was none.
        spans: where the phrases are in the text, so callers can mask them.
        clear: the command asked to drop date filters ("any date", "all time").
        inverted: some phrase had its end before its start ("between March 10 and March 1");
            ``range`` is then empty too.
    """

    range: DateRange | None
    spans: tuple[tuple[int, int], ...] = ()
    clear: bool = False
    inverted: bool = False


_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fourteen": 14,
    "thirty": 30,
}

_MON = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_ORD = r"(?:st|nd|rd|th)"
_YEAR = r"(?:19|20)\d{2}"
_COUNT = r"(?:\d{1,3}|" + "|".join(_NUMBER_WORDS) + r")"
_UNIT = r"(?:days?|weeks?|months?|years?)"

# Point expressions: each names one period (a day, a month, a week...). Order matters: the
# regex engine takes the first alternative that matches, so longer forms come first.
_POINT_STANDALONE = "|".join(
    (
        rf"(?:the\s+)?(?:last|past|previous)\s+{_COUNT}\s+{_UNIT}",
        r"(?:this|current|last|previous|past)\s+(?:week|month|quarter|year)",
        r"the\s+(?:last|past|previous)\s+(?:week|month|quarter|year)",
        r"(?:the\s+)?day\s+before\s+yesterday",
        r"today|yesterday",
        r"\d{4}-\d{1,2}-\d{1,2}|\d{4}/\d{1,2}/\d{1,2}",
        rf"{_MON}\s+\d{{1,2}}{_ORD}?(?:,?\s+{_YEAR})?(?!\d)",
        rf"(?:the\s+)?\d{{1,2}}{_ORD}?\s+(?:of\s+)?{_MON}(?:,?\s+{_YEAR})?",
        rf"{_MON},?\s+{_YEAR}",
        rf"q[1-4]\s+{_YEAR}",
        r"(?:last\s+)?(?:" + "|".join(_WEEKDAYS) + r")",
    )
)
# Only after a cue word ("in March", "since the 15th", "for 2025", "in Q3"): alone these are too
# often something else ("may", a number in a name, a sheet called "Q1 prices").
_POINT_CUED_ONLY = rf"(?:the\s+)?\d{{1,2}}{_ORD}|{_MON}|{_YEAR}|q[1-4]"
_POINT = rf"(?:{_POINT_STANDALONE}|{_POINT_CUED_ONLY})"

_RANGE_RE = re.compile(
    rf"\b(?:(?P<cue>between|from)\s+)?(?P<a>{_POINT})\s*(?:and|to|until|till|through|thru|-|–)"
    rf"\s*(?P<b>{_POINT})\b"
)
_CUED_RE = re.compile(
    r"\b(?P<cue>since|from|after|before|until|till|through|thru|up\s+to|prior\s+to"
    r"|starting(?:\s+(?:from|on))?|as\s+of|on|in|during|for|over|of|about)\s+"
    rf"(?P<a>{_POINT})(?P<onward>\s+(?:onwards?|and\s+later|or\s+later))?(?![\w-])"
)
_STANDALONE_RE = re.compile(rf"\b(?P<a>{_POINT_STANDALONE})(?![\w-])")
_CLEAR_RE = re.compile(
    r"\b(?:any\s*(?:date|time)|all[\s-]+time|ever|regardless\s+of\s+(?:the\s+)?date"
    r"|(?:without|no|drop|remove|clear)\s+(?:the\s+|any\s+)?date(?:s|\s+(?:filter|limit|range))?)"
    r"\b"
)


def shift_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months, clamped to the target month's length."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def _month_range(year: int, month: int) -> DateRange:
    last = calendar.monthrange(year, month)[1]
    return DateRange(date(year, month, 1), date(year, month, last))


def _month_number(word: str) -> int:
    return _MONTHS[word.rstrip(".")[:3]]


def _recent(candidate_this_year: Callable[[int], date | None], today: date) -> date | None:
    """The latest occurrence not after ``today``: this year's, else last year's."""
    this_year = candidate_this_year(today.year)
    if this_year is not None and this_year <= today:
        return this_year
    return candidate_this_year(today.year - 1)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _day(day: date | None) -> DateRange | None:
    return DateRange(day, day) if day is not None else None


def _named_period(kind: str, unit: str, today: date) -> DateRange:
    """'this'/'last'/'rolling' week, month, quarter or year."""
    if kind == "rolling":
        return _rolling(1, unit, today)
    if unit == "week":
        monday = today - timedelta(days=today.weekday())
        if kind == "this":
            return DateRange(monday, today)
        return DateRange(monday - timedelta(days=7), monday - timedelta(days=1))
    if unit == "month":
        if kind == "this":
            return DateRange(today.replace(day=1), today)
        previous = shift_months(today.replace(day=1), -1)
        return _month_range(previous.year, previous.month)
    if unit == "quarter":
        first = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        if kind == "this":
            return DateRange(first, today)
        start = shift_months(first, -3)
        return DateRange(start, first - timedelta(days=1))
    if kind == "this":
        return DateRange(date(today.year, 1, 1), today)
    return DateRange(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))


def _rolling(count: int, unit: str, today: date) -> DateRange:
    """The last ``count`` units, ending today and including it."""
    if unit == "day":
        return DateRange(today - timedelta(days=count - 1), today)
    if unit == "week":
        return DateRange(today - timedelta(days=7 * count - 1), today)
    months = count * (12 if unit == "year" else 3 if unit == "quarter" else 1)
    return DateRange(shift_months(today, -months) + timedelta(days=1), today)


def _count(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBER_WORDS[word]


# Parsers for one point expression, tried in order; each returns None when it does not apply.
_PointParser = Callable[[re.Match[str], date], DateRange | None]


def _p_rolling_n(m: re.Match[str], today: date) -> DateRange | None:
    count = _count(m["n"])
    return _rolling(count, m["unit"], today) if count > 0 else None


def _p_named(m: re.Match[str], today: date) -> DateRange | None:
    which = m["which"]
    kind = "this" if which in ("this", "current") else "last"
    # "past week" and "the last week" are rolling; "last/previous week" is the calendar week.
    if which == "past" or (m["the"] and which == "last"):
        kind = "rolling"
    return _named_period(kind, m["unit"], today)


def _p_relative_day(m: re.Match[str], today: date) -> DateRange | None:
    back = {"today": 0, "yesterday": 1}.get(m[0], 2)
    return _day(today - timedelta(days=back))


def _p_iso(m: re.Match[str], today: date) -> DateRange | None:
    return _day(_safe_date(int(m["y"]), int(m["m"]), int(m["d"])))


def _p_month_day(m: re.Match[str], today: date) -> DateRange | None:
    month, day = _month_number(m["mon"]), int(m["d"])
    if m["y"]:
        return _day(_safe_date(int(m["y"]), month, day))
    return _day(_recent(lambda year: _safe_date(year, month, day), today))


def _p_month(m: re.Match[str], today: date) -> DateRange | None:
    month = _month_number(m["mon"])
    year = int(m["y"]) if m["y"] else today.year if month <= today.month else today.year - 1
    return _month_range(year, month)


def _p_nth(m: re.Match[str], today: date) -> DateRange | None:
    return _day(_safe_date(today.year, today.month, int(m["d"])))


def _p_weekday(m: re.Match[str], today: date) -> DateRange | None:
    back = (today.weekday() - _WEEKDAYS.index(m["wd"])) % 7
    if m["last"] and back == 0:
        back = 7
    return _day(today - timedelta(days=back))


def _p_quarter(m: re.Match[str], today: date) -> DateRange | None:
    first_month = 3 * (int(m["q"]) - 1) + 1
    year = int(m["y"]) if m["y"] else today.year
    if not m["y"] and date(year, first_month, 1) > today:
        year -= 1  # "Q4" in March means the last one, not the one to come
    start = date(year, first_month, 1)
    return DateRange(start, shift_months(start, 3) - timedelta(days=1))


def _p_year(m: re.Match[str], today: date) -> DateRange | None:
    year = int(m[0])
    return DateRange(date(year, 1, 1), date(year, 12, 31))


_POINT_PARSERS: tuple[tuple[re.Pattern[str], _PointParser], ...] = (
    (
        re.compile(
            rf"(?:the\s+)?(?:last|past|previous)\s+(?P<n>{_COUNT})\s+(?P<unit>day|week|month|year)s?"
        ),
        _p_rolling_n,
    ),
    (
        re.compile(
            r"(?P<the>the\s+)?(?P<which>this|current|last|previous|past)\s+"
            r"(?P<unit>week|month|quarter|year)"
        ),
        _p_named,
    ),
    (re.compile(r"today|yesterday|(?:the\s+)?day\s+before\s+yesterday"), _p_relative_day),
    (re.compile(r"(?P<y>\d{4})[-/](?P<m>\d{1,2})[-/](?P<d>\d{1,2})"), _p_iso),
    (
        re.compile(rf"(?P<mon>{_MON})\s+(?P<d>\d{{1,2}}){_ORD}?(?:,?\s+(?P<y>{_YEAR}))?"),
        _p_month_day,
    ),
    (
        re.compile(
            rf"(?:the\s+)?(?P<d>\d{{1,2}}){_ORD}?\s+(?:of\s+)?(?P<mon>{_MON})(?:,?\s+(?P<y>{_YEAR}))?"
        ),
        _p_month_day,
    ),
    (re.compile(rf"(?P<mon>{_MON})(?:,?\s+(?P<y>{_YEAR}))?"), _p_month),
    (re.compile(rf"(?:the\s+)?(?P<d>\d{{1,2}}){_ORD}"), _p_nth),
    (
        re.compile(r"(?P<last>last\s+)?(?P<wd>" + "|".join(_WEEKDAYS) + r")"),
        _p_weekday,
    ),
    (re.compile(rf"q(?P<q>[1-4])(?:\s+(?P<y>{_YEAR}))?"), _p_quarter),
    (re.compile(_YEAR), _p_year),
)


def parse_point(text: str, today: date) -> DateRange | None:
    """The period one date expression names ("march 3", "last week", "2026-03-01", "the 15th").

    ``text`` must be the whole expression, lowercase. Returns ``None`` for anything else,
    including impossible dates ("february 30").
    """
    phrase = " ".join(text.split())
    for pattern, parse in _POINT_PARSERS:
        match = pattern.fullmatch(phrase)
        if match:
            return parse(match, today)
    return None


def _apply_cue(cue: str | None, point: DateRange) -> DateRange:
    """What a cue word does to a period: 'since' keeps its start, 'before' ends before it..."""
    cue = " ".join(cue.split()) if cue else None
    if cue in ("since", "as of", "starting", "starting from", "starting on"):
        return DateRange(point.start, None)
    if cue == "after" and point.end is not None:
        return DateRange(point.end + timedelta(days=1), None)
    if cue in ("before", "prior to") and point.start is not None:
        return DateRange(None, point.start - timedelta(days=1))
    if cue in ("until", "till", "through", "thru", "up to"):
        return DateRange(None, point.end)
    return point


def _end_in_range(first: DateRange, last: DateRange, phrase: str) -> date | None:
    """The end of "between November 1 and November 30": a yearless end takes the start's year
    when the most-recent-date rule put it in an earlier year than the start."""
    end, start = last.end, first.start
    if end is None or start is None or end >= start or re.search(r"\d{4}", phrase):
        return end
    if end.year < start.year:
        moved = shift_months(end, 12 * (start.year - end.year))
        if moved >= start:
            return moved
    return end


def find_dates(text: str, today: date) -> DateFinding:
    """Every date phrase in ``text`` (lowercase), combined into one range.

    Ranges ("between March 1 and March 10", "from X to Y") are read first, then phrases after a
    cue word ("since", "before", "in", ...), then phrases that stand alone ("last week").
    """
    spans: list[tuple[int, int]] = []
    combined: DateRange | None = None
    inverted = False
    masked = text

    def claim(match: re.Match[str], found: DateRange) -> None:
        nonlocal combined, masked, inverted
        start, end = match.span()
        spans.append((start, end))
        masked = masked[:start] + " " * (end - start) + masked[end:]
        inverted = inverted or found.is_empty
        combined = found if combined is None else combined.intersect(found)

    for match in list(_RANGE_RE.finditer(masked)):
        first, last = parse_point(match["a"], today), parse_point(match["b"], today)
        if first is None or last is None:
            continue
        if not match["cue"] and re.fullmatch(_YEAR, match["a"].strip()):
            continue  # "2025 - 2026" alone is too likely to be part of a name
        claim(match, DateRange(first.start, _end_in_range(first, last, match["b"])))
    for match in list(_CUED_RE.finditer(masked)):
        point = parse_point(match["a"], today)
        if point is not None:
            cue = "since" if match["onward"] else match["cue"]
            claim(match, _apply_cue(cue, point))
    for match in list(_STANDALONE_RE.finditer(masked)):
        point = parse_point(match["a"], today)
        if point is not None:
            claim(match, point)

    clear = False
    for match in _CLEAR_RE.finditer(masked):
        clear = True
        spans.append(match.span())
    return DateFinding(
        range=combined,
        spans=tuple(sorted(spans)),
        clear=clear and combined is None,
        inverted=inverted,
    )


def describe_range(start: date | None, end: date | None) -> str:
    """A short phrase for an inclusive range: 'from 2026-11-16 to 2026-11-22', 'since ...'."""
    if start and end:
        if start == end:
            return f"on {start.isoformat()}"
        return f"from {start.isoformat()} to {end.isoformat()}"
    if start:
        return f"since {start.isoformat()}"
    if end:
        return f"up to {end.isoformat()}"
    return "at any date"
