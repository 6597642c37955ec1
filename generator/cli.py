"""The `dream` command: a thin skin over the library; it parses options and prints."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from . import __version__
from .errors import DreamError

if TYPE_CHECKING:
    from .dreamer import Dream, Dreamer

FORMATS = (
    "txt",
    "md",
    "html",
    "json",
)  # generator.render.FORMATS, kept here so --help stays light
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


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


def _inputs(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options every dream-making command shares: grammar overlays and corpus."""
    command = click.option(
        "--corpus",
        "corpus",
        multiple=True,
        type=click.Path(exists=True, path_type=Path),
        help="Train the texture on this .txt file or folder instead of the built-in corpus "
        "(repeatable).",
    )(command)
    return click.option(
        "--grammar",
        "grammars",
        multiple=True,
        type=click.Path(exists=True, path_type=Path),
        help="A grammar file or folder laid over the built-in one (repeatable; later wins).",
    )(command)


def _format_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="txt",
        show_default=True,
        help="Output format.",
    )(command)


def _dreamer(grammars: Sequence[Path], corpus: Sequence[Path]) -> Dreamer:
    from .dreamer import Dreamer

    return Dreamer(grammars=grammars, corpus=corpus)


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
@_inputs
def generate(
    seed: int | None, count: int, fmt: str, grammars: tuple[Path, ...], corpus: tuple[Path, ...]
) -> None:
    """Print new dreams to standard output.

    Without --seed the seed is random and printed on standard error, so the dream can be
    had again with --seed.
    """
    dreamer = _dreamer(grammars, corpus)
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
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("output"),
    show_default=True,
    help="Folder to save the night's dream in.",
)
@click.option("--no-save", is_flag=True, help="Print the dream without saving it.")
@_inputs
def tonight(
    night: dt.datetime | None,
    fmt: str,
    out: Path,
    no_save: bool,
    grammars: tuple[Path, ...],
    corpus: tuple[Path, ...],
) -> None:
    """Print tonight's dream: the same all night, a new one every night.

    It is also saved as OUT/YYYY-MM-DD.FORMAT; a night already saved is left as it is.
    """
    from .files import write_atomic
    from .nightly import seed_for, today
    from .render import EXTENSIONS

    date = night.date() if night else today()
    dream = _dreamer(grammars, corpus).dream(seed_for(date))
    text = _render([dream], fmt)
    if not no_save:
        path = out / f"{date.isoformat()}{EXTENSIONS[fmt]}"
        if write_atomic(path, text, overwrite=False):
            click.echo(f"saved: {path}", err=True)
        else:
            click.echo(f"already saved: {path} (left as it was)", err=True)
    click.echo(text, nl=False)


def main() -> None:
    cli()
