"""`dream eval`: each metric on tiny hand-made examples, then the command itself."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import write_grammar

from generator import Dreamer, evaluate
from generator.cli import cli
from generator.dreamer import Dream, Stage

ARTIFACTS = {"key", "lantern", "shell", "music box"}


def tokens(text: str) -> list[str]:
    return text.split()


def dream(
    texts: dict[str, str] | None = None,
    artifact: str | None = "key",
    place: str | None = "shore",
    title: str = "The Key",
    seed: int = 1,
) -> Dream:
    """A coherent five-movement dream of a key on a shore, with any movement replaced."""
    stages = {
        "setting": "I stand on the shore at dusk.",
        "artifact": "A small key lies in my hands.",
        "revelation": "I remember the house.",
        "journey": "I walk along the water.",
        "release": "I let the key sink into the pond.",
        **(texts or {}),
    }
    return Dream(
        seed=seed,
        title=title,
        stages=tuple(Stage(name, text) for name, text in stages.items()),
        entities={"artifact": artifact, "place": place},
    )


# Words and sentences.


def test_words_are_lower_cased_without_punctuation() -> None:
    found = evaluate.words("The cat's  HAT, egg-shaped!")
    assert found == ["the", "cat's", "hat", "egg", "shaped"]


def test_sentences_are_split_at_end_marks_and_paragraphs() -> None:
    text = "One  two. Three?\nFour!\n\nFive"
    assert evaluate.sentences(text) == ("One two.", "Three?", "Four!", "Five")


# Variety.


def test_distinct_2_is_unique_bigrams_over_all_bigrams() -> None:
    docs = [tokens("the cat the cat"), tokens("the cat sat")]
    # the-cat, cat-the, the-cat | the-cat, cat-sat: 3 unique of 5
    assert evaluate.distinct(docs, 2) == pytest.approx(3 / 5)


def test_distinct_1_counts_words_across_the_batch() -> None:
    docs = [tokens("the cat the cat"), tokens("the cat sat")]
    assert evaluate.distinct(docs, 1) == pytest.approx(3 / 7)


def test_ngrams_never_cross_documents() -> None:
    assert evaluate.distinct([["a"], ["b"]], 2) == 0.0


# BLEU.


def test_bleu_of_a_hypothesis_identical_to_a_reference_is_1() -> None:
    sentence = tokens("the cat sat on the mat")
    assert evaluate.bleu(sentence, [sentence, tokens("a dog ran")]) == pytest.approx(1.0)


def test_bleu_against_two_references_by_hand() -> None:
    hypothesis = tokens("the cat sat on the mat")
    references = [tokens("the cat is on the mat"), tokens("there is a cat on the mat")]
    # unigrams 5/6, bigrams 3/5, trigrams 1/4; equal lengths, no penalty: (1/8) ** (1/3)
    assert evaluate.bleu(hypothesis, references) == pytest.approx(0.5)


def test_bleu_clips_by_the_most_in_any_single_reference() -> None:
    score = evaluate.bleu(tokens("the the"), [tokens("the cat"), tokens("the dog")])
    # "the" is once in each reference: 1/2, not 2/2; no bigram or trigram matches
    assert score == pytest.approx((0.5 * evaluate.EPSILON**2) ** (1 / 3))


def test_bleu_brevity_penalty_for_a_short_hypothesis() -> None:
    score = evaluate.bleu(tokens("the cat sat"), [tokens("the cat sat on the mat")])
    assert score == pytest.approx(math.exp(1 - 6 / 3))


def test_bleu_brevity_penalty_uses_the_closest_reference_length() -> None:
    score = evaluate.bleu(tokens("a b c"), [tokens("a b c d"), tokens("a b c d e f g h i j")])
    assert score == pytest.approx(math.exp(1 - 4 / 3))


def test_bleu_with_no_matches_is_the_small_constant() -> None:
    assert evaluate.bleu(tokens("x y z"), [tokens("a b c")]) == pytest.approx(evaluate.EPSILON)


def test_most_elsewhere_is_the_largest_count_in_any_other_document() -> None:
    docs = [tokens("a a b"), tokens("a b"), tokens("a a a"), tokens("c")]
    table = evaluate.NgramTable(docs)
    for index in range(len(docs)):
        for gram in table.holders:
            elsewhere = [c[gram] for i, c in enumerate(table.counters) if i != index]
            assert table.most_elsewhere(gram, index) == max(elsewhere), (gram, index)


def test_self_bleu_is_the_mean_bleu_of_each_against_the_others() -> None:
    docs = [tokens("the cat sat on the mat"), tokens("the cat ran"), tokens("a dog sat on a mat")]
    expected = [evaluate.bleu(doc, docs[:i] + docs[i + 1 :]) for i, doc in enumerate(docs)]
    assert evaluate.self_bleu(docs, sample=10) == pytest.approx(sum(expected) / 3)


def test_self_bleu_sample_is_seeded_and_leaves_the_global_random_alone() -> None:
    docs = [tokens(f"w{i} the cat sat {i}") for i in range(20)]
    random.seed(5)
    state = random.getstate()
    first = evaluate.self_bleu(docs, sample=4, seed=3)
    assert random.getstate() == state
    assert evaluate.self_bleu(docs, sample=4, seed=3) == first


# Repetition.


def test_recurring_share_counts_sentences_found_in_another_dream() -> None:
    assert evaluate.recurring_share(["A b. C  d.", "C d. E f."]) == pytest.approx(2 / 4)


def test_a_sentence_repeated_within_one_dream_is_not_recurring() -> None:
    assert evaluate.recurring_share(["A b. A b.", "C d."]) == 0.0


def test_distinct_titles_share() -> None:
    assert evaluate.distinct_share(["X", "X", "Y", "Z"]) == pytest.approx(3 / 4)


# Copying.

COUNTING = evaluate.words("One, two; THREE four five six seven eight nine ten.")


def test_copy_rate_is_the_share_of_8_grams_found_in_the_corpus() -> None:
    dream_words = tokens("zero one two three four five six seven eight nine stop")
    # 4 eight-grams; "one .. eight" and "two .. nine" are in the corpus
    assert evaluate.copying([dream_words], [COUNTING]).rate == pytest.approx(2 / 4)


def test_longest_shared_run_is_reported_with_its_words() -> None:
    dream_words = tokens("zero one two three four five six seven eight nine stop")
    found = evaluate.copying([tokens("nothing here"), dream_words], [COUNTING])
    assert found.run == tuple(tokens("one two three four five six seven eight nine"))
    assert found.doc == 1


def test_longest_run_is_not_made_of_two_corpus_places() -> None:
    corpus = [tokens("a b c d e f g h i"), tokens("b c d e f g h i j")]
    found = evaluate.copying([tokens("a b c d e f g h i j")], corpus)
    assert found.rate == 1.0
    assert found.run == tuple(tokens("a b c d e f g h i"))


def test_longest_run_never_crosses_corpus_passages() -> None:
    found = evaluate.copying([tokens("a b c d e")], [tokens("a b c"), tokens("d e")])
    assert found.run == ("a", "b", "c")


def test_without_shared_8_grams_the_shorter_run_is_found() -> None:
    found = evaluate.copying([tokens("x b c y")], [tokens("a b c d")])
    assert (found.rate, found.run) == (0.0, ("b", "c"))


# Glitches.


@pytest.mark.parametrize("mark", ["#", "[", "]", "{", "}", "\ue000", "None"])
def test_leftover_markup_is_a_glitch(mark: str) -> None:
    assert len(evaluate.glitches(f"I hold the {mark} lantern.")["markup"]) == 1


@pytest.mark.parametrize("wrong", ["a apple", "an unicorn", "A hour"])
def test_wrong_article_is_a_glitch(wrong: str) -> None:
    assert evaluate.glitches(f"I see {wrong}.")["article"] == [wrong]


def test_doubled_word_is_a_glitch_whatever_the_case() -> None:
    assert evaluate.glitches("The the lantern glows.")["doubled"] == ["The the"]


def test_words_split_by_punctuation_are_not_doubled() -> None:
    assert evaluate.glitches("I wait, wait for it.")["doubled"] == []


def test_lower_case_sentence_start_is_a_glitch() -> None:
    assert evaluate.glitches("It rains. then it stops.")["lowercase"] == ["then it stops."]


def test_clean_text_has_no_glitches() -> None:
    text = "An hour passes. A unicorn waits by an old well.\n\nI hold a lantern."
    assert evaluate.glitches(text) == {kind: [] for kind in evaluate.GLITCHES}


# Story and reading.


def test_a_dream_with_five_movements_in_order_is_complete() -> None:
    assert evaluate.arc_complete(dream())


def test_a_missing_movement_breaks_the_arc() -> None:
    whole = dream()
    assert not evaluate.arc_complete(Dream(1, "T", whole.stages[:4], whole.entities))


def test_movements_out_of_order_break_the_arc() -> None:
    whole = dream()
    swapped = (whole.stages[1], whole.stages[0], *whole.stages[2:])
    assert not evaluate.arc_complete(Dream(1, "T", swapped, whole.entities))


def test_an_empty_movement_breaks_the_arc() -> None:
    assert not evaluate.arc_complete(dream({"journey": "  "}))


def test_a_dream_that_names_its_own_things_is_coherent() -> None:
    assert evaluate.coherence_problem(dream(), ARTIFACTS) is None


def test_the_release_must_name_the_artifact() -> None:
    problem = evaluate.coherence_problem(dream({"release": "I let it go."}), ARTIFACTS)
    assert problem == "the release does not name the key"


def test_the_setting_must_name_the_place() -> None:
    problem = evaluate.coherence_problem(dream({"setting": "I stand at dusk."}), ARTIFACTS)
    assert problem == "the setting does not name the shore"


def test_naming_another_artifact_is_incoherent() -> None:
    problem = evaluate.coherence_problem(dream({"journey": "A lantern burns."}), ARTIFACTS)
    assert problem is not None and problem.startswith("names another artifact, the lantern")


def test_a_plural_names_the_artifact() -> None:
    assert evaluate.coherence_problem(dream({"release": "Keys sink."}), ARTIFACTS) is None


def test_names_match_whole_words_only() -> None:
    problem = evaluate.coherence_problem(dream({"release": "A keyhole."}), ARTIFACTS)
    assert problem == "the release does not name the key"


def test_a_longer_artifact_name_is_not_read_as_a_shorter_one() -> None:
    texts = {"artifact": "A snow globe.", "release": "The snow globe sinks."}
    globe = dream(texts, artifact="snow globe")
    assert evaluate.coherence_problem(globe, {"snow globe", "globe"}) is None


@pytest.mark.parametrize(
    ("word", "count"),
    [("cat", 1), ("the", 1), ("make", 1), ("tree", 1), ("table", 2), ("candle", 2),
     ("evening", 3), ("beautiful", 3), ("rhythm", 1)],
)  # fmt: skip
def test_syllables_of_known_words(word: str, count: int) -> None:
    assert evaluate.syllables(word) == count


def test_flesch_reading_ease_of_a_known_sentence() -> None:
    # 6 words, 1 sentence, 6 syllables: 206.835 - 1.015 * 6 - 84.6 * 1
    assert evaluate.reading_ease(["The cat sat on the mat."]) == pytest.approx(116.145)


# The report.


def test_evaluate_reports_missed_targets_one_line_each() -> None:
    twins = [dream(seed=1), dream(seed=2)]
    report = evaluate.evaluate(twins, ["I stand on the shore."], ARTIFACTS)
    assert report.recurring_sentences == 1.0 and report.distinct_titles == 0.5
    missed = report.missed()
    assert any(line.startswith("recurring sentences is 100.0%") for line in missed)
    assert any(line.startswith("distinct titles is 50.0%") for line in missed)
    assert not any("glitches" in line for line in missed)


def test_evaluate_counts_glitches_with_seeded_examples() -> None:
    report = evaluate.evaluate([dream({"journey": "I walk the the road."}, seed=9)], [], ARTIFACTS)
    assert report.glitches["doubled"] == evaluate.Glitch(1, ("seed 9: the the",))


def test_a_glitch_in_the_title_counts() -> None:
    report = evaluate.evaluate([dream(title="Moving On on the Moor", seed=4)], [], ARTIFACTS)
    assert report.glitches["doubled"] == evaluate.Glitch(1, ("seed 4: On on",))


def test_real_dreams_have_complete_arcs(dreamer: Dreamer) -> None:
    dreams = list(dreamer.dreams(0, 3))
    report = evaluate.evaluate(dreams, [], dreamer.grammar.choices("object"))
    assert report.arc_complete == 1.0 and report.words_per_dream > 200


# The command.

KEYS = {
    "distinct_1", "distinct_2", "distinct_3", "self_bleu_3", "recurring_sentences",
    "distinct_titles", "corpus_8gram_rate", "longest_corpus_run", "glitches", "arc_complete",
    "coherent", "words_per_dream", "flesch_reading_ease", "targets",
}  # fmt: skip


@pytest.fixture
def runner(dreamer: Dreamer) -> CliRunner:
    """A runner, once the session's model is trained and cached for the command to load."""
    return CliRunner()


def test_eval_json_has_every_metric(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["eval", "--count", "3", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report) >= KEYS and report["dreams"] == 3
    assert set(report["glitches"]) == set(evaluate.GLITCHES)
    assert set(report["targets"]) >= {"distinct_2", "self_bleu_3", "recurring_sentences"}


def test_eval_table_names_every_metric_and_target(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["eval", "--count", "1"])
    assert result.exit_code == 0, result.output
    for label in ("distinct-1", "distinct-2", "distinct-3", "self-BLEU-3", "recurring sentences",
                  "distinct titles", "8-grams found in the corpus", "longest run",
                  "leftover markup", "wrong a/an", "doubled word", "lower-case sentence start",
                  "arc complete", "coherent", "words per dream", "Flesch reading ease",
                  ">= 0.25", "<= 0.55", "<= 10%", ">= 90%"):  # fmt: skip
        assert label in result.stdout, label


@pytest.fixture
def none_title(tmp_path: Path) -> Path:
    """A grammar overlay whose every title has a glitch: "None" left in as a word."""
    return write_grammar(tmp_path, "title.json", '{"title": ["None of This"]}\n')


def test_eval_strict_exits_1_naming_each_missed_target(
    runner: CliRunner, none_title: Path
) -> None:
    result = runner.invoke(cli, ["eval", "--count", "1", "--strict", "--grammar", str(none_title)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == ["missed: glitches: leftover markup is 1 (target <= 0)"]
    assert "leftover markup" in result.stdout


def test_eval_without_strict_exits_0_whatever_the_report(
    runner: CliRunner, none_title: Path
) -> None:
    result = runner.invoke(cli, ["eval", "--count", "1", "--grammar", str(none_title)])
    assert result.exit_code == 0 and result.stderr == ""
    assert "seed 0: None of This" in result.stdout


def test_eval_bad_corpus_is_a_clean_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["eval", "--count", "1", "--corpus", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and "Traceback" not in result.output
