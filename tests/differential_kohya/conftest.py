"""The sd-scripts oracle: a checkout (LORACHECKS_SDSCRIPTS) and a venv with its requirements
(LORACHECKS_KOHYA_VENV, built by tools/setup_kohya_venv.sh). Without them these tests skip,
saying which variable is missing: CI machines cannot fetch sd-scripts from GitHub."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
ORACLE = HERE / "oracle.py"
BASE_TRAINING = HERE / "base_training.toml"


def _paths() -> tuple[Path, Path] | None:
    checkout, venv = os.environ.get("LORACHECKS_SDSCRIPTS"), os.environ.get("LORACHECKS_KOHYA_VENV")
    if not checkout or not venv:
        return None
    return Path(checkout), Path(venv)


@pytest.fixture(scope="session")
def sd_scripts_oracle(tmp_path_factory: pytest.TempPathFactory) -> Any:
    found = _paths()
    if found is None:
        pytest.skip(
            "sd-scripts oracle not configured: set LORACHECKS_SDSCRIPTS (a kohya-ss/sd-scripts 48d368fa checkout) "
            "and LORACHECKS_KOHYA_VENV (tools/setup_kohya_venv.sh)"
        )
    checkout, venv = found

    def run(script: str, config: Path, dataset_config: Path | None = None) -> dict[str, Any]:
        work = tmp_path_factory.mktemp("oracle")
        command = [str(venv / "bin" / "python"), str(ORACLE), str(checkout), script, str(config), "--work", str(work)]
        if dataset_config is not None:
            command += ["--dataset-config", str(dataset_config)]
        env = {**os.environ, "WANDB_MODE": "disabled", "HF_HUB_OFFLINE": "1", "CUDA_VISIBLE_DEVICES": ""}
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env, check=False)
        assert done.returncode == 0, done.stderr[-2000:]
        result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
        return result

    return run
