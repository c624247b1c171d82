#!/usr/bin/env bash
# The documentation site: build it strictly, run every snippet of README.md and docs/, and
# open every page in headless Chromium (Debian's package; no browser download).
# Screenshots of the home page and of one API page go to .ci/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
venv=.venvs/docs
site=.venvs/docs-site

rm -rf "$venv" "$site"
python3 -m venv "$venv"
"$venv/bin/pip" install -q torch==2.13.0
# demo + serve: the snippets run the demo, a tiny judge server and the TRL reward
"$venv/bin/pip" install -q -e '.[docs,demo,serve]'
if ! command -v chromium >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
export PATH="$repo/$venv/bin:$PATH" OMP_NUM_THREADS=1 MPLBACKEND=Agg

# 1. Strict build: broken links, missing references and unresolved API names fail.
mkdocs build --strict --site-dir "$site"
# 2. Every exported name of every public module is in the API reference.
python docs/scripts/check_reference.py --site "$site"
# 3. Snippets (pytest-codeblocks), in a scratch folder so that they write nothing here.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
(cd "$scratch" && PYTHONPATH="$repo/docs/scripts" python -m pytest -c "$repo/docs/snippets.ini" -p snippet_report \
  --rootdir "$repo" "$repo/README.md" "$repo/docs")
# 4. Every page in headless Chromium, no console errors; screenshots as artifacts.
python docs/scripts/check_site.py --site "$site" --artifacts .ci/artifacts
