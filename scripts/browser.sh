#!/usr/bin/env bash
# The browser the tests drive: Debian's chromium and chromium-driver, installed when missing and
# running as root (CI); otherwise the browser tests fail with a line saying what to install.
# A small CJK font (fonts-wqy-microhei, 5 MB) so the Chinese pages' screenshots show their words.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 \
  && [ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium chromium-driver \
    fonts-wqy-microhei >/dev/null
else
  echo "note: the browser tests need chromium and chromium-driver (apt-get install them;" \
    "fonts-wqy-microhei for readable Chinese screenshots)" >&2
fi
