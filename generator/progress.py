"""Progress bars on stderr (done/total, rate, ETA), silent when stderr is not a terminal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text


class _RateColumn(ProgressColumn):
    def __init__(self, unit: str) -> None:
        super().__init__()
        self.unit = unit

    def render(self, task: Task) -> Text:
        return Text(f"{task.speed or 0:,.1f} {self.unit}/s")


@contextmanager
def progress_bar(label: str, total: int, unit: str = "items") -> Iterator[Callable[[int], None]]:
    """Yield `advance(n)`; draws a bar with done/total, rate and ETA while work runs."""
    console = Console(stderr=True)
    if not console.is_terminal or total < 2:
        yield lambda n: None
        return
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), _RateColumn(unit), TimeRemainingColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task(label, total=total)
        yield lambda n: progress.advance(task, n)


class SentenceProgress:
    """`progress(done, total)` callback that draws a bar once work is known to exist."""

    def __init__(self, label: str, unit: str) -> None:
        self.label, self.unit = label, unit
        self.console = Console(stderr=True)
        self._progress: Progress | None = None
        self._task = None

    def __call__(self, done: int, total: int) -> None:
        if not self.console.is_terminal:
            return
        if self._progress is None:
            columns = (TextColumn(self.label), BarColumn(), MofNCompleteColumn(), _RateColumn(self.unit),
                       TimeRemainingColumn())
            self._progress = Progress(*columns, console=self.console)
            self._progress.start()
            self._task = self._progress.add_task(self.label, total=total)
        self._progress.update(self._task, completed=done, total=total)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
