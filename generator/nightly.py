"""Tonight's dream: the same all night, a new one every night, no repeats within a week.

Artifacts and places are dealt from decks, one card a night: each deck holds every value
once, a new deck is shuffled for each cycle of nights, and the first cards of a deck never
repeat the last cards of the one before. A night's cards depend only on its date (and the
dreamer's name), so any night, past or future, can be had again, saved or not. Nothing a
dream depends on is remembered between runs; the last hand dealt from each deck may be
kept (see `card`), only so as not to deal every deck since EPOCH again each night.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import sys
import zlib
from collections.abc import MutableMapping, Sequence
from pathlib import Path

from .files import store, stored

WINDOW = 7  # no artifact or place comes back within this many nights
# Decks are dealt forwards and backwards from here; the work grows with the distance.
EPOCH = dt.date(2025, 1, 1)


def seed_for(date: dt.date, dreamer: str = "") -> int:
    """A seed for the date; nearby dates give unrelated seeds, and every process agrees."""
    digest = hashlib.sha256(f"dream tonight {dreamer}\0{date.isoformat()}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def today() -> dt.date:
    """The user's local date."""
    return dt.date.today()


# A deck's name -> the last cycle dealt from it and its hand (see `card`).
Dealt = MutableMapping[str, tuple[int, list[str]]]


def card(
    values: Sequence[str], date: dt.date, deck: str, dreamer: str = "", dealt: Dealt | None = None
) -> str:
    """The value dealt to `date` from the deck of `values` named `deck`.

    `dealt`, when given, remembers the latest hand dealt from each deck, so that the next
    night deals on from there instead of from EPOCH; the card is the same either way.
    """
    if not values:
        raise ValueError("an empty deck")
    ordered = sorted(set(values))
    cycle, index = divmod((date - EPOCH).days, len(ordered))
    name = "\0".join([deck, dreamer, *ordered])
    known = dealt.get(name) if dealt is not None else None
    if known is not None and 0 <= known[0] <= cycle:
        start, hand = known
    else:
        start, hand = 0, _shuffled(ordered, _seed(deck, dreamer, 0))
    for number in range(start + 1, cycle + 1):
        hand = _next(hand, _seed(deck, dreamer, number))
    if dealt is not None and cycle > (known[0] if known is not None else 0):
        dealt[name] = (cycle, hand)
    for number in range(-1, cycle - 1, -1):
        # Going back in time is going forward through the reversed decks.
        hand = _next(hand[::-1], _seed(deck, dreamer, number))[::-1]
    return hand[index]


# Bump when the way decks are dealt changes, so remembered hands are dealt afresh.
DEALING = 1


def _dealt_file(folder: Path) -> Path:
    # marshal's format belongs to the Python version.
    version = "".join(map(str, sys.version_info[:2]))
    return folder / f"nightly-{DEALING}-py{version}.marshal"


def load_dealt(folder: Path) -> dict[str, tuple[int, list[str]]]:
    """The hands remembered in the cache folder; none when the file is missing or bad."""
    found = stored(_dealt_file(folder))
    return found if isinstance(found, dict) else {}  # none or another layout: from EPOCH


def save_dealt(folder: Path, dealt: dict[str, tuple[int, list[str]]]) -> None:
    """Keep the hands in the cache folder; a folder we cannot write only costs time."""
    store(_dealt_file(folder), dealt)


def _seed(deck: str, dreamer: str, cycle: int) -> int:
    return zlib.crc32(f"{deck}\0{dreamer}\0{cycle}".encode())


def _shuffled(values: list[str], seed: int) -> list[str]:
    hand = list(values)
    random.Random(seed).shuffle(hand)
    return hand


def _next(previous: list[str], seed: int) -> list[str]:
    """The next cycle's deck: shuffled, except that the last WINDOW-1 cards of the previous
    deck are kept out of its first WINDOW-1 places."""
    size = len(previous)
    recent = previous[size - (WINDOW - 1) :] if size > WINDOW - 1 else previous[1:]
    fresh = _shuffled([v for v in previous if v not in recent], seed)
    if len(fresh) >= WINDOW - 1:
        rest = fresh[WINDOW - 1 :] + recent
        random.Random(seed + 1).shuffle(rest)
        # A recent card may not land where it would come back too soon.
        head = fresh[: WINDOW - 1]
        return head + _spread(rest, recent, previous)
    # Too few cards to shuffle safely: the fresh ones first, the recent ones in their order,
    # so every card comes back exactly one cycle later.
    return fresh + recent


def _spread(rest: list[str], recent: list[str], previous: list[str]) -> list[str]:
    """Order `rest` (which follows the head) so that no recent card is within WINDOW nights
    of its last showing; the shuffle is kept where it is already safe."""
    size = len(previous)
    head = WINDOW - 1
    earliest = {card: previous.index(card) + WINDOW - size for card in recent}
    placed: list[str] = []
    waiting = list(rest)
    while waiting:
        position = head + len(placed)
        for i, card in enumerate(waiting):
            if earliest.get(card, 0) <= position:
                placed.append(waiting.pop(i))
                break
        else:  # cannot happen: the head is WINDOW-1 long, so every card is eventually safe
            placed.append(waiting.pop(0))
    return placed
