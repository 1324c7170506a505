#!/usr/bin/env bash
# Install what the web portal's browser tests need: Debian's chromium (driven headless by Playwright) and a
# CJK font so screenshots show Chinese. Never fails the build: without a browser those tests skip and say why.
set -u

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if command -v fc-list >/dev/null 2>&1 && [ -z "$(fc-list :lang=zh 2>/dev/null | head -n 1)" ]; then
  need+=(fonts-noto-cjk)
fi
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "install-browser: not root and no sudo; browser tests will be skipped (install: ${need[*]})" >&2
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-browser: no apt-get; install ${need[*]} by hand or the browser tests will be skipped" >&2
  exit 0
fi

echo "install-browser: installing ${need[*]}" >&2
if ! { "${sudo[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq \
  --no-install-recommends "${need[@]}" >/dev/null; }; then
  echo "install-browser: apt-get could not install ${need[*]}; browser tests will be skipped" >&2
fi
exit 0
