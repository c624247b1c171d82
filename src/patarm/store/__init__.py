"""Files written safely: atomic outputs and one resumable JSON-lines store.

- :func:`atomic_path` / :func:`atomic_write`: write beside the target, rename into place when
  complete, so an interrupted command never leaves a complete-looking partial file;
- :func:`check_distinct`: refuse an output that resolves to an input (or another output)
  before anything is opened for writing;
- :class:`JsonlStore`: keyed records appended as they come, a settings header that refuses a
  changed run and names the changed settings, one policy for a torn last line, atomic
  compaction. Every cache and resumable output in patarm is one of these;
- :func:`write_report` / :func:`read_report`: a report as ``NAME.json`` and ``NAME.md``;
  :func:`new_figure`, :func:`save_png`, :func:`draw_pngs`: its PNG plots (matplotlib on demand).
"""

from patarm.store._atomic import atomic_path, atomic_write, check_distinct
from patarm.store._figures import draw_pngs, new_figure, save_png
from patarm.store._jsonl import JsonlStore, StoreSettingsError
from patarm.store._reports import read_report, write_report

__all__ = [
    "JsonlStore",
    "StoreSettingsError",
    "atomic_path",
    "atomic_write",
    "check_distinct",
    "draw_pngs",
    "new_figure",
    "read_report",
    "save_png",
    "write_report",
]
