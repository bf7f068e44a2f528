#!/usr/bin/env bash
# Set everything up, then run the whole test suite (see README).
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/bootstrap.sh
bash scripts/browser.sh
bash scripts/espeak.sh
exec .venv/bin/python -m pytest -n 2 -q "$@"
