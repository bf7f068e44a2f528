#!/usr/bin/env bash
# Set everything up, then start the service on the embedded defaults (see README).
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/bootstrap.sh
exec .venv/bin/voiceover serve "$@"
