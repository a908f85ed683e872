"""Linting from several threads at once (a library user, the differential harness) gives
the same results as linting one file after another, from a fresh interpreter where the
rule modules are imported lazily by the first files."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from lorachecks.engine.linter import lint_paths
from lorachecks.core.settings import Settings

files = sorted(Path("examples").rglob("*.yaml")) + sorted(Path("examples").rglob("*.toml"))
settings = Settings(launch_dir=Path.cwd())

def one(path):
    return [(d.code, d.line, d.message) for r in lint_paths([path], settings) for d in r.diagnostics]

with ThreadPoolExecutor(max_workers=4) as pool:
    threaded = list(pool.map(one, files * 3))
serial = [one(path) for path in files * 3]
assert threaded == serial, "threaded results differ"
assert not any(code == "LC000" for found in threaded for code, _, _ in found)
print(len(files), sum(map(len, serial)))
"""


def test_threads_give_the_serial_results() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    files, diagnostics = map(int, done.stdout.split())
    assert files >= 8 and diagnostics > 20
