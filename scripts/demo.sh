#!/usr/bin/env bash
# One command: install everything and start the demo library
# (web on http://127.0.0.1:8000/, SIP2 on port 6001 once that issue lands).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
exec .venv/bin/shufang demo "$@"
