"""Tracery's English modifiers, done right: articles and plurals come from inflect."""

from __future__ import annotations

import contextlib
import hashlib
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import Problem

if TYPE_CHECKING:
    import inflect

Modifier = Callable[..., str]

_IRREGULAR_PAST = {
    "be": "was", "become": "became", "begin": "began", "bend": "bent", "bind": "bound",
    "bleed": "bled", "blow": "blew", "break": "broke", "breathe": "breathed", "bring": "brought",
    "build": "built", "burn": "burned", "buy": "bought", "catch": "caught", "choose": "chose",
    "cling": "clung", "come": "came", "creep": "crept", "cut": "cut", "deal": "dealt",
    "dig": "dug", "do": "did", "draw": "drew", "dream": "dreamed", "drink": "drank",
    "drive": "drove", "eat": "ate", "fall": "fell", "feed": "fed", "feel": "felt",
    "fight": "fought", "find": "found", "flee": "fled", "fling": "flung", "fly": "flew",
    "forget": "forgot", "forgive": "forgave", "freeze": "froze", "get": "got", "give": "gave",
    "go": "went", "grind": "ground", "grow": "grew", "hang": "hung", "have": "had",
    "hear": "heard", "hide": "hid", "hit": "hit", "hold": "held", "hurt": "hurt",
    "keep": "kept", "kneel": "knelt", "know": "knew", "lay": "laid", "lead": "led",
    "leap": "leapt", "leave": "left", "lend": "lent", "let": "let", "lie": "lay",
    "light": "lit", "lose": "lost", "make": "made", "mean": "meant", "meet": "met",
    "pay": "paid", "put": "put", "read": "read", "ride": "rode", "ring": "rang",
    "rise": "rose", "run": "ran", "say": "said", "see": "saw", "seek": "sought",
    "sell": "sold", "send": "sent", "set": "set", "shake": "shook", "shed": "shed",
    "shine": "shone", "shoot": "shot", "shut": "shut", "sing": "sang", "sink": "sank",
    "sit": "sat", "sleep": "slept", "slide": "slid", "speak": "spoke", "spend": "spent",
    "spin": "spun", "spread": "spread", "spring": "sprang", "stand": "stood", "steal": "stole",
    "sting": "stung", "strike": "struck", "swim": "swam", "swing": "swung", "take": "took",
    "teach": "taught", "tear": "tore", "tell": "told", "think": "thought", "throw": "threw",
    "understand": "understood", "wake": "woke", "wear": "wore", "weave": "wove",
    "weep": "wept", "win": "won", "wind": "wound", "write": "wrote",
}  # fmt: skip

_VOWELS = "aeiou"

# Words of four letters or more that carry little of their own: two of them in a sentence
# are no echo, nor is a texture sentence that shares them with another.
FUNCTION_WORDS = frozenset(
    ["that", "with", "from", "into", "this", "there", "their", "have", "been", "when",
     "where", "while", "still", "over", "like", "through", "what", "then", "than", "them",
     "they", "just", "only", "each", "every", "some", "more", "back", "down", "away", "once",
     "even", "here", "very", "much", "until", "again", "against", "about", "under", "toward",
     "towards", "across", "around", "myself", "itself", "these", "those", "would", "could",
     "should", "does", "will", "also", "both", "before", "after", "behind", "beyond"]
)  # fmt: skip


# The endings `stem` takes off, by a word's last letter (looked up, as it runs per word of
# every draw of every dream).
_ENDINGS = {"s": ("ness", "es", "s"), "g": ("ing",), "d": ("ed",), "y": ("ly",)}


def stem(word: str) -> str:
    """A word without its ending, so that "settles" and "settle", "turns" and "turning",
    "cool" and "coolness" meet (near enough to tell a word said twice; not a lemma)."""
    for ending in _ENDINGS.get(word[-1:], ()):
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            word = word[: -len(ending)]
            break
    return word[:-1] if word.endswith("e") else word


# Creatures whose plural is the word itself, where inflect adds an "s" ("grouses").
SAME_PLURAL = frozenset(["grouse", "snipe", "chamois", "bison", "ptarmigan", "teal", "wigeon"])


class English:
    """inflect's articles and plurals for one run (a `Dreamer`, a corpus being learned, an
    evaluation), each word asked about once and kept on disk between runs: importing and
    starting inflect costs more than a whole dream, and the words a grammar asks about are
    few and come back every night.

    The file is named for the installed inflect (its path, size and time), so another
    inflect never answers from this one's memo; its answers are the same as asking inflect.
    """

    def __init__(self) -> None:
        self.words: dict[str, dict[str, str]] = {"a": {}, "s": {}}
        self.new = False
        self.loaded: set[Path] = set()
        self._engine: inflect.engine | None = None

    def engine(self) -> inflect.engine:
        if self._engine is None:
            import inflect  # only when a word is new to the memo: it takes a while to load

            self._engine = inflect.engine()
        return self._engine

    def article(self, word: str) -> str:
        known = self.words["a"].get(word)
        if known is None:
            known = self.words["a"][word] = self.engine().a(word).split(" ", 1)[0]
            self.new = True
        return known

    def plural(self, word: str) -> str:
        if word in SAME_PLURAL:
            return word
        known = self.words["s"].get(word)
        if known is None:
            known = self.words["s"][word] = self.engine().plural_noun(word)
            self.new = True
        return known

    def a(self, text: str, *_: str) -> str:
        """Prefix "a" or "an" by how the next word is pronounced (an hour, a unicorn)."""
        stripped = text.lstrip()
        if not stripped:
            return text
        word = re.split(r"[\s,;:]", stripped, maxsplit=1)[0]
        return f"{self.article(word)} {stripped}"

    def s(self, text: str, *_: str) -> str:
        """Plural of the text's last word (leaves, children, music boxes)."""
        head, word, tail = _split_last(text)
        if not word:
            return text
        return f"{head}{self.plural(word)}{tail}"

    def first_s(self, text: str, *_: str) -> str:
        """Plural of the first word only ("cup of tea" -> "cups of tea")."""
        if not text.strip():
            return text
        first, sep, rest = text.partition(" ")
        return f"{self.s(first)}{sep}{rest}"

    def fix_articles(self, text: str) -> str:
        """Correct every "a"/"an" to suit the word after it; for text the grammar did not
        make."""

        def choose(match: re.Match[str]) -> str:
            article = self.article(match.group(2))
            if match.group(1)[0].isupper():
                article = article.capitalize()
            return article + " "

        return _ARTICLE.sub(choose, text)

    def modifiers(self) -> dict[str, Modifier]:
        """The built-in modifiers that ask inflect, answering from this run's memo."""
        return {"a": self.a, "s": self.s, "firstS": self.first_s}

    def load(self, folder: Path) -> None:
        """Add what the memo file in `folder` knows (once per folder); a bad file is ignored."""
        if folder in self.loaded:
            return
        self.loaded.add(folder)
        from .files import stored

        data = stored(_memo_file(folder))
        with contextlib.suppress(Exception):  # none, or another layout: ignored
            for kind in self.words:
                self.words[kind] = {**data[kind], **self.words[kind]}

    def save(self, folder: Path) -> None:
        """Write the memo to `folder` if it learned a word since the last save."""
        if not self.new:
            return
        from .files import store

        if store(_memo_file(folder), self.words):
            self.new = False


def _memo_file(folder: Path) -> Path:
    import importlib.util

    spec = importlib.util.find_spec("inflect")
    origin = Path(spec.origin) if spec is not None and spec.origin else Path("inflect")
    try:
        stat = origin.stat()
        stamp = f"{origin}:{stat.st_size}:{stat.st_mtime_ns}"
    except OSError:
        stamp = str(origin)
    digest = hashlib.sha256(f"{MEMO_FORMAT} {stamp} {sys.version}".encode()).hexdigest()
    return folder / f"english-{digest[:16]}.marshal"


# Bump when the memo's layout changes.
MEMO_FORMAT = 1


def _split_last(text: str) -> tuple[str, str, str]:
    """Split text into (head, last word, trailing punctuation)."""
    match = re.fullmatch(r"(.*?)([A-Za-z][\w'-]*)(\W*)", text, flags=re.DOTALL)
    if match is None:
        return text, "", ""
    return match.group(1), match.group(2), match.group(3)


# The built-in modifiers that ask inflect, as plain functions, for a word now and then; a run
# asks through its own `English`, which remembers.


def a(text: str, *_: str) -> str:
    """Prefix "a" or "an" by how the next word is pronounced (an hour, a unicorn)."""
    return English().a(text)


def s(text: str, *_: str) -> str:
    """Plural of the text's last word (leaves, children, music boxes)."""
    return English().s(text)


def first_s(text: str, *_: str) -> str:
    """Plural of the first word only ("cup of tea" -> "cups of tea")."""
    return English().first_s(text)


def ed(text: str, *_: str) -> str:
    """Simple past tense of the first word (walk -> walked, stop -> stopped, go -> went)."""
    first, sep, rest = text.partition(" ")
    return f"{past_tense(first)}{sep}{rest}"


def past_tense(verb: str) -> str:
    """The simple past of one English verb, irregular verbs included."""
    if not verb:
        return verb
    lower = verb.lower()
    if lower in _IRREGULAR_PAST:
        past = _IRREGULAR_PAST[lower]
        return past.capitalize() if verb[0].isupper() else past
    if lower.endswith("e"):
        return verb + "d"
    if lower.endswith("y") and len(lower) > 1 and lower[-2] not in _VOWELS:
        return verb[:-1] + "ied"
    if _doubles_final_consonant(lower):
        return verb + verb[-1] + "ed"
    return verb + "ed"


def _doubles_final_consonant(word: str) -> bool:
    # One syllable ending consonant-vowel-consonant: stop -> stopped, but not glow or open.
    vowel_groups = re.findall(r"[aeiouy]+", word)
    return (
        len(vowel_groups) == 1
        and len(word) >= 3
        and word[-1] not in _VOWELS + "wxy"
        and word[-2] in _VOWELS
        and word[-3] not in _VOWELS
    )


def capitalize(text: str, *_: str) -> str:
    """Upper-case the first letter, leaving the rest alone."""
    for i, char in enumerate(text):
        if char.isalpha():
            return text[:i] + char.upper() + text[i + 1 :]
    return text


def capitalize_all(text: str, *_: str) -> str:
    """Upper-case the first letter of every word ("dreamer's lantern" -> "Dreamer's Lantern")."""
    return re.sub(r"(^|(?<=[\s\-\"(]))([a-z])", lambda m: m.group(2).upper(), text)


_SMALL_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "but",
        "by",
        "for",
        "from",
        "in",
        "into",
        "of",
        "on",
        "or",
        "over",
        "the",
        "to",
        "under",
        "with",
    ]
)


def title(text: str, *_: str) -> str:
    """Title case that leaves small words small ("The Orb Under the Stars")."""
    words = text.split(" ")
    out = []
    for i, word in enumerate(words):
        if i > 0 and word.lower() in _SMALL_WORDS:
            out.append(word.lower())
        else:
            out.append(capitalize(word))
    return " ".join(out)


def replace(text: str, old: str = "", new: str = "", *_: str) -> str:
    return text.replace(old, new) if old else text


def uppercase(text: str, *_: str) -> str:
    return text.upper()


def lowercase(text: str, *_: str) -> str:
    return text.lower()


MODIFIERS: dict[str, Modifier] = {
    "a": a,
    "s": s,
    "firstS": first_s,
    "ed": ed,
    "capitalize": capitalize,
    "capitalizeAll": capitalize_all,
    "title": title,
    "replace": replace,
    "uppercase": uppercase,
    "lowercase": lowercase,
}

ENTRY_POINT_GROUP = "dream.modifiers"


def modifiers() -> tuple[dict[str, Modifier], list[Problem]]:
    """The built-in modifiers plus those installed packages add through the entry-point group
    `dream.modifiers` (name = modifier name, object = a callable (text, *params) -> str).

    A plugin that fails to load is a warning, not a crash (a rule that uses it is then an
    "unknown modifier" error); a plugin may not replace a built-in modifier.
    """
    found = dict(MODIFIERS)
    problems: list[Problem] = []
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        where = f"entry point {entry.name} = {entry.value}"
        if entry.name in MODIFIERS:
            problems.append(
                Problem(where, f"replaces the built-in modifier .{entry.name}", severity="warning")
            )
            continue
        try:
            modifier = entry.load()
        except Exception as error:  # a broken plugin must not stop the dream
            problems.append(Problem(where, f"cannot be loaded: {error}", severity="warning"))
            continue
        if not callable(modifier):
            problems.append(Problem(where, "is not callable", severity="warning"))
            continue
        found[entry.name] = modifier
    return found, problems


def entry_points(group: str) -> Any:
    """The installed entry points of `group` (importlib.metadata is slow to import, so it
    is imported only when plugins are looked for)."""
    from importlib.metadata import entry_points as installed

    return installed(group=group)


_ARTICLE = re.compile(r"\b([Aa]n?) (?=([A-Za-z][\w'-]*))")


def fix_articles(text: str) -> str:
    """Correct every "a"/"an" to suit the word after it; for text the grammar did not make."""
    return English().fix_articles(text)
