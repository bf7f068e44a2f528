#!/usr/bin/env bash
# The speech synthesiser the speech recognition tests speak with: Debian's espeak-ng, installed
# when missing and running as root (CI); otherwise those tests fail saying what to install.
set -euo pipefail
if command -v espeak-ng >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends espeak-ng >/dev/null
else
  echo "note: the speech recognition tests need espeak-ng (apt-get install espeak-ng)" >&2
fi
