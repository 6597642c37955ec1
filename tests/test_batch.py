"""dream batch: parallel, atomic, resumable, shardable, and never overwriting your files."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator import Dreamer
from generator.cli import cli

runner = CliRunner()
ARGS = ["batch", "--seed", "100", "--count", "10", "--format", "txt", "--format", "json"]


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _batch(folder: Path, *extra: str, env: dict[str, str] | None = None) -> None:
    result = runner.invoke(cli, [*ARGS, "--out", str(folder), *extra], env=env)
    assert result.exit_code == 0, result.output


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "out"


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("clean")
    _batch(folder, "--jobs", "1", env={"DREAM_CACHE_DIR": str(cache_dir)})
    return _files(folder)


def test_a_batch_writes_each_dream_in_each_format_and_a_manifest(
    clean_run: dict[str, bytes],
) -> None:
    expected = {f"dream-{s}.{e}" for s in range(100, 110) for e in ("txt", "json")}
    assert set(clean_run) == expected | {"manifest.json"}


def test_the_manifest_indexes_every_dream(clean_run: dict[str, bytes], dreamer: Dreamer) -> None:
    manifest = json.loads(clean_run["manifest.json"])
    assert manifest["fingerprint"] == dreamer.fingerprint and manifest["version"]
    assert [d["seed"] for d in manifest["dreams"]] == list(range(100, 110))
    first = manifest["dreams"][0]
    assert first["title"] == dreamer.dream(100).title
    assert first["files"] == ["dream-100.txt", "dream-100.json"]


def test_dream_files_are_the_dreams_of_their_seeds(clean_run: dict[str, bytes]) -> None:
    data = json.loads(clean_run["dream-104.json"])
    assert data["seed"] == 104


def test_two_jobs_write_the_same_bytes_as_one(out: Path, clean_run: dict[str, bytes]) -> None:
    _batch(out, "--jobs", "2")
    assert _files(out) == clean_run


def test_shards_together_write_what_one_run_writes(out: Path, clean_run: dict[str, bytes]) -> None:
    for k in (1, 2, 3):
        _batch(out, "--shard", f"{k}/3", "--jobs", "1")
    assert _files(out) == clean_run


def test_one_shard_writes_only_its_seeds(out: Path) -> None:
    _batch(out, "--shard", "2/3", "--jobs", "1")
    seeds = {int(p.stem.split("-")[1]) for p in out.glob("dream-*.txt")}
    assert seeds == {101, 104, 107}


def test_existing_files_are_kept_without_force(out: Path) -> None:
    out.mkdir()
    mine = out / "dream-103.txt"
    mine.write_text("my own words", encoding="utf-8")
    _batch(out, "--jobs", "1")
    assert mine.read_text(encoding="utf-8") == "my own words"
    assert (out / "dream-103.json").exists()


def test_force_overwrites(out: Path, clean_run: dict[str, bytes]) -> None:
    out.mkdir()
    (out / "dream-103.txt").write_text("my own words", encoding="utf-8")
    _batch(out, "--jobs", "1", "--force")
    assert _files(out) == clean_run


def test_a_second_run_changes_nothing_and_says_so(out: Path) -> None:
    _batch(out, "--jobs", "1")
    before = {p.name: p.stat().st_mtime_ns for p in out.glob("dream-*")}
    result = runner.invoke(cli, [*ARGS, "--out", str(out), "--jobs", "1"])
    assert "10 were already there" in result.stderr
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("dream-*")} == before


def test_a_folder_of_another_grammars_dreams_is_refused(out: Path) -> None:
    out.mkdir()
    (out / "manifest.json").write_text('{"fingerprint": "other"}', encoding="utf-8")
    result = runner.invoke(cli, [*ARGS, "--out", str(out)])
    assert result.exit_code == 1 and "another grammar or corpus" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json"]


def test_a_bad_shard_is_a_clean_error(out: Path) -> None:
    result = runner.invoke(cli, [*ARGS, "--out", str(out), "--shard", "4/3"])
    assert result.exit_code == 1 and "--shard" in result.stderr


def test_no_progress_bar_when_stderr_is_not_a_terminal(out: Path) -> None:
    result = runner.invoke(cli, [*ARGS, "--out", str(out), "--jobs", "1"])
    assert result.stderr.splitlines() == [
        f"wrote 10 dreams (20 files) to {out}; 0 were already there"
    ]


def test_quiet_says_nothing(out: Path) -> None:
    result = runner.invoke(cli, [*ARGS, "--out", str(out), "--jobs", "1", "--quiet"])
    assert result.exit_code == 0 and result.stderr == "" and result.stdout == ""


def _start(
    folder: Path, cache_dir: Path, jobs: int, capture: bool = False
) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "generator", "batch", "--seed", "100", "--count", "60",
               "--format", "txt", "--format", "json", "--out", str(folder),
               "--jobs", str(jobs)]  # fmt: skip
    env = {**os.environ, "DREAM_CACHE_DIR": str(cache_dir)}
    stderr = subprocess.PIPE if capture else subprocess.DEVNULL
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=stderr)


def _wait_for_files(folder: Path, count: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while len(list(folder.glob("dream-*.txt"))) < count:
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)


@pytest.fixture(scope="module")
def clean_sixty(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("sixty")
    process = _start(folder, cache_dir, 2)
    assert process.wait(timeout=300) == 0
    return _files(folder)


def test_a_killed_batch_leaves_no_broken_file_and_resumes_to_the_same_result(
    out: Path, cache_dir: Path, clean_sixty: dict[str, bytes]
) -> None:
    out.mkdir()
    process = _start(out, cache_dir, 1)
    _wait_for_files(out, 5, process)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    for name, data in _files(out).items():
        if not name.endswith(".tmp"):
            assert data == clean_sixty[name], name
    resumed = _start(out, cache_dir, 2)
    assert resumed.wait(timeout=300) == 0
    assert _files(out) == clean_sixty


def test_ctrl_c_stops_promptly_with_a_one_line_summary(out: Path, cache_dir: Path) -> None:
    out.mkdir()
    process = _start(out, cache_dir, 2, capture=True)
    _wait_for_files(out, 4, process)
    process.send_signal(signal.SIGINT)
    started = time.monotonic()
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130
    assert time.monotonic() - started < 10
    lines = stderr.decode().strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("interrupted: ")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links.extend(value or "" for name, value in attrs if name == "href")


def test_html_anthology_links_every_dream(out: Path) -> None:
    runner.invoke(cli, ["batch", "--count", "5", "--format", "html", "--format", "txt",
                        "--out", str(out), "--anthology", "html", "--jobs", "1"])  # fmt: skip
    parser = _Links()
    parser.feed((out / "index.html").read_text(encoding="utf-8"))
    assert parser.links == [f"dream-{s}.html" for s in range(5)]
    assert all((out / link).exists() for link in parser.links)


def test_epub_anthology_holds_every_dream(out: Path) -> None:
    pytest.importorskip("ebooklib")
    result = runner.invoke(cli, ["batch", "--count", "3", "--out", str(out),
                                 "--anthology", "epub", "--jobs", "1"])  # fmt: skip
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out / "anthology.epub") as book:
        chapters = [n for n in book.namelist() if n.endswith(".xhtml") and "dream-" in n]
        assert len(chapters) == 3
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        text = book.read(chapters[0]).decode()
        assert manifest["dreams"][0]["title"] in text


def test_prune_keeps_the_most_recently_used_cache_files(tmp_path: Path) -> None:
    from generator.files import prune

    folder = tmp_path / "cache"
    folder.mkdir()
    for age in range(5):
        path = folder / f"texture-{age}.marshal"
        path.write_bytes(b"x")
        os.utime(path, (1_000_000 - age, 1_000_000 - age))
    (folder / "other.txt").write_bytes(b"x")
    prune(folder, "texture-*.marshal", 2)
    assert sorted(p.name for p in folder.iterdir()) == [
        "other.txt", "texture-0.marshal", "texture-1.marshal"
    ]  # fmt: skip
