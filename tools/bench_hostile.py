"""Measure how fast hostile files are refused: `python tools/bench_hostile.py`.

Writes each file to a temporary folder, runs `python -m lorachecks lint` on it as a user
would (a fresh process, start-up included), and prints the wall time, peak memory of the
child, exit code and the first diagnostic. Nothing here is a test: it prints numbers.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BILLION_LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{','.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)
)


def cases(folder: Path) -> list[Path]:
    files = {
        "billion_laughs.yaml": BILLION_LAUGHS.encode(),
        "flow_9mb.yaml": b"x: [" + b"1," * 4_500_000 + b"1]\n",
        "nested_flow.yaml": b"x: [" + b"[1,[2]]," * 60_000 + b"1]\n",
        "nodes_60k.yaml": b"x: [" + b"[1,[2]]," * 15_000 + b"1]\n",
        "long_scalar_9mb.yaml": b"model_name_or_path: " + b"a" * 9_000_000 + b"\n",
        "deep.yaml": b"x: " + b"[" * 100_000 + b"]" * 100_000 + b"\n",
        "deep.json": b'{"x": ' + b"[" * 1_000_000 + b"]" * 1_000_000 + b"}",
        "flow_9mb.json": b'{"x": [' + b"1," * 4_500_000 + b"1]}",
    }
    paths = []
    for name, content in files.items():
        path = folder / name
        path.write_bytes(content)
        paths.append(path)
    big = folder / "real_100mb.yaml"  # real bytes on disk, not a sparse file
    with big.open("wb") as handle:
        chunk = b"key: value\n" * 100_000
        for _ in range(100 * 1024 * 1024 // len(chunk) + 1):
            handle.write(chunk)
    paths.append(big)
    return paths


def in_process(path: Path) -> float:
    """Seconds to lint and render one file in a warm process (start-up excluded)."""
    import io

    from lorachecks.core.settings import Settings
    from lorachecks.engine.linter import lint_paths
    from lorachecks.report import Run, renderer

    start = time.perf_counter()
    run = Run(files=list(lint_paths([path], Settings(path_checks=False))))
    renderer("text")(run, io.StringIO())
    return time.perf_counter() - start


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "lorachecks", "version"], capture_output=True, check=False)
        print(f"start-up only (lorachecks version): {time.perf_counter() - start:.2f} s")
        in_process(Path(tmp))  # warm the imports
        for path in cases(Path(tmp)):
            warm = in_process(path)
            start = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-m", "lorachecks", "lint", "--no-path-checks", str(path)],
                capture_output=True,
                text=True,
                check=False,
            )
            elapsed = time.perf_counter() - start
            peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            first = (proc.stdout.splitlines() or proc.stderr.splitlines() or [""])[0]
            message = first.split(": ", 1)[-1][:110]
            size = path.stat().st_size / 1e6
            print(
                f"{path.name:<22} {size:7.1f} MB  cli {elapsed:5.2f} s  in-process {warm:5.2f} s  "
                f"max child RSS so far {peak_mb:4.0f} MB  exit {proc.returncode}  {message}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
