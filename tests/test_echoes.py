"""Echoes: a word that two parts of the grammar both say in one sentence is drawn again."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

import pytest
import tracery
from helpers import write_grammar
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import english, movements
from generator.grammar import MOVEMENTS, Grammar, load
from generator.movements import expand


def _grammar(tmp_path: Path, **rules: Any) -> Grammar:
    """A whole grammar of its own: every movement says something, unless given."""
    full: dict[str, Any] = {name: [f"The {name} is quiet."] for name in ("title", *MOVEMENTS)}
    full.update(rules)
    return load([write_grammar(tmp_path, "own.json", json.dumps(full))])


def _twice(word: str, text: str) -> bool:
    return any(
        len(re.findall(rf"\b{word}\b", sentence)) > 1 for sentence in re.split(r"[.!?]", text)
    )


@pytest.mark.parametrize(
    ("ground", "air", "first", "second"),
    [
        # One word twice: "the cool mud ... cool against my soles".
        (["the cool mud", "the short grass"], ["cool against my soles", "soft under my feet"],
         "cool mud", "cool against"),
        # One word in two forms: "the cooling sand ... the blue coolness".
        (["the cooling sand", "the short grass"], ["the blue coolness of evening", "the dusk"],
         "cooling", "coolness"),
    ],
)  # fmt: skip
def test_a_movement_that_echoes_is_drawn_again(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    ground: list[str],
    air: list[str],
    first: str,
    second: str,
) -> None:
    grammar = _grammar(tmp_path, setting=["I stand on #ground# in #air#."], ground=ground, air=air)
    monkeypatch.setattr(movements, "ECHO_DRAWS", 40)
    texts = [expand(grammar, random.Random(seed)).texts["setting"] for seed in range(30)]
    assert not any(first in text and second in text for text in texts)
    # Both halves are still said, each with what does not echo it.
    assert any(first in text for text in texts)
    assert any(second in text for text in texts)


def test_a_word_stems_to_meet_its_other_forms() -> None:
    assert {english.stem(w) for w in ("turns", "turning", "turned", "turn")} == {"turn"}
    assert english.stem("coolness") == english.stem("cool") == english.stem("cooling")
    assert english.stem("breathe") == english.stem("breath")
    assert english.stem("sing") == "sing"  # too short to lose an ending


def test_a_pushed_text_that_echoes_is_drawn_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    grammar = _grammar(
        tmp_path,
        premise=["[ground:#groundWhat# #groundFeel#]"],
        groundWhat=["the cool mud", "the short grass"],
        groundFeel=["cool against my soles", "soft under my feet"],
        setting=["I stand on #ground#."],
    )
    monkeypatch.setattr(movements, "ECHO_DRAWS", 40)
    texts = [expand(grammar, random.Random(seed)).texts["setting"] for seed in range(30)]
    assert not any(_twice("cool", text) for text in texts)
    assert any("cool mud" in text for text in texts)


def test_a_word_one_rule_says_twice_is_no_echo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    grammar = _grammar(
        tmp_path,
        setting=["Step by step, I #go# on, and the #thing# #does#."],
        go=["walk", "wander", "climb"],
        thing=["heron", "owl", "wind"],
        does=["watches", "calls", "waits"],
    )
    drawn = [expand(grammar, random.Random(seed)).texts for seed in range(20)]
    # Drawn once: a second draw would take more from the RNG and change what follows.
    monkeypatch.setattr(movements, "ECHO_DRAWS", 1)
    assert drawn == [expand(grammar, random.Random(seed)).texts for seed in range(20)]


def test_the_named_things_of_the_dream_may_come_back(tmp_path: Path) -> None:
    grammar = _grammar(
        tmp_path,
        premise=["[object:#thing#]"],
        thing=["lantern", "compass"],
        setting=["I lift the #object#, and the #object# #does#."],
        does=["glows", "hums", "waits"],
    )
    drawn = [expand(grammar, random.Random(seed)).texts for seed in range(20)]
    assert all(
        text.count("compass") == 2 or text.count("lantern") == 2
        for text in (texts["setting"] for texts in drawn)
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(movements, "ECHO_DRAWS", 1)
        assert drawn == [expand(grammar, random.Random(seed)).texts for seed in range(20)]


def test_when_every_draw_echoes_the_fewest_stands_with_its_own_pushes(tmp_path: Path) -> None:
    grammar = _grammar(
        tmp_path,
        setting=["[hue:#colour#]The #hue# sky is #hue# and still."],
        colour=["amber", "violet", "silver", "golden"],
        artifact=["The light in my hands is #hue#."],
    )
    for seed in range(20):
        texts = expand(grammar, random.Random(seed)).texts
        hue = texts["setting"].split()[1]
        assert texts["artifact"] == f"The light in my hands is {hue}."


def test_an_echo_is_counted_once_per_word_that_comes_back(tmp_path: Path) -> None:
    state = movements._DreamGrammar(_grammar(tmp_path), random.Random(0), None)
    assert state.echoes("The dark comes, and the dark thins. The dark is kind.") == 1
    assert state.echoes("My breath, my breath, my breath.") == 2
    # Short words, function words and words in separate sentences are no echoes.
    assert state.echoes("I am in the sea and the sea is in me. Still, still.") == 0
    assert state.echoes("The reeds lean. The reeds sleep.") == 0


# Symbols s0..s4 in order: each rule names only later symbols, so nothing recurs.
_SYMBOLS = [f"s{i}" for i in range(5)]


@st.composite
def _rules(draw: st.DrawFn) -> dict[str, list[str]]:
    rules: dict[str, list[str]] = {}
    for index in range(len(_SYMBOLS) - 1, -1, -1):
        later = _SYMBOLS[index + 1 :]
        plain = st.text(alphabet="ab ,.", max_size=6)
        # A comma in what is pushed makes two rules, one drawn at random: none here.
        pushed = st.text(alphabet="ab .", max_size=6)
        parts: list[st.SearchStrategy[str]] = [plain]
        if later:
            name = st.sampled_from(later)
            modifier = st.sampled_from(["", ".a", ".s", ".capitalize", ".replace(a,b)", ".zz"])
            parts += [
                st.builds(lambda s, m: f"#{s}{m}#", name, modifier),
                st.builds(lambda s, t: f"[v:{s and '#' + s + '#'}{t}]#v#", name, pushed),
                st.builds(lambda s: f"[v:#{s}#,#{s}#][v:POP]", name),
            ]
        rule = draw(st.lists(st.one_of(*parts), max_size=4))
        rules[_SYMBOLS[index]] = ["".join(rule)]
    return rules


@settings(max_examples=150, deadline=None)
@given(_rules())
def test_expansion_gives_what_tracery_gives(rules: dict[str, list[str]]) -> None:
    # One rule per symbol, so no choice is drawn: both must give the same text.
    ours = movements._DreamGrammar(
        Grammar(rules, modifiers=english.MODIFIERS), random.Random(0), english.English()
    )
    theirs = tracery.Grammar(rules)
    theirs.add_modifiers(english.MODIFIERS)
    assert ours.flatten("#s0#") == theirs.flatten("#s0#")


def test_a_word_an_earlier_movement_said_twice_may_still_echo_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    grammar = _grammar(
        tmp_path,
        setting=["Round and round the swifts go."],
        artifact=["I hold #stone# that #does#."],
        stone=["a round stone", "a flat stone"],
        does=["turns round", "lies still"],
    )
    monkeypatch.setattr(movements, "ECHO_DRAWS", 40)
    texts = [expand(grammar, random.Random(seed)).texts["artifact"] for seed in range(30)]
    assert not any("round stone" in text and "turns round" in text for text in texts)
    assert any("turns round" in text for text in texts)


def test_undoing_a_draw_forgets_what_its_pushed_texts_say_twice(tmp_path: Path) -> None:
    grammar = _grammar(tmp_path, premise=["[walk:#walking#]"], walking=["step by step"])
    state = movements._DreamGrammar(grammar, random.Random(0), None)
    mark = len(state.journal)
    state.flatten("#premise#")
    assert "step" in state.pushed_twice
    state.undo(mark)
    assert "step" not in state.pushed_twice
