"""Markov texture: fitted to the dream, never copied, cached on disk, None handled."""

from __future__ import annotations

import random
import re
from collections import Counter
from pathlib import Path

import pytest

from generator import Dream, Dreamer, english, learning, movements, paths, texture


def _forbidden_anywhere(sentence: str) -> bool:
    """Whether texture leaves the sentence out of every movement's pool."""
    return bool(re.search(learning.FORBIDDEN[None], sentence.lower()))


def _read(file: Path) -> tuple[list[learning.Passage], learning.Read]:
    """A corpus file's passages, and each read into sentences, words and clauses."""
    passages = learning.read_passages([file])
    return passages, learning._read(passages, learning._Slotter({}, english.s))


def _corpus_text() -> str:
    files = texture.corpus_files([paths.builtin("corpus")])
    return " ".join(" ".join(f.read_text(encoding="utf-8").lower().split()) for f in files)


def test_texture_sentences_are_woven_into_their_stage(two_hundred_dreams: list[Dream]) -> None:
    for dream in two_hundred_dreams:
        for stage in dream.stages:
            for sentence in stage.texture:
                assert sentence in stage.text
                assert not stage.text.startswith(sentence)


def test_no_texture_sentence_copies_a_run_of_eleven_corpus_words(
    two_hundred_dreams: list[Dream],
) -> None:
    corpus = _corpus_text()
    for dream in two_hundred_dreams:
        for stage in dream.stages:
            for sentence in stage.texture:
                words = sentence.lower().split()
                for i in range(len(words) - 10):
                    assert f" {' '.join(words[i : i + 11])} " not in f" {corpus} ", sentence


def test_no_texture_sentence_is_a_corpus_sentence(two_hundred_dreams: list[Dream]) -> None:
    corpus = _corpus_text()
    for dream in two_hundred_dreams:
        for stage in dream.stages:
            for sentence in stage.texture:
                assert f" {sentence.lower()} " not in f" {corpus} "


def test_texture_differs_between_dreams(two_hundred_dreams: list[Dream]) -> None:
    sentences = [s for d in two_hundred_dreams for stage in d.stages for s in stage.texture]
    # Texture keeps away from the object, from still water before the release and from
    # things the dream has not named (or its place's text names often), which leaves fewer
    # sentences to a place than it might have: 78% is what that allows (0.79 to 0.82 for
    # 200 dreams from seed 0, 1000 or 2000).
    assert len(set(sentences)) >= 0.78 * len(sentences)


def test_nearly_every_dream_has_texture(two_hundred_dreams: list[Dream]) -> None:
    with_texture = sum(any(stage.texture for stage in d.stages) for d in two_hundred_dreams)
    assert with_texture >= 0.95 * len(two_hundred_dreams)


def test_most_dreams_have_texture_in_every_movement(two_hundred_dreams: list[Dream]) -> None:
    everywhere = sum(all(stage.texture for stage in d.stages) for d in two_hundred_dreams)
    assert everywhere > len(two_hundred_dreams) / 2


def test_texture_is_not_repeated_within_a_dream(two_hundred_dreams: list[Dream]) -> None:
    for dream in two_hundred_dreams:
        sentences = [s for stage in dream.stages for s in stage.texture]
        assert len(sentences) == len(set(sentences))


def test_a_tiny_corpus_gives_dreams_with_less_texture_not_errors(
    tmp_path: Path, cache_dir: Path
) -> None:
    tiny = tmp_path / "tiny.txt"
    tiny.write_text("I walk by the water. The water is cold.\n", encoding="utf-8")
    dreamer = Dreamer(corpus=[tiny], cache_dir=cache_dir)
    dreams = list(dreamer.dreams(0, 10))
    assert all(len(d.stages) == 5 for d in dreams)
    assert all("None" not in d.text for d in dreams)


def test_a_user_corpus_supplies_the_texture_words(tmp_path: Path, cache_dir: Path) -> None:
    # Each sentence's first clause can meet any other's second at ", and the".
    starts = [
        "Yellow lamps burn",
        "Old boats creak",
        "Wet ropes knock",
        "Tall masts sway",
        "Small bells chime",
        "Brown nets dry",
        "Quiet cats prowl",
        "Blue doors bang",
    ]
    ends = ["grey gulls sleep soundly", "late trains hum softly", "cold waves break slowly",
            "red kites turn lazily", "wet roofs shine brightly", "low clouds drift north",
            "dark hills wait patiently", "white moths gather quietly"]  # fmt: skip
    sentences = [f"{a} near the harbour, and the {b}." for a, b in zip(starts, ends, strict=True)]
    journal = tmp_path / "journal.txt"
    journal.write_text(" ".join(sentences), encoding="utf-8")
    vocabulary = set(re.findall(r"[a-z]+", " ".join(sentences).lower()))
    dreamer = Dreamer(corpus=[journal], cache_dir=cache_dir)
    made = 0
    for dream in dreamer.dreams(0, 20):
        # "bells" names an artifact, so the dream puts its own in its place.
        own = set(english.s(dream.entities["artifact"] or "").split())
        for sentence in (s for stage in dream.stages for s in stage.texture):
            made += 1
            assert sentence not in sentences
            assert set(re.findall(r"[a-z]+", sentence.lower())) <= vocabulary | own
    assert made


def test_the_model_is_cached_and_reused(
    tmp_path: Path, small_corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Dreamer(corpus=[small_corpus], cache_dir=tmp_path)
    assert len(list(tmp_path.glob("texture-*"))) == 1

    def no_build(*args: object) -> None:
        raise AssertionError("rebuilt despite a good cache")

    monkeypatch.setattr(learning, "build", no_build)
    Dreamer(corpus=[small_corpus], cache_dir=tmp_path)


def test_a_corrupt_cache_is_rebuilt(tmp_path: Path, small_corpus: Path) -> None:
    first = Dreamer(corpus=[small_corpus], cache_dir=tmp_path).dream(4)
    (cached,) = tmp_path.glob("texture-*")
    cached.write_bytes(b"\x00garbage")
    assert Dreamer(corpus=[small_corpus], cache_dir=tmp_path).dream(4) == first


def test_a_changed_corpus_gets_a_new_model(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("I am dreaming of the sea. The sea is calm tonight.\n", encoding="utf-8")
    Dreamer(corpus=[corpus], cache_dir=tmp_path / "c")
    corpus.write_text("I am dreaming of a hill. The hill is green tonight.\n", encoding="utf-8")
    Dreamer(corpus=[corpus], cache_dir=tmp_path / "c")
    assert len(list((tmp_path / "c").glob("texture-*"))) == 2


def test_an_unwritable_cache_only_costs_time(tmp_path: Path, small_corpus: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    cached = Dreamer(corpus=[small_corpus], cache_dir=tmp_path / "cache").dream(2)
    assert Dreamer(corpus=[small_corpus], cache_dir=blocker / "cache").dream(2) == cached


def test_passage_headers_tag_passages(tmp_path: Path) -> None:
    folder = tmp_path / "journey"
    folder.mkdir()
    file = folder / "walks.txt"
    file.write_text("%% place: desert; theme: grief\nI walk.\n\nI rest.\n", encoding="utf-8")
    first, second = learning.read_passages([file])
    assert first.movement == second.movement == "journey"
    assert first.tags == {"place": "desert", "theme": "grief"}
    assert second.tags == {"place": "desert", "theme": "grief"}


def test_a_malformed_header_is_reported_with_its_line(tmp_path: Path) -> None:
    file = tmp_path / "bad.txt"
    file.write_text("Text.\n\n%% place desert\nMore.\n", encoding="utf-8")
    with pytest.raises(texture.DreamError) as caught:
        learning.read_passages([file])
    assert str(caught.value.problems[0]).startswith(f"{file}:3:")


def test_a_sentence_is_split_into_clauses_at_its_joins_not_in_its_lists() -> None:
    sentence = "The cave smells of earth, cold rock, and moss, so I walk slowly."
    assert learning._clauses(sentence.split(" ")) == [
        "The cave smells of earth, cold rock, and moss", ", so", "I walk slowly."
    ]  # fmt: skip


def test_clauses_that_say_the_same_thing_are_an_echo() -> None:
    assert learning._echoes(["An owl calls twice", ", and", "a tawny owl calls from the pines."])
    assert not learning._echoes(["An owl calls twice", ", and", "the pines are still."])


def test_clauses_that_say_the_same_word_in_another_form_are_an_echo() -> None:
    assert learning._echoes(["Evening settles over the snow", ";", "the grains settle."])
    assert learning._echoes(["Frogs call across the marsh", ", and", "a curlew is calling."])
    assert not learning._echoes(["Evening settles over the snow", ";", "the grains glitter."])


def test_a_participle_after_as_though_cannot_open_a_clause() -> None:
    assert not learning._opens_clause("though telling me there is no need to rush.")
    assert learning._opens_clause("though the path knew the way.")


def test_release_texture_never_names_the_object_it_has_let_go(
    two_hundred_dreams: list[Dream],
) -> None:
    for dream in two_hundred_dreams:
        artifact = dream.entities["artifact"] or ""
        for sentence in dream.stages[-1].texture:
            assert artifact not in sentence.lower(), sentence


def test_pools_made_in_worker_processes_equal_pools_made_here(small_corpus: Path) -> None:
    passages = learning.read_passages(texture.corpus_files([small_corpus]))
    lexicon = {"object": {"lantern", "orb"}, "place": {"forest", "shore"}}
    learner = learning.learn(passages, lexicon)
    names = {slot: sorted(values) for slot, values in lexicon.items()}
    here = [texture.Pool.of(learner.pool(m, names)) for m in texture.MOVEMENTS]
    assert learning._pools(learner, names) == here


def test_a_clause_told_in_the_past_is_a_memory() -> None:
    assert learning._past("I said almost nothing")
    assert learning._past("I waited by the door")
    assert not learning._past("the reeds lean over me")
    assert not learning._past("I need not hurry")


def test_a_clause_that_points_back_cannot_stand_alone(small_corpus: Path) -> None:
    passages = learning.read_passages(texture.corpus_files([small_corpus]))
    learner = learning.learn(passages, {})
    assert "breathe" in learner.verbs
    assert learner._is_clause("I breathe under the trees")
    assert not learner._is_clause("the other heron and I breathe under the trees")
    assert not learner._is_clause("then I breathe under the trees")
    assert not learner._is_clause("I breathe under the trees again")
    assert not learner._is_clause("I breathe where one ends")


def test_the_dreamers_body_and_going_belong_anywhere_a_story_nowhere() -> None:
    assert learning._inner(["my", "breath", "comes", "easy"], {"comes", "easy"})
    assert learning._inner(["i", "walk", "on"], set())
    assert learning._inner(["i", "walk", "under", "stars"], {"stars"})
    assert not learning._inner(["i", "sit", "down", "at", "the", "desk"], {"stars"})
    assert not learning._inner(["i", "never", "make", "the", "first", "call"], {"call"})
    assert not learning._inner(["i", "open", "the", "catch"], {"catch"})


LEXICON = {"object": {"lantern", "orb"}, "place": {"forest", "shore"}}


@pytest.fixture(scope="module")
def setting_learner() -> learning.Learner:
    """The built-in setting passages, learnt: enough text for a real pool."""
    folder = paths.builtin("corpus") / "companion" / "setting"
    return learning.learn(learning.read_passages(texture.corpus_files([folder])), LEXICON)


@pytest.fixture(scope="module")
def setting_pool(setting_learner: learning.Learner) -> list[str]:
    names = {slot: sorted(values) for slot, values in LEXICON.items()}
    texts = [entry[0] for entry in setting_learner.pool("setting", names)]
    assert len(texts) > 100
    return texts


def test_pool_sentences_join_clauses_only_by_joins_that_add(setting_pool: list[str]) -> None:
    for text in setting_pool:
        joins = [t for t in learning._clauses(text.split()) if t in learning.CONNECTOR_TOKENS]
        assert set(joins) <= learning.LINKS, text


def test_some_and_joins_are_told_as_semicolons(setting_pool: list[str]) -> None:
    joins = Counter(
        t for text in setting_pool for t in learning._clauses(text.split()) if t in (", and", ";")
    )
    share = joins[";"] / (joins[";"] + joins[", and"])
    assert learning.SEMICOLON_SHARE / 2 < share < 2 * learning.SEMICOLON_SHARE + 0.1


def test_pool_sentences_keep_to_one_time(setting_pool: list[str]) -> None:
    for text in setting_pool:
        clauses = [
            t for t in learning._clauses(text.split()) if t not in learning.CONNECTOR_TOKENS
        ]
        assert len({learning._past(c) for c in clauses}) == 1, text


def test_no_clause_comes_back_more_often_than_its_share(setting_pool: list[str]) -> None:
    uses = Counter(
        clause
        for text in setting_pool
        for clause in learning._clauses(text.split())
        if clause not in learning.CONNECTOR_TOKENS
    )
    assert max(uses.values()) <= learning.CLAUSE_USES


def test_clauses_that_tell_their_own_passages_story_make_no_texture(
    setting_learner: learning.Learner, setting_pool: list[str]
) -> None:
    assert setting_learner.stories
    for text in setting_pool:
        assert not setting_learner.stories.intersection(learning._clauses(text.split())), text


def test_texture_leaves_the_objects_looks_to_the_grammar(
    setting_learner: learning.Learner,
) -> None:
    described = [
        clause
        for clause in setting_learner.kept["place"]
        if "{object" in clause
        and learning.LOOKS.intersection(texture._bare(w.lower()) for w in clause.split())
    ]
    assert described
    assert set(described) <= setting_learner.stories


def test_the_whole_pool_search_finds_every_sentence_that_fits(
    setting_learner: learning.Learner,
) -> None:
    names = {slot: sorted(values) for slot, values in LEXICON.items()}
    pool = texture.Pool.of(setting_learner.pool("setting", names))
    width = texture.WIDTH
    for index in (0, len(pool) // 2, len(pool) - 1):
        # What this sentence suits, one value per mask (its lowest).
        wanted = [mask & -mask for mask in pool.masks[index * width : (index + 1) * width]]
        expected = [i for i in range(len(pool)) if pool.fits(i, wanted)]
        assert index in expected
        assert pool.fitting(wanted) == expected


@pytest.mark.parametrize("movement", sorted(learning.OBJECT_ABSENT))
def test_texture_before_the_object_comes_and_after_it_goes_speaks_of_none(
    movement: str,
) -> None:
    folder = paths.builtin("corpus") / "companion" / movement
    learner = learning.learn(learning.read_passages(texture.corpus_files([folder])), LEXICON)
    names = {slot: sorted(values) for slot, values in LEXICON.items()}
    pool = learner.pool(movement, names)
    bound = learner.bound["artifact"]
    assert pool and bound
    for text, *_ in pool:
        assert not any(texture._bare(word) in bound for word in text.lower().split()), text
        assert not learning._PART.search(text.lower()), text


def test_a_part_of_an_object_is_said_only_if_written_of_some_object(
    setting_learner: learning.Learner, monkeypatch: pytest.MonkeyPatch
) -> None:
    walks = iter(
        [
            ("An owl calls, and the small flame stands straight.", {"artifact": None}),
            ("An owl calls, and the needle swings north.", {"artifact": frozenset({"lantern"})}),
        ]
    )
    monkeypatch.setattr(setting_learner, "walk", lambda *_: next(walks, None))
    monkeypatch.setattr(learning, "OBJECT_ABSENT", frozenset())
    names = {slot: sorted(values) for slot, values in LEXICON.items()}
    pool = [text for text, *_ in setting_learner.pool("setting", names)]
    assert pool == ["An owl calls, and the needle swings north."]


@pytest.mark.parametrize(
    ("sentence", "rains"),
    [
        ("The rain drums on the canvas.", True),
        ("A fine drizzle drifts in from the sea.", True),
        ("Rain is falling on the moor.", True),
        ("The gutters run with rain.", True),
        ("Rain has stopped in the forest; the needles underfoot smell of resin.", True),
        ("The air smells of ripe fruit and rain.", False),
        ("The stars gather in the rainwater.", False),
        ("The roses there are heavy with rain.", False),
    ],
)
def test_texture_does_not_rain_under_the_dreams_clear_sky(sentence: str, rains: bool) -> None:
    forbidden = re.compile(learning.FORBIDDEN[None])
    assert bool(forbidden.search(sentence.lower())) is rains


@pytest.mark.parametrize(
    ("sentence", "forbidden"),
    [
        ("The gold sinks onto the weed.", True),
        ("I tip it in, and the brass case sinks through the square of sky.", True),
        ("The shell bobs beside a hull.", True),
        ("Canopus sinks toward the sea.", False),
        ("The {place} sinks into a velvet quiet.", False),
        ("I open my fingers, and the ice creaks under the small weight.", True),
    ],
)
def test_in_the_release_only_the_grammar_sinks_the_object(sentence: str, forbidden: bool) -> None:
    release = re.compile(learning.FORBIDDEN["release"])
    assert bool(release.search(sentence.lower())) is forbidden


@pytest.mark.parametrize(
    ("sentence", "forbidden"),
    [
        ("I cry now, and the thin air smells of thyme.", True),
        ("My eyes blur, and a scene rises between the barbs.", True),
        ("My face runs wet, and the hush pours in.", True),
        ("The {object} is cool and heavy, and the city noise covers my crying.", True),
        ("The sun sinks behind the dunes, and the thorns stand still.", True),
        ("My shoulders lower, and the desert turns from gold to rose.", True),
        ("The snowfield glitters, and the snow turns the colour of embers.", True),
        ("Snow clouds are gathering on the mountain.", True),
        ("The orchard is bare in midwinter.", True),
        ("The orchard is bare, and the air smells of cider.", True),
        ("The {place} is bare, and the {object} sends a long note.", True),
        ("The rows stretch on ahead; the first buds open along every branch.", True),
        ("The snowfield creaks, and the moon slides behind cloud.", True),
        ("My breath hangs in the air, and my heart knows the way.", True),
        ("Cloud has come down over the mountain, and a crack travels up the valley.", True),
        ("The cloud thins, and a marmot whistles from the scree.", True),
        ("The desert cools the moment the sun goes under.", True),
        ("The sun leaves the rim of the canyon; each ledge runs off into shadow.", True),
        ("A drift curls over into a frozen wave, while the low sun rims the rock.", True),
        ("The birches lean over me, and the stars over the forest blur into haze.", True),
        ("The moss is wet through, and I listen from the fog without any fear.", True),
        ("A cloud of midges hangs over the reeds.", False),
        ("A fennec's cry rises beyond the ridge.", False),
        ("The cliffs glow like embers in the dusk.", False),
        ("The cattle drink at the spring-fed trough.", False),
    ],
)
def test_texture_leaves_tears_hour_sky_and_season_to_the_grammar(
    sentence: str, forbidden: bool
) -> None:
    assert _forbidden_anywhere(sentence) is forbidden


def test_a_clause_about_the_thing_an_earlier_sentence_brought_in_is_that_passages_own(
    tmp_path: Path,
) -> None:
    (tmp_path / "journey.txt").write_text(
        "%% place: desert\n"
        "A fennec fox sits up on a hummock, and a grey wagtail bobs. "
        "Beetles stitch tracks, and the fennec trots ahead along the crest. "
        "The wagtail flies off, and the grey light thins over the dunes.\n",
        encoding="utf-8",
    )
    read = _read(tmp_path / "journey.txt")[1]
    told = learning._told_of_before(read, {"sits", "bobs"})
    assert told == {"the fennec trots ahead along the crest.", "The wagtail flies off"}


def test_a_clause_that_is_inside_or_through_something_unnamed_cannot_stand_alone(
    small_corpus: Path,
) -> None:
    learner = learning.learn(learning.read_passages(texture.corpus_files([small_corpus])), {})
    assert not learner._is_clause("a sprig of dried thyme lies within")
    assert not learner._is_clause("inside lies a folded ferry ticket")
    assert not learner._is_clause("I step through")
    assert learner._is_clause("inside the hollow I breathe slowly")


def test_two_common_words_that_name_one_places_thing_keep_a_clause_to_that_place(
    tmp_path: Path,
) -> None:
    text = "".join(
        f"%% place: {place}\nThe wind drops, and I sit down on the {ground} at last.\n\n"
        for place, ground in [("desert", "slip face"), ("desert", "slip face"),
                              ("forest", "soft moss"), ("shore", "cool sand")]
    )  # fmt: skip
    (tmp_path / "setting.txt").write_text(text, encoding="utf-8")
    passages, read = _read(tmp_path / "setting.txt")
    assert ("slip", "face") in learning._local_pairs(passages, read)
    assert ("soft", "moss") not in learning._local_pairs(passages, read)


@pytest.mark.parametrize(
    ("clause", "part"),
    [
        ("the notes swell when I face the east", True),
        ("the city lights slide over the pink lip", True),
        ("I walk toward the sound", True),
        ("the sound of the sea fills the cove", False),
        ("the frame of the door is warm", False),
    ],
)
def test_a_part_or_sound_of_an_object_is_told_only_of_an_object(clause: str, part: bool) -> None:
    assert bool(learning._PART.search(clause)) is part


def test_texture_is_not_woven_in_before_a_sentence_that_points_back() -> None:
    mark = movements.TEXTURE_MARK
    text = f"I find a shell. {mark} Its lip is pink. {mark} The sea is calm. It hums."
    for seed in range(20):
        woven, kept = movements.weave(text, ["Gulls cry."], random.Random(seed))
        assert kept == ("Gulls cry.",)
        assert "Gulls cry. The sea is calm." in woven


def test_texture_with_no_place_to_go_follows_the_movement_or_is_left_out() -> None:
    text = f"I find a shell. {movements.TEXTURE_MARK} Its lip is pink."
    woven, kept = movements.weave(text, ["Gulls cry."], random.Random(1))
    assert woven == "I find a shell. Its lip is pink. Gulls cry."
    assert kept == ("Gulls cry.",)
    woven, kept = movements.weave(text, ["Gulls cry."], random.Random(1), last=False)
    assert woven == "I find a shell. Its lip is pink."
    assert kept == ()


@pytest.mark.parametrize("movement", ["setting", "artifact", "revelation", "journey"])
def test_texture_before_the_release_does_not_bring_the_night_early(movement: str) -> None:
    early = re.compile(learning.FORBIDDEN[movement])
    assert early.search("night lies on the {place}, and i let my eyes half close.")
    assert early.search("night is settling over the dunes, and a wave slides back.")
    assert early.search("the summit is still warm; the first stars prick out above the ridge.")
    assert early.search("the moon rises over the snowfield, and the snow glimmers faintly.")
    assert early.search("stars begin to show above the {place}, and an owl calls.")
    assert early.search("the snow glimmers faintly in the starlight.")
    assert early.search("a single star shows in the crack overhead, and i wait.")
    assert not early.search("the {place} turns a deep rose, and a bat flits over.")
    assert not re.search(learning.FORBIDDEN["release"], "night has come over the {place}.")


@pytest.mark.parametrize(
    ("sentence", "forbidden"),
    [
        ("I find the {object} hanging from a hawthorn twig.", True),
        ("The {object} is wedged in a forked bough, and the owl calls.", True),
        ("The {object} opens in my palm, and the needle spins.", True),
        ("A tawny owl calls twice, and the clasp gives under my thumbnail.", True),
        ("I sit, and the rails gleam like silver threads below.", True),
        ("The last page is a doorway; my fingers loosen on my knees.", True),
        ("Dusk fills the reading hall, and my hands shake in the cold.", True),
        ("Willowherb stands tall, and my eyes close on the wide dark.", True),
        ("The cold current nips my ankles.", True),
        ("The air smells of needles, and my hands are empty tonight.", True),
        ("The orchard keeps watch while I sleep.", True),
        ("I set the {object} on the cairn, and the wind drops.", True),
        ("The {object} burns inside a glass jar, and the crust holds.", True),
        ("Snowmelt trickles among the scree; the little sea inside falls silent.", True),
        ("On a granite ledge I spread the map; I laugh under my breath.", True),
        ("I carry my own small light now; a raven croaks once above the ledges.", True),
        ("Alpenglow burns on the summit snows, and my heart falls into step.", True),
        ("I go on, and my body slips through like smoke.", True),
        ("The {object} lies in my palm, and an owl calls.", True),
        ("I close my fingers around the stone, and the dust turns under a green lamp.", True),
        ("I turn the {object} over; a kingfisher flashes low over the dark water.", True),
        ("I hold the {object} to my ear; the {place} opens to meet my steps.", True),
        ("I open the {object} with cold fingers; the reeds rattle in a low wind.", True),
        ("The needle lies quiet on my chest; a low murmur draws me on.", True),
        ("The crust creaks beneath my boots, and my hands fall open at my sides.", True),
        ("The snow creaks under my knees, and the light goes.", True),
        ("The {object} swings on its fine chain; the grass smells sweet and bruised.", True),
        ("The {object} hangs at my throat; a low murmur draws me into the {place}.", True),
        ("Mist hangs over the marsh; my hand stays at my side.", True),
        ("My hands are light, and the night smells of honey and mud.", True),
        ("The city is still hot after midnight, and every window is dark.", True),
        ("Mist hangs over the marsh, and a curlew calls.", False),
        ("I listen to the end and lower the {object}, and my body rises.", True),
        ("I take the {object} down, and the bees have gone home for the night.", True),
        ("I turn up the wick, and the owl calls.", True),
        ("The flakes settle, and I press my back against the stone.", True),
        ("The {object} sits open on a flat rock; the foam runs almost to my feet.", True),
        ("I light the {object} with a match; I turn away at the last moment.", True),
        ("I cup my hands around the {object}, as the dunes turn blue.", True),
        ("Tonight I simply turn the {object} in the left padlock.", True),
        ("The {object} is a freshwater mussel, and the roots reach into the shallows.", True),
        ("The {object} burns steady in the damp air.", False),
        ("I follow the {object} down a sloping gallery.", False),
        ("I hold my breath, and the owl calls.", False),
        ("I walk on, and the roots reach into the shallows.", False),
        ("My heart falls into step with the waves.", False),
    ],
)
def test_texture_leaves_where_the_dreamer_and_the_object_are_to_the_grammar(
    sentence: str, forbidden: bool
) -> None:
    assert _forbidden_anywhere(sentence) is forbidden


def test_the_things_a_sentence_calls_the_are_its_nouns_after_the() -> None:
    nouns = {"lock", "frog", "chorus", "buds", "path", "white", "drops"}
    verbs = {"falls", "turns"}

    def things(sentence: str) -> list[str]:
        return learning._definites(sentence.lower().split(), nouns, verbs)

    assert things("I turn the key in the stiff lock.") == ["lock"]
    assert things("The frog chorus falls silent.") == ["frog", "chorus"]
    assert things("The path narrows, and the first buds open.") == ["path", "buds"]
    assert things("I slip the {object} into my pocket.") == []
    assert things("The path drops, and the frog buds.") == ["path", "frog"]
    assert things("The white buds open, and I walk into the white.") == ["buds", "white"]


def test_a_noun_is_a_word_that_ends_a_phrase_after_a_determiner(tmp_path: Path) -> None:
    (tmp_path / "journey.txt").write_text(
        "%% place: marsh\n"
        "I turn a lock and go on. The path narrows. A small frog croaks in the reeds.\n",
        encoding="utf-8",
    )
    nouns = learning._nouns(_read(tmp_path / "journey.txt")[1], {"croaks", "turn"})
    assert {"lock", "frog", "reeds", "path"} <= nouns
    assert not {"small", "narrows"} & nouns


def test_a_thing_only_some_places_have_is_known_where_their_text_often_names_it(
    tmp_path: Path,
) -> None:
    shore = (
        "The shingle rattles, and the shingle shifts in the wind. I walk on the shingle by "
        "the water. The wind drops, and the dark comes.\n"
    )
    moor = "The heather is dark, and the wind drops. I walk on in the wind and the dark.\n"
    forest = "The wind drops, and the dark is kind. I walk on under the trees in the dark.\n"
    (tmp_path / "setting.txt").write_text(
        f"%% place: shore\n{shore}\n%% place: moor\n{moor}\n%% place: forest\n{forest}",
        encoding="utf-8",
    )
    learner = learning.learn(learning.read_passages([tmp_path / "setting.txt"]), {})
    places = learner.profiles["place"]["values"]
    needed = dict(learner.needs("The wind drops, and the shingle rattles."))
    # The shore's own text says shingle three times; wind is every place's.
    assert needed == {"shingle": 1 << places.index("shore")}
    assert learner.needs("My hands are warm, and the dark is kind.") == []
    assert learner.needs("The wind drops, and the water stills.") == [("water", 0)]


def test_a_thing_said_now_and_then_in_most_places_is_still_not_everywhere(
    tmp_path: Path,
) -> None:
    passages = {
        "shore": "The surf booms, and the light goes. I walk in the light by the surf.",
        "moor": "The light goes, and the surf is far off. I walk on in the light.",
        "forest": "The light goes, and I hear the surf. I walk on in the light.",
    }
    (tmp_path / "setting.txt").write_text(
        "\n".join(f"%% place: {place}\n{text}\n" for place, text in passages.items()),
        encoding="utf-8",
    )
    learner = learning.learn(learning.read_passages([tmp_path / "setting.txt"]), {})
    places = learner.profiles["place"]["values"]
    # Every place says "surf", but only the shore says it often: it is the shore's thing.
    assert learner.needs("I walk on, and I hear the surf.") == [
        ("surf", 1 << places.index("shore"))
    ]


def _model(*sentences: str, needs: dict[int, list[tuple[str, int]]]) -> texture.TextureModel:
    """A model whose setting pool has these sentences, each suiting every dream."""
    entries = [(sentence, *[-1] * texture.WIDTH) for sentence in sentences]
    return texture.TextureModel(
        pools={"setting": texture.Pool.of(entries)},
        values={"place": ["shore", "moor"]},
        lexicon={},
        sentence_count=len(sentences),
        needs={"setting": texture.Needs.of([needs.get(i, []) for i in range(len(sentences))])},
    )


def _choices(
    model: texture.TextureModel, place: str, context: str = "", near: str = ""
) -> set[str | None]:
    named = texture.words_of(context)
    return {
        model.sentence(
            "setting", {"place": place}, random.Random(seed), set(), english.English(),
            named, near,
        )
        for seed in range(30)
    }  # fmt: skip


def test_texture_calls_nothing_the_thing_that_the_dream_or_its_place_has_not() -> None:
    model = _model(
        "An owl calls, and the shaft hums.",
        "An owl calls, and the heather bends.",
        needs={0: [("shaft", 0)], 1: [("heather", 0b10)]},
    )
    assert _choices(model, "shore") == {None}
    assert _choices(model, "moor") == {"An owl calls, and the heather bends."}
    named = _choices(model, "shore", context="I walk past old mine shafts.")
    assert named == {"An owl calls, and the shaft hums."}


def test_texture_says_no_word_the_sentences_beside_it_say_but_the_dreams_own_things() -> None:
    model = _model("The heather bends, and the shore keeps still.", "An owl calls.", needs={})
    assert _choices(model, "shore", near="Heather grows by the shore.") == {"An owl calls."}
    both = _choices(model, "shore", near="I stand on the shore.")
    assert both == {"An owl calls.", "The heather bends, and the shore keeps still."}


def test_the_sentences_beside_texture_are_those_either_side_of_where_it_may_go() -> None:
    mark = movements.TEXTURE_MARK
    text = f"I find a shell. It is pink. {mark} Gulls cry. {mark} Its lip is cold. Waves come."
    assert movements.beside_texture(text) == "It is pink.\nGulls cry."
    plain = "I find a shell. Its lip is pink."
    assert movements.beside_texture(plain) == "Its lip is pink."
    assert movements.beside_texture(plain, last=False) == ""


def test_texture_never_says_a_word_of_substance_the_sentences_beside_it_say(
    two_hundred_dreams: list[Dream],
) -> None:
    for dream in two_hundred_dreams:
        own = {
            english.stem(w) for v in dream.entities.values() if v for w in texture._substance(v)
        }
        for stage in dream.stages:
            sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z])", stage.text)
            for found in stage.texture:
                at = sentences.index(found)
                beside = " ".join(sentences[max(at - 1, 0) : at] + sentences[at + 1 : at + 2])
                said = {english.stem(w) for w in texture._substance(beside)} - own
                assert not said & {english.stem(w) for w in texture._substance(found)}, found


@pytest.mark.parametrize("movement", ["setting", "artifact"])
def test_texture_at_dusk_does_not_bring_the_dusk_again(movement: str) -> None:
    again = re.compile(learning.FORBIDDEN[movement])
    assert again.search("dusk reaches the forest; the beeches stand in a copper haze.")
    assert again.search("evening settles over the {place}, and my breathing slows.")
    assert not again.search("a heron stands in the dusk, and the reeds lean.")


@pytest.mark.parametrize("movement", ["setting", "artifact", "revelation", "journey"])
def test_before_the_release_the_object_is_not_in_the_water(movement: str) -> None:
    forbidden = re.compile(learning.FORBIDDEN[movement])
    assert forbidden.search("the {object} rides the water, and i walk on, unhurried.")
    assert not forbidden.search("the {object} glows, and the water is still.")


@pytest.mark.parametrize("movement", ["journey", "release"])
def test_once_the_walk_is_under_way_the_days_last_light_has_gone(movement: str) -> None:
    late = re.compile(learning.FORBIDDEN[movement])
    assert late.search("a curlew calls over the bog, and the last light slides off the tor.")
    assert late.search("the {place} lies pale under a green afterglow.")
    assert not late.search("a curlew calls over the bog, and the light goes.")
    assert not re.search(learning.FORBIDDEN["setting"], "the {place} lies under an afterglow.")


@pytest.mark.parametrize(
    ("sentence", "forbidden"),
    [
        ("Waves break white around the {place}, and the turf is springy underfoot.", True),
        ("The {place} wind flattens the dune grass around me.", True),
        ("Surf booms on every side, and the petrels flutter in.", True),
        ("A small wave laps at the stones, and the wind drops.", False),
        ("The wind hums in the marram, and a gull settles.", False),
    ],
)
def test_texture_keeps_the_dusk_calm(sentence: str, forbidden: bool) -> None:
    assert _forbidden_anywhere(sentence) is forbidden


def test_the_release_texture_does_not_end_the_dream_before_the_grammar_does() -> None:
    release = re.compile(learning.FORBIDDEN["release"])
    assert release.search("the grass is heavy with dew, and the orchard fades to a white blur.")
    assert release.search("the forest gives way to a clearing, and my breathing slows into sleep.")
    assert release.search("a dune shifts, and the {place} carries the dream away on the wind.")
    assert release.search("frogs call and stop, and the {place} lets the dream sink into mist.")
    assert release.search("the streetlamps have dimmed; my feet know the way back.")
    assert not release.search("the colour fades from the sky, and an owl calls.")
    assert not re.search(learning.FORBIDDEN["journey"], "the path fades into the dark.")


@pytest.mark.parametrize(
    ("sentence", "forbidden"),
    [
        ("The locket has been shut for twenty years; the orchard is heavy with fruit.", True),
        ("I climbed my first hill at six, and I walk as though I were very young.", True),
        ("The island is small, and I have always loved the tide.", True),
        ("I avoided the lawn, and the borders went wild for three summers.", True),
        ("One moment the peaks are gold; the meadow turns pale blue around me.", True),
        ("I turned down a post on the mainland, and the {object} deepens.", True),
        ("The {place} falls quiet at dusk; I have never forgiven myself for staying.", True),
        ("A moment later the owl calls, and the reeds lean.", False),
    ],
)
def test_texture_tells_no_life_in_passing(sentence: str, forbidden: bool) -> None:
    assert _forbidden_anywhere(sentence) is forbidden


def test_only_what_every_dream_at_dusk_has_needs_no_naming(tmp_path: Path) -> None:
    text = "The gate creaks, and the dark is cold.\n"
    (tmp_path / "setting.txt").write_text(
        "".join(f"%% place: {place}\n{text}\n" for place in ("shore", "moor", "forest")),
        encoding="utf-8",
    )
    learner = learning.learn(learning.read_passages([tmp_path / "setting.txt"]), {})
    # Every place's text has a gate, but a dream has one only once it names it.
    assert learner.needs("The wind drops, and the gate creaks.") == [("gate", 0)]
    assert learner.needs("The wind drops, and the dark comes down.") == []


def test_a_word_after_it_that_is_no_verb_does_not_make_a_clause(tmp_path: Path) -> None:
    verbs = (
        "walk wait listen stop breathe turn climb rest follow kneel sing hum drift stay wade go"
        " wander pause linger"
    )
    doings = " ".join(f"I {verb} on." for verb in verbs.split())
    (tmp_path / "setting.txt").write_text(
        "%% place: moor\n"
        f"The wall has a gate in it between two posts, and it drips. It hums. {doings}\n",
        encoding="utf-8",
    )
    learner = learning.learn(learning.read_passages([tmp_path / "setting.txt"]), {})
    assert len(learner.verbs) >= learning.MIN_VERBS
    assert not learner._is_clause("the damp earth between the rows.")
    assert learner._is_clause("the damp earth drips between the rows.")


@pytest.mark.parametrize("movement", ["setting", "artifact", "revelation"])
def test_before_the_journey_texture_does_not_set_off(movement: str) -> None:
    early = re.compile(learning.FORBIDDEN[movement])
    assert early.search("the {object} grows heavier in my fist, and i follow.")
    assert early.search("an owl calls, and i walk on, unhurried.")
    assert early.search("the {object} creaks on the handle, and i hurry past every fish counter.")
    assert early.search("the {place} is a plain of gravel, and my steps fall without a sound.")
    assert early.search("the {place} narrows; my footprints look tiny and new.")
    assert not early.search("an owl calls, and i wait.")
    assert not re.search(learning.FORBIDDEN["journey"], "an owl calls, and i walk on.")


def test_once_the_release_has_found_its_water_texture_does_not_walk_to_it() -> None:
    release = re.compile(learning.FORBIDDEN["release"])
    assert release.search("the stars wheel over the {place}, and i walk down to the water's edge.")
    assert not release.search("the stars wheel over the {place}, and an owl calls.")


def test_the_release_water_is_the_first_still_water_of_the_dream() -> None:
    early = re.compile(learning.FORBIDDEN[None])  # in every movement
    assert early.search("bats skim low over the pool below the weir.")
    assert early.search("a skin of ice creeps across each pool.")
    assert not early.search("bats skim low over the reeds.")


@pytest.mark.parametrize(
    ("sentence", "forbidden"),
    [
        ("The radiators go quiet; a scene forms in the lamplight.", True),
        ("Snow creaks on the crust; each circle opens a scene.", True),
        ("The snow sparkles around the little light.", True),
        ("The stars go out like lamps, and the reeds lean.", True),
        ("I climb, and my feet skim the dry {place} floor.", True),
        ("Relief runs through me as fast as the current; I cross to the far side.", True),
        ("The rain stops over the {place}, and a blackbird sings.", True),
        ("In the middle of the night the traffic has stopped.", True),
        ("I lower the {object}, and the air smells of dust and sage.", True),
        ("The {object} pulses against my skin, and the owl calls.", True),
        ("Foxgloves stand tall along a ditch; the {object} stops beside it.", True),
        ("The {object} pulses faintly, and the owl calls.", False),
        ("The stars wheel slowly over the {place}.", False),
    ],
)
def test_texture_does_only_what_the_dream_can_hold(sentence: str, forbidden: bool) -> None:
    assert _forbidden_anywhere(sentence) is forbidden


def test_each_and_every_point_at_a_thing_as_the_does() -> None:
    nouns = {"circle", "note", "spine", "step"}
    words = "Each circle opens, and every spine glows; the note rings.".lower().split()
    assert learning._definites(words, nouns, {"opens", "glows", "rings"}) == [
        "circle",
        "spine",
        "note",
    ]


def test_a_clause_that_ends_on_there_points_back(small_corpus: Path) -> None:
    learner = learning.learn(learning.read_passages(texture.corpus_files([small_corpus])), {})
    assert not learner._is_clause("I walk there")
    assert learner._is_clause("there is a heron in the reeds")


def test_no_pool_sentence_calls_a_colour_the_thing(setting_learner: learning.Learner) -> None:
    names = {slot: sorted(values) for slot, values in LEXICON.items()}
    for entry in setting_learner.pool("setting", names):
        assert not any(thing in learning.LOOKS for thing, _ in setting_learner.needs(entry[0]))


def test_what_pool_sentences_need_is_stored_and_read_back_as_it_was() -> None:
    needed = [[("shaft", 0)], [], [("heather", 6), ("cairn", 1)]]
    needs = texture.Needs.of(needed)
    assert [needs[i] for i in range(3)] == needed
    assert needs[3] == []  # a sentence past the end needs nothing
    assert texture.Needs.from_builtins(needs.to_builtins()) == needs
