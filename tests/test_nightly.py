"""Tonight's dream: fresh every night, the same for the same night, whatever is remembered."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import Dream, Dreamer, nightly

START = dt.date(2026, 11, 20)


@pytest.fixture(scope="module")
def month(dreamer: Dreamer) -> list[Dream]:
    return [dreamer.night(START + dt.timedelta(days=d)) for d in range(30)]


@pytest.mark.parametrize("entity", ["artifact", "place"])
def test_thirty_nights_never_repeat_within_seven(month: list[Dream], entity: str) -> None:
    values = [dream.entities[entity] for dream in month]
    for first in range(len(values) - 6):
        week = values[first : first + 7]
        assert len(set(week)) == 7, (first, week)


def test_a_past_night_reproduces_with_a_fresh_dreamer(month: list[Dream], cache_dir: Path) -> None:
    again = Dreamer(cache_dir=cache_dir).night(START + dt.timedelta(days=12))
    assert again == month[12]


def test_another_dreamer_has_other_nights(dreamer: Dreamer) -> None:
    mine = [dreamer.night(START + dt.timedelta(days=d)) for d in range(3)]
    theirs = [dreamer.night(START + dt.timedelta(days=d), "Ruth") for d in range(3)]
    assert all(a.text != b.text for a, b in zip(mine, theirs, strict=True))


@settings(max_examples=30, deadline=None)
@given(
    size=st.integers(min_value=7, max_value=40),
    start=st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2032, 1, 1)),
    name=st.text(max_size=8),
)
def test_decks_never_repeat_within_a_week(size: int, start: dt.date, name: str) -> None:
    values = [f"card{i}" for i in range(size)]
    dealt = [nightly.card(values, start + dt.timedelta(days=d), "deck", name) for d in range(40)]
    for first in range(len(dealt) - 6):
        assert len(set(dealt[first : first + 7])) == 7


def test_every_card_is_dealt_each_cycle() -> None:
    values = [f"card{i}" for i in range(15)]
    dealt = [nightly.card(values, START + dt.timedelta(days=d), "deck") for d in range(150)]
    assert set(dealt) == set(values)


@settings(max_examples=40, deadline=None)
@given(
    nights=st.lists(
        st.dates(min_value=dt.date(2024, 6, 1), max_value=dt.date(2031, 1, 1)),
        min_size=1,
        max_size=6,
    ),
    size=st.integers(min_value=7, max_value=20),
)
def test_remembered_hands_deal_the_same_cards(nights: list[dt.date], size: int) -> None:
    values = [f"card{i}" for i in range(size)]
    dealt: dict[str, tuple[int, list[str]]] = {}
    for night in nights:
        remembered = nightly.card(values, night, "deck", "", dealt)
        assert remembered == nightly.card(values, night, "deck")


def _own_cache(cache_dir: Path, folder: Path) -> Path:
    """A cache folder of its own, with the session's model and grammar (not learned again)."""
    for cached in cache_dir.glob("*.marshal"):
        if not cached.name.startswith("nightly-"):
            shutil.copy(cached, folder / cached.name)
    return folder


def test_the_hands_dealt_are_kept_in_the_cache_folder(
    tmp_path: Path, cache_dir: Path, dreamer: Dreamer
) -> None:
    night = START + dt.timedelta(days=40)
    _own_cache(cache_dir, tmp_path)
    first = Dreamer(cache_dir=tmp_path).night(night)
    assert nightly.load_dealt(tmp_path)
    assert Dreamer(cache_dir=tmp_path).night(night) == first == dreamer.night(night)


def test_damaged_hands_are_dealt_afresh(tmp_path: Path, cache_dir: Path, dreamer: Dreamer) -> None:
    night = START + dt.timedelta(days=41)
    _own_cache(cache_dir, tmp_path)
    Dreamer(cache_dir=tmp_path).night(night)
    (kept,) = tmp_path.glob("nightly-*")
    kept.write_bytes(b"\x00 not marshal")
    assert Dreamer(cache_dir=tmp_path).night(night) == dreamer.night(night)
