#!/usr/bin/env bash
# Install what the PKCS#11 signer's tests need: Debian's softhsm2 (a software token behind the PKCS#11 API,
# module /usr/lib/softhsm/libsofthsm2.so, and softhsm2-util). Never fails the build: without it those tests
# skip and name the package.
set -u

command -v softhsm2-util >/dev/null 2>&1 && [ -e /usr/lib/softhsm/libsofthsm2.so ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "install-softhsm: not root and no sudo; PKCS#11 tests will be skipped (install: softhsm2)" >&2
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-softhsm: no apt-get; install softhsm2 by hand or the PKCS#11 tests will be skipped" >&2
  exit 0
fi

echo "install-softhsm: installing softhsm2" >&2
if ! { "${sudo[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq \
  --no-install-recommends softhsm2 >/dev/null; }; then
  echo "install-softhsm: apt-get could not install softhsm2; PKCS#11 tests will be skipped" >&2
fi
exit 0
