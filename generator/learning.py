"""Learning a corpus: its passages and tags, a clause chain per movement, and the pools of
texture sentences a dream draws from (made once per corpus, then cached by `texture`)."""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import os
import random
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .english import FUNCTION_WORDS, English, stem
from .errors import DreamError, Problem
from .grammar import MOVEMENTS
from .texture import (
    ENTITIES,
    FIELDS,
    SLOTS,
    SMALL_CORPUS,
    Entry,
    Needs,
    Pool,
    TextureModel,
    _bare,
    _movement_of,
    _singular,
    _substance,
    _substitute,
    corpus_files,
)

# The chain walks clauses, not words: a corpus sentence is its clauses and the joins between
# them (", and", "; ", ", as", ...), and a walk may pass from a join in one sentence to the
# clause after the same join in another. Each clause keeps the grammar it was written with.
CONNECTIVES = frozenset(
    ["and", "but", "as", "while", "so", "until", "yet", "though", "where", "when", "because",
     "then", "or"]
)  # fmt: skip
# A clause taken up after a join must open with its own subject or a phrase that sets the
# scene ("and the gulls", ", as I walk", "; somewhere"), not with a verb that belonged to
# another sentence's subject (", and let"), nor a pronoun whose noun stayed behind ("and it").
CLAUSE_OPENERS = frozenset(
    ["i", "the", "a", "an", "my", "every", "each", "everything", "something", "nothing", "all",
     "some", "no", "there", "here", "now", "somewhere", "one", "if", "though", "for", "in",
     "on", "at", "with", "under", "over", "through", "into", "above", "below", "beyond",
     "behind", "around", "across", "along", "far", "even", "still", "only", "slowly", "soon",
     "once", "nobody", "two", "three", "overhead", "beneath", "underfoot",
     "ahead", "inside", "outside", "beside", "between", "against", "toward", "towards"]
)  # fmt: skip
MAX_CLAUSES = 3
# The share of ", and" joins a walk tells as a semicolon.
SEMICOLON_SHARE = 0.25
# The joins a walk may pass by from one sentence's clause to another's: those that only
# add or set side by side. A "so", "but" or "because" claims a link between two clauses
# that strangers' clauses do not have ("dusk deepens, so my soles feel two seasons").
LINKS = frozenset([";", ", and", ", while", ", as", ", then", "; and", "; then"])
# Words that point back at something said before ("the other", "once more", "too",
# "again"): in a clause taken from its sentence they point at nothing.
ANAPHORA = frozenset(
    ["other", "others", "another", "more", "too", "also", "same", "such", "those", "these",
     "rest", "second", "again", "real", "either", "neither", "likewise", "instead", "latter",
     "former", "both"]
)  # fmt: skip
# First words that point back in the same way ("That is my life", "Then it stops").
BACK_OPENERS = frozenset(["that", "this", "then", "so", "those", "these", "there's"])
# Words that put a clause in the past ("I said almost nothing", "the boy was not hiding"):
# a sentence's clauses keep to one time, so a memory does not run on into the scenery.
PAST = frozenset(
    ["was", "were", "had", "did", "said", "told", "thought", "knew", "made", "came", "went",
     "took", "gave", "lost", "kept", "got", "saw", "heard", "became", "began", "ran", "sat",
     "stood", "wrote", "spoke", "broke", "forgot", "meant", "sent", "brought", "bought",
     "taught", "caught", "fought", "sang", "swam", "wore", "drove", "rode", "ate", "drank",
     "slept", "wept", "felt", "used", "ago", "yesterday", "chose", "hid", "held", "fell",
     "flew", "grew", "threw", "blew", "drew", "struck", "shook", "tore", "led", "met",
     "paid", "sold", "built", "spent", "knelt", "understood", "forgave", "froze", "won",
     "sank", "rang", "stole", "laughed", "cried", "tried", "wanted"]
)  # fmt: skip
# The dreamer's own clauses, which belong in any place: the body ("my breath comes easy",
# "my shoulders loosen") and the going ("I walk on", "I kneel"). Any other "I" clause tells
# a story of its own ("I never make the first call") and keeps to the passage's place.
BODY = frozenset(
    ["breath", "breathing", "chest", "shoulders", "hands", "hand", "feet", "heart", "tears",
     "eyes", "face", "cheeks", "throat", "steps", "stride", "legs", "arms", "pulse", "skin",
     "body", "fingers", "palms", "jaw", "back", "neck", "knees", "lungs", "ribs", "head",
     "footsteps", "mouth", "thoughts", "mind"]
)  # fmt: skip
GOING = frozenset(
    ["walk", "step", "follow", "climb", "go", "move", "turn", "sit", "stand", "kneel",
     "pause", "stop", "breathe", "listen", "wait", "rest", "keep", "wade", "cross", "tread",
     "stride", "press", "push", "carry", "hold", "let", "close", "open", "lift", "look",
     "watch", "smile", "laugh", "cry", "weep", "sigh", "feel", "notice", "stay"]
)  # fmt: skip
# A word of scenery is used this often, and mostly in this many places.
SCENERY_USES, SCENERY_SHARE, SCENERY_PLACES = 8, 0.78, 3
# Words of tagged text per use of that bar, for a smaller corpus.
SCENERY_WORDS_PER_USE = 22_000
# What may follow the verb of the dreamer's going ("I walk on", "I close my eyes").
PARTICLES = frozenset(
    ["on", "down", "up", "in", "into", "through", "toward", "towards", "under", "over",
     "along", "slowly", "still", "forward", "deeper", "back", "away", "out", "at", "with",
     "across", "beside", "past", "and", "my", "quietly", "softly", "easily", "now", "for",
     "to", "by", "around", "ahead", "there", "here", "without", "like", "as", "beneath"]
)  # fmt: skip
# What the object looks like and is made of is the grammar's to tell (a rust-red pebble, an
# iron key): a clause that names the object with one of these words is left out.
LOOKS = frozenset(
    ["red", "green", "grey", "gray", "blue", "white", "black", "gold", "golden", "silver",
     "amber", "pink", "rose", "brown", "yellow", "orange", "violet", "purple", "copper",
     "bronze", "brass", "cream", "ivory", "iron", "steel", "tin", "walnut", "oak", "bone",
     "speckled", "striped", "green-grey", "blue-grey"]
)  # fmt: skip
# Words that describe more than they name ("a small bay", "the small hours"): a thing
# brought in with one is not "the small" thing after.
DESCRIBING = frozenset(
    ["small", "little", "old", "dark", "long", "tall", "low", "high", "pale", "faint",
     "single", "lone", "thin", "wide", "narrow", "huge", "tiny", "great", "deep", "soft",
     "bright", "warm", "cold", "cool", "first", "last", "few", "new", "light", "heavy",
     "quiet", "still", "slow", "sudden", "distant", "far", "near", "whole", "half"]
)  # fmt: skip
# Uses in a place's text that make a thing part of that place, which texture may call "the"
# thing there without the dream having named it ("the shingle" of an island): one for every
# KNOWN_WORDS_PER_USE words the corpus has of the place (about eight in the built-in one,
# where "the ferry" of an island, said three times, is not yet the island's), and no fewer
# than KNOWN_USES.
KNOWN_USES, KNOWN_WORDS_PER_USE = 2, 900
# What every dream at dusk has, which texture may call "the" thing in any of them. Anything
# else needs the dream to have named it, or its place's scenery to: "the gate", "the stone",
# "the desk" and "the surf" are in the corpus's text of most places, but not in every dream.
AMBIENT = frozenset(
    ["air", "dark", "darkness", "dusk", "evening", "night", "light", "sky", "wind", "breeze",
     "quiet", "silence", "stillness", "hush", "cold", "chill", "warmth", "heat", "ground",
     "earth", "world", "way", "day", "moment", "time", "distance", "horizon", "dew", "shadow",
     "shadows", "hour", "dream", "scent", "smell", "sound", "sounds", "gloom", "half-light",
     "side", "step", "minute"]
)  # fmt: skip
# The movements whose passages describe their place, not a memory or a feeling.
SCENERY_MOVEMENTS = frozenset(["setting", "journey", "release"])
_DESCRIBING_ALL = DESCRIBING | LOOKS
# The short words that carry little of their own (FUNCTION_WORDS has the longer ones).
_SHORT_FUNCTION_WORDS = frozenset(
    ["a", "an", "the", "and", "or", "but", "nor", "of", "in", "on", "at", "to", "by", "up",
     "as", "is", "are", "was", "be", "am", "it", "its", "my", "me", "i", "we", "he", "she",
     "his", "her", "our", "us", "you", "so", "yet", "for", "off", "out", "all", "no", "not",
     "too", "how", "who", "why", "can", "may", "has", "had", "do", "did", "if", "one", "own"]
)  # fmt: skip
_LITTLE = FUNCTION_WORDS | _SHORT_FUNCTION_WORDS
# Things that half the places have, which texture still calls "the" thing only once the
# dream has named them: "the orb floats just above the water" in a forest with none.
NAMED_FIRST = frozenset(["water", "wet"])
# Words that point at a thing as "the" does.
_DEFINITE = frozenset(["the", "each", "every"])
# Words of a noun phrase looked at after "the": "the frog chorus", "the first pale buds".
PHRASE_WORDS = 3
# Words of the body that are also other things' ("the ribs" of a boat, "the face" of a cliff).
_NOT_ONLY_BODY = frozenset(["ribs", "back", "head", "face", "mouth", "arms", "legs", "neck"])
# Uses it takes to make a word one of an object's own ("needle", "wick").
OBJECT_WORD_USES = 5
# Times each clause may be used in a movement's pool: no clause comes back night after night.
CLAUSE_USES = 40
# Entities whose clauses keep to the values they were written of, when they speak of them.
KEPT = ("place", "artifact")
# A clause that ends on one of these ("and I did not", "but I do") leans on words its own
# sentence had, and means nothing after another's.
ELLIPTIC = frozenset(
    ["did", "do", "does", "not", "can", "cannot", "will", "would", "could", "should", "am",
     "is", "are", "was", "were", "have", "has", "had", "too", "either", "so", "there"]
)  # fmt: skip
# Where a clause ends on, or opens with, one of these alone ("a sprig of thyme lies within",
# "I step through", "inside lies a ferry ticket"), it is inside or through something its own
# sentence named (a locket, a gap in a wall), which another sentence does not have.
POINTING = frozenset(["within", "inside", "through"])
# What "inside" or "within" may open a clause with and still say what it is in.
_DETERMINERS = frozenset(["the", "a", "an", "my", "this", "every", "each"])
# The word after one of these in the corpus is a verb, unless it is one of NOT_VERBS;
# with fewer than MIN_VERBS found, every clause is taken to have one.
MIN_VERBS = 20
SUBJECTS = frozenset(["i", "it", "we", "they", "he", "she"])
NOT_VERBS = frozenset(
    ["the", "a", "an", "to", "too", "all", "and", "but", "as", "so", "in", "on", "at", "of",
     "with", "for", "from", "into", "over", "under", "again", "still", "just", "only", "even",
     "never", "not", "no", "that", "this", "up", "down", "out", "back", "away", "here",
     "there", "now", "then", "once", "myself", "itself", "i", "it", "we", "they", "you", "me",
     "my", "its", "also", "almost", "always", "really", "simply", "slowly", "",
     "whole", "own", "very", "between", "among", "above", "across", "along", "through",
     "toward", "towards", "by", "off", "without", "against", "onto", "inside", "outside",
     "ahead", "beneath", "below", "behind", "beside", "beyond", "around", "upon", "within",
     "near", "gently", "softly", "quietly", "already", "barely", "nearly", "suddenly",
     "finally", "first"]
)  # fmt: skip
BEGIN, END = "___BEGIN__", "___END__"  # markovify's markers, kept in its compiled chains
# Draws of a clause after a join before the walk gives up.
DRAWS = 40
# A movement with fewer sentences than this draws on the whole corpus instead.
MIN_MOVEMENT_SENTENCES = 100
# A texture sentence may share at most this many consecutive words with the corpus.
MAX_SHARED_RUN = 10
MIN_WORDS, MAX_WORDS = 10, 26
# Texture is drawn from a pool of sentences made once per corpus (and cached with it), so a
# dream only picks: up to POOL_SIZE distinct sentences per movement, from at most POOL_WALKS
# walks. Each pool sentence knows which places, objects and themes it suits.
POOL_SIZE = 6000
POOL_WALKS = 100000
# Walks in a row that find no new sentence before the pool is taken as full.
STALE_WALKS = 3000
# No more than this many pool sentences may share their first (or last) FAMILY_WORDS words,
# so one likely clause cannot come back night after night.
FAMILY_SIZE, FAMILY_WORDS = 32, 5
# A word belongs to the places (objects, themes) where it is used at least ALLOWED_SHARE
# of its average rate over all of them (weighed by how much text each has). When those
# are at most BOUND_SHARE of all the places, the word is bound to them: "dune" to the
# desert, "sand" to a few places, while "light" and "easier" belong everywhere.
BOUND_SHARE = 1 / 3
ALLOWED_SHARE = 0.25
# A word used for LOCAL_SHARE of its (weighed) use in at most half the places speaks of
# those places: a clause with such a word keeps to the places it was written of.
LOCAL_SHARE = 0.04
# Uses it takes to bind a word: a rare word is bound to a place ("dunlin"), but says
# nothing of a theme.
MIN_BOUND_USES = {"place": 1, "artifact": 3, "theme": 6}
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
# Places need no such test: each clause keeps to the places it was written of.
MARGIN = {"artifact": 4.5, "theme": 4.5}
# What a movement's texture must not say, on the lower-cased, slotted sentence (None: any
# movement). Waking (and the morning) is the grammar's to tell, at the very end, and a
# bedroom would put the dreamer indoors in any place; letting the object go belongs to the
# release's own lines, once, after which release texture does not name the object at all;
# the water the journey leads to is the haven's, which the grammar names.
_WAKING = (
    r"\b(wake|wakes|woke|waking|awake|awaken\w*|alarm|bed|beds|bedroom|room|rooms|pillows?"
    r"|ceiling|kitchen|phone|curtains?|indoors|duvet|sheets|morning|daylight|dawn|sunrise)\b"
    r"|\beyes (open|opening)\b"
)
_LETTING_GO = (
    r"\b(let|lets|letting)\b[^.]{0,24}\bgo\b|\breleas\w*|\bi open my (fingers|hands?|fist|palm)\b"
)
# Rain falling: the dream's sky is clear from dusk to the stars over the release (the smell of
# rain, or rainwater, may stay).
_RAINING = (
    r"\b(drizzle|downpour|sleet|hail|raining|rains|rained|raindrops?)\b"
    r"|\brain (is |was )?(fall|drum|patter|pour|beat|lash|drip|sweep|blow|spatter|hiss|shine|tap"
    r"|run|come|start)\w*|\b(fine|soft|light|heavy|steady|cold|warm|thin) rain\b"
    r"|\b(run|running|runs|drum|drums|streams?|streaming) with rain\b|\b(in|through) the rain\b"
    r"|\brain (has|had) (stopped|passed|cleared|eased|gone)\b|\bafter (the )?rain\b"
    r"|\brain (stops|eases|clears|ends|passes)\b"
)
# Tears are the grammar's to shed, once, in the revelation: texture that weeps ("I cry now",
# "my eyes blur") weeps again beside them, or before there is anything to weep for.
_TEARS = (
    r"\btears\b|\bcrying\b|\bi (cry|weep|sob)\w*|\bmy (eyes (well|blur|sting|fill|brim)\w*"
    r"|(cheeks|face) (are|is|runs?|grows?) wet|vision (swims|blurs)|face burns)"
)
# The hour, the sky and the season are the grammar's: dusk deepens into a clear night from
# one movement to the next, so texture does not set the sun, turn the dusk from one colour
# to another, cloud or haze the sky, or name a season ("the orchard is bare in midwinter" where the
# grammar's boughs hang with fruit); nor does breath show in the cold of every place.
_SKY = (
    r"\bsun (sinks|sank|sets|dips|goes (down|under)|slides|drops|is setting|is low|hangs|touches"
    r"|lowers|falls|leaves|slips|is gone)\b|\bsun(set|down)\b"
    r"|\b(turns?|turning|goes|going|fades?|fading|shifts?|changes?) from [a-z]+ to [a-z]+\b"
    r"|\bovercast\b|\b(cloudy|clouded)\b|\b(low|setting|sinking) sun\b"
    r"|\bclouds?\b(?! of)|\b(fog|foggy|haze|hazy)\b|\bblurs? into\b"
    r"|\b(turns?|goes) the colou?r of\b|\bmidnight\b|\bmiddle of the night\b"
    r"|\bstars (go out|fade|vanish|dim)\b"
)
_SEASON = (
    r"\b(spring|springtime|summer|autumn|autumnal|winter|wintry|midwinter|midsummer"
    r"|blossom\w*|petals)\b(?!-)|\bfirst buds\b|\bbuds? (open|break|swell)\w*"
    r"|(\b(orchard|trees|branches|boughs|wood|forest|garden)|\{place\})"
    r" (is|are|stands?|lies) bare\b"
)
_BREATH_SHOWS = r"\bbreath (hangs|shows|smokes|clouds|steams|plumes)\b|\bbreath (is )?white\b"
# Where the dreamer is and how they hold themselves, and where the object is and whether it
# is open, are the grammar's stage directions: texture that sits the dreamer down mid-walk,
# closes their eyes before the last lines, puts them in the river, empties their hands, or
# finds the object hanging on a twig or opens it a second time breaks them.
_STAGING = (
    r"\bi (sit|sits|kneel|crouch|lie|lay|stand up|get up)\b|\bi settle\b|\bsit down\b"
    r"|\bon my knees\b|\bin my lap\b|\bmy (hands|fingers) (shake|tremble)\b"
    r"|\b(my eyes|eyes) (close|closing|shut)\b|\bclose my eyes\b|\beyes (half )?close\b"
    r"|\b(wade|wades|wading)\b|\b(ankles|shins)\b|\bcarries me\b"
    r"|\b(hands|palms) (are|feel|lie|hang) (empty|light|free)\b|\bempty hands\b"
    r"|\bmy hands? stays? at my sides?\b"
    r"|\b(find|finds|found) (the|a|my) \{object"
    r"|\{object\}s? (is|lies|hangs|sits|rests|stands|waits) (wedged|caught|hanging|propped"
    r"|tucked|balanced|half)\b"
    r"|\{object\}s? (hangs|sits|rests|stands|waits|lies|burns) (open |shut |upright )?"
    r"(in|on|under|among|from|at|against|beside|inside) (a|the)\b"
    r"|\{object\}s? opens\b|\b(clasp|catch|lid|hinge)s? (gives|opens|springs|clicks)"
    r"|\b(while|as) i sleep\b|\bfall asleep\b|\b(in|inside|into) my sleep\b"
    r"|\bi (set|put|lay|place|leave|prop|tuck) (the|my) \{object"
    r"|\b(sea|world|snow|sand|flakes|storm|light|flame|town) inside\b"
    r"(?! (the|a|an|my|it|its|me|of))"
    r"|\bmy knees\b|\b(on|against) my chest\b|\bmy back against\b"
    r"|\b(runs|reaches|comes|laps|washes) (almost |right )?(up )?to my feet\b"
    r"|\bmy (hands|fingers|arms) (fold|fall|drop|hang|open|unclench)"
)
# What the dreamer does with the object, and where they hold it, is the grammar's to tell,
# from the first touch to the letting go: texture that turns it over, opens it, holds it to
# an ear, tucks it under an arm or swings it at a wrist or a throat does it a second time, or
# in a way the grammar's hands cannot ("I open the music box" after the lid is up; "the
# needle lies quiet on my chest" with the compass in a palm).
_HANDLING = (
    r"\b(i|and|then) ([a-z]+ly |am |keep )?(close|tuck|hang|turn|tilt|tip|shake|wind|open|shut"
    r"|lift|raise|cup|press|hold|holding|set|put|light|lighting|pocket|smooth|crank|stand|lay"
    r"|pick|slip|clutch|grip|squeeze|wrap|carry|touch|rub|stroke|trace|fold|unfold"
    r"|spin|twist|flip|bring|draw|pull|swing|polish|ring|strike|shield|clasp|unclasp|weigh"
    r"|toss|roll|cradle|hug|nurse|balance|grasp|tighten|hook|shift|move|rest|lower|take|fit"
    r"|click)\b[a-z ]{0,20}\b(the|my|its) (\{object|[a-z]+ \{object|wick|lid|clasp|chain|crank"
    r"|handle|globe)"
    r"|\bmy (fingers|hand|hands|palms?|grip) (close|closes|tighten|tightens|curl|curls)"
    r"|\bi (close|curl|tighten|wrap|fold) my (fingers|hand|hands)\b"
    r"|\{object\}s? (lies|rests|sits|hums|warms|grows warm|stays|is|pulses|throbs)"
    r"[a-z ]{0,12}\b(in|on|against|under|at) my\b"
    r"|\{object\}s? ([a-z]+ )?(swings|hangs|dangles)\b|\b(at|round|around) my (throat|neck)\b"
    r"|\{object\}s? is an?\b"
)
# What needs a reason its own passage gave and the dream does not: a laugh out of nowhere,
# "my own small light" where the object sheds none, a heart that "falls into step" with
# nothing, a body that "slips through like smoke" through nothing, "the little light" of an
# object that sheds none, feet that "skim" the ground, a river crossed with no bridge, an
# object that "stops beside it" (beside what its own passage named).
_UNFOUNDED = (
    r"\bi laugh\w*|\blaugh(ing)? (softly|aloud|quietly|out loud|under my breath)"
    r"|\bmy own (small )?light\b|\binto step\b(?! with)|\b(through|inside|within) (like|as)\b"
    r"|\b(the|its|my) (little|small|tiny) light\b|\bfeet skim\b|\bi cross\b"
    r"|\b(beside|past|toward|towards|behind|around|near) it\.$"
)
# The setting's grammar brings the dusk: texture that has it arrive again ("Dusk reaches the
# forest", "Evening settles over the island") says it twice.
_DUSK_COMES = (
    r"\b(dusk|evening|twilight|the gloaming) (reaches|comes|falls|gathers|settles|arrives"
    r"|creeps|deepens|thickens|spreads|steals|lies)\b"
)
# The walk begins with the journey: before it, the dreamer stands where the setting put them
# ("The orb grows heavier in my fist, and I follow" has them go in the revelation).
_SETTING_OUT = (
    r"\bi (follow|walk|climb|stride|go on|wander|set off|move on|press on|keep walking|hurry)\b"
)
# Nor, before the walk, do the dreamer's steps fall or leave prints ("my steps fall without a
# sound" where the dreamer stands on a dune).
_STEPS = r"\bmy (steps|footsteps|footprints)\b|\b(each|every) step\b|\bunder my steps\b"
# Before the release, the object is in the dreamer's hands, not in the water.
_IN_THE_WATER = r"\{object\}s? (rides|floats|bobs|drifts|sinks|swims)\b"
# The dream walks through the dusk; night falls in the release, in the grammar's own words,
# with the stars and the moon.
_NIGHTFALL = (
    r"\bnight (lies|falls|has fallen|has come|comes|settles|closes|is (settling|falling|coming))\b"
    r"|\bnightfall\b|\bstars?\b"
    r"|\bmoon\w*|\bstar(light|lit)\b"
)
# Once the walk is under way, the day's last light has gone: no afterglow in the journey or
# the release.
_DAY_GONE = r"\bafterglow\b|\blast (light|of the (light|day|sun))\b"
# The dream's dusk is calm, as the grammar tells it: no gale, no breakers.
_CALM = (
    r"\bwind (flattens|howls|roars|whips|batters|tears|gusts|buffets|rages|shrieks|screams)\b"
    r"|\bwaves (break|crash|pound|boom)\w*|\bsurf (breaks|booms|pounds|roars|crashes)\b"
    r"|\bbreakers\b|\bbreak white\b"
)
# The still water the release finds is its own: texture that has "the pool below the weir"
# in the revelation or "a skin of ice across each pool" in the setting puts a pool there
# first, and in the release it would be a second one. Once the walk begins, no lake, bay or
# creek either: the walk leads to the release's water, not past others.
_POOLS = (
    r"\b(ponds?|pools?|tarns?|meres?|lagoons?|basins?|fountains?|cisterns?|oasis|millponds?"
    r"|fishponds?|weirs?)\b(?!-)"
)
_WATERS = rf"{_POOLS}|\b(lakes?|spring|cove|inlet|harbour|creek|backwater|floodwater|bay)\b(?!-)"
# What sinks, bobs or goes under in the release is the object let go ("the gold sinks onto the
# weed", "the brass case sinks"), which the grammar tells; stars and the place may sink.
_GOES_UNDER = r"\bthe [a-z-]+( [a-z-]+)? (sinks|sank|bobs|goes under|settles on the bottom)\b"
# The dream ends once, in the grammar's last lines: the release's texture does not fade the
# place out, carry the dreamer off to sleep before they have lain down, or have their feet
# know "the way back" from the water they have only just found.
_ENDING = (
    r"\b(fades?|fading|dims?|dimming|blurs?) (away|out|to|into)\b|\bcarr(y|ies) the dream"
    r"|\binto sleep\b|\bsleep (comes|takes)\b|\brocks? me\b|\bfades\b(?! from)|\blets? the dream\b"
    r"|\bthe way back\b"
)
# A life told in passing ("I climbed my first hill at six", "shut for twenty years", "I have
# always loved the tide") is its passage's story, which the dream does not have.
_BIOGRAPHY = (
    r"\bfor (two|three|four|five|ten|twenty|thirty|forty|fifty|many|so many)"
    r" (years|summers|winters|months|weeks)\b|\byears ago\b"
    r"|\bi have always\b|\bat (five|six|seven|eight|nine|ten|eleven|twelve)\b"
    r"|^one moment\b"
    r"|\bi (turned|went|left|came|was|had|did|took|made|said|told|lost|found|gave|used|thought"
    r"|knew|saw|heard|felt|kept|wanted|tried|ran|sat|stood|walked|learned|spent|met|lived|worked"
    r"|missed|loved|forgot)\b|\bi have (never|hated)\b|\bforgiven myself\b"
)
# The scenes the object shows are the grammar's, in its order: texture that has "a scene form
# in the lamplight" or "each circle open a scene" shows one out of turn, in a way the object
# cannot.
_SCENES = r"\bscenes?\b"
# The release lies down (or curls up) once, in the grammar's last lines.
_LYING = r"\b(lie|lies|lying|lay)\s+(down|back)\b|\b(stretch(es)?\s+out|curls?\s+up)\b"
# Movements whose texture must not speak of the object: in the setting it has not come yet,
# and by the release it is let go; a sentence that turns its wick down or winds its key would
# bring it in too soon, or back.
OBJECT_ABSENT = frozenset(["setting", "release"])
# The parts and doings of objects ("the needle", "its clasp", "the small flame", "the lower
# bulb", "the notes" of a music box): a sentence that speaks of one must have been written
# of the dream's own object ("the frame of the door", "the sound of the sea" are not).
_PART = re.compile(
    r"\b(the|its)( [a-z-]+)? (frame|case|lid|clasp|hinge|wick|needle|clapper|chain|click"
    r"|chime|bow|teeth|flame|glass|globe|curl|tick|ticking|catch|dial|bulb|beads|quill|beam|lip"
    r"|halves|brass"
    r"|notes?|tune|melody|song|sound)\b(?! of\b)"
)
FORBIDDEN: dict[str | None, str] = {
    None: (
        f"{_WAKING}|{_RAINING}|{_TEARS}|{_SKY}|{_SEASON}|{_BREATH_SHOWS}|{_STAGING}|{_UNFOUNDED}"
        f"|{_HANDLING}|{_CALM}|{_BIOGRAPHY}|{_SCENES}|{_POOLS}"
    ),
    "setting": (
        f"{_LETTING_GO}|{_NIGHTFALL}|{_DUSK_COMES}|{_IN_THE_WATER}|{_SETTING_OUT}|{_STEPS}"
    ),
    "artifact": (
        f"{_LETTING_GO}|{_NIGHTFALL}|{_DUSK_COMES}|{_IN_THE_WATER}|{_SETTING_OUT}|{_STEPS}"
    ),
    "revelation": f"{_LETTING_GO}|{_NIGHTFALL}|{_IN_THE_WATER}|{_SETTING_OUT}|{_STEPS}",
    "journey": f"{_LETTING_GO}|{_NIGHTFALL}|{_WATERS}|{_IN_THE_WATER}|{_DAY_GONE}",
    "release": (
        f"{_LETTING_GO}|{_WATERS}|\\b(offer|lower|drop)\\w*|\\{{object|{_LYING}|{_GOES_UNDER}"
        f"|{_DAY_GONE}|{_ENDING}|{_SETTING_OUT}"
    ),
}
_HEADER = re.compile(r"^%%(.*)$")
_PRONOUN = re.compile(
    r"\b(it|its|itself|they|them|their|theirs|themselves|each one|every one)\b", re.IGNORECASE
)
_PUNCTUATION = ".,;:!?\"'()-"


@dataclass(frozen=True)
class Passage:
    """A paragraph of the corpus, with the movement and tags it belongs to."""

    text: str
    movement: str | None
    tags: Mapping[str, str] = field(default_factory=dict)


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

    def __init__(self, lexicon: Mapping[str, set[str]], plural: Callable[[str], str]) -> None:
        forms: dict[str, str] = {}
        for slot, nouns in lexicon.items():
            for noun in nouns:
                forms[noun.lower()] = f"{{{slot}}}"
                forms[plural(noun).lower()] = f"{{{slot}s}}"
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
# A walk's sentence, and per entity in KEPT (the place, the artifact) the values its clauses
# were written of (None: any).
Walk = tuple[str, dict[str, frozenset[str] | None]]


@dataclass
class Learner:
    """A clause chain per movement, plus what it takes to keep its sentences honest: what
    makes the pools, not needed once they are made."""

    # movement -> the compiled clause chain: (token,) -> [next tokens, cumulative weights]
    chains: dict[str, Model]
    # Every run of MAX_SHARED_RUN + 1 words in the corpus, lower-cased, punctuation aside.
    seen_runs: frozenset[tuple[str, ...]]
    # Every run of MIN_WORDS words in the corpus, as seen_runs: a sentence that is all
    # one of these is only a piece of a corpus sentence.
    seen_pieces: frozenset[tuple[str, ...]]
    # Words the corpus uses as verbs ("I walk", "it hums"): a clause without one is a
    # fragment ("and the house") that cannot stand after a join.
    verbs: frozenset[str]
    # Words the corpus uses as nouns ("the lock", "a frog chorus"): see `_nouns`.
    nouns: frozenset[str]
    # Word -> place -> its uses in the passages that describe the place (`needs`).
    scenery_uses: dict[str, Counter[str]]
    # Entity in KEPT -> clause -> the values (places, artifacts) of the passages it is in,
    # if it speaks of some more than others or has their slot ("I wind the {object}" was
    # written of a music box, and fills with nothing else); None when it belongs anywhere.
    kept: dict[str, dict[str, frozenset[str] | None]]
    # Clauses that tell their own passage's story, which texture does without.
    stories: frozenset[str]
    bound: dict[str, dict[str, frozenset[str]]]
    profiles: dict[str, Profile]
    sentence_count: int
    _clause_memo: dict[str, bool] = field(default_factory=dict, repr=False)
    _following_memo: dict[tuple[int, str, str], tuple[list[str], list[int]]] = field(
        default_factory=dict, repr=False
    )
    _logs: dict[str, dict[str, list[float]]] = field(default_factory=dict, repr=False)
    # The plurals of the dream's things put in slots, asked of inflect once each.
    english: English = field(default_factory=English, repr=False)

    def pool(self, movement: str, lexicon: Mapping[str, Sequence[str]]) -> list[Entry]:
        """Up to POOL_SIZE distinct sentences for `movement`, each with the masks of what it
        suits; made from a fixed seed, so the same corpus
        always gives the same pool."""
        chain = self.chains.get(movement)
        if chain is None:
            return []
        rng = random.Random(f"pool:{movement}")
        forbidden = [re.compile(FORBIDDEN[None]), re.compile(FORBIDDEN.get(movement, "$^"))]
        found: set[str] = set()
        entries: list[Entry] = []
        families: Counter[tuple[str, ...]] = Counter()
        uses: Counter[str] = Counter()
        # The walks take each place in turn, so every place gets its share of the pool.
        written = self.kept.get("place", {}).values()
        places: list[str | None] = [*sorted({p for ps in written if ps for p in ps})] or [None]
        last_new = 0
        for walk in range(POOL_WALKS):
            if walk - last_new > STALE_WALKS:  # a small corpus has given all it has
                break
            walked = self.walk(chain, rng, places[walk % len(places)])
            if walked is None or walked[0] in found:
                continue
            last_new = walk
            text, about = walked
            found.add(text)
            lowered = text.lower()
            if any(pattern.search(lowered) for pattern in forbidden):
                continue
            words = lowered.split()
            if movement in OBJECT_ABSENT and self._of_an_object(words, about):
                continue
            if about.get("artifact") is None and _PART.search(lowered):
                continue
            ends = (("<", *words[:FAMILY_WORDS]), (">", *words[-FAMILY_WORDS:]))
            parts = [p for p in _clauses(text.split()) if p not in CONNECTOR_TOKENS]
            if any(families[end] >= FAMILY_SIZE for end in ends) or any(
                uses[part] >= CLAUSE_USES for part in parts
            ):
                continue
            if any(thing in LOOKS for thing, _ in self.needs(text)):
                continue  # "the amber", "the white": a colour of something not there
            entry = self._entry(text, about, lexicon)
            if entry is None:
                continue
            families.update(ends)
            uses.update(parts)
            entries.append(entry)
            if len(entries) == POOL_SIZE:
                break
        return entries

    def needs(self, text: str) -> list[tuple[str, int]]:
        """The things a pool sentence calls "the" thing that not every dream has (AMBIENT and
        the dreamer's BODY aside), each with
        a mask of the places (bits over the place values) whose scenery (SCENERY_MOVEMENTS)
        names it often enough (`_known_uses`); none for a colour or a thing in NAMED_FIRST ("into
        the white", "the water"). Anywhere else the dream must have named it first: "the
        shaft" on a shore, "the pages" with no book, "the frog chorus" in a canyon."""
        profile = self.profiles.get("place")
        if profile is None:
            return []
        needed: list[tuple[str, int]] = []
        places: list[str] = profile["values"]
        for thing in _definites(text.lower().split(), self.nouns, self.verbs):
            if thing in LOOKS or thing in NAMED_FIRST:  # "the white", "the water" of what?
                needed.append((thing, 0))
                continue
            if (thing in BODY and thing not in _NOT_ONLY_BODY) or thing in AMBIENT:
                continue  # the dreamer's body, or what every dream at dusk has
            scenery = self.scenery_uses
            where = scenery.get(thing) or scenery.get(_singular(thing)) or Counter[str]()
            known = self._known_uses
            mask = 0
            for i, place in enumerate(places):
                if where.get(place, 0) >= known.get(place, KNOWN_USES):
                    mask |= 1 << i
            needed.append((thing, mask))
        return needed

    @functools.cached_property
    def _known_uses(self) -> dict[str, int]:
        """Place -> the uses in its text that make a thing the place's (KNOWN_USES)."""
        words = Counter[str]()
        for uses in self.scenery_uses.values():
            words.update(uses)
        return {
            place: max(KNOWN_USES, count // KNOWN_WORDS_PER_USE) for place, count in words.items()
        }

    def _of_an_object(
        self, words: Sequence[str], about: Mapping[str, frozenset[str] | None]
    ) -> bool:
        """Whether the sentence speaks of some particular object: it was written of one, or
        has a word bound to a few ("the wick", "its chain"). (A part of an object not written
        of one is left out of every pool: see `pool`.)"""
        bound = self.bound.get("artifact", {})
        return about.get("artifact") is not None or any(_bare(w) in bound for w in words)

    def walk(self, chain: Model, rng: random.Random, place: str | None = None) -> Walk | None:
        """One walk of the clause chain (keeping to clauses written of `place`, if given): a
        new sentence and the places it can be about (None: any), or None if this walk made
        none."""
        state = BEGIN
        parts: list[str] = []
        clauses = length = 0
        past: bool | None = None
        about: dict[str, frozenset[str] | None] = dict.fromkeys(KEPT)
        if place is not None:
            about["place"] = frozenset([place])
        while True:
            following, cumulative = self._following(chain, state, place)
            if state == BEGIN or state in CONNECTOR_TOKENS:
                # Only a clause that stands alone (with a verb, nothing pointing back, the
                # sentence's time; after a join, opening as a clause does) and was written of
                # a place and artifact the sentence can still be about: a clause of the shore
                # does not go on in the cave. A few draws nearly always find one.
                joined = state != BEGIN
                for _ in range(DRAWS):
                    token = _draw(following, cumulative, rng)
                    if (
                        (not joined or _opens_clause(token))
                        and self._is_clause(token)
                        and token not in self.stories
                        and past in (None, _past(token))
                        and self._agrees(about, token)
                    ):
                        break
                else:
                    return None
                past = _past(token)
            else:  # after a clause: a join that only adds, or the end
                for _ in range(DRAWS):
                    token = _draw(following, cumulative, rng)
                    if token == END or token in LINKS:
                        break
                else:
                    return None
            if token == END:
                break
            if token not in CONNECTOR_TOKENS:
                clauses += 1
                size = token.count(" ") + 1
                length += size
                # A clause longer than MAX_SHARED_RUN could only be copied.
                if clauses > MAX_CLAUSES or size > MAX_SHARED_RUN or length > MAX_WORDS:
                    return None
                for entity in KEPT:
                    about[entity] = _meet(about[entity], self.kept[entity].get(token))
            # The corpus joins most clauses with ", and": some are told with a semicolon
            # instead, so that texture does not always walk with the same gait.
            parts.append(";" if token == ", and" and rng.random() < SEMICOLON_SHARE else token)
            state = token
        if clauses < 2:
            return None
        text = _join(parts)
        if _dangles(text) or _echoes(parts):
            return None
        words = text.split()
        if not MIN_WORDS <= len(words) <= MAX_WORDS or text[-1] not in ".!?":
            return None
        lowered = [w.lower() for w in words]
        if self._copies(lowered) or tuple(map(_plain, lowered)) in self.seen_pieces:
            return None
        return text, about

    def _following(
        self, chain: Model, state: str, place: str | None
    ) -> tuple[list[str], list[int]]:
        """What may follow `state` in a walk kept to `place` (None: any), with its cumulative
        weights: the chain's own choices, less clauses written of other places."""
        following, cumulative = chain[(state,)]
        if place is None:
            return following, cumulative
        key = (id(chain), state, place)
        known = self._following_memo.get(key)
        if known is None:
            kept: list[str] = []
            weights: list[int] = []
            total = previous = 0
            for token, running in zip(following, cumulative, strict=True):
                written = self.kept["place"].get(token)
                if written is None or place in written:
                    total += running - previous
                    kept.append(token)
                    weights.append(total)
                previous = running
            known = (kept, weights) if kept else (following, cumulative)
            self._following_memo[key] = known
        return known

    def _agrees(self, about: Mapping[str, frozenset[str] | None], clause: str) -> bool:
        """Whether the clause was written of a place and artifact the sentence can still be
        about (a clause of the shore does not go on in the cave, nor the candle's wick in a
        dream of a key)."""
        return all(_meet(about[e], self.kept[e].get(clause)) != frozenset() for e in KEPT)

    def _entry(
        self,
        text: str,
        about: Mapping[str, frozenset[str] | None],
        lexicon: Mapping[str, Sequence[str]],
    ) -> Entry | None:
        """The sentence with its masks, given the places its clauses were written of (None:
        any); None when it suits nothing."""
        lowered = text.lower().split()
        masks: list[int] = []
        for entity in ENTITIES:
            profile = self.profiles.get(entity)
            values: list[str] = profile["values"] if profile else []
            bound = self.bound.get(entity, {})
            binding = [bound[w] for w in map(_bare, lowered) if w in bound]
            written = about.get(entity)
            if written is not None:
                binding.append(written)
            tested = profile is not None and entity in MARGIN
            readings = self._readings(lowered, entity) if tested else set(values)
            mask = 0
            for i, value in enumerate(values):
                if value in readings and all(value in allowed for allowed in binding):
                    mask |= 1 << i
            if not binding:
                # A value the corpus never tagged: nothing may be bound to another.
                mask |= 1 << len(values)
            masks.append(mask)
        used = {slot for slot in SLOTS if f"{{{slot}}}" in text or f"{{{slot}s}}" in text}
        for slot, entity in SLOTS.items():
            names = lexicon.get(slot, [])
            if slot not in used:
                masks.append(-1)  # any value, or none
                continue
            mask = 0
            for i, name in enumerate(names):
                # Filled with this value, and the other slots with any of theirs.
                fillings = _fillings(used - {slot}, lexicon)
                filled = (
                    _substitute(text, {entity: name, **other}, self.english.s)
                    for other in fillings
                )
                if not any(f is None or self._copies(f.lower().split()) for f in filled):
                    mask |= 1 << i
            masks.append(mask)
        if not all(masks):
            return None
        return (text, *masks)

    def _is_clause(self, token: str) -> bool:
        """Whether the clause has a verb after its first word (its subject or opener)."""
        known = self._clause_memo.get(token)
        if known is None:
            words = [_plain(w.lower()) for w in token.split()]
            # A corpus that never says "I ..." or "it ..." cannot tell its verbs: trust it.
            known = (
                (len(self.verbs) < MIN_VERBS or any(w in self.verbs for w in words[1:]))
                and words[-1] not in ELLIPTIC
                and words[-1] not in POINTING
                and not (words[0] in POINTING and len(words) > 1 and words[1] not in _DETERMINERS)
                and words[0] not in BACK_OPENERS
                and not ANAPHORA.intersection(words)
                and not self._one_stands_for(words)
            )
            self._clause_memo[token] = known
        return known

    def _one_stands_for(self, words: Sequence[str]) -> bool:
        """Whether "one" stands for a noun of another sentence ("where one ends")."""
        for i, word in enumerate(words):
            if word == "one" and (i == 0 or words[i - 1] not in ("no", "any", "every", "some")):
                after = words[i + 1] if i + 1 < len(words) else ""
                if not after or after in self.verbs:
                    return True
        return False

    def _copies(self, lowered: Sequence[str]) -> bool:
        return any(run in self.seen_runs for run in _runs(lowered))

    def novel_sentences(self, movement: str, walks: int, seed: int = 0) -> set[str]:
        """The distinct new sentences `walks` walks find (for corpus stats)."""
        chain = self.chains.get(movement)
        if chain is None:
            return set()
        rng = random.Random(f"{seed}:stats:{movement}")
        found = (self.walk(chain, rng) for _ in range(walks))
        return {walked[0] for walked in found if walked is not None}

    def _readings(self, lowered: Sequence[str], entity: str) -> set[str]:
        """The values of `entity` the sentence may read as: none much less likely than the
        likeliest (naive Bayes over its words)."""
        profile = self.profiles[entity]
        logs = self._logs.get(entity)
        if logs is None:
            logs = self._logs[entity] = _log_likelihoods(profile)
        scores = [0.0] * len(profile["values"])
        for word in map(_bare, lowered):
            vector = logs.get(word)
            if vector is not None:
                scores = [a + b for a, b in zip(scores, vector, strict=True)]
        best = max(scores)
        margin = MARGIN[entity]
        names: list[str] = profile["values"]
        return {name for name, score in zip(names, scores, strict=True) if best - score <= margin}


def _log_likelihoods(profile: Profile) -> dict[str, list[float]]:
    """word -> log P(word | value) for each value, add-one smoothed."""
    counts: dict[str, list[int]] = profile["counts"]
    vocabulary = len(counts)
    totals: list[int] = profile["totals"]
    return {
        word: [
            math.log((n + 1) / (total + vocabulary)) for n, total in zip(seen, totals, strict=True)
        ]
        for word, seen in counts.items()
    }


def _dangles(text: str) -> bool:
    """Whether a pronoun has lost its noun: "it" before the sentence names the object (the
    "it" of another sentence's thing), or "they" or "each one" at all."""
    matches = list(_PRONOUN.finditer(text))
    if any(
        m.group(1).lower().startswith(("they", "them", "their", "each", "every")) for m in matches
    ):
        return True
    return bool(matches) and "{object" not in text[: matches[0].start()]


def _inner(words: Sequence[str], common: Collection[str]) -> bool:
    """Whether the clause (bare words) is the dreamer's body or going, which any place has:
    "my breath comes easy", "I walk on into the dark", with no word most places lack."""
    if len(words) < 2:
        return False
    first, second = words[0], words[1]
    # "I let the sand run", "I open the catch": a thing of the clause's own object.
    owns = first == "i" and len(words) > 2 and words[2] not in PARTICLES
    return (
        ((first == "my" and second in BODY) or (first == "i" and second in GOING))
        and not owns
        and all(w in common or w in BODY or w in FUNCTION_WORDS or len(w) <= 3 for w in words[2:])
    )


def _past(clause: str) -> bool:
    """Whether the clause tells of the past ("I said almost nothing", "I lost years")."""
    words = [_plain(w) for w in clause.lower().split()]
    if PAST.intersection(words):
        return True
    return any(
        a in SUBJECTS and b.endswith("ed") and not b.endswith("eed")  # "I need", "it bleeds"
        for a, b in itertools.pairwise(words)
    )


def _echoes(parts: Sequence[str]) -> bool:
    """Whether two clauses share a word of substance ("an owl calls twice, and a tawny owl
    calls twice"): two sentences' clauses that say the same thing read as a stammer."""
    seen: set[str] = set()
    for part in parts:
        if part in CONNECTOR_TOKENS:
            continue
        words = {stem(w) for w in _substance(part)}
        if words & seen:
            return True
        seen |= words
    return False


def _meet(where: frozenset[str] | None, places: frozenset[str] | None) -> frozenset[str] | None:
    """The places both allow; None stands for any."""
    if where is None:
        return places
    return where if places is None else where & places


def _draw(following: list[str], cumulative: list[int], rng: random.Random) -> str:
    return following[bisect.bisect(cumulative, rng.random() * cumulative[-1])]


def _opens_clause(token: str) -> bool:
    words = token.lower().split()
    if words[0] in ("though", "if") and len(words) > 1:
        # "as though telling me": a participle with no subject of its own.
        return not words[1].endswith("ing")
    first = token.split(maxsplit=1)[0]
    return first.lower() in CLAUSE_OPENERS or first.startswith("{") or first[0].isupper()


def _clauses(words: Sequence[str]) -> list[str]:
    """A sentence as [clause, join, clause, ...]: split where a comma or semicolon comes
    before a connective ("cool, and the"), and at any semicolon."""
    tokens: list[str] = []
    current: list[str] = []
    for word in words:
        lowered = word.lower()
        joined = current and current[-1].endswith((",", ";"))
        # "earth, cold rock, and moss" ends a list, not a clause.
        listed = lowered in ("and", "or") and any(w.endswith(",") for w in current[:-1])
        if joined and (current[-1].endswith(";") or (lowered in CONNECTIVES and not listed)):
            mark = current[-1][-1]
            current[-1] = current[-1][:-1]
            tokens.append(" ".join(current))
            current = []
            if lowered in CONNECTIVES:
                tokens.append(f"{mark} {lowered}")
                continue
            tokens.append(mark)
        current.append(word)
    tokens.append(" ".join(current))
    return tokens


def _join(parts: Sequence[str]) -> str:
    text = ""
    for part in parts:
        if part in CONNECTOR_TOKENS:
            text += part
        else:
            text += f" {part}" if text else part
    return text


# Every join a clause chain can hold: ", and", "; and", ";", ...
CONNECTOR_TOKENS = frozenset([";", *(f"{mark} {word}" for mark in ",;" for word in CONNECTIVES)])


def _runs(lowered: Sequence[str], size: int = MAX_SHARED_RUN + 1) -> Iterator[tuple[str, ...]]:
    """Each run of `size` words, punctuation aside: "water," is "water"."""
    plain = [_plain(word) for word in lowered]
    for i in range(len(plain) - size + 1):
        yield tuple(plain[i : i + size])


def _plain(word: str) -> str:
    return word.strip(_PUNCTUATION)


def build(passages: Sequence[Passage], lexicon: Mapping[str, set[str]]) -> TextureModel:
    """Learn the corpus, then make each movement's pool of sentences for these slot values."""
    learner = learn(passages, lexicon)
    names = {slot: sorted(lexicon.get(slot, ())) for slot in SLOTS}
    pools = dict(zip(MOVEMENTS, _pools(learner, names), strict=True))
    return TextureModel(
        pools=pools,
        needs={
            movement: Needs.of([learner.needs(pool.text(i)) for i in range(len(pool))])
            for movement, pool in pools.items()
        },
        values={
            entity: list(learner.profiles[entity]["values"]) if entity in learner.profiles else []
            for entity in ENTITIES
        },
        lexicon=names,
        sentence_count=learner.sentence_count,
    )


def _pools(learner: Learner, names: dict[str, list[str]]) -> list[Pool]:
    """Each movement's pool, made in forked worker processes when there are cores to spare
    (each pool has its own seed, so the pools are the same either way)."""
    import multiprocessing  # only when a model is built
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    global _forked
    jobs = min(len(MOVEMENTS), os.cpu_count() or 1)
    if jobs > 1 and "fork" in multiprocessing.get_all_start_methods():
        _forked = (learner, names)  # what the forked workers start with
        try:
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as workers:
                return list(workers.map(_pool_of, MOVEMENTS))
        except (OSError, BrokenProcessPool):  # no processes to be had: make them here
            pass
        finally:
            _forked = None
    return [Pool.of(learner.pool(movement, names)) for movement in MOVEMENTS]


# Set only while forked workers make the pools, which inherit it.
_forked: tuple[Learner, dict[str, list[str]]] | None = None


def _pool_of(movement: str) -> Pool:
    assert _forked is not None
    learner, names = _forked
    return Pool.of(learner.pool(movement, names))


def _fillings(
    slots: set[str], lexicon: Mapping[str, Sequence[str]]
) -> list[dict[str, str | None]]:
    """Every way to fill these slots from the lexicon, as entity -> value."""
    fillings: list[dict[str, str | None]] = [{}]
    for slot in sorted(slots):
        entity = SLOTS[slot]
        fillings = [{**f, entity: v} for f in fillings for v in lexicon.get(slot, ())]
    return fillings


def learn(passages: Sequence[Passage], lexicon: Mapping[str, set[str]]) -> Learner:
    """Train one clause chain per movement, on its own passages and the untagged text."""
    lexicon = _with_tagged_nouns(lexicon, passages)
    english = English()  # the plurals of the corpus's things, asked once each
    slot = _Slotter(lexicon, english.s)
    by_movement: dict[str | None, list[list[str]]] = {}
    seen: set[tuple[str, ...]] = set()
    pieces: set[tuple[str, ...]] = set()
    verbs: set[str] = set()
    kept: dict[str, dict[str, frozenset[str] | None]] = {entity: {} for entity in KEPT}
    read = _read(passages, slot)
    for passage, sentences in zip(passages, read, strict=True):
        for sentence, words, clauses in sentences:
            for lowered in (sentence.lower().split(), [w.lower() for w in words]):
                seen.update(_runs(lowered))
                pieces.update(_runs(lowered, MIN_WORDS))
            plain = [_plain(w) for w in sentence.lower().split()]
            verbs.update(b for a, b in itertools.pairwise(plain) if a in SUBJECTS)
            # A sentence of one clause has no join to leave by: it could only be copied.
            if len(clauses) > 1 and not any(_bare(w.lower()) in PEOPLE for w in words):
                by_movement.setdefault(passage.movement, []).append(clauses)
                for clause in clauses[::2]:  # the clauses, not the joins between them
                    for entity, written in kept.items():
                        value = passage.tags.get(entity)
                        known = written.get(clause, frozenset())
                        written[clause] = (
                            None if known is None or value is None else known | {value}
                        )
    everything = [clauses for group in by_movement.values() for clauses in group]
    # "The fennec trots ahead" was written after "a fennec" came: told again it points at
    # a fennec nobody has met.
    stories: set[str] = _told_of_before(read, verbs - NOT_VERBS)
    untagged = by_movement.get(None, [])
    chains: dict[str, Model] = {}
    whole: Model | None = None
    for movement in MOVEMENTS:
        # A movement's chain learns only its own passages and the untagged text, so journey
        # texture reads like a journey; a movement with too little text of its own borrows
        # the whole corpus.
        own = by_movement.get(movement, [])
        if len(own) >= MIN_MOVEMENT_SENTENCES:
            chains[movement] = _compile(own + untagged)
        elif everything:
            whole = whole or _compile(everything)
            chains[movement] = whole
    uses, values = _word_uses(passages, read)
    # A clause with nothing in it that speaks of one kind of object ("my shoulders drop")
    # may go with any object, wherever it was written, unless it speaks of the object as
    # "it". Places are stricter: a clause of scenery keeps to the places it was written of,
    # so a sentence's clauses were all written of one place, and sound like it ("frogs call
    # from the ditches, and the reeds lean over me"); only the dreamer's body and going ("my
    # breath comes easy") and the object's own clauses, with no word of a place, go anywhere.
    # A clause of none of these (of no place, no object, not the dreamer's) tells its own
    # passage's story ("the table falls silent", "nobody calls", "I can walk in"), which
    # means nothing in another's: texture is made without them. A corpus that tags no
    # places (a dream journal) has no way to tell, and keeps them all.
    # A word of a place is one used often, and mostly in a few places ("reeds", "dunes",
    # "shelves"): a word of someone's story ("the bus", "a coward", "the holiday") turns
    # up wherever its stories were told, which says nothing of the place. A word of an
    # object is one bound to it and a few others, used often ("needle", "wick", "quill").
    bound = _bound_words(uses, values)
    local = {
        "place": _scenery(uses["place"]),
        "artifact": {
            w
            for w, of in bound["artifact"].items()
            if len(of) <= 2 and sum(uses["artifact"][w].values()) >= OBJECT_WORD_USES
        },
    }
    wide = _local_words(uses["place"], values["place"])  # "red rock" is not the forest's
    # Words most places have: a clause of the dreamer's going ("I sit down on the grass")
    # with only these may be anywhere; "I sit down at the desk" keeps to the library.
    common = {w for w, counts in uses["place"].items() if len(counts) * 2 >= len(values["place"])}
    # Two common words may together name a thing of a few places ("the slip face" of a dune).
    paired = _local_pairs(passages, read)
    for clause in kept["place"]:
        words = [_bare(w.lower()) for w in clause.split()]
        of_place = "{place" in clause or bool(local["place"].intersection(words))
        # A word of an object in a clause written where no object was ("a single bulb hangs
        # overhead" in the library) is the place's, not the object's.
        written_of = kept["artifact"].get(clause)
        of_object = "{object" in clause or (
            bool(local["artifact"].intersection(words)) and written_of is not None
        )
        inner = _inner(words, common) and not paired.intersection(itertools.pairwise(words))
        if not (of_place or of_object or inner or not values["place"]):
            stories.add(clause)
        elif "{object" in clause and LOOKS.intersection(words):
            stories.add(clause)  # "the {object} is smooth and green": the grammar's to say
        # "I wind it" is its own object's, and "the pink lip" the shell's.
        if not of_object and not _PRONOUN.search(clause) and not _PART.search(clause.lower()):
            kept["artifact"][clause] = None
        # The dreamer, or the object, with no word at all of some places: anywhere.
        if (inner or of_object) and not wide.intersection(words) and "{place" not in clause:
            kept["place"][clause] = None
    return Learner(
        chains=chains,
        seen_runs=frozenset(seen),
        seen_pieces=frozenset(pieces),
        verbs=frozenset(verbs - NOT_VERBS),
        nouns=_nouns(read, verbs - NOT_VERBS),
        scenery_uses=_word_uses(*_describing(passages, read))[0]["place"],
        kept=kept,
        stories=frozenset(stories),
        bound=bound,
        profiles=_profiles(uses, values),
        sentence_count=len(everything),
        english=english,
    )


def _told_of_before(read: Read, verbs: Collection[str]) -> set[str]:
    """The clauses that speak of "the" thing an earlier sentence of their passage brought
    in as "a" thing ("A fennec watches from a dune. ... the fennec trots ahead"), the thing
    being the word after "a", or the one after that where the first describes it ("a grey
    wagtail")."""
    told: set[str] = set()
    for sentences in read:
        met: set[str] = set()
        for _, words, clauses in sentences:
            plain = [_plain(w.lower()) for w in words]
            brought = {
                thing
                for i, word in enumerate(plain[:-1])
                if word in ("a", "an")
                for thing in _named(plain[i + 1 : i + 3], verbs)
            }
            for clause in clauses[::2]:
                lowered = [_plain(w.lower()) for w in clause.split()]
                if any(
                    word == "the" and (set(lowered[i + 1 : i + 3]) & met) - brought
                    for i, word in enumerate(lowered)
                ):
                    told.add(clause)
            met |= {thing for thing in brought if not thing.startswith("{")}
    return told


def _local_pairs(passages: Sequence[Passage], read: Read) -> set[tuple[str, str]]:
    """Pairs of words of substance, side by side, used more than once and all in
    SCENERY_PLACES places or fewer: "slip face", "reading hall", "sledge track"."""
    where: dict[tuple[str, str], Counter[str]] = {}
    for passage, sentences in zip(passages, read, strict=True):
        place = passage.tags.get("place")
        if place is None:
            continue
        words = _bare_words(sentences)
        for pair in itertools.pairwise(words):
            if all(len(w) > 2 and w not in FUNCTION_WORDS for w in pair):
                where.setdefault(pair, Counter())[place] += 1
    return {
        pair
        for pair, places in where.items()
        if places.total() > 1 and len(places) <= SCENERY_PLACES
    }


def _definites(words: Sequence[str], nouns: Collection[str], verbs: Collection[str]) -> list[str]:
    """What a sentence calls "the" thing: the nouns among the words after "the" (or "each"
    or "every", which point at things as surely: "each circle opens", "every spine"), up to a
    function word, a verb or a comma ("the first buds", "the stiff lock", "the frog
    chorus"), but a word in -s after a singular one, which is most often its verb ("the
    wind drops"). Slots are the dream's own."""
    plain = [_bare(w) if not w.startswith("{") else "" for w in words]
    things: list[str] = []
    for i, word in enumerate(plain):
        if word not in _DEFINITE:
            continue
        run = _run(words, plain, i + 1, verbs)
        for k, thing in enumerate(run):
            last = k == len(run) - 1
            before = run[k - 1] if k and run[k - 1] not in _DESCRIBING_ALL else ""
            if thing not in nouns or (not last and thing in _DESCRIBING_ALL):
                continue  # not a thing, or a colour or size of the next ("the white boughs")
            if before in nouns and _third_person(thing) and not before.endswith("s"):
                continue  # a verb after its subject: "the wind drops", not "the wind" drops
            things.append(thing)
    return things


def _third_person(word: str) -> bool:
    """Whether the word may be a verb's "he/she/it" form: it ends in -s, but not as "moss",
    "chorus" and "iris" do."""
    return word.endswith("s") and not word.endswith(("ss", "us", "is"))


def _run(
    words: Sequence[str], plain: Sequence[str], start: int, verbs: Collection[str]
) -> list[str]:
    """The words from `start` that may make a noun phrase: up to a function word, a slot,
    a word in `verbs` or past a comma, and no more than PHRASE_WORDS."""
    run: list[str] = []
    for word, bare in zip(words[start : start + PHRASE_WORDS], plain[start:], strict=False):
        if not bare or bare in _LITTLE or bare in verbs:
            break
        run.append(bare)
        if not word[-1].isalpha():
            break
    return run


def _nouns(read: Read, verbs: Collection[str]) -> frozenset[str]:
    """Words the corpus uses as nouns: a word after a determiner (and any DESCRIBING or
    LOOKS words) that ends its phrase, before a stop, a function word or a verb: "the
    lock.", "a small frog croaks"; or a word before another in -s, its verb ("the dappled
    flank glides"); not "narrows" in "the path narrows", whose verb the corpus may never
    have shown after a subject."""
    nouns: set[str] = set()
    for sentences in read:
        for sentence, _, _ in sentences:
            words = sentence.lower().split()
            plain = [_bare(w) for w in words]
            for i, word in enumerate(plain):
                if word not in _DETERMINERS and word != "its":
                    continue
                # A word before its verb's -s form: "the dappled flank glides".
                for thing, then in itertools.pairwise(_run(words, plain, i + 1, verbs)):
                    if _third_person(then) and not _third_person(thing):
                        nouns.add(thing)
                j = i + 1
                while (
                    j + 1 < len(plain) and plain[j] in _DESCRIBING_ALL and words[j][-1].isalpha()
                ):
                    j += 1
                if j >= len(plain) or not plain[j] or plain[j] in _LITTLE:
                    continue
                after = plain[j + 1] if j + 1 < len(plain) else ""
                if not words[j][-1].isalpha() or not after or after in _LITTLE or after in verbs:
                    nouns.add(plain[j])
    return frozenset(nouns)


def _named(words: Sequence[str], verbs: Collection[str]) -> set[str]:
    """What a phrase after "a" may later be called: "a fennec watches" -> fennec; "a fennec
    fox" -> fennec, fox; "a grey wagtail" -> wagtail (not grey, which other things are)."""
    named = {words[0]}
    if len(words) > 1 and words[1] and words[1] not in FUNCTION_WORDS and words[1] not in verbs:
        named.add(words[1])
    return named - LOOKS - DESCRIBING


# Each passage's sentences, read once: the sentence, its words with the corpus's things
# slotted, and its clauses and joins.
Read = list[list[tuple[str, list[str], list[str]]]]


def _read(passages: Sequence[Passage], slot: _Slotter) -> Read:
    read: Read = []
    for passage in passages:
        sentences = []
        for sentence in _sentences(passage.text):
            words = slot(sentence).split()
            sentences.append((sentence, words, _clauses(words)))
        read.append(sentences)
    return read


def _bare_words(sentences: Sequence[tuple[str, list[str], list[str]]]) -> list[str]:
    """A passage's slotted words, lower-cased, bare of punctuation."""
    return [_bare(word.lower()) for _, words, _ in sentences for word in words]


def _sentences(text: str) -> list[str]:
    from markovify.splitters import split_into_sentences

    sentences: list[str] = split_into_sentences(text)
    return sentences


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
    model = learn(passages, {})
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


def _compile(sentences: list[list[str]]) -> Model:
    import markovify  # only needed when there is no cached model

    model: Model = markovify.Chain(sentences, 1).compile().model
    return model


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


def _word_uses(passages: Sequence[Passage], read: Read) -> tuple[Uses, dict[str, set[str]]]:
    """entity -> word -> how often it is used with each value, and each entity's values."""
    uses: Uses = {name: {} for name in FIELDS.values()}
    values: dict[str, set[str]] = {name: set() for name in FIELDS.values()}
    for passage, sentences in zip(passages, read, strict=True):
        words = _bare_words(sentences)
        for tag, entity in FIELDS.items():
            value = passage.tags.get(tag)
            if value is None:
                continue
            values[entity].add(value)
            for word in words:
                if word:
                    uses[entity].setdefault(word, Counter())[value] += 1
    return uses, values


def _describing(passages: Sequence[Passage], read: Read) -> tuple[list[Passage], Read]:
    """The passages that describe their place (those of SCENERY_MOVEMENTS), as read: they
    tell "shingle" on the island, where a memory tells "phrase" in the canyon."""
    kept = [i for i, p in enumerate(passages) if p.movement in SCENERY_MOVEMENTS]
    return [passages[i] for i in kept], [read[i] for i in kept]


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


def _local_words(uses: dict[str, Counter[str]], values: set[str]) -> set[str]:
    """Words that speak of some places more than others: at least LOCAL_SHARE of their use
    (weighed by how much text each place has) is in at most half of the places. A wide net:
    a clause with none of them belongs anywhere."""
    size = Counter[str]()
    for counts in uses.values():
        size.update(counts)
    local: set[str] = set()
    for word, counts in uses.items():
        rates = {value: n / size[value] for value, n in counts.items()}
        total = sum(rates.values())
        shared = [v for v, rate in rates.items() if rate / total >= LOCAL_SHARE]
        if len(shared) <= len(values) / 2:
            local.add(word)
    return local


def _scenery(uses: dict[str, Counter[str]]) -> set[str]:
    """Words of places' scenery: used at least SCENERY_USES times (fewer in a small corpus),
    SCENERY_SHARE of them in SCENERY_PLACES places or fewer."""
    scenery: set[str] = set()
    # A small corpus uses every word less: the bar falls with it, to no fewer than 3 uses.
    size = sum(sum(counts.values()) for counts in uses.values())
    needed = max(3, min(SCENERY_USES, size // SCENERY_WORDS_PER_USE))
    for word, counts in uses.items():
        total = sum(counts.values())
        top = sum(n for _, n in counts.most_common(SCENERY_PLACES))
        if total >= needed and top >= SCENERY_SHARE * total:
            scenery.add(word)
    return scenery


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
            if sum(counts.values()) < MIN_BOUND_USES[entity]:
                continue
            rates = {value: n / size[value] for value, n in counts.items()}
            # A value where the word is used at a fair share of its average rate.
            floor = ALLOWED_SHARE * sum(rates.values()) / len(values[entity])
            allowed = frozenset(v for v, rate in rates.items() if rate >= floor)
            if allowed and len(allowed) <= len(values[entity]) * BOUND_SHARE:
                bound[entity][word] = allowed
    return bound
