"""Over a hundred dreams: clean text, right English, and a story that holds together."""

from __future__ import annotations

import re

import inflect
import pytest

from generator import Dream, Dreamer, learning, paths, texture
from generator.grammar import MOVEMENTS
from generator.movements import ENTITY_SYMBOLS

_ENGINE = inflect.engine()
LEFTOVER_MARKUP = ("#", "((", "))", "[", "]", "{{", "}}", "{", "}")


def test_no_leftover_markup(hundred_dreams: list[Dream]) -> None:
    for dream in hundred_dreams:
        for mark in LEFTOVER_MARKUP:
            assert mark not in dream.text and mark not in dream.title, (dream.seed, mark)


def test_no_none_in_any_dream(hundred_dreams: list[Dream]) -> None:
    for dream in hundred_dreams:
        assert not re.search(r"\bNone\b", dream.text + dream.title), dream.seed


def test_articles_agree_with_the_next_word(hundred_dreams: list[Dream]) -> None:
    for dream in hundred_dreams:
        for article, word in re.findall(r"\b([Aa]n?) ([A-Za-z][\w'-]*)", dream.text):
            expected = _ENGINE.a(word).split(" ", 1)[0]
            assert article.lower() == expected, (dream.seed, f"{article} {word}")


def test_every_sentence_starts_with_a_capital(hundred_dreams: list[Dream]) -> None:
    for dream in hundred_dreams:
        for stage in dream.stages:
            assert stage.text[0].isupper(), (dream.seed, stage.text[:40])
            for start in re.findall(r"[.!?] +(\S)", stage.text):
                assert start.isupper(), (dream.seed, stage.name)


def test_no_doubled_spaces_or_space_before_punctuation(hundred_dreams: list[Dream]) -> None:
    for dream in hundred_dreams:
        for stage in dream.stages:
            assert "  " not in stage.text and not re.search(r" [,.;:!?]", stage.text), dream.seed


def test_no_word_doubled_by_accident(hundred_dreams: list[Dream]) -> None:
    for dream in hundred_dreams:
        doubled = re.search(r"\b(\w+) \1\b", dream.text, flags=re.IGNORECASE)
        assert doubled is None, (dream.seed, doubled and doubled.group(0))


def test_every_dream_has_five_movements_in_order(hundred_dreams: list[Dream]) -> None:
    for dream in hundred_dreams:
        assert tuple(stage.name for stage in dream.stages) == MOVEMENTS


def test_the_artifact_found_is_the_one_released(hundred_dreams: list[Dream]) -> None:
    for dream in hundred_dreams:
        artifact = dream.entities["artifact"]
        assert artifact, dream.seed
        stages = {stage.name: stage.text for stage in dream.stages}
        assert artifact in stages["artifact"], dream.seed
        assert f"the {artifact}" in stages["release"].lower(), dream.seed


def test_the_setting_names_its_place(hundred_dreams: list[Dream]) -> None:
    for dream in hundred_dreams:
        place = dream.entities["place"]
        assert place and place in dream.stages[0].text, dream.seed


def _inventory(dreamer: Dreamer, slot: str) -> set[str]:
    """Every name the grammar or the corpus's tags give an artifact (or place)."""
    symbol = ENTITY_SYMBOLS[slot]
    names = dreamer.grammar.choices(symbol)
    files = texture.corpus_files([paths.builtin("corpus")])
    names |= {p.tags[slot] for p in learning.read_passages(files) if slot in p.tags}
    return names


@pytest.mark.parametrize("slot", ["artifact", "place"])
def test_texture_never_names_an_object_or_place_the_dream_lacks(
    dreamer: Dreamer, two_hundred_dreams: list[Dream], slot: str
) -> None:
    names = _inventory(dreamer, slot)
    assert len(names) > 3
    for dream in two_hundred_dreams:
        others = names - {dream.entities[slot]}
        for stage in dream.stages:
            for sentence in stage.texture:
                lowered = sentence.lower()
                named = {n for n in others if re.search(rf"\b{re.escape(n)}", lowered)}
                assert not named, (dream.seed, sentence)


def test_no_sentence_ends_with_two_marks(hundred_dreams: list[Dream]) -> None:
    for dream in hundred_dreams:
        assert not re.search(r"[!?]\.|\.\.|,\.|\.,", dream.text), dream.seed


def test_the_song_melts_the_old_voice_only_after_a_song_has_begun() -> None:
    import json

    rules = json.loads((paths.builtin("grammars") / "revelation.json").read_text("utf-8"))
    for ordering in rules["revelation"]:
        if "#revMelt#" in ordering:
            assert "#revSong#" in ordering.split("#revMelt#")[0], ordering
        else:
            assert "#revMeltQuiet#" in ordering, ordering
