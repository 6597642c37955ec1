"""The command line: output on stdout, notes on stderr, clean errors with exit status 1."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import write_grammar

from generator.cli import cli
from generator.nightly import seed_for


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_generate_prints_a_dream(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["generate", "--seed", "1"])
    assert result.exit_code == 0
    assert len(result.stdout.split()) > 200


def test_generate_with_seed_is_repeatable(runner: CliRunner) -> None:
    first = runner.invoke(cli, ["generate", "--seed", "77", "--format", "json"])
    second = runner.invoke(cli, ["generate", "--seed", "77", "--format", "json"])
    assert first.stdout == second.stdout


def test_generate_without_seed_reports_a_seed_that_reproduces(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["generate"])
    assert result.exit_code == 0
    seed = int(result.stderr.strip().removeprefix("seed: "))
    again = runner.invoke(cli, ["generate", "--seed", str(seed)])
    assert again.stdout == result.stdout


def test_generate_count_matches_single_seeds(runner: CliRunner) -> None:
    batch = runner.invoke(cli, ["generate", "--seed", "5", "--count", "3", "--format", "json"])
    singles = [
        runner.invoke(cli, ["generate", "--seed", str(s), "--format", "json"]).stdout
        for s in (5, 6, 7)
    ]
    assert batch.stdout == "".join(singles)


@pytest.mark.parametrize("fmt", ["txt", "md", "html", "json"])
def test_generate_every_format(runner: CliRunner, fmt: str) -> None:
    result = runner.invoke(cli, ["generate", "--seed", "2", "--format", fmt])
    assert result.exit_code == 0 and result.stdout.strip()


def test_tonight_is_the_same_for_the_same_date(runner: CliRunner, tmp_path: Path) -> None:
    args = ["tonight", "--date", "2026-03-14", "--no-save", "--format", "json"]
    first = runner.invoke(cli, args)
    assert first.exit_code == 0
    assert json.loads(first.stdout)["seed"] == seed_for(__import__("datetime").date(2026, 3, 14))
    assert runner.invoke(cli, args).stdout == first.stdout


def test_tonight_differs_from_night_to_night(runner: CliRunner) -> None:
    texts = {
        runner.invoke(cli, ["tonight", "--date", f"2026-03-{day:02d}", "--no-save"]).stdout
        for day in range(1, 4)
    }
    assert len(texts) == 3


def test_tonight_saves_under_out(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "journal"
    result = runner.invoke(cli, ["tonight", "--date", "2026-01-02", "--out", str(out)])
    assert result.exit_code == 0
    saved = out / "2026-01-02.txt"
    assert saved.read_text(encoding="utf-8") == result.stdout
    assert list(out.iterdir()) == [saved]


def test_tonight_no_save_writes_nothing(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "journal"
    runner.invoke(cli, ["tonight", "--out", str(out), "--no-save"])
    assert not out.exists()


def test_tonight_leaves_a_saved_night_as_it_is(runner: CliRunner, tmp_path: Path) -> None:
    saved = tmp_path / "2026-01-02.md"
    saved.write_text("my own notes", encoding="utf-8")
    args = ["tonight", "--date", "2026-01-02", "--out", str(tmp_path), "--format", "md"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0
    assert saved.read_text(encoding="utf-8") == "my own notes"
    assert "already saved" in result.stderr


def test_tonight_saves_to_output_in_the_working_folder_by_default(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["tonight", "--date", "2026-05-05"])
    assert result.exit_code == 0
    assert (tmp_path / "output/2026-05-05.txt").read_text(encoding="utf-8") == result.stdout


def test_bad_grammar_exits_1_with_one_line_per_problem(runner: CliRunner, tmp_path: Path) -> None:
    bad = write_grammar(tmp_path, "bad.json", '{\n  "setting": ["#nowhere#"],\n  "title": []\n}\n')
    result = runner.invoke(cli, ["generate", "--seed", "1", "--grammar", str(bad)])
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2
    assert all(str(bad) in line for line in lines)
    assert any(":2: setting:" in line and "nowhere" in line for line in lines)
    assert any(":3: title:" in line and "empty" in line for line in lines)
    assert "Traceback" not in result.output


def test_malformed_json_names_file_and_line(runner: CliRunner, tmp_path: Path) -> None:
    bad = write_grammar(tmp_path, "broken.json", '{\n  "title": ["x"]\n  "setting": ["y"]\n}\n')
    result = runner.invoke(cli, ["generate", "--grammar", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:3: invalid JSON" in result.stderr


def test_bad_option_value_exits_1(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["generate", "--count", "0"])
    assert result.exit_code == 1
    assert result.stdout == ""


def test_missing_grammar_path_exits_1(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["generate", "--grammar", str(tmp_path / "nope.json")])
    assert result.exit_code == 1


def test_unwritable_out_folder_is_a_clean_error(runner: CliRunner, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    result = runner.invoke(cli, ["tonight", "--out", str(blocker / "sub")])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and result.stdout == ""


def test_version_is_printed(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0 and result.stdout.startswith("dream ")


@pytest.mark.parametrize("command", [[], ["generate"], ["tonight"]])
def test_every_command_has_help(runner: CliRunner, command: list[str]) -> None:
    for flag in ("-h", "--help"):
        result = runner.invoke(cli, [*command, flag])
        assert result.exit_code == 0 and "Usage:" in result.stdout


def test_help_does_not_import_the_heavy_libraries() -> None:
    code = (
        "import sys; from generator.cli import cli\n"
        "try: cli(['--help'])\nexcept SystemExit: pass\n"
        "heavy = ('jinja2', 'markovify', 'tracery', 'inflect')\n"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_module_runs_as_the_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "generator", "--version"], capture_output=True, text=True
    )
    assert done.returncode == 0 and done.stdout.startswith("dream ")


def test_console_script_is_installed_beside_python() -> None:
    script = Path(sys.executable).parent / "dream"
    done = subprocess.run([str(script), "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("dream ")


def test_a_small_corpus_warns_in_one_line_and_still_dreams(
    runner: CliRunner, tmp_path: Path
) -> None:
    tiny = tmp_path / "tiny.txt"
    tiny.write_text("I walk by the water. The water is cold tonight.\n", encoding="utf-8")
    result = runner.invoke(cli, ["generate", "--seed", "1", "--corpus", str(tiny)])
    assert result.exit_code == 0 and result.stdout.strip()
    assert [line[:8] for line in result.stderr.splitlines()] == ["warning:"]


def test_corpus_stats_says_a_journal_is_too_small(runner: CliRunner, tmp_path: Path) -> None:
    tiny = tmp_path / "journal.txt"
    tiny.write_text("I walk by the water. The water is cold tonight.\n", encoding="utf-8")
    result = runner.invoke(cli, ["corpus", "stats", str(tiny), "--walks", "20"])
    assert result.exit_code == 0
    assert "sentences          2" in result.stdout and "too small" in result.stdout


def test_corpus_stats_of_the_builtin_corpus(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["corpus", "stats", "--walks", "100"])
    assert result.exit_code == 0
    words = int(
        next(line for line in result.stdout.splitlines() if line.startswith("words"))
        .split()[1]
        .replace(",", "")
    )
    assert words >= 25_000 and "enough for texture" in result.stdout


def test_tonight_quiet_saves_without_printing(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(
        cli, ["tonight", "--date", "2026-02-03", "--out", str(tmp_path), "--quiet"]
    )
    assert result.exit_code == 0 and result.stdout == "" and result.stderr == ""
    assert (tmp_path / "2026-02-03.txt").read_text(encoding="utf-8").strip()


def test_schedule_prints_a_persistent_timer_and_a_cron_line(
    runner: CliRunner, tmp_path: Path
) -> None:
    result = runner.invoke(cli, ["schedule", "--at", "21:05", "--out", str(tmp_path)])
    assert result.exit_code == 0
    assert "OnCalendar=*-*-* 21:05:00" in result.stdout and "Persistent=true" in result.stdout
    assert f"tonight --quiet --out {tmp_path}" in result.stdout
    assert any(line.startswith("5 21 * * * ") for line in result.stdout.splitlines())


def test_schedule_refuses_a_bad_time(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["schedule", "--at", "25:00"])
    assert result.exit_code == 1 and "HH:MM" in result.stderr
