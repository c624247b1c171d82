"""Open every page of the built site in headless Chromium and fail on any console error.

    python docs/scripts/check_site.py [--site site] [--artifacts .ci/artifacts] [--chromium /usr/bin/chromium]

Serves the site on 127.0.0.1, loads each ``*.html`` page with Playwright driving Debian's
Chromium (no browser download), and records console errors, uncaught page errors, failed
requests and HTTP errors. Saves screenshots of the home page and of one API page
(``docs-home.png``, ``docs-api-rewards.png``) under the artifacts folder. Exits 1 with the
list of problems if any page had one.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import shutil
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOTS = {"": "docs-home.png", "reference/api/rewards/": "docs-api-rewards.png"}


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def page_urls(site: Path) -> list[str]:
    """Site-relative URLs of every HTML page, the home page first."""
    urls = []
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        urls.append(rel[: -len("index.html")] if rel.endswith("index.html") else rel)
    return sorted(urls, key=lambda u: (u != "", u))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", type=Path, default=Path("site"))
    parser.add_argument("--artifacts", type=Path, default=Path(".ci/artifacts"))
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args()
    site = args.site.resolve()
    if not (site / "index.html").is_file():
        print(f"{site}: no index.html; run `mkdocs build` first", file=sys.stderr)
        return 2
    args.artifacts.mkdir(parents=True, exist_ok=True)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    problems: list[str] = []
    urls = page_urls(site)
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=args.chromium, args=CHROMIUM_ARGS, viewport={"width": 1280, "height": 900}
        )
        page = context.new_page()
        current = {"url": ""}

        def record(kind: str, text: str) -> None:
            problems.append(f"{current['url'] or '/'}: {kind}: {text}")

        page.on("console", lambda msg: msg.type == "error" and record("console error", msg.text))
        page.on("pageerror", lambda exc: record("page error", str(exc)))
        page.on("requestfailed", lambda req: record("request failed", f"{req.url} ({req.failure})"))
        page.on("response", lambda resp: resp.status >= 400 and record(f"HTTP {resp.status}", resp.url))
        for url in urls:
            current["url"] = url
            response = page.goto(base + url, wait_until="load")
            page.wait_for_load_state("networkidle")
            if url == "404.html":
                continue  # served as a page here; its 404 status only matters on a real host
            if response is None or not response.ok:
                record("load", f"status {response.status if response else 'none'}")
            if url in SCREENSHOTS:
                page.screenshot(path=str(args.artifacts / SCREENSHOTS[url]), full_page=False)
        context.close()
    server.shutdown()
    missing = [name for name in SCREENSHOTS.values() if not (args.artifacts / name).is_file()]
    problems += [f"screenshot not taken: {name}" for name in missing]
    print(f"{len(urls)} pages loaded in Chromium; {len(problems)} problems")
    for line in problems:
        print("  " + line)
    for name in SCREENSHOTS.values():
        print(f"screenshot: {args.artifacts / name}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
