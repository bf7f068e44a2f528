#!/usr/bin/env bash
# The browser the tests drive: Debian's chromium and chromium-driver, installed when missing and
# running as root (CI); otherwise the browser tests fail with a line saying what to install.
# A small CJK font (fonts-wqy-microhei, 5 MB) so the Chinese pages' screenshots show their words,
# and the colour emoji font (fonts-noto-color-emoji, 10 MB): the pages' buttons carry emoji
# (🎬 Render, 👀 Preview), which a browser without any emoji font draws as empty boxes.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 \
  && [ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] \
  && [ -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium chromium-driver \
    fonts-wqy-microhei fonts-noto-color-emoji >/dev/null
else
  echo "note: the browser tests need chromium and chromium-driver (apt-get install them;" \
    "fonts-wqy-microhei and fonts-noto-color-emoji for faithful screenshots)" >&2
fi
