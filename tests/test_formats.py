"""Every format renders the same dream faithfully; JSON keeps its contract."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import write_grammar

from generator import Dreamer, Renderer
from generator.grammar import MOVEMENTS


@pytest.fixture(scope="module")
def renderer(cache_dir: Path) -> Renderer:
    return Renderer(cache_dir=cache_dir)


def test_txt_has_title_and_every_movement(dreamer: Dreamer, renderer: Renderer) -> None:
    dream = dreamer.dream(1)
    text = renderer.render([dream], "txt")
    assert text.startswith(dream.title + "\n")
    flat = " ".join(text.split())
    for stage in dream.stages:
        assert " ".join(stage.text.split()) in flat


def test_txt_lines_are_wrapped_for_reading(dreamer: Dreamer, renderer: Renderer) -> None:
    text = renderer.render([dreamer.dream(2)], "txt")
    assert max(len(line) for line in text.splitlines()) <= 78


def test_markdown_has_heading_paragraphs_and_seed(dreamer: Dreamer, renderer: Renderer) -> None:
    dream = dreamer.dream(3)
    text = renderer.render([dream], "md")
    assert text.startswith(f"# {dream.title}\n\n")
    assert text.count("\n\n") >= len(MOVEMENTS)
    assert f"Seed {dream.seed}" in text


def test_json_is_one_object_per_line(dreamer: Dreamer, renderer: Renderer) -> None:
    dreams = list(dreamer.dreams(10, 3))
    lines = renderer.render(dreams, "json").splitlines()
    assert [json.loads(line)["seed"] for line in lines] == [10, 11, 12]


def test_json_contract_fields_and_types(dreamer: Dreamer, renderer: Renderer) -> None:
    data = json.loads(renderer.render([dreamer.dream(4)], "json"))
    assert isinstance(data["seed"], int)
    assert isinstance(data["title"], str) and data["title"]
    assert [stage["name"] for stage in data["stages"]] == list(MOVEMENTS)
    for stage in data["stages"]:
        assert set(stage) == {"name", "text", "texture"}
        assert all(sentence in stage["text"] for sentence in stage["texture"])
    assert data["text"] == "\n\n".join(stage["text"] for stage in data["stages"])
    assert {"artifact", "place"} <= set(data["entities"])
    assert isinstance(data["version"], str)


def test_json_entities_appear_in_the_text(dreamer: Dreamer, renderer: Renderer) -> None:
    data = json.loads(renderer.render([dreamer.dream(5)], "json"))
    assert data["entities"]["artifact"] in data["text"]
    assert data["entities"]["place"] in data["text"]


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_a_self_contained_page(dreamer: Dreamer, renderer: Renderer) -> None:
    dream = dreamer.dream(6)
    page = renderer.render([dream], "html")
    parser = _Page()
    parser.feed(page)
    assert page.startswith("<!DOCTYPE html>")
    assert {"html", "head", "title", "style", "body", "h1"} <= set(parser.tags)
    assert parser.tags.count("p") == len(MOVEMENTS)
    assert "<link" not in page and "<script" not in page
    assert dream.title in "".join(parser.text)


def test_html_escapes_every_text(tmp_path: Path, cache_dir: Path) -> None:
    overlay = write_grammar(
        tmp_path, "evil.json", json.dumps({"title": ["<script>alert(1)</script> & co"]})
    )
    dream = Dreamer([overlay], cache_dir=cache_dir).dream(1)
    page = Renderer().render([dream], "html")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page


def test_markdown_escapes_markup_characters(tmp_path: Path, cache_dir: Path) -> None:
    overlay = write_grammar(tmp_path, "md.json", json.dumps({"title": ["*not* _emphasis_"]}))
    dream = Dreamer([overlay], cache_dir=cache_dir).dream(1)
    assert Renderer().render([dream], "md").startswith("# \\*not\\* \\_emphasis\\_\n")


def test_unknown_format_is_refused(dreamer: Dreamer, renderer: Renderer) -> None:
    with pytest.raises(ValueError, match="unknown format"):
        renderer.render([dreamer.dream(1)], "pdf")


def test_templates_compiled_once_are_kept_in_the_cache_folder(
    tmp_path: Path, dreamer: Dreamer
) -> None:
    dream = dreamer.dream(2)
    first = Renderer(cache_dir=tmp_path).render([dream], "md")
    (compiled,) = tmp_path.glob("template-*")
    assert Renderer(cache_dir=tmp_path).render([dream], "md") == first
    assert list(tmp_path.glob("template-*")) == [compiled]


def test_a_damaged_compiled_template_is_compiled_afresh(tmp_path: Path, dreamer: Dreamer) -> None:
    dream = dreamer.dream(2)
    first = Renderer(cache_dir=tmp_path).render([dream], "txt")
    (compiled,) = tmp_path.glob("template-*")
    compiled.write_bytes(b"\x00 not a template")
    assert Renderer(cache_dir=tmp_path).render([dream], "txt") == first
