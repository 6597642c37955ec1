"""Texts that have the system save tonight's dream every evening (nothing is installed)."""

from __future__ import annotations

import shlex
from pathlib import Path


def systemd_units(command: str, journal: Path, hour: int, minute: int) -> tuple[str, str]:
    """A oneshot service and a timer; Persistent=true catches up on an evening missed."""
    service = (
        "[Unit]\n"
        "Description=Save tonight's dream\n\n"
        "[Service]\n"
        "Type=oneshot\n"
        f"ExecStart={command} tonight --quiet --out {shlex.quote(str(journal))}\n"
    )
    timer = (
        "[Unit]\n"
        "Description=Save tonight's dream every evening\n\n"
        "[Timer]\n"
        f"OnCalendar=*-*-* {hour:02d}:{minute:02d}:00\n"
        "Persistent=true\n\n"
        "[Install]\n"
        "WantedBy=timers.target\n"
    )
    return service, timer


def cron_line(command: str, journal: Path, hour: int, minute: int) -> str:
    return f"{minute} {hour} * * * {command} tonight --quiet --out {shlex.quote(str(journal))}"
