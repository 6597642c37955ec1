"""Markov texture: sentences in the corpus's voice, fitted to one dream's own place and object.

The pools of sentences are learned once per corpus (`learning`) and kept in the cache folder;
a dream only picks from them."""

from __future__ import annotations

import array
import contextlib
import hashlib
import random
import re
import sys
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

from . import __version__, paths
from .english import FUNCTION_WORDS, English, stem
from .errors import DreamError, Problem
from .files import prune, stamp, store, stored, touch
from .grammar import MOVEMENTS

CORPUS_SUFFIXES = (".txt",)
# Bump when the model's layout or the way it is built changes, so old caches are rebuilt.
MODEL_FORMAT = 79
# Words of substance two texture sentences of one dream may share, at most, less one.
ECHO_WORDS = 2
# Random draws from the pool, looking for a sentence that suits the dream, before the
# whole pool is searched.
PROBES = 200
# Corpus header fields -> the dream's entity each one must agree with.
FIELDS = {"place": "place", "artifact": "artifact", "theme": "theme"}
ENTITIES = tuple(FIELDS.values())
# Slot name in the model -> the entity that fills it.
SLOTS = {"object": "artifact", "place": "place"}
_SLOT = re.compile(r"\{(\w+)\}")
_WORD = re.compile(r"[a-z][a-z'-]*")


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


def _movement_of(file: Path) -> str | None:
    for name in (file.stem, file.parent.name):
        if name in MOVEMENTS:
            return name
    return None


# One pool sentence: its slotted text, then bit masks of the values it suits: per entity in
# ENTITIES (over TextureModel.values, plus a last bit for values the corpus never tagged),
# then per slot in SLOTS (over TextureModel.lexicon: filled with that value, it copies
# nothing).
Entry = tuple[Any, ...]
# Masks per pool sentence: one per entity, then one per slot.
WIDTH = len(ENTITIES) + len(SLOTS)


class Pool:
    """A movement's sentences, flat: their texts in one string, each followed by a newline
    and found by its start, and WIDTH masks each. Flat, it loads from the cache in a
    millisecond, where a list of strings takes several times as long to make.

    (A plain class: a dataclass costs about a millisecond to define, at every start.)
    """

    __slots__ = ("joined", "masks", "starts")

    def __init__(self, joined: str, starts: Sequence[int], masks: Sequence[int]) -> None:
        self.joined = joined
        # Where each text starts in `joined`, and one more: where the next would start.
        self.starts = starts
        self.masks = masks

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Pool):
            return NotImplemented
        return (self.joined, list(self.starts), list(self.masks)) == (
            other.joined,
            list(other.starts),
            list(other.masks),
        )

    __hash__ = None  # type: ignore[assignment]  # equal by contents, which may change

    @classmethod
    def of(cls, entries: Sequence[Entry]) -> Pool:
        joined, starts = _flat([entry[0] for entry in entries])
        return cls(joined, starts, _masks(entries))

    def __len__(self) -> int:
        return len(self.starts) - 1

    def text(self, index: int) -> str:
        return _line(self.joined, self.starts, index)

    def to_builtins(self) -> dict[str, Any]:
        return {
            "joined": self.joined,
            "starts": array.array("q", self.starts).tobytes(),
            "masks": _packed(self.masks),
        }

    @classmethod
    def from_builtins(cls, data: dict[str, Any]) -> Pool:
        masks: Sequence[int] = data["masks"]
        if isinstance(masks, bytes):
            masks = array.array("q", masks)
        return cls(data["joined"], array.array("q", data["starts"]), masks)

    def fits(self, index: int, wanted: Sequence[int]) -> bool:
        at = index * WIDTH
        return all(self.masks[at + k] & bit for k, bit in enumerate(wanted))

    def fitting(self, wanted: Sequence[int]) -> list[int]:
        """Every index that fits, in order: one mask at a time over those still in."""
        found: Sequence[int] = range(len(self))
        for k, bit in enumerate(wanted):
            column = self.masks[k::WIDTH]
            found = [i for i in found if column[i] & bit]
        return list(found)


def _flat(lines: Sequence[str]) -> tuple[str, array.array[int]]:
    """Lines as one string, each followed by a newline, and where each starts (and where
    the next would start)."""
    starts = array.array("q", [0])
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    return "".join(f"{line}\n" for line in lines), starts


def _line(joined: str, starts: Sequence[int], index: int) -> str:
    return joined[starts[index] : starts[index + 1] - 1]


def _masks(entries: Sequence[Entry]) -> list[int]:
    return [mask for entry in entries for mask in entry[1:]]


def _packed(masks: Sequence[int]) -> bytes | list[int]:
    """Masks as bytes, or as plain ints when there are more values than 62 bits can mark."""
    try:
        return array.array("q", masks).tobytes()
    except OverflowError:
        return list(masks)


class Needs:
    """What each sentence of a pool needs the dream to have named (see
    `TextureModel.needs`), flat like `Pool`: one line per sentence, "thing mask thing mask",
    read only for the sentences a dream draws. Loaded whole, a dict of lists would cost
    more than the rest of the model."""

    __slots__ = ("joined", "starts")

    def __init__(self, joined: str, starts: Sequence[int]) -> None:
        self.joined = joined
        self.starts = starts

    @classmethod
    def of(cls, needs: Sequence[Sequence[tuple[str, int]]]) -> Needs:
        return cls(*_flat([" ".join(f"{t} {mask}" for t, mask in n) for n in needs]))

    def __getitem__(self, index: int) -> list[tuple[str, int]]:
        if index + 1 >= len(self.starts):
            return []
        words = _line(self.joined, self.starts, index).split()
        return [(words[i], int(words[i + 1])) for i in range(0, len(words), 2)]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Needs):
            return NotImplemented
        return (self.joined, list(self.starts)) == (other.joined, list(other.starts))

    __hash__ = None  # type: ignore[assignment]  # equal by contents, which may change

    def to_builtins(self) -> dict[str, Any]:
        return {"joined": self.joined, "starts": array.array("q", self.starts).tobytes()}

    @classmethod
    def from_builtins(cls, data: dict[str, Any]) -> Needs:
        return cls(data["joined"], array.array("q", data["starts"]))


class TextureModel:
    """Each movement's pool of texture sentences, made once per corpus; a dream only picks."""

    def __init__(
        self,
        pools: dict[str, Pool],
        values: dict[str, list[str]],
        lexicon: dict[str, list[str]],
        sentence_count: int,
        key: str = "",
        needs: dict[str, Needs] | None = None,
    ) -> None:
        self.pools = pools
        # movement -> per pool sentence, the things it calls "the" thing that the dream
        # must have named first, each with a mask of the places (over values["place"])
        # that have it without naming it.
        self.needs = needs if needs is not None else {}
        # entity -> the values the corpus tags; slot -> the values that may fill it
        self.values = values
        self.lexicon = lexicon
        self.sentence_count = sentence_count
        # The cache key it was loaded under: names the corpus it learned (not stored).
        self.key = key

    def to_builtins(self) -> dict[str, Any]:
        """Plain dicts, lists, strings and bytes, which `marshal` stores and loads fast."""
        return {
            "pools": {movement: pool.to_builtins() for movement, pool in self.pools.items()},
            "values": self.values,
            "lexicon": self.lexicon,
            "sentence_count": self.sentence_count,
            "needs": {movement: needs.to_builtins() for movement, needs in self.needs.items()},
        }

    @classmethod
    def from_builtins(cls, data: dict[str, Any]) -> TextureModel:
        return cls(
            pools={m: Pool.from_builtins(pool) for m, pool in data["pools"].items()},
            values=data["values"],
            lexicon=data["lexicon"],
            sentence_count=data["sentence_count"],
            needs={m: Needs.from_builtins(needs) for m, needs in data["needs"].items()},
        )

    def sentence(
        self,
        movement: str,
        entities: Mapping[str, str | None],
        rng: random.Random,
        avoid: set[str],
        english: English,
        named: Collection[str] = frozenset(),
        near: str = "",
    ) -> str | None:
        """A sentence for `movement` that suits the dream's entities, or None (`english`:
        the run's articles and plurals, for the dream's things put in its slots). It calls
        nothing "the" thing that neither the dream's place has nor the dream has `named` so
        far (see `words_of`), and says no word of substance that `near` (the text it
        goes into) says, but the dream's own things ("the snow keeps me" after "the snow
        takes my weight")."""
        wanted = []
        for entity in ENTITIES:
            values = self.values.get(entity, [])
            own = entities.get(entity)
            wanted.append(1 << (values.index(own) if own in values else len(values)))
        for slot, entity in SLOTS.items():
            names = self.lexicon.get(slot, [])
            own = entities.get(entity)
            # A value with no place in the lexicon can only take sentences without the slot.
            wanted.append(1 << (names.index(own) if own in names else len(names)))
        pool = self.pools.get(movement)
        if pool is None or not len(pool):
            return None
        needs = self.needs.get(movement, Needs.of([]))
        places = self.values.get("place", [])
        place = entities.get("place")
        place_bit = 1 << places.index(place) if place in places else 0
        mine = {w for value in entities.values() if value for w in _substance(value)}
        said = {stem(w) for w in _substance(near)} - {stem(w) for w in mine}
        # The dream's own place and object may come back from one texture sentence to another.
        earlier = [_substance(other) - mine for other in avoid]

        def usable(index: int) -> str | None:
            """The pool's sentence, filled, if it calls "the" thing only what the place
            has or the dream has named, and says nothing `near` or `avoid` says."""
            needed = [thing for thing, mask in needs[index] if not mask & place_bit]
            if not all(thing in named or _singular(thing) in named for thing in needed):
                return None
            text = pool.text(index)
            if any(stem(word) in said for word in _substance(text)):
                return None
            sentence = _fill(text, entities, english)
            if sentence is None or not _fresh(sentence, avoid, earlier):
                return None
            return sentence

        # Draws are uniform over the pool (no clause is in it more than CLAUSE_USES times).
        # Some of the pool fits any dream: only a dream that little suits needs the whole
        # search.
        for _ in range(PROBES):
            index = rng.randrange(len(pool))
            if pool.fits(index, wanted) and (sentence := usable(index)) is not None:
                return sentence
        fitting = pool.fitting(wanted)
        while fitting:
            sentence = usable(fitting.pop(rng.randrange(len(fitting))))
            if sentence is not None:
                return sentence
        return None


def words_of(text: str) -> set[str]:
    """The words of a text, and their singulars: what it names, for `TextureModel.sentence`."""
    words = {word.removesuffix("'s").strip("'-") for word in _WORD.findall(text.lower())}
    return words | {_singular(word) for word in words}


def _singular(word: str) -> str:
    """The word without a plural's "s" or "es" (near enough to match it to its singular)."""
    if word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def _fresh(sentence: str, earlier: set[str], substance: Sequence[set[str]]) -> bool:
    """Whether the sentence says something the dream's earlier texture (`earlier`, whose
    words of substance are `substance`) has not: not the same sentence, nor the same owl
    calling twice in other words."""
    if sentence in earlier:
        return False
    words = _substance(sentence)
    return all(len(words & other) < ECHO_WORDS for other in substance)


def _substance(text: str) -> set[str]:
    return {w for w in map(_bare, text.lower().split()) if len(w) > 3} - FUNCTION_WORDS


def _bare(word: str) -> str:
    match = _WORD.search(word)
    if match is None:
        return ""
    bare = match.group(0).strip("'-")
    return bare[:-2] if bare.endswith("'s") else bare


def _fill(sentence: str, entities: Mapping[str, str | None], english: English) -> str | None:
    """The sentence with the dream's own things in its slots, articles agreeing; None if
    the dream lacks one."""
    filled = _substitute(sentence, entities, english.s)
    if filled is None:
        return None
    filled = english.fix_articles(filled)
    return filled[0].upper() + filled[1:]


def _substitute(
    sentence: str, entities: Mapping[str, str | None], plural_of: Callable[[str], str]
) -> str | None:
    missing = False

    def fill(match: re.Match[str]) -> str:
        nonlocal missing
        name = match.group(1)
        plural = name.endswith("s") and name[:-1] in SLOTS
        value = entities.get(SLOTS.get(name[:-1] if plural else name, ""))
        if value is None:
            missing = True
            return ""
        return plural_of(value) if plural else value

    filled = _SLOT.sub(fill, sentence)
    return None if missing else filled


# Bytes of corpus from which learning takes long enough to say so.
SLOW_TO_LEARN = 200_000
# Models kept in the cache folder, the most recently used.
KEEP_CACHED = 16
# Fewer sentences than this and a movement's texture will be thin or missing.
SMALL_CORPUS = 300


def load(
    sources: Sequence[Path],
    lexicon: Mapping[str, set[str]],
    cache_dir: Path | None = None,
    building: Callable[[], None] | None = None,
) -> TextureModel:
    """The model for these corpus files, from the disk cache when it is there and sound;
    `building` is called first when it must be built from a corpus big enough to take a
    while (the built-in one takes about a minute on two cores)."""
    files = corpus_files(sources)
    key = cache_key(files, lexicon)
    folder = cache_dir if cache_dir is not None else paths.user_cache_dir()
    cached = folder / f"texture-{key}.marshal"
    # Any failure to read the cache (missing, truncated, from another layout) means: rebuild.
    with contextlib.suppress(Exception):
        loaded = TextureModel.from_builtins(stored(cached))
        loaded.key = key
        touch(cached)
        return loaded
    if building is not None and sum(f.stat().st_size for f in files) >= SLOW_TO_LEARN:
        building()
    from .learning import build, read_passages  # only when there is no cached model

    model = build(read_passages(files), lexicon)
    model.key = key
    store(cached, model.to_builtins())
    prune(folder, "texture-*.marshal", KEEP_CACHED)
    return model


def cache_key(files: Sequence[Path], lexicon: Mapping[str, set[str]]) -> str:
    """A hash of the corpus files' contents (for the shipped corpus, their sizes and times:
    see `files.stamp`) and tags, the lexicon and the model's format."""
    # marshal's format belongs to the Python version, so the key includes it.
    # markovify is pinned, so the package version stands for its compiled layout too.
    digest = hashlib.sha256(f"format {MODEL_FORMAT} {__version__} {sys.version}".encode())
    for name in sorted(lexicon):
        digest.update(f"\0{name}:{sorted(lexicon[name])}".encode())
    shipped = paths.builtin("corpus")
    for file in files:
        digest.update(f"\0{_movement_of(file)}\0".encode())
        try:
            digest.update(stamp(file, shipped))
        except OSError:
            digest.update(b"\0unreadable")
    return digest.hexdigest()[:24]
