"""Time-to-verdict: `lorachecks dry-run` against the real trainer's first step.

For each LLaMA-Factory config, runs `lorachecks dry-run` and `llamafactory-cli train CONFIG
max_steps=1 output_dir=<temporary> report_to=none` and prints both wall
times, both verdicts (exit status 0 = the run starts) and the ratio trainer / dry-run.
The trainer side needs LLaMA-Factory (PyPI `llamafactory`, which pins its own transformers:
install it in a separate environment and pass `--trainer /that/env/bin/llamafactory-cli`;
install torch first there, with a constraint keeping it, so no CUDA build is pulled in).
Results measured so far are in docs/dryrun.md.

    python benchmarks/dryrun_vs_trainer.py configs/*.yaml [--device cpu] [--trainer PATH]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(command: list[str], cwd: Path) -> tuple[float, int, str]:
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    tail = (proc.stdout + proc.stderr).strip().splitlines()
    return time.perf_counter() - start, proc.returncode, tail[-1][:100] if tail else ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("configs", nargs="+", type=Path)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--trainer", default=shutil.which("llamafactory-cli"), help="llamafactory-cli to compare with")
    parser.add_argument("--launch-dir", type=Path, default=Path.cwd())
    args = parser.parse_args()
    lorachecks = [sys.executable, "-m", "lorachecks", "dry-run", "--device", args.device]
    print(f"{'config':<40} {'dry-run':>9} {'verdict':>8} {'trainer':>9} {'verdict':>8} {'ratio':>7}")
    for config in args.configs:
        dry_s, dry_rc, _ = timed(
            [*lorachecks, "--launch-dir", str(args.launch_dir), str(config.resolve())], args.launch_dir
        )
        row = f"{config.name:<40} {dry_s:>8.2f}s {'starts' if dry_rc == 0 else 'fails':>8}"
        if args.trainer:
            with tempfile.TemporaryDirectory(prefix="lorachecks-bench-") as out:
                overrides = ["max_steps=1", f"output_dir={out}", "report_to=none"]
                train_s, train_rc, _ = timed(
                    [args.trainer, "train", str(config.resolve()), *overrides], args.launch_dir
                )
            verdict = "starts" if train_rc == 0 else "fails"
            row += f" {train_s:>8.2f}s {verdict:>8} {train_s / dry_s:>6.1f}x"
        else:
            row += f" {'-':>9} {'-':>8} {'-':>7}"
        print(row)
    if not args.trainer:
        print("llamafactory-cli not found: pass --trainer to compare with the real trainer")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
