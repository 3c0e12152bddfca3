"""Console output helpers: one Console, progress only on a terminal."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import Any


def console(stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(
        stderr=stderr, highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 120
    )


def interactive() -> bool:
    return sys.stdout.isatty() and not os.environ.get("CI")


@contextmanager
def node_progress(enabled: bool, description: str):
    """Yield a callback for dbt NodeEvents that advances a progress bar (a no-op when disabled)."""
    if not enabled:
        yield lambda event: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[current]}"),
        transient=True,
        console=console(),
    ) as progress:
        task = progress.add_task(description, total=None, current="parsing the project")

        def on_node(event: Any) -> None:
            if event.total:
                progress.update(task, total=event.total)
            if event.status == "started":
                progress.update(task, current=event.name)
            else:
                progress.advance(task)

        yield on_node
