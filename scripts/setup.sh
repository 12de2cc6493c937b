#!/usr/bin/env bash
# Sets up what the tests need beyond npm packages: a project-local Python environment with the
# reference implementations (deltalake, pyarrow) for the cross-check tests. Idempotent and quick when
# already done: it reinstalls only when scripts/requirements.txt changes.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv
stamp="$venv/.requirements.sha256"
want=$(sha256sum scripts/requirements.txt | cut -d' ' -f1)
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
  echo "setup: python3 (3.10 or newer) is required for the cross-check tests; install it (Debian: apt-get install python3 python3-venv)" >&2
  exit 1
fi
echo "setup: creating $venv from scripts/requirements.txt" >&2
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r scripts/requirements.txt
echo "$want" > "$stamp"
