#!/usr/bin/env bash
# One command: install everything and run all checks and tests:
# ruff, mypy, the whole suite on SQLite, the whole suite again on a real PostgreSQL server
# started for the run, and an install of the built wheel outside the source tree.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
export SHUFANG_DATA_DIR=${SHUFANG_DATA_DIR:-$(mktemp -d /tmp/shufang-test-data.XXXXXX)}
unset SHUFANG_DATABASE_URL

echo "== ruff"
.venv/bin/ruff check src bench
echo "== mypy"
.venv/bin/mypy src
echo "== tests on SQLite"
.venv/bin/pytest -q -p no:cacheprovider "$@"
echo "== tests on PostgreSQL"
bash scripts/with-postgres.sh .venv/bin/pytest -q -p no:cacheprovider "$@"
echo "== wheel install"
bash scripts/check-wheel.sh
echo "== all checks passed"
