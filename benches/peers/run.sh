#!/usr/bin/env bash
# flowsim vs SimPy vs Ciw on benchmark model B1: builds flowsim (release), then runs compare.py,
# which times every tool on one core and flowsim on 1 vs 2 threads. About 4 minutes on 2 cores.
# Extra arguments go to compare.py (see `run.sh --help`), e.g. `run.sh --repeats 5 --ciw-reps 100`.
# FLOWSIM_BIN=/path/to/flowsim skips the build and uses that binary.
# Needs benches/peers/.venv from setup.sh (PyPI), so CI (.ci/run) does not run it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
py="$here/.venv/bin/python"

if [ ! -x "$py" ]; then
  echo "run.sh: no virtualenv at $here/.venv; run benches/peers/setup.sh first (it installs SimPy and Ciw from PyPI)" >&2
  exit 1
fi
if ! "$py" -c 'import simpy, ciw' 2>/dev/null; then
  echo "run.sh: simpy or ciw is missing from $here/.venv; run benches/peers/setup.sh again" >&2
  exit 1
fi
if ! command -v taskset >/dev/null 2>&1; then
  echo "run.sh: taskset not found (Debian package util-linux); it pins the single-core runs" >&2
  exit 1
fi

bin="${FLOWSIM_BIN:-}"
if [ -z "$bin" ]; then
  bin="$repo/target/release/flowsim"
  build() { (cd "$repo" && cargo build --release --quiet); }
  if ! command -v cargo >/dev/null 2>&1; then
    echo "run.sh: cargo not found; set FLOWSIM_BIN to a release build of flowsim" >&2
    exit 1
  fi
  echo "Building flowsim (cargo build --release)"
  if ! build; then
    # Someone may be in the middle of an edit: wait and try once more, then fall back.
    echo "run.sh: the build failed; retrying in 60 s" >&2
    sleep 60
    if ! build; then
      if [ -x "$bin" ]; then
        echo "run.sh: the build failed again; using the existing $bin (it may be out of date)" >&2
      else
        echo "run.sh: the build failed and there is no $bin" >&2
        exit 1
      fi
    fi
  fi
fi
if [ ! -x "$bin" ]; then
  echo "run.sh: no flowsim binary at $bin" >&2
  exit 1
fi

# The commit the binary was built from; "-dirty" means uncommitted edits in the work tree.
echo "flowsim: $bin ($(git -C "$repo" describe --always --dirty 2>/dev/null || echo 'not a git checkout'))"
exec "$py" "$here/compare.py" --flowsim "$bin" --scenario "$repo/scenarios/b1.toml" "$@"
