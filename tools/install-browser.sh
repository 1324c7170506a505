#!/usr/bin/env bash
# Install what the web portal's browser tests need: Debian's chromium (driven headless by Playwright) and a
# CJK font so screenshots show Chinese. Never fails the build: without a browser those tests skip and say why.
set -u

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if command -v fc-list >/dev/null 2>&1 && [ -z "$(fc-list :lang=zh 2>/dev/null | head -n 1)" ]; then
  need+=(fonts-noto-cjk)
fi
exec bash "$(dirname "$0")/apt-install.sh" "the browser tests" "${need[@]}"
