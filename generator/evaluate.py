"""How good is a batch of dreams? Variety, repetition, copying, glitches, story and readability.

Every metric is a pure function over plain data (word lists, texts, dreams), so each can be
checked on a tiny example; `evaluate` runs them all over a batch and returns a `Report`.
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .dreamer import Dream
from .english import English
from .grammar import MOVEMENTS

Gram = tuple[str, ...]

BLEU_N = 3
# Stands in for a precision with no matches, so that one empty order does not zero the score.
EPSILON = 1e-9
COPY_N = 8
SAMPLE = 50
EXAMPLES = 3
GLITCHES = {
    "markup": "leftover markup",
    "article": "wrong a/an",
    "doubled": "doubled word",
    "lowercase": "lower-case sentence start",
}

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")
_PARAGRAPH = re.compile(r"\n\s*\n")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|(?<=[.!?][\"')\]\u201d\u2019])\s+")
_SENTENCE_START = re.compile(r"[\"'(\[\u201c\u2018]*([A-Za-z])")
_MARKUP = re.compile(r"[#\[\]{}\ue000]|\bNone\b")
_ARTICLE = re.compile(r"\b(an?)\s+([A-Za-z][\w'-]*)", re.IGNORECASE)
_DOUBLED = re.compile(r"\b(\w+)\s+\1\b", re.IGNORECASE)
_VOWELS = re.compile(r"[aeiouy]+")


# Words and sentences.


def words(text: str) -> list[str]:
    """The text's words, lower-cased, punctuation stripped (hyphens split; "don't" is one)."""
    return _WORD.findall(text.lower().replace("\u2019", "'"))


def sentences(text: str) -> tuple[str, ...]:
    """The text's sentences, whitespace normalised; a sentence never crosses a paragraph."""
    found: list[str] = []
    for paragraph in _PARAGRAPH.split(text):
        flat = " ".join(paragraph.split())
        if flat:
            found.extend(part for part in _SENTENCE_BREAK.split(flat) if part)
    return tuple(found)


def ngrams(tokens: Sequence[str], n: int) -> list[Gram]:
    """Every run of n consecutive tokens, in order."""
    return list(zip(*(tokens[i:] for i in range(n)), strict=False))


# Variety.


def _grams(tokens: Sequence[str], max_n: int) -> Counter[str]:
    """Counts of every n-gram of the tokens, n = 1..max_n, in one Counter. Each is its words
    joined by spaces (a string hashes once, where a tuple hashes at every look-up), so its
    order is one more than its spaces."""
    counts = Counter(tokens)
    for n in range(2, max_n + 1):
        counts.update(map(" ".join, zip(*(tokens[i:] for i in range(n)), strict=False)))
    return counts


def _closest(length: int, lengths: Iterable[int]) -> int | None:
    """The reference length closest to the hypothesis's (the shorter on a tie)."""
    return min(lengths, key=lambda r: (abs(r - length), r), default=None)


def _bleu(matches: Sequence[int], totals: Sequence[int], length: int, reference: int) -> float:
    """BLEU from the clipped matches and totals of each order (n = 1, 2, ...), the
    hypothesis's length and the closest reference's length."""
    if not length:
        return 0.0
    logs = (
        math.log(m / t) if m else math.log(EPSILON) for m, t in zip(matches, totals, strict=True)
    )
    precision = math.exp(sum(logs) / len(totals))
    brevity = 1.0 if length > reference else math.exp(1 - reference / length)
    return brevity * precision


def bleu(
    hypothesis: Sequence[str], references: Sequence[Sequence[str]], max_n: int = BLEU_N
) -> float:
    """BLEU of a hypothesis against references: clipped n-gram precisions for n = 1..max_n,
    geometric mean with uniform weights, times the brevity penalty of the closest reference."""
    reference = _closest(len(hypothesis), map(len, references))
    if reference is None:
        return 0.0
    refs = [_grams(ref, max_n) for ref in references]
    matches, totals = [0] * max_n, [0] * max_n
    for gram, count in _grams(hypothesis, max_n).items():
        totals[gram.count(" ")] += count
        matches[gram.count(" ")] += min(count, max(ref[gram] for ref in refs))
    return _bleu(matches, totals, len(hypothesis), reference)


class NgramTable:
    """Every document's n-gram counts (n = 1..max_n), counted once for distinct-n and
    self-BLEU.

    For every gram it keeps the largest count in any document, the document that holds it
    and the second-largest count, so "the most in any document but this one" is one look-up.
    Most grams are in no document twice; for those, how many documents hold them says it all
    (the largest count is 1, the second 1 or 0), so only the others are walked in Python.
    """

    def __init__(self, docs: Sequence[Sequence[str]], max_n: int = BLEU_N) -> None:
        self.max_n = max_n
        self.lengths = [len(tokens) for tokens in docs]
        self.counters = [_grams(tokens, max_n) for tokens in docs]
        self.holders: Counter[str] = Counter()  # how many documents hold each gram
        for counter in self.counters:
            self.holders.update(counter.keys())
        # distinct grams of each order
        self.unique = Counter(gram.count(" ") + 1 for gram in self.holders)
        self.peaks: dict[str, tuple[int, int, int]] = {}
        for index, counter in enumerate(self.counters):
            for gram, count in counter.items():
                if count > 1:
                    self._peak(gram, count, index)
        for gram, (best, holder, second) in self.peaks.items():
            if not second and self.holders[gram] > 1:
                self.peaks[gram] = (best, holder, 1)

    def _peak(self, gram: str, count: int, index: int) -> None:
        best, holder, second = self.peaks.get(gram, (0, -1, 0))
        if count > best:
            self.peaks[gram] = (count, index, best)
        elif count > second:
            self.peaks[gram] = (best, holder, count)

    def most_elsewhere(self, gram: str, index: int) -> int:
        """The largest count of the gram ("w1 w2 ...") in any document but the index-th."""
        peak = self.peaks.get(gram)
        if peak is None:  # no document has it twice: is it in any but this one?
            return int(self.holders[gram] - (gram in self.counters[index]) > 0)
        best, holder, second = peak
        return second if holder == index else best

    def distinct(self, n: int) -> float:
        """Unique n-grams over all n-grams (n-grams never cross documents)."""
        total = sum(max(length - n + 1, 0) for length in self.lengths)
        return self.unique[n] / total if total else 0.0

    def bleu_against_others(self, index: int) -> float:
        """BLEU of the index-th document with every other document as a reference."""
        length = self.lengths[index]
        reference = _closest(length, (n for i, n in enumerate(self.lengths) if i != index))
        if reference is None:
            return 0.0
        matches, totals = [0] * self.max_n, [0] * self.max_n
        most = self.most_elsewhere
        for gram, count in self.counters[index].items():
            order = gram.count(" ")
            totals[order] += count
            matches[order] += min(count, most(gram, index))
        return _bleu(matches, totals, length, reference)

    def self_bleu(self, sample: int = SAMPLE, seed: int = 0) -> float:
        """The mean BLEU of a sample of documents, each against all the others.

        The sample is drawn with random.Random(seed); the global random state is not touched.
        """
        if len(self.lengths) < 2:
            return 0.0
        size = min(sample, len(self.lengths))
        chosen = random.Random(seed).sample(range(len(self.lengths)), size)
        return sum(map(self.bleu_against_others, chosen)) / size


def distinct(docs: Sequence[Sequence[str]], n: int) -> float:
    """Unique n-grams over all n-grams of the batch (n-grams never cross documents)."""
    return NgramTable(docs, n).distinct(n)


def self_bleu(
    docs: Sequence[Sequence[str]], sample: int = SAMPLE, seed: int = 0, max_n: int = BLEU_N
) -> float:
    """The mean BLEU of a sample of documents (drawn with random.Random(seed)), each
    against all the other documents as references."""
    return NgramTable(docs, max_n).self_bleu(sample, seed)


# Repetition.


def recurring_share(texts: Sequence[str]) -> float:
    """The share of all sentences that also occur (exactly, whitespace normalised) in
    another text; a sentence repeated within one text only does not count."""
    split = [sentences(text) for text in texts]
    holders: dict[str, set[int]] = {}
    for index, found in enumerate(split):
        for sentence in found:
            holders.setdefault(sentence, set()).add(index)
    total = sum(map(len, split))
    recurring = sum(len(holders[sentence]) > 1 for found in split for sentence in found)
    return recurring / total if total else 0.0


def distinct_share(items: Sequence[str]) -> float:
    """Distinct items over all items (the share of distinct titles)."""
    return len(set(items)) / len(items) if items else 0.0


# Copying from the corpus.


@dataclass(frozen=True)
class Copying:
    """How much of the batch the corpus already has."""

    rate: float  # of the batch's n-grams, the share the corpus has
    run: tuple[str, ...]  # the longest run of words shared with the corpus
    doc: int | None  # the index of the document it is in


def _gram_set(passages: Iterable[Sequence[str]], n: int) -> set[Gram]:
    found: set[Gram] = set()
    for passage in passages:
        found.update(ngrams(passage, n))
    return found


def _segments(hits: Sequence[bool], n: int) -> Iterator[tuple[int, int]]:
    """Windows [start, end) of words whose every n-gram is a hit, as long as they go."""
    start = None
    for position, hit in enumerate([*hits, False]):
        if hit and start is None:
            start = position
        elif not hit and start is not None:
            yield start, position - 1 + n
            start = None


def _longest_inside(
    tokens: Sequence[str], start: int, end: int, n: int, occurs: Callable[[Sequence[str]], bool]
) -> tuple[int, int]:
    """The longest run (length, start) of tokens[start:end] that occurs in the corpus,
    given that each of its n-grams does: the whole window, or found with two pointers."""
    if occurs(tokens[start:end]):
        return end - start, start
    best, low = (n, start), start
    for high in range(start + n + 1, end + 1):
        while not occurs(tokens[low:high]):
            low += 1
        if high - low > best[0]:
            best = (high - low, low)
    return best


def copying(
    docs: Sequence[Sequence[str]], corpus: Iterable[Sequence[str]], n: int = COPY_N
) -> Copying:
    """The share of the documents' n-grams found in the corpus (its passages as word
    lists), and the longest run of words shared with it (runs never cross passages)."""
    passages = [list(passage) for passage in corpus]
    grams = _gram_set(passages, n)
    hits = [[gram in grams for gram in ngrams(tokens, n)] for tokens in docs]
    total = sum(map(len, hits))
    rate = sum(map(sum, hits)) / total if total else 0.0
    # Each passage between spaces, one a line: a run occurs when " its words " is in it.
    text = "\n".join(f" {' '.join(passage)} " for passage in passages)

    def occurs(run: Sequence[str]) -> bool:
        return f" {' '.join(run)} " in text

    best: tuple[int, int | None, int] = (0, None, 0)  # length, document, start
    for index, tokens in enumerate(docs):
        for start, end in _segments(hits[index], n):
            if end - start > best[0]:
                length, low = _longest_inside(tokens, start, end, n, occurs)
                if length > best[0]:
                    best = (length, index, low)
    length, doc, start = best
    if doc is None:
        return Copying(rate, *_shorter_run(docs, passages, n - 1))
    return Copying(rate, tuple(docs[doc][start : start + length]), doc)


def _shorter_run(
    docs: Sequence[Sequence[str]], passages: Sequence[Sequence[str]], n: int
) -> tuple[tuple[str, ...], int | None]:
    """No run of n + 1 words is shared: the first shared run of n words, or shorter."""
    for size in range(n, 0, -1):
        grams = _gram_set(passages, size)
        for index, tokens in enumerate(docs):
            for gram in ngrams(tokens, size):
                if gram in grams:
                    return gram, index
    return (), None


# Glitches.


def _snippet(text: str, start: int, end: int, margin: int = 20) -> str:
    left = max(start - margin, 0)
    before = ("…" if left else "") + text[left:start]
    after = text[end : end + margin] + ("…" if end + margin < len(text) else "")
    return " ".join(f"{before}{text[start:end]}{after}".split())


def glitches(text: str, english: English | None = None) -> dict[str, list[str]]:
    """Every glitch of the text by kind (see GLITCHES), each shown in its context:
    leftover markup, a/an that does not suit the next word (as inflect says, asked through
    `english`), a word doubled ("the the"), and a sentence that starts in lower case."""
    english = english or English()
    found: dict[str, list[str]] = {kind: [] for kind in GLITCHES}
    for match in _MARKUP.finditer(text):
        found["markup"].append(_snippet(text, match.start(), match.end()))
    for match in _ARTICLE.finditer(text):
        if match.group(1).lower() != english.article(match.group(2)).lower():
            found["article"].append(match.group(0))
    for match in _DOUBLED.finditer(text):
        found["doubled"].append(match.group(0))
    for sentence in sentences(text):
        start = _SENTENCE_START.match(sentence)
        if start and start.group(1).islower():
            found["lowercase"].append(" ".join(sentence.split()[:6]))
    return found


# Story and reading.


def arc_complete(dream: Dream) -> bool:
    """The five movements are all there, in order, each with text."""
    arc = [stage for stage in dream.stages if stage.name in MOVEMENTS]
    return tuple(stage.name for stage in arc) == MOVEMENTS and all(s.text.strip() for s in arc)


class Names:
    """The grammar's names (its artifacts and places) as patterns that find them or their
    plurals as whole words, in any case: made once each for an evaluation."""

    def __init__(self, english: English | None = None) -> None:
        self.english = english or English()
        self._patterns: dict[tuple[str, ...], tuple[re.Pattern[str], dict[str, str]]] = {}

    def forms(self, name: str) -> tuple[str, str]:
        """The name and its plural, lower-cased."""
        return name.lower(), self.english.s(name).lower()

    def naming(self, name: str) -> re.Pattern[str]:
        """Matches the name or its plural."""
        return self.of((name,))[0]

    def of(self, names: tuple[str, ...]) -> tuple[re.Pattern[str], dict[str, str]]:
        """One pattern for every name and plural (longest first, so "snow globe" is not
        read as "globe"), and the name of each form."""
        known = self._patterns.get(names)
        if known is None:
            forms = {form: name for name in names for form in self.forms(name)}
            alternatives = sorted(forms, key=len, reverse=True)
            pattern = r"\b(?:" + "|".join(map(re.escape, alternatives)) + r")\b"
            known = self._patterns[names] = (re.compile(pattern, re.IGNORECASE), forms)
        return known


def coherence_problem(
    dream: Dream, artifacts: Collection[str], names: Names | None = None
) -> str | None:
    """Why the dream does not hold together, or None when it does: its artifact is named
    in the artifact and release movements, its place in the setting, and no other of the
    grammar's artifacts is named anywhere in it."""
    names = names or Names()
    artifact, place = dream.entities.get("artifact"), dream.entities.get("place")
    texts = {stage.name: stage.text for stage in dream.stages}
    if not artifact:
        return "no artifact"
    for movement in ("artifact", "release"):
        if not names.naming(artifact).search(texts.get(movement, "")):
            return f"the {movement} does not name the {artifact}"
    if not place or not names.naming(place).search(texts.get("setting", "")):
        return f"the setting does not name the {place}"
    lower = dream.text.lower()
    # Only names whose letters are in the text at all are looked for as words.
    present = {
        artifact,
        *(name for name in artifacts if any(f in lower for f in names.forms(name))),
    }
    pattern, forms = names.of(tuple(sorted(present)))
    for match in pattern.finditer(dream.text):
        other = forms[match.group(0).lower()]
        if other.lower() != artifact.lower():
            where = _snippet(dream.text, match.start(), match.end())
            return f"names another artifact, the {other}: {where}"
    return None


def syllables(word: str) -> int:
    """Syllables of an English word, by vowel groups: a final silent e does not count,
    a final consonant + "le" does (ta-ble); every word has at least one."""
    letters = re.sub(r"[^a-z]", "", word.lower())
    count = len(_VOWELS.findall(letters))
    silent_e = letters.endswith("e") and len(letters) > 1 and letters[-2] not in "aeiouy"
    syllabic_le = letters.endswith("le") and len(letters) > 2 and letters[-3] not in "aeiouy"
    if silent_e and not syllabic_le:
        count -= 1
    return max(count, 1)


def reading_ease(texts: Iterable[str]) -> float:
    """Flesch reading ease of the texts taken together:
    206.835 - 1.015 words/sentences - 84.6 syllables/words."""
    total_words = total_sentences = total_syllables = 0
    counted: dict[str, int] = {}  # each word's syllables, counted once
    for text in texts:
        tokens = words(text)
        total_words += len(tokens)
        total_sentences += len(sentences(text))
        for token in tokens:
            known = counted.get(token)
            if known is None:
                known = counted[token] = syllables(token)
            total_syllables += known
    if not total_words or not total_sentences:
        return 0.0
    return 206.835 - 1.015 * total_words / total_sentences - 84.6 * total_syllables / total_words


# The report.


@dataclass(frozen=True)
class Target:
    """What the issue asks of a metric: at least or at most a value."""

    op: str  # ">=" or "<="
    value: float

    def met(self, measured: float) -> bool:
        return measured >= self.value if self.op == ">=" else measured <= self.value


TARGETS = {
    "distinct_2": Target(">=", 0.25),
    "self_bleu_3": Target("<=", 0.55),
    "recurring_sentences": Target("<=", 0.10),
    "distinct_titles": Target(">=", 0.90),
    **{f"glitches.{kind}": Target("<=", 0) for kind in GLITCHES},
}


@dataclass(frozen=True)
class Glitch:
    """How often one kind of glitch came, with a few examples ("seed 7: …")."""

    count: int
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class Row:
    """One line of the table."""

    key: str
    label: str
    value: float
    shown: str
    target: str = ""
    met: bool | None = None


@dataclass(frozen=True)
class Report:
    """Every metric of a batch; `rows()` for a table, `to_dict()` for JSON."""

    dreams: int
    seeds: tuple[int, int]
    distinct_1: float
    distinct_2: float
    distinct_3: float
    self_bleu_3: float
    self_bleu_sample: int
    recurring_sentences: float
    distinct_titles: float
    corpus_8gram_rate: float
    longest_run: tuple[str, ...]
    longest_run_seed: int | None
    glitches: dict[str, Glitch]
    arc_complete: float
    coherent: float
    incoherent: tuple[str, ...]
    words_per_dream: float
    flesch_reading_ease: float

    def rows(self) -> list[Row]:
        """The metrics in reading order, formatted, with their targets and whether met."""
        rows = [
            self._row("distinct_1", "distinct-1", self.distinct_1, ".3f"),
            self._row("distinct_2", "distinct-2", self.distinct_2, ".3f"),
            self._row("distinct_3", "distinct-3", self.distinct_3, ".3f"),
            self._row(
                "self_bleu_3",
                f"self-BLEU-3 (sample of {self.self_bleu_sample})",
                self.self_bleu_3,
                ".3f",
            ),
            self._row("recurring_sentences", "recurring sentences", self.recurring_sentences),
            self._row("distinct_titles", "distinct titles", self.distinct_titles),
            self._row("corpus_8gram_rate", "8-grams found in the corpus", self.corpus_8gram_rate),
            self._row(
                "longest_corpus_run",
                "longest run shared with the corpus (words)",
                len(self.longest_run),
                "d",
            ),
        ]
        for kind, label in GLITCHES.items():
            count = self.glitches[kind].count
            rows.append(self._row(f"glitches.{kind}", f"glitches: {label}", count, "d"))
        return [
            *rows,
            self._row("arc_complete", "arc complete", self.arc_complete),
            self._row("coherent", "coherent", self.coherent),
            self._row("words_per_dream", "words per dream", self.words_per_dream, ".0f"),
            self._row(
                "flesch_reading_ease", "Flesch reading ease", self.flesch_reading_ease, ".1f"
            ),
        ]

    @staticmethod
    def _row(key: str, label: str, value: float, spec: str = ".1%") -> Row:
        """A row, its value shown with the format spec (a share, by default)."""
        shown = format(value, spec)
        target = TARGETS.get(key)
        if target is None:
            return Row(key, label, value, shown)
        goal = format(target.value, ".0%" if spec.endswith("%") else "g")
        return Row(key, label, value, shown, f"{target.op} {goal}", target.met(value))

    def missed(self) -> list[str]:
        """One line per missed target: the metric, its value and the target."""
        return [
            f"{row.label} is {row.shown} (target {row.target})"
            for row in self.rows()
            if row.met is False
        ]

    def to_dict(self) -> dict[str, Any]:
        """Every metric under a stable key, with the targets and what was missed."""
        return {
            "dreams": self.dreams,
            "seeds": list(self.seeds),
            "distinct_1": self.distinct_1,
            "distinct_2": self.distinct_2,
            "distinct_3": self.distinct_3,
            "self_bleu_3": self.self_bleu_3,
            "self_bleu_sample": self.self_bleu_sample,
            "recurring_sentences": self.recurring_sentences,
            "distinct_titles": self.distinct_titles,
            "corpus_8gram_rate": self.corpus_8gram_rate,
            "longest_corpus_run": {
                "length": len(self.longest_run),
                "words": " ".join(self.longest_run),
                "seed": self.longest_run_seed,
            },
            "glitches": {
                kind: {"count": glitch.count, "examples": list(glitch.examples)}
                for kind, glitch in self.glitches.items()
            },
            "arc_complete": self.arc_complete,
            "coherent": self.coherent,
            "incoherent_examples": list(self.incoherent),
            "words_per_dream": self.words_per_dream,
            "flesch_reading_ease": self.flesch_reading_ease,
            "targets": {
                row.key: {"target": row.target, "met": row.met}
                for row in self.rows()
                if row.met is not None
            },
            "missed": self.missed(),
        }


def _glitches(dreams: Sequence[Dream], english: English) -> dict[str, Glitch]:
    counts = dict.fromkeys(GLITCHES, 0)
    examples: dict[str, list[str]] = {kind: [] for kind in GLITCHES}
    for dream in dreams:
        found = glitches(dream.text, english)
        for kind, items in glitches(dream.title, english).items():  # "Moving On on the Moor"
            found[kind] += items
        for kind, items in found.items():
            counts[kind] += len(items)
            room = EXAMPLES - len(examples[kind])
            examples[kind] += [f"seed {dream.seed}: {item}" for item in items[:room]]
    return {kind: Glitch(counts[kind], tuple(examples[kind])) for kind in GLITCHES}


def _share(flags: Sequence[bool]) -> float:
    return sum(flags) / len(flags) if flags else 0.0


def evaluate(
    dreams: Sequence[Dream],
    corpus_texts: Sequence[str],
    artifacts: Collection[str],
    *,
    sample: int = SAMPLE,
    seed: int = 0,
) -> Report:
    """Measure a batch of dreams against the corpus they learned from and the grammar's
    artifacts. `sample` dreams (drawn with random.Random(seed)) are scored for self-BLEU."""
    texts = [dream.text for dream in dreams]
    docs = [words(text) for text in texts]
    table = NgramTable(docs, BLEU_N)
    copied = copying(docs, [words(text) for text in corpus_texts])
    english = English()  # inflect's answers, asked once each for this evaluation
    names = Names(english)
    problems = [(dream.seed, coherence_problem(dream, artifacts, names)) for dream in dreams]
    seeds = [dream.seed for dream in dreams]
    return Report(
        dreams=len(dreams),
        seeds=(min(seeds, default=0), max(seeds, default=0)),
        distinct_1=table.distinct(1),
        distinct_2=table.distinct(2),
        distinct_3=table.distinct(3),
        self_bleu_3=table.self_bleu(sample, seed),
        self_bleu_sample=min(sample, len(dreams)),
        recurring_sentences=recurring_share(texts),
        distinct_titles=distinct_share([dream.title for dream in dreams]),
        corpus_8gram_rate=copied.rate,
        longest_run=copied.run,
        longest_run_seed=None if copied.doc is None else dreams[copied.doc].seed,
        glitches=_glitches(dreams, english),
        arc_complete=_share([arc_complete(dream) for dream in dreams]),
        coherent=_share([problem is None for _, problem in problems]),
        incoherent=tuple(f"seed {s}: {p}" for s, p in problems if p is not None)[:EXAMPLES],
        words_per_dream=sum(map(len, docs)) / len(docs) if docs else 0.0,
        flesch_reading_ease=reading_ease(texts),
    )


def format_table(report: Report) -> str:
    """The report as a table, then the longest shared run and examples of what went wrong."""
    rows = report.rows()
    width = max(len(row.label) for row in rows)
    first, last = report.seeds
    lines = [
        f"{report.dreams} dreams, seeds {first}..{last}",
        "",
        f"{'metric':<{width}}  {'value':>10}  {'target':<8}  met",
    ]
    for row in rows:
        met = "" if row.met is None else ("yes" if row.met else "NO")
        lines.append(f"{row.label:<{width}}  {row.shown:>10}  {row.target:<8}  {met}".rstrip())
    if report.longest_run:
        lines += [
            "",
            f"longest run shared with the corpus (seed {report.longest_run_seed}):",
            f"  {' '.join(report.longest_run)}",
        ]
    for kind, glitch in report.glitches.items():
        if glitch.examples:
            lines += ["", f"{GLITCHES[kind]}:", *(f"  {e}" for e in glitch.examples)]
    if report.incoherent:
        lines += ["", "incoherent:", *(f"  {example}" for example in report.incoherent)]
    return "\n".join(lines) + "\n"
