"""Many dreams to files: in parallel, atomically, resumable, and split across machines."""

from __future__ import annotations

import contextlib
import json
import os
import signal
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .dreamer import Dreamer
from .errors import DreamError, Problem
from .files import write_atomic
from .render import EXTENSIONS, Renderer

MANIFEST = "manifest.json"
# Seeds a worker takes at once: small enough that Ctrl-C is prompt, big enough to keep
# the workers busy.
CHUNK = 4


@dataclass(frozen=True)
class Batch:
    """What to write: dreams seed .. seed+count-1 (shard K of M of them), in each format."""

    out: Path
    seed: int = 0
    count: int = 1
    formats: tuple[str, ...] = ("txt",)
    shard: tuple[int, int] = (1, 1)
    force: bool = False

    def seeds(self) -> list[int]:
        """This shard's seeds: every M-th, starting at the K-th."""
        k, m = self.shard
        return [
            s for s in range(self.seed, self.seed + self.count) if (s - self.seed) % m == k - 1
        ]

    def files(self, seed: int) -> list[str]:
        return [f"dream-{seed}{EXTENSIONS[fmt]}" for fmt in self.formats]

    def missing(self, seed: int) -> list[str]:
        """The files of `seed` still to write (all of them with force)."""
        return [n for n in self.files(seed) if self.force or not (self.out / n).exists()]


@dataclass
class Outcome:
    written: int = 0  # dreams with at least one file written
    files: int = 0
    skipped: int = 0  # dreams whose files were all there already
    interrupted: bool = False
    pending: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Inputs:
    """How to build the Dreamer, in this process or in a worker."""

    grammars: tuple[Path, ...] = ()
    corpus: tuple[Path, ...] = ()
    choose: tuple[tuple[str, str], ...] = ()
    cache_dir: Path | None = None

    def dreamer(self) -> Dreamer:
        return Dreamer(self.grammars, self.corpus, choose=dict(self.choose),
                       cache_dir=self.cache_dir)  # fmt: skip


def run(
    batch: Batch,
    inputs: Inputs,
    jobs: int = 1,
    progress: Callable[[int], None] = lambda done: None,
    dreamer: Dreamer | None = None,
    anthology: tuple[str, ...] = (),
) -> Outcome:
    """Write the batch's missing dream files, then its manifest; see `Outcome`.

    Ctrl-C stops it between dreams: every file is either whole or absent, and running the
    same batch again writes only what is missing.
    """
    dreamer = dreamer or inputs.dreamer()
    batch.out.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(batch.out)
    _check_manifest(batch, dreamer)
    outcome = Outcome()
    todo = []
    for seed in batch.seeds():
        if batch.missing(seed):
            todo.append(seed)
        else:
            outcome.skipped += 1
    outcome.pending = list(todo)
    titles: dict[int, str] = {}
    try:
        for seed, written, title in _write_all(batch, inputs, todo, jobs, dreamer):
            outcome.pending.remove(seed)
            outcome.written += bool(written)
            outcome.files += written
            titles[seed] = title
            progress(1)
    except KeyboardInterrupt:
        outcome.interrupted = True
        return outcome
    index = manifest(batch, dreamer, titles)
    write_atomic(batch.out / MANIFEST, index)
    for kind in anthology:
        write_anthology(batch, json.loads(index), kind, dreamer)
    return outcome


Written = tuple[int, int, str]  # seed, files written, title


def _write_all(
    batch: Batch, inputs: Inputs, seeds: list[int], jobs: int, dreamer: Dreamer
) -> Iterator[Written]:
    if jobs <= 1 or len(seeds) <= CHUNK:
        renderer = Renderer()
        for seed in seeds:
            yield _write_one(batch, dreamer, renderer, seed)
        return
    global _worker
    # A forked worker starts with this process's Dreamer; a spawned one builds its own.
    _worker = (dreamer, Renderer())
    chunks = [seeds[i : i + CHUNK] for i in range(0, len(seeds), CHUNK)]
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker, initargs=(inputs,))
    running: set[Future[list[Written]]] = set()
    try:
        queue = iter(chunks)
        for chunk in queue:
            running.add(pool.submit(_work, batch, chunk))
            if len(running) >= jobs * 2:
                break
        while running:
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                yield from future.result()
                following = next(queue, None)
                if following is not None:
                    running.add(pool.submit(_work, batch, following))
    finally:
        # On Ctrl-C: drop what has not started, let the workers finish their current dream.
        pool.shutdown(wait=True, cancel_futures=True)
        _worker = None


# One Dreamer per worker process, made once when the worker starts.
_worker: tuple[Dreamer, Renderer] | None = None


def _start_worker(inputs: Inputs) -> None:
    global _worker
    # Ctrl-C goes to the whole process group; the parent decides what to do with it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if _worker is None:
        _worker = (inputs.dreamer(), Renderer())


def _work(batch: Batch, seeds: list[int]) -> list[Written]:
    assert _worker is not None
    dreamer, renderer = _worker
    return [_write_one(batch, dreamer, renderer, seed) for seed in seeds]


def _write_one(batch: Batch, dreamer: Dreamer, renderer: Renderer, seed: int) -> Written:
    missing = set(batch.missing(seed))
    dream = dreamer.dream(seed)
    written = 0
    for fmt, name in zip(batch.formats, batch.files(seed), strict=True):
        if name in missing:
            text = renderer.render([dream], fmt)
            written += write_atomic(batch.out / name, text, overwrite=batch.force)
    return seed, written, dream.title


def manifest(batch: Batch, dreamer: Dreamer, titles: Mapping[int, str] | None = None) -> str:
    """The index of the whole batch (every shard's dreams), the same from any shard.

    `titles` are those already known; the rest come from the grammar alone.
    """
    known = titles or {}
    dreams = [
        {"seed": seed, "title": known.get(seed) or dreamer.title(seed), "files": batch.files(seed)}
        for seed in range(batch.seed, batch.seed + batch.count)
    ]
    data: dict[str, Any] = {
        "version": __version__,
        "fingerprint": dreamer.fingerprint,
        "seed": batch.seed,
        "count": batch.count,
        "formats": list(batch.formats),
        "dreams": dreams,
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def write_anthology(batch: Batch, index: Mapping[str, Any], kind: str, dreamer: Dreamer) -> Path:
    """An index page linking every dream ("html"), or one e-book of them all ("epub")."""
    if kind == "html":
        from .render import Renderer

        path = batch.out / "index.html"
        page = Renderer().anthology(index, _link_format(batch.formats))
        write_atomic(path, page)
        return path
    if kind == "epub":
        return _write_epub(batch, index, dreamer)
    raise ValueError(f"unknown anthology {kind!r}")


def _link_format(formats: tuple[str, ...]) -> str:
    for preferred in ("html", "md", "txt", "json"):
        if preferred in formats:
            return preferred
    return formats[0]


def _write_epub(batch: Batch, index: Mapping[str, Any], dreamer: Dreamer) -> Path:
    try:
        from ebooklib import epub
    except ImportError:
        raise DreamError(
            [Problem("--anthology epub", "needs ebooklib: pip install 'dream-generator[epub]'")]
        ) from None
    import html

    book = epub.EpubBook()
    book.set_identifier(f"dream-{index['fingerprint']}-{batch.seed}-{batch.count}")
    book.set_title("Dreams")
    book.set_language("en")
    chapters = []
    for entry in index["dreams"]:
        stages = dreamer.dream(entry["seed"]).stages
        body = "".join(f"<p>{html.escape(stage.text)}</p>" for stage in stages)
        chapter = epub.EpubHtml(
            title=entry["title"], file_name=f"dream-{entry['seed']}.xhtml", lang="en"
        )
        chapter.content = f"<h1>{html.escape(entry['title'])}</h1>{body}"
        book.add_item(chapter)
        chapters.append(chapter)
    book.toc = chapters
    book.spine = ["nav", *chapters]
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    path = batch.out / "anthology.epub"
    temp = batch.out / ".anthology.epub.building.tmp"
    epub.write_epub(str(temp), book)
    temp.replace(path)
    return path


def _check_manifest(batch: Batch, dreamer: Dreamer) -> None:
    """Refuse to mix dreams of another grammar or corpus into a folder (without force)."""
    path = batch.out / MANIFEST
    if batch.force or not path.exists():
        return
    try:
        found: Mapping[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        theirs = found.get("fingerprint")
    except (OSError, ValueError, AttributeError):
        theirs = None
    if theirs != dreamer.fingerprint:
        raise DreamError(
            [
                Problem(
                    str(path),
                    "this folder holds dreams of another grammar or corpus; "
                    "choose another --out, or --force to replace them",
                )
            ]
        )


def _remove_leftovers(folder: Path) -> None:
    """Temporary files of a batch that was killed before it could rename them."""
    for leftover in folder.glob(".*.tmp"):
        if leftover.name.startswith((".dream-", f".{MANIFEST}.")):
            with contextlib.suppress(OSError):
                leftover.unlink()


def parse_shard(text: str) -> tuple[int, int]:
    """ "K/M" -> (K, M), with 1 <= K <= M."""
    k, slash, m = text.partition("/")
    if not slash or not k.isdigit() or not m.isdigit() or not 1 <= int(k) <= int(m):
        raise ValueError(f"--shard takes K/M with 1 <= K <= M, such as 2/4; not {text!r}")
    return int(k), int(m)


def default_jobs() -> int:
    return (
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    )
