"""What users write grammars with: YAML, weights, overlays, plugins, limits, and checks."""

from __future__ import annotations

import gc
import json
import random
import sys
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import write_grammar

from generator import Dreamer, DreamError, english
from generator import grammar as grammar_module
from generator.cli import cli
from generator.grammar import load, sources
from generator.movements import expand, preview

BUILTIN = grammar_module.builtin_paths()

TRACERY_STYLE = {
    "origin": ["#[hero:#name#][heroPet:#animal#]story#"],
    "story": ["#hero# traveled with her pet #heroPet#. #hero# was never #mood#, "
              "for the #heroPet# was always too #mood#."],
    "name": ["Arjun", "Yuuma", "Darcy", "Mia"],
    "animal": ["unicorn", "raven", "sparrow", "owl"],
    "mood": ["vexed", "indignant", "impassioned", "wistful"],
}  # fmt: skip


def test_a_tracery_grammar_from_the_docs_expands_with_its_actions(tmp_path: Path) -> None:
    path = write_grammar(tmp_path, "tracery.json", json.dumps(TRACERY_STYLE))
    grammar = load([*BUILTIN, path])
    for seed in range(20):
        text = preview(grammar, "origin", random.Random(seed))
        hero = text.split(" ", 1)[0]
        assert hero in TRACERY_STYLE["name"]
        assert text.count(hero) == 2 and "#" not in text


def test_a_tracery_grammar_overlay_still_dreams(tmp_path: Path, cache_dir: Path) -> None:
    path = write_grammar(tmp_path, "tracery.json", json.dumps(TRACERY_STYLE))
    assert len(Dreamer([path], cache_dir=cache_dir).dream(1).stages) == 5


def test_a_grammar_may_write_its_own_texture(tmp_path: Path, cache_dir: Path) -> None:
    moth = "A moth lands on my sleeve."
    path = write_grammar(tmp_path, "moth.json", json.dumps({"texture": [moth]}))
    assert moth in Dreamer([path], cache_dir=cache_dir).dream(3).text


def test_yaml_grammar_with_comments_and_folded_rules(tmp_path: Path) -> None:
    path = write_grammar(
        tmp_path,
        "mine.yaml",
        "# my title\ntitle:\n  - >-\n    A Long Title\n    Over Two Lines\n",
    )
    assert load([*BUILTIN, path]).rules["title"] == ["A Long Title Over Two Lines"]


def test_yaml_errors_name_their_line(tmp_path: Path) -> None:
    path = write_grammar(tmp_path, "bad.yml", "title:\n  - one\n  two: [\n")
    with pytest.raises(DreamError) as caught:
        load([*BUILTIN, path])
    problem = caught.value.problems[0]
    assert problem.file == str(path) and problem.line is not None
    assert "invalid YAML" in problem.message


def test_yaml_problems_name_the_symbol_line(tmp_path: Path) -> None:
    path = write_grammar(tmp_path, "bad.yaml", "title: [A]\n\nsetting:\n  - '#nowhere#'\n")
    with pytest.raises(DreamError) as caught:
        load([*BUILTIN, path])
    assert str(caught.value.problems[0]) == f"{path}:3: setting: undefined symbol #nowhere#"


def test_weights_hold_statistically(tmp_path: Path) -> None:
    path = write_grammar(tmp_path, "w.json", json.dumps({"coin": {"heads": 9, "tails": 1}}))
    grammar = load([*BUILTIN, path])
    draws = [preview(grammar, "coin", random.Random(i)) for i in range(2000)]
    share = draws.count("heads") / len(draws)
    # 2000 draws at p = 0.9: the standard deviation is under 0.007.
    assert 0.87 < share < 0.93


def test_a_zero_weight_is_never_chosen(tmp_path: Path) -> None:
    path = write_grammar(tmp_path, "w.json", json.dumps({"coin": {"heads": 1, "edge": 0}}))
    grammar = load([*BUILTIN, path])
    assert {preview(grammar, "coin", random.Random(i)) for i in range(300)} == {"heads"}


def test_without_weights_choices_are_equally_likely(tmp_path: Path) -> None:
    path = write_grammar(tmp_path, "u.json", json.dumps({"coin": ["heads", "tails"]}))
    grammar = load([*BUILTIN, path])
    draws = [preview(grammar, "coin", random.Random(i)) for i in range(2000)]
    assert 0.45 < draws.count("heads") / len(draws) < 0.55


@pytest.mark.parametrize(
    ("weights", "message"),
    [({"a": "x"}, "must be a number"), ({"a": -1}, "zero or more"),
     ({"a": 0}, "add up to zero"), ({"a": True}, "must be a number")],
)  # fmt: skip
def test_bad_weights_are_named(tmp_path: Path, weights: dict[str, object], message: str) -> None:
    path = write_grammar(tmp_path, "w.json", json.dumps({"coin": weights}, indent=2))
    with pytest.raises(DreamError) as caught:
        load([*BUILTIN, path])
    assert f"{path}:2: coin: " in str(caught.value) and message in str(caught.value)


def test_user_grammar_folder_lies_between_builtin_and_options(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = tmp_path / "user"
    write_grammar(user, "mine.json", json.dumps({"title": ["User"], "hour": ["user dusk"]}))
    monkeypatch.setenv("DREAM_GRAMMAR_DIR", str(user))
    option = write_grammar(tmp_path, "option.json", json.dumps({"title": ["Option"]}))
    grammar = load(sources([option]))
    assert grammar.rules["title"] == ["Option"]
    assert grammar.rules["hour"] == ["user dusk"]
    assert grammar.rules["setting"] == load(BUILTIN).rules["setting"]


def test_without_a_user_folder_only_builtin_and_options_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DREAM_GRAMMAR_DIR", str(tmp_path / "missing"))
    assert sources() == BUILTIN


def test_memory_persists_across_movements_but_not_across_dreams(tmp_path: Path) -> None:
    rules = {
        "premise": ["[who:#name#]"],
        "name": ["Ada", "Bo", "Cy", "Di"],
        "title": ["#who#"],
        **{m: [f"{m}:#who#"] for m in grammar_module.MOVEMENTS},
    }
    grammar = load([write_grammar(tmp_path, "m.json", json.dumps(rules))])
    whos = set()
    for seed in range(30):
        result = expand(grammar, random.Random(seed))
        names = {text.split(":")[1] for text in result.texts.values()}
        assert names == {result.title}
        whos.add(result.title)
    assert len(whos) == 4


def test_unused_symbols_are_warnings(tmp_path: Path) -> None:
    path = write_grammar(tmp_path, "u.json", json.dumps({"lonely": ["nobody calls me"]}))
    _, problems = grammar_module.inspect([*BUILTIN, path])
    assert [(p.severity, p.symbol) for p in problems] == [("warning", "lonely")]
    assert load([*BUILTIN, path]).rules["lonely"] == ["nobody calls me"]


def test_a_cycle_with_no_way_out_is_an_error(tmp_path: Path) -> None:
    rules = {"setting": ["#a#"], "a": ["x #b#"], "b": ["#a# y", "#b#"]}
    path = write_grammar(tmp_path, "c.json", json.dumps(rules, indent=2))
    with pytest.raises(DreamError) as caught:
        load([*BUILTIN, path])
    found = {(p.symbol, p.line) for p in caught.value.problems if "never finish" in p.message}
    # json.dumps(indent=2) puts the keys on lines 2, 5 and 8.
    assert found == {("setting", 2), ("a", 5), ("b", 8)}


def test_a_cycle_with_a_way_out_is_fine(tmp_path: Path) -> None:
    path = write_grammar(tmp_path, "c.json", json.dumps({"more": ["#more# and more", "end"]}))
    grammar_module.load([*BUILTIN, path])


def test_runaway_depth_is_a_clean_error_not_recursion(tmp_path: Path) -> None:
    # "end" is a way out, so the grammar passes its check, but its weight 0 is never drawn.
    rules = {"title": {"a #title#": 1, "end": 0}}
    grammar = load([*BUILTIN, write_grammar(tmp_path, "d.json", json.dumps(rules))])
    with pytest.raises(DreamError) as caught:
        expand(grammar, random.Random(0))
    assert caught.value.problems[0].symbol == "title"
    assert "deeper than" in caught.value.problems[0].message


def test_no_memory_growth_over_thousands_of_dreams() -> None:
    grammar = load(BUILTIN)
    for seed in range(200):
        expand(grammar, random.Random(seed))
    gc.collect()
    before = sys.getallocatedblocks()
    for seed in range(1000):
        expand(grammar, random.Random(seed))
    gc.collect()  # each dream's grammar is a web of cycles, freed by the collector
    # tracery's own record of every expansion would add thousands of blocks a dream.
    assert sys.getallocatedblocks() - before < 5_000


@pytest.fixture
def shout_plugin(monkeypatch: pytest.MonkeyPatch) -> None:
    entries = [
        EntryPoint("shout", "helpers:shout", english.ENTRY_POINT_GROUP),
        EntryPoint("broken", "helpers:no_such_thing", english.ENTRY_POINT_GROUP),
    ]
    monkeypatch.setattr(english, "entry_points", lambda group: entries)


def test_installed_modifiers_work_in_rules(shout_plugin: None, tmp_path: Path) -> None:
    path = write_grammar(tmp_path, "p.json", json.dumps({"cry": ["#word.shout#"], "word": "hi"}))
    assert preview(load([*BUILTIN, path]), "cry", random.Random(0)) == "HI!"


def test_a_plugin_that_fails_to_load_is_a_warning(shout_plugin: None) -> None:
    _, problems = grammar_module.inspect(BUILTIN)
    (problem,) = problems
    assert problem.severity == "warning"
    assert problem.file == "entry point broken = helpers:no_such_thing"


def test_a_plugin_cannot_replace_a_builtin_modifier(monkeypatch: pytest.MonkeyPatch) -> None:
    entries = [EntryPoint("a", "helpers:shout", english.ENTRY_POINT_GROUP)]
    monkeypatch.setattr(english, "entry_points", lambda group: entries)
    found, problems = english.modifiers()
    assert found["a"] is english.a and "replaces the built-in" in problems[0].message


def test_theme_can_be_chosen(cache_dir: Path) -> None:
    dreamer = Dreamer(choose={"theme": "grief", "place": "shore"}, cache_dir=cache_dir)
    for dream in dreamer.dreams(0, 10):
        assert (dream.entities["theme"], dream.entities["place"]) == ("grief", "shore")


def test_an_unknown_theme_names_the_known_ones(cache_dir: Path) -> None:
    with pytest.raises(DreamError, match=r"no theme 'nonsense'.*grief"):
        Dreamer(choose={"theme": "nonsense"}, cache_dir=cache_dir)


def test_builtin_grammar_has_its_promised_range() -> None:
    grammar = load(BUILTIN)
    assert len(grammar.choices("theme")) >= 8
    assert len(grammar.choices("place")) >= 15
    assert len(grammar.choices("object")) >= 15


def test_every_look_names_its_artifact_and_every_where_its_place() -> None:
    grammar = load(BUILTIN)
    for kind, symbol, field in (("object", "chooseObject", "objectLook"),
                                ("place", "choosePlace", "placeWhere")):  # fmt: skip
        for rule in grammar.rules[symbol]:
            noun = rule.split(f"[{kind}:", 1)[1].split("]", 1)[0]
            source = rule.split(f"[{field}:#", 1)[1].split("#", 1)[0]
            for seed in range(30):
                value = preview(grammar, source, random.Random(seed))
                assert noun in value, (source, value)


runner = CliRunner()


def test_check_passes_on_the_builtin_grammar() -> None:
    result = runner.invoke(cli, ["grammar", "check"])
    assert result.exit_code == 0 and result.stdout.startswith("ok: ")


def test_check_lists_every_problem_and_exits_1(tmp_path: Path) -> None:
    rules = {"setting": ["#nowhere#", "#place.sparkle#"], "title": []}
    path = write_grammar(tmp_path, "bad.json", json.dumps(rules, indent=2))
    result = runner.invoke(cli, ["grammar", "check", str(path)])
    assert result.exit_code == 1
    errors = [line for line in result.stdout.splitlines() if not line.startswith("warning: ")]
    assert errors == [
        f"{path}:2: setting: undefined symbol #nowhere#",
        f"{path}:2: setting: unknown modifier .sparkle",
        f"{path}:6: title: empty rule list",
    ]


def test_generate_fails_with_the_same_messages_as_check(tmp_path: Path) -> None:
    path = write_grammar(tmp_path, "bad.json", json.dumps({"journey": ["#pathh#"]}, indent=2))
    checked = [
        line
        for line in runner.invoke(cli, ["grammar", "check", str(path)]).stdout.splitlines()
        if not line.startswith("warning: ")
    ]
    generated = runner.invoke(cli, ["generate", "--seed", "1", "--grammar", str(path)])
    assert generated.exit_code == 1 and generated.stdout == ""
    assert generated.stderr.splitlines() == [f"error: {line}" for line in checked]


def test_check_warnings_keep_exit_0(tmp_path: Path) -> None:
    path = write_grammar(tmp_path, "u.json", json.dumps({"lonely": ["x"]}))
    result = runner.invoke(cli, ["grammar", "check", str(path)])
    assert result.exit_code == 0
    assert result.stdout.startswith(f"warning: {path}:1: lonely: never used")


def test_init_copy_gives_the_same_dreams(tmp_path: Path) -> None:
    copy = tmp_path / "mine"
    assert runner.invoke(cli, ["grammar", "init", str(copy)]).exit_code == 0
    plain = runner.invoke(cli, ["generate", "--seed", "4", "--count", "2"])
    copied = runner.invoke(
        cli, ["generate", "--seed", "4", "--count", "2", "--grammar", str(copy)]
    )
    assert copied.exit_code == 0 and copied.stdout == plain.stdout


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    write_grammar(folder, "title.json", "mine")
    result = runner.invoke(cli, ["grammar", "init", str(folder)])
    assert result.exit_code == 1
    assert (folder / "title.json").read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in folder.iterdir()) == ["title.json"]


def test_expand_prints_n_previews() -> None:
    result = runner.invoke(cli, ["grammar", "expand", "theme", "-n", "7", "--seed", "3"])
    lines = result.stdout.splitlines()
    assert result.exit_code == 0 and len(lines) == 7
    assert set(lines) <= load(BUILTIN).choices("theme")


def test_expand_unknown_symbol_exits_1() -> None:
    result = runner.invoke(cli, ["grammar", "expand", "nothing_here"])
    assert result.exit_code == 1 and "no such symbol" in result.stderr


def test_list_shows_where_each_symbol_is_defined() -> None:
    result = runner.invoke(cli, ["grammar", "list"])
    line = next(line for line in result.stdout.splitlines() if line.startswith("setting "))
    assert "setting.json:2" in line


def test_generate_theme_option(tmp_path: Path) -> None:
    result = runner.invoke(cli, ["generate", "--seed", "2", "--theme", "rest", "--format", "json"])
    assert json.loads(result.stdout)["entities"]["theme"] == "rest"
