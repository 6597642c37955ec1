"""The pipeline: grammar -> movements -> texture -> a Dream; rendering is a separate stage."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__, english, grammar, movements, nightly, paths, texture


@dataclass(frozen=True)
class Stage:
    """One movement of a dream: its text, and the Markov-made sentences woven into it."""

    name: str
    text: str
    texture: tuple[str, ...] = ()


@dataclass(frozen=True)
class Dream:
    """A finished dream, ready to render; equal seeds and inputs give equal dreams."""

    seed: int
    title: str
    stages: tuple[Stage, ...]
    entities: dict[str, str | None] = field(default_factory=dict)
    version: str = __version__

    @property
    def text(self) -> str:
        """The whole narrative as plain text, a paragraph per movement."""
        return "\n\n".join(stage.text for stage in self.stages)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract: these keys keep their names in every later version."""
        return {
            "seed": self.seed,
            "title": self.title,
            "stages": [
                {"name": s.name, "text": s.text, "texture": list(s.texture)} for s in self.stages
            ],
            "text": self.text,
            "entities": dict(self.entities),
            "version": self.version,
        }


class Dreamer:
    """Holds what every dream of a run shares (the checked grammar, the trained model).

    Build one and ask it for as many dreams as you like; each dream gets its own RNG and
    its own grammar state, so no dream can change the next.
    """

    def __init__(
        self,
        grammars: Sequence[Path | str] = (),
        corpus: Sequence[Path | str] = (),
        *,
        choose: Mapping[str, str] | None = None,
        cache_dir: Path | None = None,
        learning: Callable[[], None] | None = None,
    ) -> None:
        """`learning` is called before the corpus is learned, when it is not cached yet."""
        full = grammar.load(grammar.sources(grammars), cache_dir)
        # `choose` fixes entities for every dream, e.g. {"theme": "grief", "place": "shore"}.
        self.grammar = full
        for entity, value in (choose or {}).items():
            symbol = movements.ENTITY_SYMBOLS.get(entity, entity)
            self.grammar = self.grammar.choosing(symbol, value)
        corpus_paths = [Path(p) for p in corpus] or [paths.builtin("corpus")]
        # The whole grammar's objects and places, so that choosing one does not retrain.
        lexicon = {
            slot: full.choices(movements.ENTITY_SYMBOLS[entity])
            for slot, entity in texture.SLOTS.items()
        }
        self.texture = texture.load(corpus_paths, lexicon, cache_dir, learning)
        self._cache_dir = cache_dir if cache_dir is not None else paths.user_cache_dir()
        # This run's articles and plurals (inflect's answers, kept in the cache folder).
        self.english = english.English()
        self.english.load(self._cache_dir)
        # The hands dealt for nights so far (see nightly.card), read when first needed.
        self._dealt: dict[str, tuple[int, list[str]]] | None = None
        # Said, not raised: a small corpus still dreams, with less texture.
        self.warnings: list[str] = []
        if self.texture.sentence_count < texture.SMALL_CORPUS:
            self.warnings.append(
                f"the corpus has only {self.texture.sentence_count} usable sentences "
                f"(texture wants {texture.SMALL_CORPUS} or more): dreams will have little "
                "or no texture"
            )

    @functools.cached_property
    def fingerprint(self) -> str:
        """Names the grammar and corpus this Dreamer dreams from (for batch manifests)."""
        return _fingerprint(self.grammar, self.texture.key)

    def dream(self, seed: int) -> Dream:
        """The dream of this seed."""
        return self._dream(seed, self.grammar)

    def night(self, date: dt.date, dreamer: str = "") -> Dream:
        """The dream of a night: the same whenever it is asked for, and within any seven
        nights no artifact or place comes twice (when the grammar has seven of each).

        `dreamer` (a name) gives someone else their own nights.
        """
        if self._dealt is None:
            self._dealt = nightly.load_dealt(self._cache_dir)
        before = dict(self._dealt)
        chosen = self.grammar
        for entity in ("artifact", "place"):
            symbol = movements.ENTITY_SYMBOLS[entity]
            values = sorted(chosen.choices(symbol))
            if len(values) > 1:
                card = nightly.card(values, date, entity, dreamer, self._dealt)
                chosen = chosen.choosing(symbol, card)
        if self._dealt != before:
            nightly.save_dealt(self._cache_dir, self._dealt)
        return self._dream(nightly.seed_for(date, dreamer), chosen)

    def _dream(self, seed: int, chosen: grammar.Grammar) -> Dream:
        # Separate streams, so that more texture or a longer grammar rule in one stage does
        # not reshuffle every choice after it. String seeds hash the same in every process.
        plot = movements.expand(chosen, random.Random(f"{seed}:grammar"), self.english)
        texture_rng = random.Random(f"{seed}:texture")
        stages: list[Stage] = []
        used: set[str] = set()
        # What the dream has named so far, which texture may call "the" thing.
        named: set[str] = set()
        for name in grammar.MOVEMENTS:
            own = plot.texts[name]
            after = name != grammar.MOVEMENTS[-1]  # nothing after the release's waking
            named |= texture.words_of(own)
            # The sentences texture may go beside, whose words it does not say again.
            beside = movements.beside_texture(own, after)
            sentence = self.texture.sentence(
                name, plot.entities, texture_rng, used, self.english, named, beside
            )
            offered = () if sentence is None else (sentence,)
            text, woven = movements.weave(own, offered, texture_rng, after)
            used.update(woven)
            named.update(*map(texture.words_of, woven))
            stages.append(Stage(name, text, woven))
        self.english.save(self._cache_dir)  # only writes when it learned a word
        return Dream(seed=seed, title=plot.title, stages=tuple(stages), entities=plot.entities)

    def title(self, seed: int) -> str:
        """The title the dream of `seed` has, without writing the rest of it."""
        rng = random.Random(f"{seed}:grammar")
        return movements.expand(self.grammar, rng, self.english).title

    def dreams(self, seed: int, count: int) -> Iterator[Dream]:
        """The dreams of seeds seed, seed+1, ..., each the same as asked for alone."""
        for offset in range(count):
            yield self.dream(seed + offset)


def _fingerprint(chosen: grammar.Grammar, corpus_key: str) -> str:
    """Names the grammar and corpus a dream came from: equal fingerprints, equal dreams."""
    digest = hashlib.sha256(
        json.dumps([dict(chosen.rules), chosen.weights], sort_keys=True).encode()
    )
    digest.update(corpus_key.encode())
    return digest.hexdigest()[:16]
