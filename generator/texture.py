"""Markov texture: sentences in the corpus's voice, fitted to one dream's own place and object."""

from __future__ import annotations

import bisect
import contextlib
import hashlib
import marshal
import math
import random
import re
import sys
import zlib
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__, paths
from .english import fix_articles, s
from .errors import DreamError, Problem
from .files import write_atomic
from .grammar import MOVEMENTS

CORPUS_SUFFIXES = (".txt",)
# Bump when the model's layout or the way it is built changes, so old caches are rebuilt.
MODEL_FORMAT = 8
# Walks follow a three-word chain, which keeps grammar, and where it can only copy the
# corpus they may step down to the two-word chain, which splices sentences together.
STATE_SIZE = 3
BACKOFF = 0.5
BEGIN, END = "___BEGIN__", "___END__"  # markovify's markers, kept in its compiled models
# A movement with fewer sentences than this draws on the whole corpus instead.
MIN_MOVEMENT_SENTENCES = 100
# A texture sentence may share at most this many consecutive words with the corpus.
MAX_SHARED_RUN = 10
MIN_WORDS, MAX_WORDS = 10, 24
# Walks per sentence at most: they seldom die on the way, but many finished sentences still
# fail the whole-sentence tests (Bayes, a copy once the slots are filled).
TRIES = 300
# A state with more next words than this is drawn from (up to this many times) rather than
# filtered word by word.
FILTER_UP_TO = 40
CANDIDATES = 3
# Markov sentences lose their grammar where one corpus sentence is spliced onto another in
# mid-clause. A splice shows as a five-word run the corpus never has; it is accepted only
# when the three words it turns on hold a clause boundary (a comma, "and", "as", ...).
JOIN = 5
JOIN_WORDS = frozenset(
    ["and", "but", "as", "while", "then", "until", "because", "where", "when", "so", "or",
     "though", "if"]
)  # fmt: skip
# A word belongs to the places (objects, themes) that account for at least ALLOWED_SHARE
# of its use, weighed by how much text each has. When those are at most BOUND_SHARE of
# all the places, the word is bound to them: "dune" to the desert, "sand" to a few
# places, while "light" belongs everywhere.
BOUND_SHARE = 0.5
ALLOWED_SHARE = 0.04
# Texture is atmosphere; who the dream is about is the grammar's theme to tell. Sentences
# with people in them are kept out of the chains, so texture cannot bring a grandmother
# into a dream about a friendship.
PEOPLE = frozenset(
    ["he", "she", "him", "her", "his", "hers", "himself", "herself", "friend", "friends",
     "mother", "father", "mum", "mom", "dad", "grandmother", "grandfather", "grandma",
     "grandpa", "sister", "brother", "child", "children", "son", "daughter", "boss",
     "colleague", "partner", "husband", "wife", "aunt", "uncle", "someone", "person", "people"]
)  # fmt: skip
# How much likelier (in natural log) another value may make a sentence than the dream's own.
MARGIN = {"place": 4.0, "artifact": 2.5, "theme": 2.5}
# Corpus header fields -> the dream's entity each one must agree with.
FIELDS = {"place": "place", "artifact": "artifact", "theme": "theme"}
# Slot name in the model -> the entity that fills it.
SLOTS = {"object": "artifact", "place": "place"}

_HEADER = re.compile(r"^%%(.*)$")
_SLOT = re.compile(r"\{(\w+)\}")
_PUNCTUATION = ".,;:!?\"'()-"
_WORD = re.compile(r"[a-z][a-z'-]*")


@dataclass(frozen=True)
class Passage:
    """A paragraph of the corpus, with the movement and tags it belongs to."""

    text: str
    movement: str | None
    tags: Mapping[str, str] = field(default_factory=dict)


def corpus_files(sources: Sequence[Path]) -> list[Path]:
    problems: list[Problem] = []
    found: list[Path] = []
    for source in sources:
        if source.is_dir():
            files = sorted(p for p in source.rglob("*") if p.suffix in CORPUS_SUFFIXES)
            if not files:
                problems.append(Problem(str(source), "no corpus files (*.txt) in this folder"))
            found.extend(files)
        elif source.is_file():
            found.append(source)
        else:
            problems.append(Problem(str(source), "no such file or folder"))
    if problems:
        raise DreamError(problems)
    return found


def read_passages(files: Sequence[Path]) -> list[Passage]:
    """Every passage of every file; a file named for a movement (or in a folder so named) is
    tagged with it, and `%% key: value; ...` lines tag the passage that follows."""
    passages: list[Passage] = []
    problems: list[Problem] = []
    for file in files:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            problems.append(Problem(str(file), f"cannot read: {error}"))
            continue
        movement = _movement_of(file)
        passages.extend(_passages(text, movement, str(file), problems))
    if problems:
        raise DreamError(problems)
    return passages


def _movement_of(file: Path) -> str | None:
    for name in (file.stem, file.parent.name):
        if name in MOVEMENTS:
            return name
    return None


def _passages(
    text: str, movement: str | None, name: str, problems: list[Problem]
) -> Iterator[Passage]:
    tags: dict[str, str] = {}
    lines: list[str] = []

    def flush() -> Iterator[Passage]:
        paragraph = " ".join(" ".join(lines).split())
        if paragraph:
            yield Passage(paragraph, movement, dict(tags))
        lines.clear()

    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            yield from flush()
            tags = {}
            for part in header.group(1).split(";"):
                key, colon, value = part.partition(":")
                if not colon or not key.strip() or not value.strip():
                    problems.append(
                        Problem(name, f"tag {part.strip()!r} is not key: value", number)
                    )
                    continue
                tags[key.strip().lower()] = value.strip().lower()
        elif not line.strip():
            yield from flush()
        else:
            lines.append(line)
    yield from flush()


class _Slotter:
    """Replaces mentions of known objects and places with slots, so any dream can fill them."""

    def __init__(self, lexicon: Mapping[str, set[str]]) -> None:
        forms: dict[str, str] = {}
        for slot, nouns in lexicon.items():
            for noun in nouns:
                forms[noun.lower()] = f"{{{slot}}}"
                forms[s(noun).lower()] = f"{{{slot}s}}"
        self._forms = forms
        alternatives = sorted(forms, key=len, reverse=True)
        self._pattern = (
            re.compile(r"\b(" + "|".join(map(re.escape, alternatives)) + r")\b", re.IGNORECASE)
            if alternatives
            else None
        )

    def __call__(self, text: str) -> str:
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda m: self._forms[m.group(1).lower()], text)


# A compiled chain: state -> [next words, their cumulative weights], as markovify makes it.
Model = dict[tuple[str, ...], list[list[Any]]]
# {"values": [...], "totals": [words seen with each], "counts": {word: [count with each]}}
Profile = dict[str, Any]


@dataclass
class TextureModel:
    """Compiled chains per movement, plus what it takes to keep their sentences honest."""

    # movement -> (three-word chain, two-word chain)
    chains: dict[str, tuple[Model, Model]]
    # crc32 of every run of MAX_SHARED_RUN + 1 words in the corpus, lower-cased.
    seen_runs: frozenset[int]
    # crc32 of every run of JOIN words (slotted, lower-cased, with sentence ends marked).
    seen_joins: frozenset[int]
    # The whole corpus, lower-cased, one sentence a line, for "is this a piece of one".
    seen_text: str
    bound: dict[str, dict[str, frozenset[str]]]
    profiles: dict[str, Profile]
    sentence_count: int
    # The cache key it was loaded under: names the corpus it learned (not stored).
    key: str = ""

    def to_builtins(self) -> dict[str, Any]:
        """Plain dicts, lists and strings, which `marshal` stores and loads fast."""
        keys: dict[int, str] = {}
        models: dict[str, tuple[Model, Model]] = {}
        for pair in self.chains.values():
            key = keys.setdefault(id(pair), str(len(keys)))
            models[key] = pair
        return {
            "models": models,
            "chains": {movement: keys[id(pair)] for movement, pair in self.chains.items()},
            "seen_runs": set(self.seen_runs),
            "seen_joins": set(self.seen_joins),
            "seen_text": self.seen_text,
            "bound": {
                e: {w: tuple(sorted(v)) for w, v in b.items()} for e, b in self.bound.items()
            },
            "profiles": self.profiles,
            "sentence_count": self.sentence_count,
        }

    @classmethod
    def from_builtins(cls, data: dict[str, Any]) -> TextureModel:
        models = data["models"]
        return cls(
            chains={movement: models[key] for movement, key in data["chains"].items()},
            seen_runs=frozenset(data["seen_runs"]),
            seen_joins=frozenset(data["seen_joins"]),
            seen_text=data["seen_text"],
            bound={e: {w: frozenset(v) for w, v in b.items()} for e, b in data["bound"].items()},
            profiles=data["profiles"],
            sentence_count=data["sentence_count"],
        )

    def sentence(
        self,
        movement: str,
        entities: Mapping[str, str | None],
        rng: random.Random,
        avoid: set[str],
    ) -> str | None:
        """A new sentence for `movement` that fits the dream's entities, or None."""
        chains = self.chains.get(movement)
        if chains is None:
            return None
        found: list[str] = []
        fits: dict[str, bool] = {}
        for _ in range(TRIES):
            words = self._walk(*chains, entities, rng, fits)
            if words is None:
                continue
            sentence = _fill(" ".join(words), entities)
            if sentence is None or sentence in avoid or self._copies(sentence):
                continue
            found.append(sentence)
            if len(found) == CANDIDATES:
                break
        # Short sentences are the likely walks, and would come back night after night; the
        # longest of a few good ones is the rarest.
        return max(found, key=len, default=None)

    def _walk(
        self,
        high: Model,
        low: Model,
        entities: Mapping[str, str | None] | None,
        rng: random.Random,
        fits: dict[str, bool],
    ) -> list[str] | None:
        """Walk the chains for one sentence, giving up as soon as it cannot be used.

        With entities None, any sentence that is new and well joined will do. `fits`
        remembers which words suit these entities, across walks.
        """
        state = (BEGIN,) * STATE_SIZE
        words: list[str] = []
        marked = ["<s>"]  # lower-cased, sentence ends marked
        while True:
            choices = high.get(state)
            if choices is None or (len(choices[0]) == 1 and words and rng.random() < BACKOFF):
                choices = low[state[1:]]
            # Only next words that keep the sentence usable are drawn, in their proportions,
            # so a walk rarely dies. Long lists are drawn from until a word passes.
            following, cumulative = choices
            word = None
            if len(following) > FILTER_UP_TO:
                for _ in range(FILTER_UP_TO):
                    draw = following[bisect.bisect(cumulative, rng.random() * cumulative[-1])]
                    if self._may_follow(draw, words, marked, entities, fits):
                        word = draw
                        break
            else:
                options: list[str] = []
                weights: list[int] = []
                previous = 0
                for draw, total in zip(following, cumulative, strict=True):
                    if self._may_follow(draw, words, marked, entities, fits):
                        options.append(draw)
                        weights.append(total - previous)
                    previous = total
                if options:
                    word = rng.choices(options, weights=weights)[0]
            if word is None:
                return None
            if word == END:
                break
            words.append(word)
            marked.append(word.lower())
            state = (*state[1:], word)
        marked.append("</s>")
        if len(words) < MIN_WORDS or words[-1][-1] not in ".!?":
            return None
        if not (words[0][0].isupper() or words[0].startswith("{")):
            return None
        if len(marked) >= JOIN and not self._joins_well(marked[-JOIN:]):
            return None
        if entities is not None and not self._reads_as(marked[1:-1], entities):
            return None
        # Last, as the dearest test: a sentence that is only a piece of one corpus sentence.
        if f" {' '.join(marked[1:-1])[:-1]}" in self.seen_text:
            return None
        return words

    def _copies(self, sentence: str) -> bool:
        """A run of the corpus as filled in: "music box" makes a slot two words long."""
        return any(run in self.seen_runs for run in _runs(sentence.lower().split()))

    def _may_follow(
        self,
        word: str,
        words: list[str],
        marked: list[str],
        entities: Mapping[str, str | None] | None,
        fits: dict[str, bool],
    ) -> bool:
        """Whether `word` may come next: not too long or short, no copied run, no splice
        in mid-clause, nothing bound to another dream's things."""
        if word == END:
            return len(words) >= MIN_WORDS
        if len(words) == MAX_WORDS:
            return False
        if entities is not None:
            if word not in fits:
                fits[word] = self._fits(word, entities)
            if not fits[word]:
                return False
        lowered = word.lower()
        if (
            len(words) >= MAX_SHARED_RUN
            and _crc([_plain(w) for w in (*marked[-MAX_SHARED_RUN:], lowered)]) in self.seen_runs
        ):
            return False
        return len(marked) < JOIN - 1 or self._joins_well([*marked[-(JOIN - 1) :], lowered])

    def novel_sentences(self, movement: str, walks: int, seed: int = 0) -> set[str]:
        """The distinct new, well-joined sentences `walks` walks find (for corpus stats)."""
        chains = self.chains.get(movement)
        if chains is None:
            return set()
        rng = random.Random(f"{seed}:stats:{movement}")
        found = (self._walk(*chains, None, rng, {}) for _ in range(walks))
        return {" ".join(words) for words in found if words is not None}

    def _fits(self, word: str, entities: Mapping[str, str | None]) -> bool:
        """False for a word bound to places (objects, themes) other than the dream's."""
        bare = _bare(word.lower())
        for name, bound in self.bound.items():
            allowed = bound.get(bare)
            if allowed is not None and entities.get(name) not in allowed:
                return False
        return True

    def _reads_as(self, lowered: Sequence[str], entities: Mapping[str, str | None]) -> bool:
        """Whether the sentence as a whole reads as this dream's (naive Bayes over its words):
        no other place, artifact or theme may be much likelier than the dream's own."""
        words = [w for w in map(_bare, lowered) if w]
        for entity, profile in self.profiles.items():
            names: list[str] = profile["values"]
            own = entities.get(entity)
            if own not in names:
                continue
            counts: dict[str, list[int]] = profile["counts"]
            vocabulary = len(counts)
            scores = [0.0] * len(names)
            for word in words:
                seen = counts.get(word)
                if seen is None:
                    continue
                for i, total in enumerate(profile["totals"]):
                    scores[i] += math.log((seen[i] + 1) / (total + vocabulary))
            if max(scores) - scores[names.index(own)] > MARGIN[entity]:
                return False
        return True

    def _joins_well(self, run: Sequence[str]) -> bool:
        """A run the corpus has, or a splice that turns on a clause boundary."""
        return _crc(run) in self.seen_joins or any(map(_is_boundary, run[1:-1]))


def _crc(words: Sequence[str]) -> int:
    return zlib.crc32(" ".join(words).encode())


def _joins(lowered: Sequence[str]) -> Iterator[int]:
    """crc32 of each run of JOIN words, sentence ends marked."""
    marked = ["<s>", *lowered, "</s>"]
    for i in range(len(marked) - JOIN + 1):
        yield _crc(marked[i : i + JOIN])


def _runs(lowered: Sequence[str]) -> Iterator[int]:
    """crc32 of each run of MAX_SHARED_RUN + 1 words, punctuation aside: "water," is "water"."""
    plain = [_plain(word) for word in lowered]
    size = MAX_SHARED_RUN + 1
    for i in range(len(plain) - size + 1):
        yield _crc(plain[i : i + size])


def _plain(word: str) -> str:
    return word.strip(_PUNCTUATION)


def _is_boundary(word: str) -> bool:
    return word.endswith((",", ";", ":")) or word in JOIN_WORDS


def _bare(word: str) -> str:
    match = _WORD.search(word)
    if match is None:
        return ""
    bare = match.group(0).strip("'-")
    return bare[:-2] if bare.endswith("'s") else bare


def _fill(sentence: str, entities: Mapping[str, str | None]) -> str | None:
    missing = False

    def fill(match: re.Match[str]) -> str:
        nonlocal missing
        name = match.group(1)
        plural = name.endswith("s") and name[:-1] in SLOTS
        value = entities.get(SLOTS.get(name[:-1] if plural else name, ""))
        if value is None:
            missing = True
            return ""
        return s(value) if plural else value

    filled = _SLOT.sub(fill, sentence)
    if missing:
        return None
    filled = fix_articles(filled)
    return filled[0].upper() + filled[1:]


def build(passages: Sequence[Passage], lexicon: Mapping[str, set[str]]) -> TextureModel:
    """Train one chain per movement (its own sentences weighted over the whole corpus)."""
    lexicon = _with_tagged_nouns(lexicon, passages)
    slot = _Slotter(lexicon)
    by_movement: dict[str | None, list[list[str]]] = {}
    seen: set[int] = set()
    joins: set[int] = set()
    seen_text: list[str] = []
    for passage in passages:
        for sentence in _sentences(passage.text):
            for variant in (sentence, slot(sentence)):
                lowered = variant.lower().split()
                seen.update(_runs(lowered))
                seen_text.append(" ".join(lowered))
            words = slot(sentence).split()
            joins.update(_joins([w.lower() for w in words]))
            if words and not any(_bare(w.lower()) in PEOPLE for w in words):
                by_movement.setdefault(passage.movement, []).append(words)
    everything = [words for group in by_movement.values() for words in group]
    untagged = by_movement.get(None, [])
    chains: dict[str, tuple[Model, Model]] = {}
    whole: tuple[Model, Model] | None = None
    for movement in MOVEMENTS:
        # A movement's chain learns only its own passages and the untagged text: mixed with
        # the rest, the novelty test favours sentences spliced from other movements.
        own = by_movement.get(movement, [])
        if len(own) >= MIN_MOVEMENT_SENTENCES:
            chains[movement] = _compile(own + untagged)
        elif everything:
            whole = whole or _compile(everything)
            chains[movement] = whole
    uses, values = _word_uses(passages, slot)
    return TextureModel(
        chains=chains,
        seen_runs=frozenset(seen),
        seen_joins=frozenset(joins),
        seen_text=" " + " \n ".join(seen_text),
        bound=_bound_words(uses, values),
        profiles=_profiles(uses, values),
        sentence_count=len(everything),
    )


def _sentences(text: str) -> list[str]:
    from markovify.splitters import split_into_sentences

    sentences: list[str] = split_into_sentences(text)
    return sentences


# Fewer sentences than this and a movement's texture will be thin or missing.
SMALL_CORPUS = 300


@dataclass(frozen=True)
class CorpusStats:
    files: int
    passages: int
    words: int
    sentences: dict[str | None, int]  # per movement; None for untagged text
    novel: dict[str, int]  # distinct new sentences found in `walks` walks, per movement
    walks: int

    @property
    def small(self) -> bool:
        return sum(self.sentences.values()) < SMALL_CORPUS


def stats(sources: Sequence[Path], walks: int = 1000) -> CorpusStats:
    """How big a corpus is and how much new texture its model can make."""
    files = corpus_files(sources)
    passages = read_passages(files)
    model = build(passages, {})
    sentences: Counter[str | None] = Counter()
    for passage in passages:
        sentences[passage.movement] += len(_sentences(passage.text))
    return CorpusStats(
        files=len(files),
        passages=len(passages),
        words=sum(len(p.text.split()) for p in passages),
        sentences=dict(sentences),
        novel={m: len(model.novel_sentences(m, walks)) for m in MOVEMENTS},
        walks=walks,
    )


def _compile(sentences: list[list[str]]) -> tuple[Model, Model]:
    import markovify  # only needed when there is no cached model

    high = markovify.Chain(sentences, STATE_SIZE).compile().model
    low = markovify.Chain(sentences, STATE_SIZE - 1).compile().model
    return high, low


def _with_tagged_nouns(
    lexicon: Mapping[str, set[str]], passages: Sequence[Passage]
) -> dict[str, set[str]]:
    """The grammar's objects and places, plus those the corpus's tags name."""
    merged = {name: set(values) for name, values in lexicon.items()}
    for passage in passages:
        for slot_name, entity in SLOTS.items():
            value = passage.tags.get(entity)
            if value:
                merged.setdefault(slot_name, set()).add(value)
    return merged


Uses = dict[str, dict[str, Counter[str]]]


def _word_uses(passages: Sequence[Passage], slot: _Slotter) -> tuple[Uses, dict[str, set[str]]]:
    """entity -> word -> how often it is used with each value, and each entity's values."""
    uses: Uses = {name: {} for name in FIELDS.values()}
    values: dict[str, set[str]] = {name: set() for name in FIELDS.values()}
    for passage in passages:
        words = [_bare(w) for w in slot(passage.text).lower().split()]
        for tag, entity in FIELDS.items():
            value = passage.tags.get(tag)
            if value is None:
                continue
            values[entity].add(value)
            for word in words:
                if word:
                    uses[entity].setdefault(word, Counter())[value] += 1
    return uses, values


def _profiles(uses: Uses, values: dict[str, set[str]]) -> dict[str, Profile]:
    """Per entity, word counts by value, for a naive Bayes reading of a whole sentence."""
    profiles: dict[str, Profile] = {}
    for entity, counts_by_word in uses.items():
        names = sorted(values[entity])
        if len(names) < 2:
            continue
        counts = {w: [c.get(v, 0) for v in names] for w, c in counts_by_word.items()}
        totals = [sum(c[i] for c in counts.values()) for i in range(len(names))]
        profiles[entity] = {"values": names, "totals": totals, "counts": counts}
    return profiles


def _bound_words(uses: Uses, values: dict[str, set[str]]) -> dict[str, dict[str, frozenset[str]]]:
    bound: dict[str, dict[str, frozenset[str]]] = {}
    for entity, counts_by_word in uses.items():
        # A value's share is weighed against how much text it has, so a theme with many
        # passages does not claim every word.
        size = Counter[str]()
        for counts in counts_by_word.values():
            size.update(counts)
        bound[entity] = {}
        for word, counts in counts_by_word.items():
            rates = {value: n / size[value] for value, n in counts.items()}
            total = sum(rates.values())
            allowed = frozenset(v for v, rate in rates.items() if rate / total >= ALLOWED_SHARE)
            if allowed and len(allowed) <= len(values[entity]) * BOUND_SHARE:
                bound[entity][word] = allowed
    return bound


def load(
    sources: Sequence[Path], lexicon: Mapping[str, set[str]], cache_dir: Path | None = None
) -> TextureModel:
    """The model for these corpus files, from the disk cache when it is there and sound."""
    files = corpus_files(sources)
    key = cache_key(files, lexicon)
    folder = cache_dir if cache_dir is not None else paths.user_cache_dir()
    cached = folder / f"texture-{key}.marshal"
    # Any failure to read the cache (missing, truncated, from another layout) means: rebuild.
    with contextlib.suppress(Exception):
        loaded = TextureModel.from_builtins(marshal.loads(cached.read_bytes()))
        loaded.key = key
        return loaded
    model = build(read_passages(files), lexicon)
    model.key = key
    with contextlib.suppress(OSError):  # a cache we cannot write only costs time
        write_atomic(cached, marshal.dumps(model.to_builtins()))
    return model


def cache_key(sources: Sequence[Path], lexicon: Mapping[str, set[str]]) -> str:
    """A hash of the corpus files' contents and tags, the lexicon and the model's format."""
    files = corpus_files(sources)
    # marshal's format belongs to the Python version, so the key includes it.
    # markovify is pinned, so the package version stands for its compiled layout too.
    digest = hashlib.sha256(f"format {MODEL_FORMAT} {__version__} {sys.version}".encode())
    for name in sorted(lexicon):
        digest.update(f"\0{name}:{sorted(lexicon[name])}".encode())
    for file in files:
        digest.update(f"\0{_movement_of(file)}\0".encode())
        try:
            digest.update(file.read_bytes())
        except OSError:
            digest.update(b"\0unreadable")
    return digest.hexdigest()[:24]
