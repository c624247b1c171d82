#!/usr/bin/env bash
# The built wheel, as a user outside a checkout gets it: `pip wheel` builds patarm's wheel, a fresh
# venv installs it (not editable, with the demo extra), and the get-started commands run in a scratch
# folder where the checkout's sources cannot be imported: selfcheck, the rubric list, judge-file's
# first example (read from the page), and a short demo. A file the package reads at run time but
# the wheel lacks (a template, a rubric) fails here.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
start=$SECONDS
venv=.venvs/wheel
rm -rf "$venv" .venvs/wheel-dist
python3 -m venv "$venv"
"$venv/bin/pip" install -q torch==2.13.0
"$venv/bin/pip" wheel -q --no-deps . -w .venvs/wheel-dist
wheel=$(ls .venvs/wheel-dist/patarm-*.whl)
"$venv/bin/pip" install -q "${wheel}[demo]"
export PATH="$repo/$venv/bin:$PATH" OMP_NUM_THREADS=2 MPLBACKEND=Agg
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cd "$scratch"
python - <<'PY'
import patarm, pathlib
where = pathlib.Path(patarm.__file__).resolve()
assert "site-packages" in where.parts, f"patarm imported from {where}, not from the installed wheel"
print(f"patarm {patarm.__version__} from {where.parent}")
PY
patarm selfcheck
patarm rubrics list | head -3
# judge-file.md's first example, verbatim: the length judge over two pairs.
awk '/^```bash$/ {n++; inside = (n == 1); next} /^```$/ {inside = 0} inside' "$repo/docs/how-to/judge-file.md" > judge_file.sh
bash -euo pipefail judge_file.sh | tail -12
# get-started.md's short demo, verbatim.
demo=$(awk '/^```bash$/ {inside = 1; next} /^```$/ {inside = 0} inside && /^patarm demo --steps/' "$repo/docs/get-started.md")
check=$(awk '/^```bash$/ {inside = 1; next} /^```$/ {inside = 0} inside && /^test -s demo-short/' "$repo/docs/get-started.md")
[ -n "$demo" ] && [ -n "$check" ] || { echo "docs/get-started.md lacks its short demo" >&2; exit 1; }
echo "+ $demo"
bash -euo pipefail -c "$demo && $check"
echo "wheel: installed and get-started commands passed in $((SECONDS - start)) s"
