#!/usr/bin/env bash
# Prints the path of a Chromium for the end-to-end tests, installing Debian's chromium
# package when it is missing and we are root (CI machines start without it). Exits
# non-zero, printing nothing on stdout, when there is none; the browser tests then skip
# locally and fail under CI=true.
set -euo pipefail

for candidate in /usr/bin/chromium /usr/bin/chromium-browser; do
  if [ -x "$candidate" ]; then echo "$candidate"; exit 0; fi
done
if [ "$(id -u)" -ne 0 ]; then
  echo "test-browser: chromium is not installed and we are not root to install it" >&2
  exit 1
fi
echo "test-browser: installing chromium from Debian's packages" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq chromium >&2
echo /usr/bin/chromium
