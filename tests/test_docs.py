"""The documentation: every command is in it, and every grammar example in it works."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from helpers import write_grammar

from generator import grammar
from generator.cli import cli

ROOT = Path(__file__).resolve().parent.parent
DOCS = (ROOT / "README.md").read_text(encoding="utf-8") + (
    ROOT / "grammars" / "README.md"
).read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "dream") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        found.append((path, command))
        if isinstance(command, click.Group):
            found.extend(_commands(command, path))
    return found


@pytest.mark.parametrize(("path", "command"), _commands(cli), ids=lambda v: str(v))
def test_every_command_has_help_and_documentation(path: str, command: click.Command) -> None:
    assert command.help and command.help.strip()
    assert path in DOCS


def _examples(language: str) -> list[str]:
    text = (ROOT / "grammars" / "README.md").read_text(encoding="utf-8")
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.DOTALL)


@pytest.mark.parametrize(("suffix", "example"), [
    *((".json", e) for e in _examples("json")),
    *((".yaml", e) for e in _examples("yaml")),
])  # fmt: skip
def test_grammar_examples_in_the_docs_load(tmp_path: Path, suffix: str, example: str) -> None:
    path = write_grammar(tmp_path, f"example{suffix}", example)
    _, problems = grammar.inspect([*grammar.builtin_paths(), path])
    assert [p for p in problems if p.severity == "error"] == []


def test_the_readme_sample_is_what_the_command_prints() -> None:
    # When the grammar or corpus changes, paste the new output into README.md.
    from click.testing import CliRunner

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    pattern = r"`(dream generate --seed \d+)`, as it prints:\n\n```text\n(.*?)```"
    found = re.search(pattern, readme, flags=re.DOTALL)
    assert found is not None
    command, sample = found.groups()
    result = CliRunner().invoke(cli, command.split()[1:])
    assert result.stdout == sample
