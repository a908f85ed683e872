"""Run sd-scripts' own start-up on one config and print its verdict as JSON (the kohya oracle).

Executed with the interpreter of a venv that holds sd-scripts' pinned requirements
(tools/setup_kohya_venv.sh), never imported by the test suite:

    python oracle.py SD_SCRIPTS SCRIPT CONFIG [--dataset-config FILE] [--work DIR]

What runs is sd-scripts' code, in the order the script runs it: the script's
``setup_parser()``, ``train_util.read_config_from_file`` (the file as written), then the
trainer's ``train()`` up to the point where it loads the model: ``verify_training_args``,
``prepare_dataset_args``, the dataset config (``load_user_config``, ``ConfigSanitizer``,
``BlueprintGenerator``, the datasets built from it), the trainer's ``assert_extra_args`` and
``prepare_accelerator``. After the model would load, the trainer's own functions are called
on stand-ins: the network module's ``create_network`` on a small stub model whose module
classes carry the names the network module targets, ``get_optimizer`` on one parameter and
``get_scheduler_fix``.

The users' files point at their machines, so folders they name are replaced by a small
image folder made here (one image, one caption), after reading the file: only existence is
stubbed, never a value the trainer judges. Model files are not needed (loading is where the
start-up phase ends). Tokenizers cannot be downloaded here: the tokenize strategy is a
stand-in, so ``max_token_length`` is judged from the code, not here (said in the output).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import json
import os
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any

SCRIPTS = {
    "train_network": "NetworkTrainer",
    "sdxl_train_network": "SdxlNetworkTrainer",
    "flux_train_network": "FluxNetworkTrainer",
    "sd3_train_network": "Sd3NetworkTrainer",
    "lumina_train_network": "LuminaNetworkTrainer",
    "sdxl_train": "",  # full fine-tuning: a module-level train(args), no network
}
# Module class names the LoRA modules of sd-scripts look for (networks/lora*.py), for the stub.
_TARGET_CLASSES = {
    "unet": [
        "Transformer2DModel",
        "ResnetBlock2D",
        "Downsample2D",
        "Upsample2D",
        "DoubleStreamBlock",
        "SingleStreamBlock",
    ],
    "text": ["CLIPAttention", "CLIPMLP"],
}
_PATH_KEYS = ("train_data_dir", "reg_data_dir", "output_dir", "logging_dir")


class ModelLoads(Exception):
    """Raised where the trainer would load the model: the start-up phase ended cleanly."""


def _image_folder(root: Path, name: str) -> Path:
    from PIL import Image

    folder = root / name
    sub = folder / "10_subject"
    sub.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (512, 512), (120, 90, 60)).save(sub / "a.png")
    (sub / "a.txt").write_text("a photo of subject", encoding="utf-8")
    return folder


def _stub_models() -> tuple[Any, Any, Any]:
    import torch

    def block(name: str, conv: bool) -> torch.nn.Module:
        cls = type(name, (torch.nn.Module,), {})
        module = cls()
        torch.nn.Module.__init__(module)
        if conv and name != "SingleStreamBlock" and name != "DoubleStreamBlock":
            module.conv1 = torch.nn.Conv2d(8, 8, 3, padding=1)
        else:
            module.to_q = torch.nn.Linear(8, 8)
            module.proj_out = torch.nn.Linear(8, 8)
        return module

    unet = torch.nn.Module()
    for i, name in enumerate(_TARGET_CLASSES["unet"]):
        unet.add_module(f"b{i}", block(name, conv=i > 0))
    text = torch.nn.Module()
    for i, name in enumerate(_TARGET_CLASSES["text"]):
        text.add_module(f"t{i}", block(name, conv=False))
    return None, text, unet


class _StubTokenize:
    """Stands in for the CLIP tokenizers, which would be downloaded."""

    tokenizer = tokenizer1 = tokenizer2 = None

    def __init__(self) -> None:
        import torch

        self._torch = torch

    def tokenize(self, text: Any) -> list[Any]:
        return [self._torch.zeros((1, 77), dtype=self._torch.long)]


def _stage(name: str, report: dict[str, Any]) -> None:
    report["stage"] = name


def run(sd_scripts: Path, script: str, config: Path, dataset_config: Path | None, work: Path) -> dict[str, Any]:
    report: dict[str, Any] = {"script": script, "verdict": "runs", "stage": "", "notes": []}
    sys.path[:0] = [str(Path(__file__).resolve().parent / "stubs"), str(sd_scripts)]
    os.chdir(work)
    logs = io.StringIO()
    try:
        with contextlib.redirect_stdout(logs):
            _stage("import", report)
            module = importlib.import_module(script)
            train_util = importlib.import_module("library.train_util")
            _stage("read_config_from_file", report)
            parser = module.setup_parser()
            # read_config_from_file parses sys.argv again: the command line is only the file.
            sys.argv = [f"{script}.py", "--config_file", str(config)]
            args = parser.parse_args()
            args = train_util.read_config_from_file(args, parser)
            report["values"] = {k: repr(v) for k, v in sorted(vars(args).items()) if v not in (None, False)}
            # Folders on the author's machine: replaced after reading, existence only.
            for key in _PATH_KEYS:
                value = getattr(args, key, None)
                if isinstance(value, str) and value:
                    same_as_train = key == "reg_data_dir" and value == getattr(args, "train_data_dir", None)
                    setattr(args, key, str(_image_folder(work, "train_data_dir" if same_as_train else key)))
            if getattr(args, "in_json", None):  # fine-tuning metadata on the author's machine
                metadata = work / "in_json.json"
                image = Path(args.train_data_dir) / "10_subject" / "a.png"
                metadata.write_text(json.dumps({str(image): {"caption": "a photo"}}), encoding="utf-8")
                args.in_json = str(metadata)
            if dataset_config is not None:
                args.dataset_config = str(_dataset_copy(dataset_config, work))
            elif getattr(args, "dataset_config", None):
                report["notes"].append("dataset_config names a file not given to the oracle: built from args")
                args.dataset_config = None
            if not getattr(args, "train_data_dir", None) and not args.dataset_config:
                args.train_data_dir = str(_image_folder(work, "train_data_dir"))

            def model_loads(*a: Any, **k: Any) -> Any:
                raise ModelLoads()

            if SCRIPTS[script]:
                trainer = getattr(module, SCRIPTS[script])()
                trainer.get_tokenize_strategy = lambda a: _StubTokenize()
                trainer.get_tokenizers = lambda s: [None]
                trainer.load_target_model = model_loads
                train = trainer.train
            else:
                importlib.import_module("library.strategy_sdxl").SdxlTokenizeStrategy = lambda *a, **k: _StubTokenize()
                importlib.import_module("library.sdxl_train_util").load_target_model = model_loads
                train = module.train
            original_accelerator = train_util.prepare_accelerator

            def accelerator_on_cpu(a: Any) -> Any:
                _stage("prepare_accelerator", report)
                try:
                    return original_accelerator(a)
                except ValueError as exc:
                    if "GPU" not in str(exc) and "cuda" not in str(exc).lower():
                        raise
                    report["notes"].append(
                        f"this machine has no GPU ({exc}); accelerator built without mixed precision"
                    )
                    saved, a.mixed_precision = a.mixed_precision, "no"
                    try:
                        return original_accelerator(a)
                    finally:
                        a.mixed_precision = saved

            train_util.prepare_accelerator = accelerator_on_cpu
            _stage("train() up to the model load", report)
            try:
                train(args)
                report["notes"].append("train() returned before loading the model (no data found?)")
                report["verdict"] = "stops-quietly"
                return report
            except ModelLoads:
                pass
            _after_model_load(args, train_util, report, network=bool(SCRIPTS[script]))
    except SystemExit as exc:
        report.update(verdict="refused", error="SystemExit", message=str(exc.code))
    except Exception as exc:  # the trainer's refusal, whatever its type
        report.update(verdict="refused", error=type(exc).__name__, message=str(exc).splitlines()[0] if str(exc) else "")
        report["traceback_tail"] = traceback.format_exc().splitlines()[-6:]
    report["log_tail"] = logs.getvalue().splitlines()[-5:]
    return report


def _after_model_load(args: Any, train_util: Any, report: dict[str, Any], network: bool) -> None:
    import torch

    if network:
        _stage("create_network (stub model)", report)
        network_module = importlib.import_module(args.network_module)
        kwargs = dict(item.split("=", 1) for item in (args.network_args or []))
        vae, text, unet = _stub_models()
        # FLUX and SD3 networks take their text encoders (CLIP and T5) as a list.
        encoders = [text, text] if any(k in args.network_module for k in ("flux", "sd3")) else text
        network_module.create_network(1.0, args.network_dim, args.network_alpha, vae, encoders, unet, **kwargs)
    _stage("get_optimizer", report)
    if args.max_train_steps is None:
        args.max_train_steps = 1000  # train() computes it from the epochs later
        report["notes"].append("max_train_steps set to 1000 for the scheduler")
    _name, _optimizer_args, optimizer = train_util.get_optimizer(args, [torch.nn.Parameter(torch.zeros(4))])
    _stage("get_scheduler_fix", report)
    train_util.get_scheduler_fix(args, optimizer, 1)
    _stage("done", report)


def _dataset_copy(path: Path, work: Path) -> Path:
    """The dataset config with its folders replaced by local ones, read first as written."""
    import toml

    config_util = importlib.import_module("library.config_util")
    config_util.load_user_config(str(path))  # refuses what sd-scripts refuses, on the file as written
    data = toml.load(path)
    for d, dataset in enumerate(data.get("datasets", [])):
        for s, subset in enumerate(dataset.get("subsets", [])):
            for key in ("image_dir", "conditioning_data_dir"):
                if key in subset:
                    subset[key] = str(_image_folder(work, f"d{d}s{s}{key}") / "10_subject")
            if "metadata_file" in subset:
                metadata = work / f"d{d}s{s}.json"
                image = Path(subset.get("image_dir", work / f"d{d}s{s}image_dir" / "10_subject")) / "a.png"
                metadata.write_text(json.dumps({str(image): {"caption": "a photo"}}), encoding="utf-8")
                subset["metadata_file"] = str(metadata)
    copy = work / "dataset_config.toml"
    copy.write_text(toml.dumps(data), encoding="utf-8")
    return copy


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sd_scripts", type=Path)
    parser.add_argument("script", choices=sorted(SCRIPTS))
    parser.add_argument("config", type=Path)
    parser.add_argument("--dataset-config", type=Path)
    parser.add_argument("--work", type=Path)
    options = parser.parse_args()
    work = options.work or Path(tempfile.mkdtemp(prefix="kohya-oracle-"))
    work.mkdir(parents=True, exist_ok=True)
    config = options.config.resolve()
    dataset = options.dataset_config.resolve() if options.dataset_config else None
    print(json.dumps(run(options.sd_scripts.resolve(), options.script, config, dataset, work)))


if __name__ == "__main__":
    main()
