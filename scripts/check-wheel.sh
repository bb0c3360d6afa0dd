#!/usr/bin/env bash
# Builds the wheel and installs it into a fresh virtualenv outside the source tree, then checks
# that templates, static files, migrations and compiled translations came along: the installed
# command migrates a new database and serves the home page in Chinese and in English.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=$(mktemp -d /tmp/shufang-wheel.XXXXXX)
trap 'rm -rf "$out"' EXIT
.venv/bin/python -m build --wheel --outdir "$out/dist" . >/dev/null
python3 -m venv "$out/venv"
"$out/venv/bin/pip" install -q "$out"/dist/shufang-*.whl 2>&1 | grep -v -E "^(WARNING: Location|  )" || true
cd "$out"
export SHUFANG_DATA_DIR="$out/data"
export SHUFANG_ALLOWED_HOSTS=testserver
"$out/venv/bin/shufang" migrate -v 0
"$out/venv/bin/python" - <<'PY'
import django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shufang.config.settings")
django.setup()
from pathlib import Path
import shufang
from django.test import Client
root = Path(shufang.__file__).parent
assert "src/shufang" not in str(root), f"wheel test imported the source tree: {root}"
mo = list(root.glob("locale/*/LC_MESSAGES/django.mo"))
assert mo, "compiled translations missing from the wheel"
zh = Client(HTTP_ACCEPT_LANGUAGE="en").get("/")
en_client = Client()
en_client.cookies["django_language"] = "en"
en = en_client.get("/")
assert zh.status_code == 200 and en.status_code == 200, (zh.status_code, en.status_code)
assert 'lang="zh-hans"' in zh.content.decode(), "default language is not Simplified Chinese"
assert 'lang="en"' in en.content.decode()
assert Client().get("/api/v1/openapi.json").status_code == 200
print(f"wheel ok: {root} ({len(mo)} compiled catalogues)")
PY
