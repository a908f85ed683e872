"""Orchestrate a dry-run: read the config, build on the right device, step, save, report."""

from __future__ import annotations

import os
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from lorachecks.core.diagnostics import Diagnostic
from lorachecks.core.records import record
from lorachecks.core.settings import Settings
from lorachecks.dryrun.config import LM_KINDS, DryRunError, LoadedConfig, Plan, diagnostic, read_config
from lorachecks.dryrun.report import Locate, Report
from lorachecks.dryrun.source import model_source, require_weights, single_file_family, unet_folder

if TYPE_CHECKING:
    from lorachecks.dryrun.encode import Encoded
    from lorachecks.dryrun.zero import ZeroArgs

DEVICES = ("auto", "cpu", "cuda", "meta")
# Where the weights come from on cpu/cuda: the model's files, or random values from its config.
INITS = ("weights", "random")


@record(slots=True)
class Options:
    device: str = "auto"
    steps: int = 1
    save: bool = False
    allow_download: bool = False
    trust_remote_code: bool = False
    launch_dir: Path | None = None
    init: str = "weights"
    nproc: int = 1  # processes: above 1, the step runs under torch.distributed.run
    engine: str | None = None  # set inside a rank process: ddp, fsdp or deepspeed wraps the model
    zero: ZeroArgs | None = None  # inside a DeepSpeed rank: what its file is filled in from
    config: Path | None = None  # --config: this project configuration for every file
    isolated: bool = False  # --isolated: no project configuration at all


class SettingsError(Exception):
    """The project configuration cannot be read (a usage error, as for `lint`)."""


def file_settings(path: Path, options: Options) -> Settings:
    """``path``'s settings as `lint` reads them: the project configuration ([tool.lorachecks],
    lorachecks.toml, per-file sections, select / ignore / severity, launch-dir) under the
    command line's --launch-dir. Raises SettingsError."""
    from lorachecks.cli import lint_command
    from lorachecks.engine.config import ConfigError, project_settings

    try:
        base, given = lint_command.settings_from_options({"launch_dir": options.launch_dir})
        return project_settings(base, given, options.config, options.isolated)(path)
    except (lint_command.UsageError, ConfigError) as exc:
        raise SettingsError(str(exc)) from None


def dry_run(path: Path, options: Options) -> Report:
    """Run the dry-run for one config; every failure ends up as a diagnostic on the report.
    Raises SettingsError when the project configuration cannot be read."""
    settings = file_settings(path, options)
    loaded = read_config(path, settings)
    report = Report(config=str(path), locate=_locator(loaded, path))
    report.diagnostics.extend(loaded.diagnostics)
    plan = loaded.plan
    if plan is None:
        return report
    report.kind, report.model, report.finetuning_type = plan.kind, plan.model, plan.finetuning_type
    report.notes.extend(plan.notes)
    for message, key, hint in plan.approximations:
        report.fail("DR002", message, key, hint, error=False)
    if options.init == "random":
        report.notes.append(
            "--init random: the weights are random, built from the model's config.json; targets, shapes, "
            "parameter counts, memory and the gradient check are the real ones, loss values are an untrained model's"
        )
    if not options.allow_download:
        os.environ["HF_HUB_OFFLINE"] = "1"  # read by huggingface_hub at import: set before importing it
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("DIFFUSERS_VERBOSITY", "error")
    _tool_estimate(loaded, plan, settings, report)
    if options.nproc > 1 and options.engine is None:
        if plan.kind != "llamafactory":
            report.fail("DR002", "--nproc runs LLaMA-Factory configs only (one process otherwise)", None)
            return report
        from lorachecks.dryrun import distributed

        try:
            distributed.launch(path, options, plan, loaded.doc.mapping, settings.launch_dir, report)
        except Exception as exc:  # never a traceback
            report.fail(
                "DR000", f"unexpected {type(exc).__name__}: {str(exc).strip()[:400]}", None, "please report this"
            )
        return report
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # library deprecation notices are not findings
            _run(plan, options, settings, report)
    except DryRunError as exc:
        report.fail(exc.code, exc.message, exc.key, exc.hint)
    except Exception as exc:  # never a traceback: an unexpected error is still a located diagnostic
        report.fail("DR000", f"unexpected {type(exc).__name__}: {str(exc).strip()[:400]}", None, "please report this")
    return report


def _tool_estimate(loaded: LoadedConfig, plan: Plan, settings: Settings, report: Report) -> None:
    """`lorachecks estimate` for the same config, to compare with the measured peak."""
    try:
        from lorachecks.estimate import estimate_config
    except ImportError:  # pragma: no cover - a build without the estimator
        return
    format_name = {"llamafactory": "llamafactory", "kohya": "kohya"}.get(plan.kind, "lora-scripts")
    try:
        found = estimate_config(loaded.doc.mapping, format_name, settings.launch_dir)
    except Exception as exc:  # the estimate is a comparison; never let it stop the dry-run
        report.notes.append(f"lorachecks estimate failed: {type(exc).__name__}")
        return
    if found.known:
        report.tool_estimate = int(found.total_bytes)
        report.tool_estimate_trainable = found.trainable_params or None
        report.tool_estimate_activations = int(found.breakdown.get("activations", 0))
        text_encoders = found.trainable_parts.get("text encoders", 0)
        if text_encoders:
            denoiser = found.trainable_parts.get("denoiser", 0)
            report.notes.append(
                f"lorachecks estimate counts {denoiser:,} U-Net (as built here) + {text_encoders:,} text-encoder "
                f"LoRA parameters = {found.trainable_params:,} trainable"
            )


def _run(plan: Plan, options: Options, settings: Settings, report: Report) -> None:
    if plan.trust_remote_code and not options.trust_remote_code:
        report.notes.append("`trust_remote_code: true` in the config is ignored without --trust-remote-code")
    # Where the model is, checked before torch is imported: a wrong path fails in a blink.
    if plan.kind in LM_KINDS:
        source = model_source(plan, settings.launch_dir, options.allow_download)
    else:
        folder = unet_folder(plan, settings.launch_dir)
        if folder.is_file():
            single_file_family(folder, plan)
    missing = _missing_extra(plan)
    if missing:
        extra = "dryrun" if plan.kind in LM_KINDS else "dryrun-diffusion"
        raise DryRunError(
            "DR003", f"the dry-run needs {', '.join(missing)}", None, f"pip install 'lorachecks[{extra}]'"
        )
    if plan.kind in LM_KINDS:
        _run_lm(plan, options, settings, report, source)
    else:
        from lorachecks.dryrun.diffusion import run_diffusion

        run_diffusion(plan, options, folder, report)


def _missing_extra(plan: Plan) -> list[str]:
    import importlib.util

    needed = ["torch", "transformers", "peft", "safetensors"]
    if plan.kind not in LM_KINDS:
        needed.append("diffusers")
    return [name for name in needed if importlib.util.find_spec(name) is None]


def _locator(loaded: LoadedConfig, path: Path) -> Locate:
    def locate(code: str, message: str, key: str | None, hint: str | None) -> Diagnostic:
        return diagnostic(loaded.doc, path, code, message, key, hint)

    return locate


def _run_lm(plan: Plan, options: Options, settings: Settings, report: Report, source: str) -> None:
    import torch

    from lorachecks.dryrun import lm
    from lorachecks.dryrun.data import sample_texts
    from lorachecks.dryrun.step import DTYPES, choose_device, count, cpu_peak_bytes, size_step, train_steps, verdicts

    dtype = DTYPES[plan.precision]
    report.dtype = str(dtype).removeprefix("torch.")
    report.libraries = lm.library_versions(plan)
    if plan.kind == "llamafactory":
        report.notes.extend(lm.version_gaps(report.libraries))
    config = lm.load_config(source, plan, options.trust_remote_code)
    lm.check_processor(plan, source, options.trust_remote_code)
    # The architecture on meta first: free, and it sizes the real load before it starts.
    shape_model = lm.build(source, config, plan, "meta", dtype, options.trust_remote_code)
    shape_model, _ = lm.apply_finetuning(shape_model, plan)
    total, trainable = count(shape_model)
    need = size_step(report, total, trainable, dtype)
    choice = choose_device(options.device, need)
    report.device, report.device_reason = choice.device, choice.reason
    if choice.device != "meta" and options.init == "weights":
        require_weights(Path(source), plan)
    tokenizer = lm.load_tokenizer(source, plan, choice.device, options.trust_remote_code)
    grown = lm.template_growth(shape_model, tokenizer, plan) if plan.kind == "llamafactory" else None
    if grown is not None and choice.device == "meta":  # build it again with the grown embedding
        shape_model = lm.build(source, config, plan, "meta", dtype, options.trust_remote_code)
        lm.grow_embeddings(shape_model, grown)
        shape_model, _ = lm.apply_finetuning(shape_model, plan)
    encoded = _encode(plan, tokenizer, settings, report)
    if encoded is not None:  # before any weight is read: a template that does not fit fails now
        rows = lm.grown_rows(grown) if grown is not None else lm.embedding_rows(shape_model)
        lm.check_encoded_ids(rows, plan, encoded)
    if choice.device == "meta":
        model = shape_model
        report.load_time = 0.0
    else:
        del shape_model
        if options.zero is not None:  # registered before the build: ZeRO-3 builds it partitioned
            from lorachecks.dryrun import zero

            ds_config = zero.begin(options.zero)
        if choice.device == "cuda":
            torch.cuda.reset_peak_memory_stats()
        start = time.perf_counter()
        base = lm.build(source, config, plan, choice.device, dtype, options.trust_remote_code, options.init)
        if grown is not None:
            lm.grow_embeddings(base, grown)
        lm.enable_checkpointing(base, plan)
        model, _ = lm.apply_finetuning(base, plan)
        report.load_time = time.perf_counter() - start
    if plan.finetuning_type in ("lora", "oft"):
        names = lm.adapted_names(model)
        report.adapter_modules, report.adapter_module_names = len(names), names
    report.total_params, report.trainable_params = count(model)
    if encoded is not None:
        batch, report.batch = lm.encoded_batch(plan, choice.device, encoded, tokenizer.pad_token_id)
        report.batch += f" from {encoded.origin}"
    else:
        texts, origin = sample_texts(plan, settings.launch_dir) if tokenizer is not None else ([], "no tokenizer")
        batch, report.batch = lm.make_batch(model, plan, choice.device, tokenizer, texts)
        report.batch += f" from {origin}" if texts else f" ({origin})"
    steps = max(1, options.steps)
    if options.zero is not None and choice.device != "meta":  # a DeepSpeed rank: its engine steps
        from lorachecks.dryrun import zero

        engine = zero.initialize(ds_config, options.zero, model, steps)
        report.shards, report.local_trainable_params = zero.held(engine)
        report.engine = f"zero{zero.stage(ds_config)}"
        result = zero.train_steps(engine, plan, choice.device, steps, lm.loss_fn(batch))
    else:
        if options.engine is not None:  # a rank of --nproc: the model under DDP or FSDP
            from lorachecks.dryrun import distributed

            device = f"cuda:{torch.cuda.current_device()}" if choice.device == "cuda" else choice.device
            model, report.shards = distributed.wrap(model, options.engine, device)
            report.local_trainable_params = distributed.local_numel(model)
        result = train_steps(model, plan, choice.device, steps, lm.loss_fn(batch))
    _set_aside_vision(model, result, report)
    report.losses, report.final_loss, report.grad_norm = result.losses, result.final_loss, result.grad_norm
    report.grads, report.step_times = result.grads, result.step_times
    _peak(report, choice.device, cpu_peak_bytes)
    for code, message, key, hint in plan.warnings:
        report.fail(code, message, key, hint, error=False)
    verdicts(report, plan, result)
    if options.save:
        _save(model, plan, report, choice.device)


def _encode(plan: Plan, tokenizer: object, settings: Settings, report: Report) -> Encoded | None:
    """LLaMA-Factory's dataset encoded as the trainer encodes it, or None with a note saying
    what is not modelled (the batch is then the dataset's raw text, packed, as before)."""
    from lorachecks.dryrun.encode import NotEncoded, encode_dataset

    if plan.kind != "llamafactory" or tokenizer is None:
        return None
    try:
        encoded = encode_dataset(plan, tokenizer, settings.launch_dir)
    except NotEncoded as exc:
        report.notes.append(f"not encoded: {exc}; the batch is the dataset's raw text without the chat template")
        return None
    except (ValueError, TypeError, KeyError, AttributeError) as exc:  # a tokenizer without the usual interface
        report.notes.append(
            f"not encoded: the tokenizer failed ({type(exc).__name__}: {str(exc).strip()[:200]}); the batch is the "
            "dataset's raw text without the chat template"
        )
        return None
    if encoded.dropped:
        report.notes.append(
            f"{encoded.dropped} of the first records have no answer or turns out of order: the trainer drops them"
        )
    return encoded


def _set_aside_vision(model: object, result: object, report: Report) -> None:
    """A text batch never runs a multimodal model's vision tower or projector: their trainable
    tensors get no gradient here, as in the trainer on text data; a note, not a failure, while
    something else trains. When nothing else does, the loss depends on no trainable tensor and
    the trainer's backward fails: DR303 says why."""
    from lorachecks.dryrun import lm

    grads = getattr(result, "grads", None)
    keys = lm.vision_parts(model)  # type: ignore[arg-type]
    if grads is None or not keys:
        return
    unused = [name for name in grads.missing if any(key in name for key in keys)]
    if not unused:
        return
    grads.missing = [name for name in grads.missing if name not in unused]
    if grads.ok or grads.zero_by_design or grads.unverified:
        report.notes.append(
            f"{len(unused)} trainable tensor(s) of the vision tower / projector got no gradient: the batch is text "
            "only (as the trainer's is on a dataset without images)"
        )
        return
    report.fail(
        "DR303",
        f"only the vision tower / projector is trainable ({len(unused)} tensors), and a text batch never runs it: "
        "the loss depends on no trainable parameter and the trainer's first backward fails",
        "finetuning_type",
        "train the language model too (freeze_language_model: false), or train on a dataset with images",
    )


def _peak(report: Report, device: str, cpu_peak: object) -> None:
    import torch

    if device == "cuda":
        report.peak_memory, report.peak_memory_source = (
            torch.cuda.max_memory_allocated(),
            "torch.cuda.max_memory_allocated",
        )
    elif device == "cpu":
        assert callable(cpu_peak)
        report.peak_memory, report.peak_memory_source = cpu_peak(), "process peak RSS (includes Python and libraries)"
    else:
        report.peak_memory_source = "meta tensors use no memory"


def _save(model: object, plan: Plan, report: Report, device: str) -> None:
    """Save to a temporary folder and read it back; the user's output_dir is never touched."""
    import tempfile

    import torch
    from safetensors.torch import load_file

    if device == "meta":
        report.notes.append("--save skipped: meta tensors have no values to write")
        return
    state: dict[str, torch.Tensor]
    with tempfile.TemporaryDirectory(prefix="lorachecks-dryrun-") as folder:
        try:
            model.save_pretrained(folder)  # type: ignore[attr-defined]
            files = sorted(p.name for p in Path(folder).iterdir())
            weights = [Path(folder) / f for f in files if f.endswith(".safetensors")]
            if not weights:
                raise DryRunError(
                    "DR401", f"saving wrote no .safetensors file (wrote: {', '.join(files)})", "output_dir"
                )
            state = {}
            for file in weights:
                state.update(load_file(str(file)))
        except DryRunError:
            raise
        except (OSError, RuntimeError, ValueError, TypeError) as exc:
            raise DryRunError("DR401", f"saving failed: {type(exc).__name__}: {str(exc)[:300]}", "output_dir") from None
        expected = _saved_state(model, plan)
        # Transformers leaves tied weights (the head tied to the embeddings) out of the file.
        keys = list(expected) if plan.finetuning_type in ("lora", "oft") else [k for k in expected if k in state]
        mismatched = [k for k in keys if k not in state or not _same(state[k], expected[k])]
        if mismatched:
            raise DryRunError(
                "DR402", f"{len(mismatched)} tensor(s) differ after reloading, e.g. {mismatched[0]}", "output_dir"
            )
        size = sum(f.stat().st_size for f in Path(folder).iterdir())
        report.saved = f"ok: {', '.join(files)} ({size:,} bytes) written to a temporary folder, reloaded, identical"


def _same(saved: object, current: object) -> bool:
    import torch

    assert isinstance(saved, torch.Tensor) and isinstance(current, torch.Tensor)
    return bool(torch.equal(saved.cpu(), current.detach().cpu().to(saved.dtype)))


def _saved_state(model: object, plan: Plan) -> dict[str, object]:
    # A value head (rm, ppo) is saved beside the adapter or the model.
    head_state = getattr(model, "value_head_state", None)
    head: dict[str, object] = dict(head_state()) if callable(head_state) else {}
    inner = getattr(model, "model", model) if head else model
    if plan.finetuning_type in ("lora", "oft") or hasattr(inner, "peft_config"):
        from peft import get_peft_model_state_dict

        return {**get_peft_model_state_dict(inner), **head}  # type: ignore[arg-type]
    state: dict[str, object] = inner.state_dict()  # type: ignore[attr-defined]
    return {**state, **head}
