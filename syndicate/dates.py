"""Dates as a Taiwanese CMS exports them, to aware datetimes in the site's time zone.

Accepted: ISO 8601 (with or without offset, or a date alone), 2026/02/04 15:30, RFC 822
(Wed, 04 Feb 2026 15:30:00 +0800), and ROC (民國) years: 民國115年2月4日 [15:30], 115/02/04 [15:30].
A value without an offset is a wall-clock time in the site's zone; a date alone is midnight there.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, time, tzinfo
from email.utils import parsedate_to_datetime

ROC_OFFSET = 1911  # 民國 1 = 1912

_TIME = r"(?:[ T]+(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?)?"
_WESTERN_SLASH = re.compile(r"(?P<y>\d{4})[/.](?P<m>\d{1,2})[/.](?P<d>\d{1,2})" + _TIME + r"$")
_ROC_SLASH = re.compile(r"(?P<y>\d{2,3})[/.-](?P<m>\d{1,2})[/.-](?P<d>\d{1,2})" + _TIME + r"$")
_ROC_WORDS = re.compile(
    r"(?:民國|民国)?\s*(?P<y>\d{1,3})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"
    r"(?:\s*(?P<h>\d{1,2})[:：時时](?P<mi>\d{2})分?(?:[:：](?P<s>\d{2})秒?)?)?$"
)
_WESTERN_WORDS = re.compile(
    r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"
    r"(?:\s*(?P<h>\d{1,2})[:：時时](?P<mi>\d{2})分?(?:[:：](?P<s>\d{2})秒?)?)?$"
)
_RFC822_HINT = re.compile(r"^[A-Za-z]{3},|\d{1,2} [A-Za-z]{3} \d{4}")
_ISO = re.compile(r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"
                  r"(?:[T ](?P<h>\d{2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?)?")


class DateError(ValueError):
    """A value that is not a date this module understands."""


def parse_date(value: object, zone: tzinfo) -> datetime:
    """An aware datetime in `zone` for `value` (a string, date or datetime).

    :param value: the record's value.
    :param zone: the site's time zone, for values without an offset.
    """
    if isinstance(value, datetime):
        return _localize(value, zone)
    if isinstance(value, date):
        return datetime.combine(value, time(), zone)
    if not isinstance(value, str):
        raise DateError(f"expected a date string, found {type(value).__name__} {value!r}")
    text = value.strip()
    if not text:
        raise DateError("expected a date, found an empty string")
    try:
        return _parse_text(text, zone)
    except _Nonexistent as exc:
        raise DateError(f"{exc}, found {value!r}") from None
    except (ValueError, OverflowError) as exc:
        raise DateError(f"expected a date such as 2026-02-04T15:30:00+08:00, 2026/02/04 15:30, "
                        f"Wed, 04 Feb 2026 15:30:00 +0800 or 民國115年2月4日, found {value!r}"
                        ) from exc


class _Nonexistent(ValueError):
    """A value in a form we read that names a day or time that does not exist."""


def _parse_text(text: str, zone: tzinfo) -> datetime:
    iso = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    try:
        return _localize(datetime.fromisoformat(iso), zone)
    except ValueError:
        match = _ISO.match(iso)
        if match:
            _from_parts(match, 0, zone)  # says which part does not exist, if one does
    for pattern, year_offset in (
        (_WESTERN_SLASH, 0),
        (_WESTERN_WORDS, 0),
        (_ROC_WORDS, ROC_OFFSET),
        (_ROC_SLASH, ROC_OFFSET),
    ):
        match = pattern.match(text)
        if match:
            return _from_parts(match, year_offset, zone)
    if _RFC822_HINT.search(text):
        return _localize(parsedate_to_datetime(text), zone)
    raise ValueError(text)


def _from_parts(match: re.Match[str], year_offset: int, zone: tzinfo) -> datetime:
    def number(name: str) -> int:
        return int(match.group(name) or 0)

    year, month, day = number("y") + year_offset, number("m"), number("d")
    hour, minute, second = number("h"), number("mi"), number("s")
    if not 1 <= month <= 12:
        raise _Nonexistent(f"month {month} does not exist")
    if not 1 <= year <= 9999:
        raise _Nonexistent(f"year {year} is out of range")
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        raise _Nonexistent(f"{month}月{day}日 does not exist: {year}-{month:02d} has {days} days")
    if hour > 23 or minute > 59 or second > 59:
        raise _Nonexistent(f"{hour:02d}:{minute:02d}:{second:02d} is not a time of day")
    return datetime(year, month, day, hour, minute, second, tzinfo=zone)


def _localize(value: datetime, zone: tzinfo) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=zone)
    return value.astimezone(zone)


def rfc822(value: datetime) -> str:
    """RSS 2.0 date: Wed, 04 Feb 2026 15:30:00 +0800 (English names whatever the locale)."""
    days = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    return (f"{days[value.weekday()]}, {value.day:02d} {months[value.month - 1]} {value.year} "
            f"{value:%H:%M:%S} {value:%z}")


def rfc3339(value: datetime) -> str:
    """Atom and JSON Feed date: 2026-02-04T15:30:00+08:00, to the second as RSS gives it, so
    that a reader sees one time whichever format it reads (a fraction is rounded by some
    readers and cut by others)."""
    return value.replace(microsecond=0).isoformat()

