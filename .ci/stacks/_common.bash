# shellcheck shell=bash
# Sourced by each .ci/stacks/<stack>.sh (not a CI step itself: .ci/run runs only *.sh files).
# build_env STACK: a fresh venv .venvs/STACK (removed first; pip's wheel cache is reused) built
# with README's one command for STACK (section "Supported environments", the line ending in
# "# STACK"), plus the test tools (patarm[test]). Then the script runs, inside it, doctor, the
# stack's tests with PATARM_STACK=STACK (a skipped test fails there) and the launch smoke.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
STACK_START=$SECONDS

readme_install() {  # README's install command for stack $1
    awk -v want="$1" '
        /^## Supported environments/ { on = 1; next }
        on && /^## / { on = 0 }
        on && /^pip install/ && $(NF - 1) == "#" && $NF == want { sub(/[ \t]*#[^#]*$/, ""); print }
    ' README.md
}

build_env() {
    local stack=$1 install
    install=$(readme_install "$stack")
    [ -n "$install" ] || { echo "README.md has no install line ending in '# $stack'" >&2; exit 1; }
    rm -rf ".venvs/$stack"
    python3 -m venv ".venvs/$stack"
    # shellcheck disable=SC1090
    . ".venvs/$stack/bin/activate"
    echo "+ $install"
    nice -n 10 bash -euo pipefail -c "$install"
    nice -n 10 pip install -q -e '.[test]'
    export PATARM_STACK=$stack
    echo "$stack environment built in $((SECONDS - STACK_START)) s"
}

stack_tests() {  # stack_tests PYTEST_ARGS...: GPU and vLLM tests are left to machines that have them;
    # STACK_MARK adds to the marker expression (e.g. "not slow": the launch smoke trains instead)
    local mark="not gpu and not vllm${STACK_MARK:+ and $STACK_MARK}"
    echo "+ python -m pytest -m '$mark' $*"
    nice -n 10 python -m pytest -q -p no:cacheprovider -m "$mark" "$@"
}

stack_done() {
    echo "$PATARM_STACK environment: build, doctor, tests and launch smoke passed in $((SECONDS - STACK_START)) s"
}
