#!/usr/bin/env bash
# Install Debian packages some tests need: `apt-install.sh WHAT PACKAGE...`, WHAT naming the tests that would
# otherwise skip. Never fails the build: without root (or password-less sudo) or apt-get it says what to install.
set -u

what="$1"
shift
[ $# -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "apt-install: not root and no sudo; $what will be skipped (install: $*)" >&2
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "apt-install: no apt-get; install $* by hand or $what will be skipped" >&2
  exit 0
fi

echo "apt-install: installing $* for $what" >&2
if ! { "${sudo[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq \
  --no-install-recommends "$@" >/dev/null; }; then
  echo "apt-install: apt-get could not install $*; $what will be skipped" >&2
fi
exit 0
