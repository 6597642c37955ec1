"""Tonight's dream: a seed that belongs to a date, the same every time that date comes up."""

from __future__ import annotations

import datetime as dt
import hashlib


def seed_for(date: dt.date) -> int:
    """A seed for the date; nearby dates give unrelated seeds, and every process agrees."""
    digest = hashlib.sha256(f"dream tonight {date.isoformat()}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def today() -> dt.date:
    """The user's local date."""
    return dt.date.today()
