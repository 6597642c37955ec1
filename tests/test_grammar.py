"""Grammar files: overlays, and problems reported with file, line and symbol."""

from __future__ import annotations

import json
import os
import random
import re
from pathlib import Path

import pytest
import tracery
from helpers import write_grammar
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import Dreamer, DreamError, files, movements, paths
from generator import grammar as grammar_module
from generator.grammar import MOVEMENTS, load
from generator.movements import expand

BUILTIN = grammar_module.builtin_paths()


def _problems(*sources: Path) -> list[str]:
    with pytest.raises(DreamError) as caught:
        load([*BUILTIN, *sources])
    return [str(problem) for problem in caught.value.problems]


def test_builtin_grammar_loads_without_problems() -> None:
    assert grammar_module.check(load(BUILTIN)) == []


def test_builtin_grammar_ships_with_the_package() -> None:
    folder = paths.builtin("grammars")
    assert {p.stem for p in folder.glob("*.json")} >= {"title", *MOVEMENTS}


def test_overlay_replaces_only_the_symbols_it_defines(tmp_path: Path) -> None:
    overlay = write_grammar(tmp_path, "mine.json", json.dumps({"title": ["My Own Title"]}))
    merged = load([*BUILTIN, overlay])
    assert merged.rules["title"] == ["My Own Title"]
    assert merged.rules["setting"] == load(BUILTIN).rules["setting"]


def test_later_overlays_win(tmp_path: Path) -> None:
    first = write_grammar(tmp_path, "a.json", json.dumps({"title": ["First"]}))
    second = write_grammar(tmp_path, "b.json", json.dumps({"title": ["Second"]}))
    assert load([*BUILTIN, first, second]).rules["title"] == ["Second"]


def test_folder_overlay_reads_every_json_file(tmp_path: Path) -> None:
    write_grammar(tmp_path / "g", "t.json", json.dumps({"title": ["Folder Title"]}))
    assert load([*BUILTIN, tmp_path / "g"]).rules["title"] == ["Folder Title"]


def test_overlay_title_appears_in_dreams(tmp_path: Path, cache_dir: Path) -> None:
    overlay = write_grammar(tmp_path, "t.json", json.dumps({"title": "Night of the #object#"}))
    dream = Dreamer([overlay], cache_dir=cache_dir).dream(3)
    assert dream.title == f"Night of the {dream.entities['artifact']}"


def test_a_standalone_grammar_with_all_movements_works(tmp_path: Path) -> None:
    rules = {name: [f"The {name} of #who#."] for name in ("title", *MOVEMENTS)}
    rules["who"] = ["a lighthouse keeper", "an owl"]
    own = write_grammar(tmp_path, "own.json", json.dumps(rules))
    result = expand(load([own]), random.Random(1))
    assert result.texts["journey"] in (
        "The journey of a lighthouse keeper.",
        "The journey of an owl.",
    )


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        ({"setting": ["#nowhere#"]}, ":2: setting: undefined symbol #nowhere#"),
        ({"setting": []}, ":2: setting: empty rule list"),
        ({"setting": [3]}, ":2: setting: rules must be a string or a list of strings"),
        ({"setting": ["#place.sparkle#"]}, ":2: setting: unknown modifier .sparkle"),
        ({"setting": ["#place"]}, ":2: setting: unclosed tag"),
        ({"setting": ["[x:y"]}, ":2: setting: too many ["),
    ],
)
def test_bad_rules_are_named_with_file_line_and_symbol(
    tmp_path: Path, rules: dict[str, object], expected: str
) -> None:
    bad = write_grammar(tmp_path, "bad.json", json.dumps(rules, indent=2))
    problems = _problems(bad)
    assert len(problems) == 1
    assert problems[0].startswith(str(bad)) and expected in problems[0]


def test_missing_movement_is_reported(tmp_path: Path) -> None:
    own = write_grammar(tmp_path, "own.json", json.dumps({"title": ["t"]}))
    with pytest.raises(DreamError) as caught:
        load([own])
    missing = {p.symbol for p in caught.value.problems}
    assert missing == set(MOVEMENTS)


def test_invalid_json_reports_its_line(tmp_path: Path) -> None:
    bad = write_grammar(tmp_path, "bad.json", '{\n  "title": ["a"]\n  "setting": ["b"]\n}')
    assert _problems(bad) == [f"{bad}:3: invalid JSON: Expecting ',' delimiter"]


def test_a_grammar_that_is_not_an_object_is_refused(tmp_path: Path) -> None:
    bad = write_grammar(tmp_path, "list.json", '["a", "b"]')
    assert "must be an object" in _problems(bad)[0]


def test_self_reference_is_caught_before_any_dream(tmp_path: Path) -> None:
    loop = write_grammar(tmp_path, "loop.json", json.dumps({"title": ["#title# again"]}))
    with pytest.raises(DreamError) as caught:
        load([*BUILTIN, loop])
    assert caught.value.problems[0].symbol == "title"
    assert "never finish" in caught.value.problems[0].message


_symbol = st.sampled_from(["title", *MOVEMENTS, "a", "b"])
_rule = st.one_of(
    st.text(max_size=12),
    st.builds(lambda s: f"#{s}#", _symbol),
    st.builds(lambda s, m: f"#{s}.{m}#", _symbol, st.sampled_from(["a", "s", "ed", "zz"])),
    st.builds(lambda s, v: f"[{s}:{v}]", _symbol, st.text(max_size=5)),
    st.integers(),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.dictionaries(_symbol, st.one_of(st.lists(_rule, max_size=3), _rule), max_size=8))
def test_any_grammar_gives_a_dream_or_clean_problems(tmp_path: Path, rules: dict) -> None:  # type: ignore[type-arg]
    path = write_grammar(tmp_path, "fuzz.json", json.dumps(rules))
    try:
        grammar = load([*BUILTIN, path])
        result = expand(grammar, random.Random(0))
    except DreamError as error:
        assert error.problems and all(str(p).startswith(str(path)) for p in error.problems)
    else:
        assert all(isinstance(text, str) for text in result.texts.values())


def test_a_checked_grammar_is_remembered_and_not_checked_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_grammar(tmp_path, "over.json", json.dumps({"titleText": ["a cached title"]}))
    first = load([*grammar_module.builtin_paths(), path], cache_dir=tmp_path / "cache")

    def no_check(*args: object) -> None:
        raise AssertionError("checked again although nothing changed")

    monkeypatch.setattr(grammar_module, "inspect", no_check)
    again = load([*grammar_module.builtin_paths(), path], cache_dir=tmp_path / "cache")
    assert again.rules == first.rules and again.weights == first.weights
    assert again.choices("theme") == first.choices("theme")


def test_a_changed_grammar_file_is_checked_again(tmp_path: Path) -> None:
    path = write_grammar(tmp_path, "over.json", json.dumps({"titleText": ["fine"]}))
    load([*grammar_module.builtin_paths(), path], cache_dir=tmp_path / "cache")
    path.write_text(json.dumps({"titleText": ["#nowhere#"]}), encoding="utf-8")
    with pytest.raises(DreamError, match="undefined symbol #nowhere#"):
        load([*grammar_module.builtin_paths(), path], cache_dir=tmp_path / "cache")


def test_a_corrupt_grammar_cache_is_checked_afresh(tmp_path: Path) -> None:
    first = load(grammar_module.builtin_paths(), cache_dir=tmp_path)
    (cached,) = tmp_path.glob("grammar-*")
    cached.write_bytes(b"\x00 not marshal")
    assert load(grammar_module.builtin_paths(), cache_dir=tmp_path).rules == first.rules


@given(st.text(alphabet="ab #[]:.,\\", max_size=30))
def test_rules_are_parsed_into_the_sections_tracery_would_make(rule: str) -> None:
    assert movements.parse(rule) == tracery.parse(rule)


def test_a_cached_grammar_has_the_same_rules_and_origins(tmp_path: Path) -> None:
    checked = load(BUILTIN, cache_dir=tmp_path)
    cached = load(BUILTIN, cache_dir=tmp_path)
    assert isinstance(cached.rules, grammar_module.PackedRules)
    assert dict(cached.rules) == checked.rules
    assert all(cached.where(symbol) == checked.where(symbol) for symbol in checked.rules)


def test_choosing_a_place_keeps_only_rules_that_push_it(tmp_path: Path) -> None:
    full = load(BUILTIN, cache_dir=tmp_path)
    chosen = full.choosing("place", "shore")
    assert chosen.choices("place") == {"shore"}
    assert chosen.rules.keys() == full.rules.keys()
    assert any(chosen.rules[s] != full.rules[s] for s in full.rules)


def test_a_shipped_file_is_keyed_by_its_time_and_a_users_by_its_contents(tmp_path: Path) -> None:
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    mine, theirs = shipped / "a.json", tmp_path / "b.json"
    for file in (mine, theirs):
        file.write_text("{}", encoding="utf-8")
    assert files.stamp(theirs, shipped) == b"{}"
    before = files.stamp(mine, shipped)
    os.utime(mine, ns=(1, 1))
    assert files.stamp(mine, shipped) != before


def test_a_themes_person_keeps_the_pronouns_its_scene_sets() -> None:
    grammar = load(BUILTIN)
    # A theme whose later lines speak of the scene's person sets their pronouns in every
    # scene, before any of those lines is drawn (chooseTheme draws the scene first).
    themes = {
        name.removesuffix("SceneWhat")
        for name, rules in grammar.rules.items()
        if name.endswith("SceneWhat") and any(rule.startswith("[they:") for rule in rules)
    }
    assert {"grief", "friendship", "forgiveness"} <= themes
    for theme in themes:
        for rule in grammar.rules[f"{theme}SceneWhat"]:
            assert rule.startswith("[they:") and "[their:" in rule and "[them:" in rule, rule
    choose = grammar.rules["chooseTheme"]
    assert all(rule.index("[themeScene:") < rule.index("[themeHarsh:") for rule in choose)


def test_a_pronoun_of_the_themes_person_takes_a_verb_that_fits_he_she_and_they() -> None:
    present = re.compile(r"#they(\.capitalize)?# (is|are|was|were|has|have|does|do|\w+[^s]s)\b")
    for name, rules in load(BUILTIN).rules.items():
        for rule in rules:
            assert not present.search(rule), f"{name}: {rule}"
