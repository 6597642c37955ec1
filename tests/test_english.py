"""Tracery's English modifiers, done by inflect rather than rules of thumb."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator import Dreamer, english


@pytest.mark.parametrize(
    ("word", "expected"),
    [("hour", "an hour"), ("useful", "a useful"), ("European", "a European"),
     ("X-ray", "an X-ray"), ("orb", "an orb"), ("lantern", "a lantern"),
     ("hourglass", "an hourglass"), ("unicorn", "a unicorn")],
)  # fmt: skip
def test_a_chooses_by_sound(word: str, expected: str) -> None:
    assert english.a(word) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [("leaf", "leaves"), ("child", "children"), ("box", "boxes"), ("music box", "music boxes"),
     ("butterfly", "butterflies"), ("moth", "moths"), ("firefly", "fireflies"),
     ("grouse", "grouse"), ("golden plover", "golden plovers"), ("snipe", "snipe")],
)  # fmt: skip
def test_s_makes_real_plurals(word: str, expected: str) -> None:
    assert english.s(word) == expected


@pytest.mark.parametrize(
    ("verb", "expected"),
    [("play", "played"), ("stop", "stopped"), ("glow", "glowed"), ("open", "opened"),
     ("carry", "carried"), ("hope", "hoped"), ("go", "went"), ("hold", "held")],
)  # fmt: skip
def test_ed_makes_the_past_tense(verb: str, expected: str) -> None:
    assert english.ed(verb) == expected


def test_capitalize_all_leaves_apostrophes_alone() -> None:
    assert english.capitalize_all("the dreamer's lantern") == "The Dreamer's Lantern"


def test_title_keeps_small_words_small() -> None:
    assert english.title("the orb under the stars") == "The Orb under the Stars"


def test_fix_articles_corrects_text_it_did_not_make() -> None:
    assert (
        english.fix_articles("A orb and an lantern, a hour.") == "An orb and a lantern, an hour."
    )


@given(st.text(max_size=20))
def test_modifiers_never_fail_on_any_text(text: str) -> None:
    for modifier in english.MODIFIERS.values():
        assert isinstance(modifier(text), str)


def test_the_word_memo_is_saved_and_answers_as_inflect_does(tmp_path: Path) -> None:
    memo = english.English()
    assert memo.article("hour") == "an" and memo.plural("child") == "children"
    memo.save(tmp_path)
    again = english.English()
    again.load(tmp_path)
    assert again.words == {"a": {"hour": "an"}, "s": {"child": "children"}}
    assert not again.new


def test_a_corrupt_word_memo_is_ignored(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    english.English().save(folder)  # nothing learned: nothing written
    assert not folder.exists()
    memo = english.English()
    memo.article("owl")
    memo.save(folder)
    (saved,) = folder.iterdir()
    saved.write_bytes(b"garbage")
    fresh = english.English()
    fresh.load(folder)
    assert fresh.article("owl") == "an"


def test_each_run_asks_through_its_own_memo(cache_dir: Path) -> None:
    first, second = Dreamer(cache_dir=cache_dir), Dreamer(cache_dir=cache_dir)
    assert first.english is not second.english
    before = {kind: dict(known) for kind, known in second.english.words.items()}
    first.english.words = {"a": {}, "s": {}}  # forgotten: this run must ask inflect again
    first.dream(7)
    assert first.english.words["a"]
    assert second.english.words == before
