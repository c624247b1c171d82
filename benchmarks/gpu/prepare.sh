#!/usr/bin/env bash
# Gather the wheels the GPU check needs on a machine whose image has torch, transformers,
# accelerate and peft but no TRL, datasets or network: run this where the package registry is
# reachable, then carry benchmarks/gpu/wheels/ (at most 64 MiB, checked below) to the GPU machine
# and run benchmarks/gpu/run.sh there.
#   PYTHON_VERSION=3.11 bash benchmarks/gpu/prepare.sh     # the GPU image's Python (default: this one's)
set -euo pipefail
cd "$(dirname "$0")/../.."
out=benchmarks/gpu/wheels
py=${PYTHON_VERSION:-$(python3 -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')}
rm -rf "$out" && mkdir -p "$out"
# TRL and what `import trl` / `import datasets` need beyond torch + transformers + accelerate,
# plus patarm's own light dependencies (pydantic); binary wheels for the image's Python.
platforms=(--platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64)
platforms+=(--platform manylinux_2_24_x86_64 --only-binary=:all: --python-version "$py" -d "$out")
pip download -q --no-deps "${platforms[@]}" trl==1.16.0 datasets==5.2.0 pyarrow==25.0.1 pandas==3.0.6 \
  dill==0.4.1 multiprocess==0.70.19 xxhash==4.0.1 'fsspec<=2026.2.0'
pip download -q "${platforms[@]}" 'pydantic>=2.7,<3'  # with its exact pydantic-core
pip wheel -q --no-deps -w "$out" .
total=$(du -cb "$out"/*.whl | tail -1 | cut -f1)
echo "$(ls "$out" | wc -l) wheels, $((total / 1048576)) MiB in $out"
[ "$total" -le $((64 * 1048576)) ] || { echo "over the 64 MiB that may be carried" >&2; exit 1; }
