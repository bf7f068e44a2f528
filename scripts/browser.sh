#!/usr/bin/env bash
# The browser the tests drive: Debian's chromium and chromium-driver, installed when missing and
# running as root (CI); otherwise the browser tests fail with a line saying what to install.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
else
  echo "note: the browser tests need chromium and chromium-driver (apt-get install them)" >&2
fi
