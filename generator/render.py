"""Render dreams through the Jinja template of a format: txt, md, html or json."""

from __future__ import annotations

import contextlib
import io
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jinja2

from . import paths
from .dreamer import Dream
from .files import prune, touch, write_atomic

FORMATS = ("txt", "md", "html", "json")
EXTENSIONS = {"txt": ".txt", "md": ".md", "html": ".html", "json": ".json"}

# Compiled templates kept in the cache folder, the most recently used (a few per install).
KEEP_CACHED = 24

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in the cache folder, so a run does not compile them again.

    Jinja names each by the template's path and checks it against the template's source
    and the Python version, so an edited template is compiled afresh. A folder that cannot
    be written only costs the compiling.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _file(self, bucket: jinja2.bccache.Bucket) -> Path:
        return self.folder / f"template-{bucket.key}.jinja"

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            bucket.bytecode_from_string(self._file(bucket).read_bytes())
        except Exception:  # missing, unreadable or damaged: compile it
            bucket.reset()
        else:
            touch(self._file(bucket))

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = io.BytesIO()
        bucket.write_bytecode(data)
        with contextlib.suppress(OSError):
            write_atomic(self._file(bucket), data.getvalue())
        prune(self.folder, "template-*.jinja", KEEP_CACHED)


class Renderer:
    """One Jinja environment for a run; templates are compiled once and kept in the cache
    folder (`cache_dir`, by default the user's)."""

    def __init__(self, cache_dir: Path | None = None) -> None:
        folder = cache_dir if cache_dir is not None else paths.user_cache_dir()
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(paths.templates()),
            bytecode_cache=_CompiledTemplates(folder),
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
