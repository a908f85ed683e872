"""Latency of `lorachecks server`: from a change in the editor to its diagnostics.

Opens a typical LLaMA-Factory config (examples/llamafactory/valid_qwen3_lora_sft.yaml, path
checks on, launched from the repository), then sends N full-text changes that alternately
add and remove a typo, and times each change until its diagnostics arrive, the debounce
(lorachecks/lsp/server.py DEBOUNCE_S) included. The same changes go to yaml-language-server
with lorachecks' exported schema when it is installed (tools/setup_editor_servers.sh), in the
same run, for the ratio::

    python benchmarks/bench_server.py            # 50 changes
    python benchmarks/bench_server.py --changes 200

Nothing here is asserted by tests; the issue's target is 100 ms for a typical config.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.editor.lsp_client import LspClient  # noqa: E402

CONFIG = ROOT / "examples" / "llamafactory" / "valid_qwen3_lora_sft.yaml"
YAML_SERVER = ROOT / "tools" / "editor" / "node_modules" / "yaml-language-server" / "bin" / "yaml-language-server"


def latencies(client: LspClient, changes: int, settle_empty: bool) -> list[float]:
    text = CONFIG.read_text(encoding="utf-8")
    typo = text.replace("lora_rank: 8", "lora_rnak: 8")
    uri = client.open(CONFIG, text, "yaml")
    client.wait_diagnostics(uri)
    times = []
    for version in range(2, changes + 2):
        broken = version % 2 == 0
        started = time.perf_counter()
        client.change(uri, typo if broken else text, version)
        client.wait_diagnostics(uri, until=lambda found, b=broken: bool(found) == b or not settle_empty)
        times.append(time.perf_counter() - started)
    return times


def report(name: str, times: list[float], base: float | None) -> float:
    median = statistics.median(times)
    p95 = sorted(times)[int(len(times) * 0.95) - 1]
    ratio = f"  {median / base:5.2f}x lorachecks" if base else ""
    print(f"{name:<28} median {median * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms{ratio}")
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=50)
    args = parser.parse_args()
    client = LspClient([sys.executable, "-m", "lorachecks", "server"], ROOT)
    try:
        base = report("lorachecks server", latencies(client, args.changes, True), None)
    finally:
        client.close()
    node = shutil.which("node")
    if node is None or not YAML_SERVER.exists():
        print("yaml-language-server: not installed (tools/setup_editor_servers.sh), skipped")
        return
    schema = (ROOT / "schemas" / "llamafactory.schema.json").as_uri()
    settings = {"yaml": {"validate": True, "schemas": {schema: ["**/*.yaml"]}}}
    peer = LspClient([node, str(YAML_SERVER), "--stdio"], ROOT, settings=settings)
    try:
        report("yaml-language-server 1.25", latencies(peer, args.changes, True), base)
    finally:
        peer.close()


if __name__ == "__main__":
    main()
