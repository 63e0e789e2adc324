#!/usr/bin/env python3
"""Checks make_repos.py's scenarios with python-tuf's own client (the reference implementation).

    check_repos.py TRUSTED_ROOT_JSON [NEXT_TRUSTED_ROOT_JSON]

Runs in the conformance venv (target/tuf-venv). Builds the repositories in a temporary
directory, serves them from 127.0.0.1 and refreshes each one with tuf.ngclient.Updater.
"""

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tuf.ngclient import Updater


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    out = subprocess.run([sys.executable, Path(__file__).with_name("make_repos.py"), tmp / "repos", *sys.argv[1:]],
                         check=True, capture_output=True).stdout
    summary = json.loads(out)
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=tmp / "repos"))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    results = {}

    def update(name: str, cache: str) -> str:
        """Refreshes `name` into the cache dir `cache` and downloads the target; returns its sha256."""
        d = tmp / "cache" / cache
        if not d.exists():
            (d / "targets").mkdir(parents=True)
            shutil.copy(summary["root"], d / "root.json")
        u = Updater(str(d), f"{base}/{name}/metadata", str(d / "targets"), f"{base}/{name}/targets")
        u.refresh()
        path = u.download_target(u.get_targetinfo(summary["target_name"]))
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()

    def expect(ok: bool, name: str, cache: str, sha: str | None = None) -> None:
        try:
            got, err = update(name, cache), None
        except Exception as e:  # noqa: BLE001 - any refusal is what a failing scenario expects
            got, err = None, f"{type(e).__name__}: {e}"
        passed = (err is None and sha in (None, got)) if ok else err is not None
        print(f"{'PASS' if passed else 'FAIL'} {name} (cache {cache}): {err or 'ok ' + got}")
        results[(name, cache)] = passed

    expect(True, "good", "a", summary["target_sha256"])
    expect(True, "good-next", "a", summary["next_target_sha256"])
    expect(True, "rollback", "fresh-rollback")   # valid on its own...
    expect(True, "good", "b")
    expect(False, "rollback", "b")               # ...refused once good's timestamp v10 is trusted
    for name in ("expired", "below-threshold", "mix-and-match", "tampered-target"):
        expect(False, name, name)
    server.shutdown()
    shutil.rmtree(tmp)
    sys.exit(0 if all(results.values()) else 1)


if __name__ == "__main__":
    main()
