#!/usr/bin/env bash
# Installs everything Shufang needs on a fresh Debian machine with Python 3.11+:
# system packages (when missing), a virtualenv in .venv, the package with its test extras,
# and the compiled translations. Safe to run again: it only does what is missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON=${PYTHON:-python3}
need_apt=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

# PostgreSQL server binaries (initdb, pg_ctl) for the test run against a real server.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then need_apt+=(postgresql); fi
command -v yaz-marcdump >/dev/null 2>&1 || need_apt+=(yaz)          # MARC checked by yaz-marcdump
command -v msgfmt >/dev/null 2>&1 || need_apt+=(gettext)             # compilemessages
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)          # browser tests
have_pkg fonts-noto-cjk || need_apt+=(fonts-noto-cjk)                # Chinese in screenshots/charts
"$PYTHON" -c "import ensurepip, venv" >/dev/null 2>&1 || need_apt+=(python3-venv)

if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need_apt[*]}"
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating virtualenv .venv"
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
echo "setup: installing shufang and its dependencies"
.venv/bin/python -m pip install -q -e ".[test]" 2>&1 | grep -v -E "^(WARNING: Location|  )" || true
.venv/bin/python -c "import pymarc, stdnum, pypinyin, openpyxl, shufang"  # fails loudly if the install did not work

echo "setup: compiling translations"
(cd src/shufang && SHUFANG_DATA_DIR="$(mktemp -d)" ../../.venv/bin/shufang compilemessages -v 0)
