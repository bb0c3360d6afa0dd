from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_migrates_and_answers_http_on_a_free_port(tmp_path):
    # given an empty data directory (SQLite) and a free port
    port = _free_port()
    sip_port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "SHUFANG_DATABASE_URL"}
    env["SHUFANG_DATA_DIR"] = str(tmp_path)
    env["SHUFANG_LANGUAGE"] = "en"  # the assertions below read the English messages
    # when serve runs
    server = subprocess.Popen(
        [
            sys.executable,
            *("-m", "shufang", "serve", "--port", str(port), "--jobs-interval", "0"),
            *("--sip-port", str(sip_port)),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        status = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    status = response.status
                    break
            except OSError:
                time.sleep(0.3)
        # then the home page answers, and the database was migrated
        assert status == 200
        assert (tmp_path / "shufang.sqlite3").exists()
        # and the SIP2 server listens beside it
        with socket.create_connection(("127.0.0.1", sip_port), timeout=5) as sip:
            sip.sendall(b"9900802.00AY1AZFCA0\r")
            assert sip.recv(1000).startswith(b"98")
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=10)
    assert f"SIP2 server on 127.0.0.1:{sip_port}" in output
