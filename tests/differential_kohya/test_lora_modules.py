"""sd-scripts' own module selection against lorachecks estimate and dry-run (needs the oracle)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from lorachecks.estimate.sd import estimate_sd

HERE = Path(__file__).resolve().parent
MODELS = {"sd1": "runwayml/stable-diffusion-v1-5", "sd2": "stabilityai/stable-diffusion-2-1", "sdxl": "sdxl"}
CASES = [("sd1", 8, "4"), ("sd1", 8, None), ("sd2", 8, "4"), ("sdxl", 8, None), ("sdxl", 8, "4")]


@pytest.mark.parametrize(("family", "dim", "conv"), CASES)
def test_unet_lora_count_equals_sd_scripts(family: str, dim: int, conv: str | None) -> None:
    checkout, venv = os.environ.get("LORACHECKS_SDSCRIPTS"), os.environ.get("LORACHECKS_KOHYA_VENV")
    if not checkout or not venv:
        pytest.skip("sd-scripts oracle not configured: set LORACHECKS_SDSCRIPTS and LORACHECKS_KOHYA_VENV")
    command = [str(Path(venv) / "bin" / "python"), str(HERE / "lora_modules.py"), checkout, family, str(dim)]
    done = subprocess.run(
        [*command, *([conv] if conv else [])], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    oracle = json.loads(done.stdout.splitlines()[-1])
    config = {
        "pretrained_model_name_or_path": MODELS[family],
        "sdxl": family == "sdxl",
        "network_module": "networks.lora",
        "network_dim": dim,
        "network_args": [f"conv_dim={conv}"] if conv else [],
        "network_train_unet_only": True,
    }
    assert estimate_sd(config).trainable_params == oracle["params"]
