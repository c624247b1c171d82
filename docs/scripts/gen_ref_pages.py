"""Generate the API reference: one page per public module of patarm, found by walking src/patarm.

Run by mkdocs-gen-files at build time (see mkdocs.yml). A module or package is public when no
part of its dotted name starts with an underscore; each page renders the names in its
``__all__`` from their docstrings (mkdocstrings, ``filters: public``), so a package added
later gets its page without editing anything here.
"""

from __future__ import annotations

import sys
from pathlib import Path

import mkdocs_gen_files

sys.path.insert(0, str(Path(__file__).parent))
from public_api import ROOT, public_modules, summary_line


def page_path(name: str) -> str:
    return "api/" + "/".join(name.split(".")[1:] or ["patarm"]) + ".md"


def main() -> None:
    modules = public_modules()
    nav = mkdocs_gen_files.Nav()
    nav["Overview"] = "index.md"
    nav["Command line"] = "cli.md"
    rows = []
    groups: dict[str, int] = {}
    for name, _ in modules:  # group each module under its top-level package
        top = ".".join(name.split(".")[:2])
        groups[top] = groups.get(top, 0) + 1
    for name, path in modules:
        doc_path = page_path(name)
        top = ".".join(name.split(".")[:2])
        nav[("API", top, name) if groups[top] > 1 else ("API", name)] = doc_path
        with mkdocs_gen_files.open(f"reference/{doc_path}", "w") as fd:
            fd.write(f"# `{name}`\n\n::: {name}\n    options:\n      show_root_heading: false\n")
        mkdocs_gen_files.set_edit_path(f"reference/{doc_path}", path.relative_to(ROOT).as_posix())
        rows.append(f"| [`{name}`]({doc_path}) | {summary_line(path)} |")
    with mkdocs_gen_files.open("reference/index.md", "a") as fd:  # after the page's own text
        fd.write("| module | what it holds |\n|---|---|\n" + "\n".join(rows) + "\n")
    with mkdocs_gen_files.open("reference/SUMMARY.md", "w") as fd:
        fd.writelines(nav.build_literate_nav())


main()
