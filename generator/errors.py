"""Problems in what the user gave, reported one line each."""

from __future__ import annotations

from typing import NamedTuple


class Problem(NamedTuple):
    """One thing wrong with an input, located as precisely as we can.

    (A NamedTuple, not a dataclass: `dream --help` loads this module, and a dataclass costs
    it a few milliseconds.)
    """

    file: str
    message: str
    line: int | None = None
    symbol: str | None = None
    severity: str = "error"  # or "warning": reported, but nothing stops for it

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.symbol is not None:
            return f"{where}: {self.symbol}: {self.message}"
        return f"{where}: {self.message}"


class DreamError(Exception):
    """Raised with every problem found, so the user can fix them all in one pass."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
