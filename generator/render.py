"""Render dreams through the Jinja template of a format: txt, md, html or json."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

import jinja2

from . import paths
from .dreamer import Dream

FORMATS = ("txt", "md", "html", "json")
EXTENSIONS = {"txt": ".txt", "md": ".md", "html": ".html", "json": ".json"}

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


class Renderer:
    """One Jinja environment for a run; templates are compiled once and reused."""

    def __init__(self) -> None:
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(paths.templates()),
            # Templates are named dream.FORMAT.j2, so "html.j2" is what marks the HTML one.
            autoescape=jinja2.select_autoescape(["html.j2"]),
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["json"] = _json
        self.env.filters["markdown"] = _markdown

    def render(self, dreams: Sequence[Dream], fmt: str) -> str:
        """All the dreams in one document of the format (for json, one line per dream)."""
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
        return self.env.get_template(f"dream.{fmt}.j2").render(dreams=list(dreams))

    def anthology(self, index: Mapping[str, Any], link_format: str) -> str:
        """An HTML page listing every dream of a batch manifest, linked to its file."""
        extension = EXTENSIONS[link_format]
        entries = [
            {**entry, "href": next(f for f in entry["files"] if f.endswith(extension))}
            for entry in index["dreams"]
        ]
        return self.env.get_template("anthology.html.j2").render(index=index, dreams=entries)


def _json(dream: Dream) -> str:
    return json.dumps(dream.to_dict(), ensure_ascii=False)


def _markdown(text: Any) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))
