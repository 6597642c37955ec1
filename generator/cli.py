"""The `dream` command: a thin skin over the library; it parses options and prints."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

import click

from . import __version__
from .errors import DreamError

if TYPE_CHECKING:
    from pathlib import Path

    from .dreamer import Dream, Dreamer

FORMATS = (
    "txt",
    "md",
    "html",
    "json",
)  # generator.render.FORMATS, kept here so --help stays light
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class _Path(click.Path):
    """click.Path, giving a pathlib.Path: pathlib is imported only when a path is given, so
    `dream --help` stays light."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        import os
        from pathlib import Path

        return Path(os.fsdecode(super().convert(value, param, ctx)))


class DreamGroup(click.Group):
    """Every problem in what the user gave exits with status 1 and one line per problem."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        standalone = kwargs.pop("standalone_mode", True)
        kwargs["standalone_mode"] = False
        try:
            result = super().main(*args, **kwargs)
        except click.ClickException as error:
            error.show()
            _exit(1, standalone)
        except click.Abort:
            click.echo("Aborted.", err=True)
            _exit(1, standalone)
        except DreamError as error:
            for problem in error.problems:
                click.echo(f"error: {problem}", err=True)
            _exit(1, standalone)
        except OSError as error:
            click.echo(f"error: {error.filename or ''}: {error.strerror or error}", err=True)
            _exit(1, standalone)
        if standalone:
            sys.exit(result if isinstance(result, int) else 0)
        return result


def _exit(code: int, standalone: bool) -> NoReturn:
    if standalone:
        sys.exit(code)
    raise SystemExit(code)


def _grammar_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--grammar",
        "grammars",
        multiple=True,
        type=_Path(exists=True),
        help="A grammar file or folder laid over the built-in one (repeatable; later wins).",
    )(command)


def _inputs(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options every dream-making command shares: grammar overlays and corpus."""
    command = click.option(
        "--corpus",
        "corpus",
        multiple=True,
        type=_Path(exists=True),
        help="Train the texture on this .txt file or folder instead of the built-in corpus "
        "(repeatable).",
    )(command)
    return _grammar_option(command)


def _choices(command: Callable[..., Any]) -> Callable[..., Any]:
    """--theme, --place, --artifact: fix what every dream of the run is about."""
    for entity, example in (("artifact", "lantern"), ("place", "shore"), ("theme", "grief")):
        command = click.option(
            f"--{entity}",
            entity,
            metavar="NAME",
            help=f"Only dreams with this {entity} (e.g. {example}); "
            f"`dream grammar expand {'object' if entity == 'artifact' else entity} -n 20` "
            "lists some.",
        )(command)
    return command


def _chosen(**entities: str | None) -> dict[str, str]:
    return {entity: value for entity, value in entities.items() if value is not None}


def _out_option(help: str, envvar: str | None = None) -> Callable[..., Any]:
    """--out, a folder that defaults to ./output."""
    return click.option(
        "--out",
        type=_Path(file_okay=False),
        default="output",
        show_default=True,
        envvar=envvar,
        help=help,
    )


def _format_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="txt",
        show_default=True,
        help="Output format.",
    )(command)


def _dreamer(
    grammars: Sequence[Path], corpus: Sequence[Path], choose: dict[str, str] | None = None
) -> Dreamer:
    from .dreamer import Dreamer

    def learning() -> None:
        click.echo("learning the corpus (only this once; it takes about a minute)...", err=True)

    dreamer = Dreamer(grammars=grammars, corpus=corpus, choose=choose, learning=learning)
    for warning in dreamer.warnings:
        click.echo(f"warning: {warning}", err=True)
    return dreamer


def _render(dreams: Sequence[Dream], fmt: str) -> str:
    from .render import Renderer

    return Renderer().render(dreams, fmt)


@click.group(cls=DreamGroup, context_settings=CONTEXT)
@click.version_option(__version__, "--version", prog_name="dream", message="%(prog)s %(version)s")
def cli() -> None:
    """Write dreams: a first-person dream in five movements (setting, artifact, revelation,
    journey, release), new every time, the same for the same seed."""


@cli.command(context_settings=CONTEXT)
@click.option(
    "--seed", type=click.IntRange(min=0), help="Seed of the (first) dream. Default: random."
)
@click.option(
    "--count",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="How many dreams, with seeds SEED, SEED+1, ...",
)
@_format_option
@_choices
@_inputs
def generate(
    seed: int | None,
    count: int,
    fmt: str,
    grammars: tuple[Path, ...],
    corpus: tuple[Path, ...],
    **entities: str | None,
) -> None:
    """Print new dreams to standard output.

    Without --seed the seed is random and printed on standard error, so the dream can be
    had again with --seed.
    """
    dreamer = _dreamer(grammars, corpus, _chosen(**entities))
    if seed is None:
        import secrets

        seed = secrets.randbelow(2**31)
        click.echo(f"seed: {seed}", err=True)
    dreams = list(dreamer.dreams(seed, count))
    click.echo(_render(dreams, fmt), nl=False)


@cli.command(context_settings=CONTEXT)
@click.option(
    "--date",
    "night",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The night, as YYYY-MM-DD. Default: today's local date.",
)
@_format_option
@_out_option("Folder to save the night's dream in (your journal; or set DREAM_JOURNAL).",
             envvar="DREAM_JOURNAL")  # fmt: skip
@click.option("--no-save", is_flag=True, help="Print the dream without saving it.")
@click.option("--quiet", is_flag=True, help="Save the dream without printing it (for timers).")
@click.option(
    "--dreamer",
    "dreamer_name",
    metavar="NAME",
    default="",
    envvar="DREAM_DREAMER",
    help="Whose nights: another name, other dreams (or set DREAM_DREAMER).",
)
@_choices
@_inputs
def tonight(
    night: dt.datetime | None,
    fmt: str,
    out: Path,
    no_save: bool,
    quiet: bool,
    dreamer_name: str,
    grammars: tuple[Path, ...],
    corpus: tuple[Path, ...],
    **entities: str | None,
) -> None:
    """Print tonight's dream: the same all night, a new one every night.

    Within any seven nights no artifact or place comes back. It is also saved as
    OUT/YYYY-MM-DD.FORMAT; a night already saved is left as it is.
    """
    from .files import write_atomic
    from .nightly import today
    from .render import EXTENSIONS

    date = night.date() if night else today()
    dream = _dreamer(grammars, corpus, _chosen(**entities)).night(date, dreamer_name)
    text = _render([dream], fmt)
    if quiet and no_save:
        raise click.UsageError("--quiet and --no-save together would do nothing")
    if not no_save:
        path = out / f"{date.isoformat()}{EXTENSIONS[fmt]}"
        saved = write_atomic(path, text, overwrite=False)
        if not quiet:
            note = f"saved: {path}" if saved else f"already saved: {path} (left as it was)"
            click.echo(note, err=True)
    if not quiet:
        click.echo(text, nl=False)


@cli.command(context_settings=CONTEXT)
@click.option("--count", type=click.IntRange(min=1), required=True, help="How many dreams.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Seed of the first dream; the others follow it.")  # fmt: skip
@_out_option("Folder for the dream files and manifest.json.")
@click.option(
    "--format",
    "formats",
    type=click.Choice(FORMATS),
    multiple=True,
    default=("txt",),
    show_default=True,
    help="A format to write each dream in (repeatable).",
)
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes. Default: one per core.")  # fmt: skip
@click.option("--force", is_flag=True, help="Overwrite dream files that are already there.")
@click.option("--shard", metavar="K/M", default="1/1", show_default=True,
              help="Write only shard K of M (every M-th seed), for M machines.")  # fmt: skip
@click.option(
    "--anthology",
    type=click.Choice(["html", "epub"]),
    multiple=True,
    help="Also write index.html linking every dream, or anthology.epub (needs ebooklib).",
)
@click.option("--quiet", is_flag=True, help="No progress bar and no summary.")
@_choices
@_inputs
def batch(
    count: int,
    seed: int,
    out: Path,
    formats: tuple[str, ...],
    jobs: int | None,
    force: bool,
    shard: str,
    anthology: tuple[str, ...],
    quiet: bool,
    grammars: tuple[Path, ...],
    corpus: tuple[Path, ...],
    **entities: str | None,
) -> None:
    """Write dreams SEED .. SEED+COUNT-1 to files, one per dream and format, and manifest.json.

    Files are written whole or not at all; existing dream files are kept (unless --force),
    so an interrupted batch, run again, writes only what is missing. The files are the same
    whatever --jobs, and the M shards of --shard K/M together write what one run would.
    """
    from . import batch as batches

    try:
        part = batches.parse_shard(shard)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--shard") from None
    chosen = _chosen(**entities)
    inputs = batches.Inputs(
        grammars=tuple(grammars), corpus=tuple(corpus), choose=tuple(sorted(chosen.items()))
    )
    plan = batches.Batch(out=out, seed=seed, count=count, formats=tuple(dict.fromkeys(formats)),
                         shard=part, force=force)  # fmt: skip
    dreamer = _dreamer(grammars, corpus, chosen)
    show = not quiet and sys.stderr.isatty()
    with click.progressbar(
        length=len(plan.seeds()), label="dreaming", file=sys.stderr, hidden=not show
    ) as bar:
        outcome = batches.run(
            plan, inputs, jobs or batches.default_jobs(), bar.update, dreamer, anthology
        )
    if outcome.interrupted:
        click.echo(
            f"interrupted: {len(outcome.pending)} dreams left to write in {out}; "
            "run the same command again to finish",
            err=True,
        )
        raise SystemExit(130)
    if not quiet:
        click.echo(
            f"wrote {outcome.written} dreams ({outcome.files} files) to {out}; "
            f"{outcome.skipped} were already there",
            err=True,
        )


@cli.command("eval", context_settings=CONTEXT)
@click.option("--count", type=click.IntRange(min=1), default=200, show_default=True,
              help="How many dreams, with seeds SEED, SEED+1, ...")  # fmt: skip
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Seed of the first dream; it also draws the self-BLEU sample.")  # fmt: skip
@click.option("--sample", type=click.IntRange(min=1), default=50, show_default=True,
              help="How many dreams self-BLEU scores against all the others.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@click.option("--strict", is_flag=True,
              help="Exit with status 1 when a target is missed (for CI).")  # fmt: skip
@_inputs
def eval_dreams(
    count: int,
    seed: int,
    sample: int,
    as_json: bool,
    strict: bool,
    grammars: tuple[Path, ...],
    corpus: tuple[Path, ...],
) -> None:
    """Measure a batch of dreams against the quality targets.

    Variety (distinct-n, self-BLEU), repetition, copying from the corpus, glitches, story
    (arc, coherence) and readability, each with its target where it has one. The report is
    the product: the exit status is 0 whatever it says, unless --strict, which names each
    missed target on standard error and exits with status 1.
    """
    from . import evaluate, learning, paths, texture
    from .movements import ENTITY_SYMBOLS

    dreamer = _dreamer(grammars, corpus)
    hidden = not sys.stderr.isatty()
    dreams = dreamer.dreams(seed, count)
    with click.progressbar(dreams, count, label="dreaming", file=sys.stderr, hidden=hidden) as bar:
        made = list(bar)
    sources = list(corpus) or [paths.builtin("corpus")]
    passages = learning.read_passages(texture.corpus_files(sources))
    artifacts = dreamer.grammar.choices(ENTITY_SYMBOLS["artifact"])
    report = evaluate.evaluate(
        made, [p.text for p in passages], artifacts, sample=sample, seed=seed
    )
    if as_json:
        import json

        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(evaluate.format_table(report), nl=False)
    missed = report.missed()
    if strict and missed:
        for line in missed:
            click.echo(f"missed: {line}", err=True)
        raise SystemExit(1)


@cli.command(context_settings=CONTEXT)
@click.option("--at", "time", default="21:30", show_default=True, metavar="HH:MM",
              help="When to save the night's dream each evening.")  # fmt: skip
@click.option(
    "--out",
    type=_Path(file_okay=False),
    default=None,
    help="The journal folder. Default: a dreams folder in your home.",
)
def schedule(time: str, out: Path | None) -> None:
    """Print a systemd user timer and a cron line that save tonight's dream every evening.

    Nothing is installed: copy what you want; the README says where each piece goes.
    """
    import shutil
    from pathlib import Path

    from .schedule import cron_line, systemd_units

    hour, colon, minute = time.partition(":")
    if not (colon and hour.isdigit() and minute.isdigit() and int(hour) < 24 and int(minute) < 60):
        raise click.BadParameter(f"{time!r} is not HH:MM", param_hint="--at")
    journal = (out or Path.home() / "dreams").expanduser().resolve()
    command = shutil.which("dream") or f"{sys.executable} -m generator"
    service, timer = systemd_units(command, journal, int(hour), int(minute))
    click.echo("# ~/.config/systemd/user/dream.service")
    click.echo(service)
    click.echo("# ~/.config/systemd/user/dream.timer")
    click.echo(timer)
    click.echo("# then: systemctl --user enable --now dream.timer")
    click.echo()
    click.echo("# or, with cron (crontab -e):")
    click.echo(cron_line(command, journal, int(hour), int(minute)))


@cli.group(context_settings=CONTEXT)
def grammar() -> None:
    """Check, copy, preview and list the grammar that dreams are written from.

    The grammar is the built-in one, then the user's grammar folder (DREAM_GRAMMAR_DIR, or
    a "grammars" folder in the platform's config folder for dream), then each --grammar.
    """


@grammar.command("check", context_settings=CONTEXT)
@click.argument("paths", nargs=-1, type=_Path(exists=True))
def grammar_check(paths: tuple[Path, ...]) -> None:
    """Check the grammar as `generate` would use it, with PATHS laid over it.

    Prints every problem as FILE:LINE: SYMBOL: MESSAGE and exits with status 1 if there are
    any; warnings (symbols nothing uses) do not change the status.
    """
    from . import grammar as grammars

    merged, problems = grammars.inspect(grammars.sources(paths))
    for problem in problems:
        prefix = "warning: " if problem.severity == "warning" else ""
        click.echo(f"{prefix}{problem}")
    errors = sum(problem.severity == "error" for problem in problems)
    if errors:
        raise SystemExit(1)
    click.echo(
        f"ok: {len(merged.rules)} symbols from {len(merged.files)} files", err=bool(problems)
    )


@grammar.command("init", context_settings=CONTEXT)
@click.argument("folder", type=_Path(file_okay=False))
def grammar_init(folder: Path) -> None:
    """Write an editable copy of the built-in grammar into FOLDER.

    Nothing is overwritten. Passed back with --grammar FOLDER, the copy gives exactly the
    dreams the built-in grammar gives, until you change it.
    """
    from . import grammar as grammars

    written = grammars.write_copy(folder)
    click.echo(f"wrote {len(written)} files to {folder}")


@grammar.command("expand", context_settings=CONTEXT)
@click.argument("symbol")
@click.option("-n", "count", type=click.IntRange(min=1), default=5, show_default=True,
              help="How many expansions.")  # fmt: skip
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Seed of the first expansion.")  # fmt: skip
@_grammar_option
def grammar_expand(symbol: str, count: int, seed: int, grammars: tuple[Path, ...]) -> None:
    """Print COUNT expansions of SYMBOL, one a line (after the premise's choices)."""
    import random

    from . import grammar as grammars_module
    from .movements import preview

    merged = grammars_module.load(grammars_module.sources(grammars))
    for offset in range(count):
        click.echo(preview(merged, symbol, random.Random(f"{seed + offset}:grammar")))


@grammar.command("list", context_settings=CONTEXT)
@_grammar_option
def grammar_list(grammars: tuple[Path, ...]) -> None:
    """List every symbol, how many rules it has, and the file and line that define it."""
    from . import grammar as grammars_module

    merged = grammars_module.load(grammars_module.sources(grammars))
    width = max(map(len, merged.rules), default=0)
    for symbol in sorted(merged.rules):
        origin = merged.where(symbol)
        rules = len(merged.rules[symbol])
        weighted = " weighted" if symbol in merged.weights else ""
        where = origin.file if origin.line is None else f"{origin.file}:{origin.line}"
        click.echo(f"{symbol:<{width}}  {rules:>3} rules{weighted}  {where}")


@cli.group(context_settings=CONTEXT)
def corpus() -> None:
    """Look at the corpus the Markov texture learns from."""


@corpus.command("stats", context_settings=CONTEXT)
@click.argument("paths", nargs=-1, type=_Path(exists=True))
@click.option("--walks", type=click.IntRange(min=1), default=1000, show_default=True,
              help="Walks per movement when counting new sentences.")  # fmt: skip
def corpus_stats(paths: tuple[Path, ...], walks: int) -> None:
    """Size of a corpus (default: the built-in one) and how many new sentences it can make.

    Pass your own .txt files or folders to see whether they are big enough for texture.
    """
    from . import paths as data_paths
    from .grammar import MOVEMENTS
    from .learning import stats
    from .texture import SMALL_CORPUS

    found = stats(list(paths) or [data_paths.builtin("corpus")], walks)
    total = sum(found.sentences.values())
    click.echo(f"files       {found.files:>8,}")
    click.echo(f"passages    {found.passages:>8,}")
    click.echo(f"words       {found.words:>8,}")
    click.echo(f"sentences   {total:>8,}")
    for movement in (*MOVEMENTS, None):
        count = found.sentences.get(movement, 0)
        if count or movement is not None:
            label = movement or "untagged"
            novel = (
                f"   {found.novel.get(movement, 0):>5,} new in {walks:,} walks" if movement else ""
            )
            click.echo(f"  {label:<10}{count:>8,}{novel}")
    if found.small:
        click.echo(f"too small: texture wants {SMALL_CORPUS:,} sentences or more")
    else:
        click.echo("enough for texture")


def main() -> None:
    cli()
