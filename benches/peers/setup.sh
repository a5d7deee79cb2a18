#!/usr/bin/env bash
# Make benches/peers/.venv and install the pinned peer simulators (requirements.txt) from PyPI.
# Needs Python 3.11+ with the venv module and access to PyPI. Not part of CI.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
# Which Python: $PYTHON if set; else the distribution's /usr/bin/python3 when it is 3.11+, since
# distributions build CPython with PGO and LTO, while pyenv and source builds without
# --enable-optimizations run SimPy and Ciw about 20 % slower (and the peers deserve their best);
# else python3 from PATH. To switch an existing .venv to another Python, delete .venv first.
if [ -n "${PYTHON:-}" ]; then
  python="$PYTHON"
elif [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
  python=/usr/bin/python3
else
  python=python3
fi

if ! command -v "$python" >/dev/null 2>&1; then
  echo "setup.sh: '$python' not found; install Python 3.11 or newer, or set PYTHON=/path/to/python3" >&2
  exit 1
fi
if ! "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
  echo "setup.sh: $("$python" --version 2>&1) is too old; the pinned numpy (a Ciw dependency) needs 3.11+" >&2
  exit 1
fi
if [ ! -x "$venv/bin/python" ]; then
  echo "Creating the virtualenv $venv with $("$python" -c 'import sys; print(sys.executable, sys.version.split()[0])')"
  if ! "$python" -m venv "$venv"; then
    echo "setup.sh: '$python -m venv' failed; on Debian/Ubuntu install python3-venv" >&2
    rm -rf "$venv"
    exit 1
  fi
fi
echo "Installing $here/requirements.txt"
"$venv/bin/python" -m pip install --disable-pip-version-check -q -r "$here/requirements.txt"
"$venv/bin/python" - <<'PY'
from importlib.metadata import version
import sys
print("Installed: simpy", version("simpy"), "and ciw", version("ciw"), "for Python", sys.version.split()[0],
      "(" + sys.base_prefix + ")")
PY
echo "Now run benches/peers/run.sh"
