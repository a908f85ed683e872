"""Write the binary files of examples/lora-scripts and examples/kohya (small PNGs, checkpoints).

The configs, CSVs, JSONL and captions are committed as text; this script re-creates the
images and safetensors files they point at. Usage: python tools/make_sd_examples.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.sd_fixtures import write_family, write_placeholder, write_png  # noqa: E402


def main() -> None:
    ls = ROOT / "examples" / "lora-scripts"
    for name, colour in (("cat.png", (200, 120, 40)), ("dog.png", (40, 120, 200)), ("fox.png", (220, 90, 20))):
        write_png(ls / "data" / "images" / name, 512, 512, colour)
    write_family(ls / "models" / "tiny-sd15.safetensors", "SD1")
    write_placeholder(ls / "models" / "placeholder.safetensors")
    kohya = ROOT / "examples" / "kohya"
    for index in range(3):
        write_png(kohya / "train" / "10_chara" / f"img{index}.png", 512, 512, (60 * index, 100, 150))
    write_png(kohya / "train" / "2_style" / "style0.png", 512, 768, (10, 200, 10))
    write_family(kohya / "models" / "tiny-sd15.safetensors", "SD1")
    write_family(kohya / "models" / "tiny-sdxl.safetensors", "SDXL")


if __name__ == "__main__":
    main()
