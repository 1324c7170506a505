#!/usr/bin/env bash
# Install what the PKCS#11 signer's tests need: Debian's softhsm2 (a software token behind the PKCS#11 API,
# module /usr/lib/softhsm/libsofthsm2.so, and softhsm2-util). Never fails the build: without it those tests
# skip and name the package.
set -u

command -v softhsm2-util >/dev/null 2>&1 && [ -e /usr/lib/softhsm/libsofthsm2.so ] && exit 0
exec bash "$(dirname "$0")/apt-install.sh" "the PKCS#11 tests" softhsm2
