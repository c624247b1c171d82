"""``--compare A B`` for the commands that write a report (``audit``, ``hackcheck``): each side
is a finished report (its folder or its JSON file) or a judge to run now; the two go side by
side in OUTPUT/compare.md, printed too, with the command's plots of both."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["run_side_by_side"]

Report = Mapping[str, Any]


def run_side_by_side(
    specs: Sequence[str],
    output: Path,
    *,
    report_file: str,
    load: Callable[[Path], Report],
    run: Callable[[Path, str], Report],
    markdown: Callable[[Sequence[Report], Sequence[str]], str],
    plot: Callable[[list[tuple[str, Report]], Path], Any],
) -> int:
    """Load or run each side (``run(folder, spec)`` writes its report into ``folder``), then
    write and print the table and draw the plots; return the exit code."""
    from patarm.store import atomic_write

    reports: list[Report] = []
    names: list[str] = []
    for i, spec in enumerate(specs):
        path = Path(spec)
        if path.suffix == ".json" or (path / report_file).exists():
            reports.append(load(path))
            names.append(path.parent.name if path.suffix == ".json" else path.name)
        else:
            reports.append(run(output / f"judge-{'ab'[i]}", spec))
            names.append(spec)
    table = markdown(reports, names)
    print(table, end="")
    output.mkdir(parents=True, exist_ok=True)
    with atomic_write(output / "compare.md") as f:
        f.write(table)
    plot(list(zip(names, reports, strict=True)), output)
    print(f"comparison: {output / 'compare.md'} and plots in {output}/")
    return 0
