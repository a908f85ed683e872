"""Read a training config into a `Plan`: what the trainer would build, with no ML import.

LLaMA-Factory configs are read with the linter's loader (OmegaConf semantics by default);
lora-scripts YAML (`task_type`, `base_model`) with `yaml.safe_load` semantics, kohya /
SD-Trainer TOML flattened the way sd-scripts flattens it. Keys are read from the plain
mapping, with each trainer's defaults.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lorachecks.core.diagnostics import Diagnostic, Severity
from lorachecks.core.records import field, record, replace
from lorachecks.core.settings import Settings
from lorachecks.estimate.sd import conv_dim, network_approximation, network_option
from lorachecks.formats import effective
from lorachecks.formats.effective import Effective
from lorachecks.formats.kohya.network_args import DEFAULT_NETWORK_DIM
from lorachecks.formats.kohya.resolution import parse_resolution, training_resolution
from lorachecks.formats.lora_scripts import UNCUT_TEXT_TOKENS
from lorachecks.loader import Document, Position, load_text, read_text, syntax_of

LM_KINDS = ("llamafactory", "lora-scripts-text")
DIFFUSION_KINDS = ("lora-scripts-image", "kohya")


class DryRunError(Exception):
    """A failure the user can act on, located at a config key."""

    def __init__(self, code: str, message: str, key: str | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.key = key
        self.hint = hint


@record(slots=True)
class Plan:
    """The parts of a training config the dry-run acts on."""

    path: Path
    kind: str  # one of LM_KINDS or DIFFUSION_KINDS
    model: str  # as written in the config
    model_key: str
    precision: str = "fp32"  # "fp32", "fp16" or "bf16"
    precision_key: str | None = None
    finetuning_type: str = "lora"  # lora, oft, freeze, full
    stage: str = "sft"
    # The builders fill the trainer's numbers from the config and, for keys it leaves out, from
    # the format's field data (formats/effective.py); a 0 below is "not read", no trainer default.
    rank: int = 0
    alpha: float | None = None
    dropout: float = 0.0
    targets: list[str] = field(default_factory=lambda: ["all"])
    target_key: str = "lora_target"
    use_dora: bool = False
    use_rslora: bool = False
    extra_modules: list[str] = field(default_factory=list)  # additional_target / modules_to_save
    oft_rank: int = 0  # OFT: r (0: derived by peft from the block size)
    oft_block_size: int = 0
    module_dropout: float = 0.0
    # multimodal models: which parts stay frozen (LLaMA-Factory's freeze_* switches)
    freeze_vision_tower: bool = True
    freeze_projector: bool = True
    freeze_language_model: bool = False
    freeze_layers: int = 0
    freeze_modules: list[str] = field(default_factory=lambda: ["all"])
    freeze_extra: list[str] = field(default_factory=list)
    llama_pro: bool = False  # use_llama_pro: freeze tuning trains evenly spaced layers
    conv_rank: int | None = None
    conv_alpha: float | None = None
    batch_size: int = 1
    batch_key: str | None = None
    seq_len: int = 0  # language-model kinds: cutoff_len / max_seq_length
    seq_key: str | None = None
    resolution: tuple[int, int] = (512, 512)
    learning_rate: float = 0.0
    lr_key: str = "learning_rate"
    weight_decay: float = 0.0
    max_grad_norm: float = 1.0
    gradient_checkpointing: bool = True
    trust_remote_code: bool = False
    output_dir: str | None = None
    tokenizer: str | None = None
    dataset: list[str] = field(default_factory=list)
    dataset_dir: str = ""  # LLaMA-Factory: read from the config
    template: str | None = None
    model_family: str | None = None  # diffusion: "sdxl" / "sd2" / "sd1" as the config says
    family_key: str | None = None  # the key that says so (model_train_type, v2)
    notes: list[str] = field(default_factory=list)
    # (message, key, hint): what the dry-run cannot do as the trainer would, reported as
    # DR002 warnings so that a passing dry-run never hides it.
    approximations: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    # (code, message, key, hint): what the trainer runs through but trains differently than
    # written (names peft ignores, an update scaled by 0), reported as warnings.
    warnings: list[tuple[str, str, str | None, str | None]] = field(default_factory=list)
    seed: int = 42  # the trainer's `seed` (transformers' default): adapters start from the same values
    resize_vocab: bool = False  # the trainer grows the embedding for tokens the template adds
    # How the trainer encodes the dataset (dryrun/encode.py): prompt masking, the template's
    # system message and thoughts; `unencoded` says why the encoder does not model this config.
    train_on_prompt: bool = False
    mask_history: bool = False
    default_system: str | None = None
    enable_thinking: bool = True
    packing: bool = False  # pre-training joins the texts into cutoff_len blocks (its default)
    unencoded: str | None = None
    # Why the adapter cannot learn although the trainer runs (lora_alpha: 0): the gradient
    # and loss checks then warn instead of failing, as the trainer would not stop either.
    inert: str | None = None


@record(slots=True)
class LoadedConfig:
    doc: Document
    plan: Plan | None
    diagnostics: list[Diagnostic]


def diagnostic(
    doc: Document | None, path: Path, code: str, message: str, key: str | None, hint: str | None
) -> Diagnostic:
    """A dry-run failure located at ``key``'s value (or line 1 when the key is absent)."""
    where = Position(1, 1)
    written = doc.flat_path(key) if doc is not None and key is not None else None
    if doc is not None and written is not None:
        where = doc.value_position(written)
    return Diagnostic(
        path=str(path),
        line=where.line,
        column=where.column,
        code=code,
        severity=Severity.ERROR,
        message=message,
        key=key,
        hint=hint,
    )


def _names(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [n.strip() for n in str(value).split(",") if n.strip()]


def _num(values: Effective, key: str, unset: float | None = None) -> float:
    """The number the trainer uses for ``key``: as written, else the format's default; ``unset``
    where that default is None (the trainer derives the value, or has none)."""
    value = values[key]
    if value is None:
        value = values.default(key)
    if value is None:
        if unset is None:
            raise KeyError(f"{key} has no default: the caller says what an unset value means")
        return unset
    if isinstance(value, bool):
        raise DryRunError("DR001", f"`{key}` must be a number, not {value!r}", key)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            raise DryRunError("DR001", f"`{key}` must be a number, not {value!r}", key) from None
    if not isinstance(value, (int, float)):
        raise DryRunError("DR001", f"`{key}` must be a number, not {value!r}", key)
    return float(value)


def _int(values: Effective, key: str, unset: int | None = None) -> int:
    value = _num(values, key, unset)
    if value != int(value):
        raise DryRunError("DR001", f"`{key}` must be a whole number, not {value!r}", key)
    return int(value)


def _flag(values: Effective, key: str) -> bool:
    value = values[key]
    return value if isinstance(value, bool) else bool(values.default(key))


def _resolution(value: Any) -> tuple[int, int]:
    pair = parse_resolution(value)
    if pair is None or min(pair) <= 0:
        raise DryRunError("DR001", f"`resolution` must be `W` or `W,H`, not {value!r}", "resolution")
    return pair


def _flatten_toml(data: dict[str, Any]) -> dict[str, Any]:
    """sd-scripts flattens every table of a --config_file; the last value of a key wins."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            flat.update(_flatten_toml(value))
        elif not (isinstance(value, list) and value and all(isinstance(v, dict) for v in value)):
            flat[key] = value
    return flat


def _load_document(path: Path, settings: Settings) -> tuple[Document, str | None]:
    """Load with the trainer's semantics; returns the document and the detected kind."""
    from lorachecks.formats import detect

    syntax = syntax_of(path)
    if syntax is None:
        raise DryRunError("DR001", f"{path.name} is not a YAML, JSON or TOML file", None)
    text, problem = read_text(path, settings.max_file_bytes)
    if problem is not None or text is None:
        raise DryRunError("DR001", problem.message if problem else "cannot read the file", None)
    if syntax == "toml":
        return _load_toml(path, text), "kohya"
    doc = load_text(path, text, syntax, "omegaconf" if syntax == "yaml" else "json")
    mapping = doc.mapping
    if "task_type" in mapping or "base_model" in mapping:
        return load_text(path, text, syntax, "pyyaml" if syntax == "yaml" else "json"), _lora_scripts_kind(mapping)
    fmt = detect(doc) if doc.ok else None
    if fmt is not None and fmt.name == "llamafactory":
        dialect = fmt.dialect(syntax, settings)
        if dialect != doc.dialect:
            doc = load_text(path, text, syntax, dialect)
        return doc, "llamafactory"
    if fmt is None and "pretrained_model_name_or_path" in mapping:
        return doc, "kohya"
    return doc, None


def _lora_scripts_kind(mapping: dict[str, Any]) -> str:
    return "lora-scripts-text" if mapping.get("task_type") == "text-generation" else "lora-scripts-image"


def _load_toml(path: Path, text: str) -> Document:
    """The linter's TOML loader: nested tables kept, positions for every key."""
    from lorachecks.loader.toml_loader import load_toml

    return load_toml(path, text, "toml")


def read_config(path: Path, settings: Settings) -> LoadedConfig:
    """Read ``path``; lint errors the trainer would stop on come back as DR001 diagnostics."""
    doc: Document | None = None
    try:
        doc, kind = _load_document(path, settings)
        if not doc.ok:
            problems = [
                Diagnostic(
                    str(path),
                    p.position.line,
                    p.position.column,
                    "DR001",
                    Severity.ERROR,
                    f"{p.code}: {p.message}",
                    None,
                    p.hint,
                )
                for p in doc.problems
            ] or [diagnostic(doc, path, "DR001", "the config could not be parsed", None, None)]
            return LoadedConfig(doc, None, problems)
        if kind is None:
            raise DryRunError(
                "DR002",
                "not recognised as a LLaMA-Factory, lora-scripts or kohya training config",
                None,
                "the dry-run needs `model_name_or_path` (LLaMA-Factory), `base_model` (lora-scripts) or "
                "`pretrained_model_name_or_path` (kohya)",
            )
        found = _lint_blockers(path, settings)
        if any(d.severity is Severity.ERROR for d in found):
            return LoadedConfig(doc, None, found)
        data = doc.mapping if kind != "kohya" else _flatten_toml(doc.mapping)
        builders = {
            "llamafactory": _llamafactory,
            "lora-scripts-text": _lora_scripts,
            "lora-scripts-image": _lora_scripts,
            "kohya": _kohya,
        }
        plan = builders[kind](path, data, kind, settings.launch_dir)
        return LoadedConfig(doc, plan, found)
    except DryRunError as exc:
        return LoadedConfig(
            doc or Document(path=path, text="", syntax="", dialect=""),
            None,
            [diagnostic(doc, path, exc.code, exc.message, exc.key, exc.hint)],
        )


# Lint findings left out: the memory estimate and heuristics (the dry-run measures the step
# itself) and credentials written in the file (the trainer runs).
_NOT_STOPPERS = ("LC5", "LC601", "LC602")
# (code, key): the model checks the dry-run makes itself with a finer diagnostic (model
# folder DR101, its files DR103/DR105, LoRA targets DR201).
_OWN_CHECKS = frozenset(
    {
        ("LC201", "model_name_or_path"),
        ("LC209", "lora_target"),
        ("LC407", "base_model"),
        ("LC407", "pretrained_model_name_or_path"),
    }
)


def _lint_blockers(path: Path, settings: Settings) -> list[Diagnostic]:
    """Every lint error the trainer stops on (file, schema, paths, datasets, options it
    refuses together) as a DR001 error; lint errors the trainer runs through (it trains
    something other than written) as DR005 warnings that do not stop the dry-run."""
    from lorachecks.engine.linter import lint_file

    # The project configuration's selection, severities and launch dir apply as for `lint`;
    # path checks always run, since the trainer needs every file the config names.
    result = lint_file(path, replace(settings, path_checks=True))
    found = []
    for d in result.diagnostics:
        if d.severity is not Severity.ERROR or d.code.startswith(_NOT_STOPPERS):
            continue
        if (d.code, (d.key or "").rsplit(".", 1)[-1]) in _OWN_CHECKS:
            continue
        if d.runs:
            message = f"{d.code}: the trainer starts anyway, but {d.message}"
            found.append(Diagnostic(d.path, d.line, d.column, "DR005", Severity.WARNING, message, d.key, d.hint))
        else:
            found.append(
                Diagnostic(d.path, d.line, d.column, "DR001", d.severity, f"{d.code}: {d.message}", d.key, d.hint)
            )
    return found


def _precision(data: dict[str, Any], plan: Plan) -> None:
    for key, name in (("pure_bf16", "bf16"), ("bf16", "bf16"), ("fp16", "fp16")):
        if data.get(key) is True:
            plan.precision, plan.precision_key = name, key
            return
    mixed = data.get("mixed_precision")
    if mixed in ("fp16", "bf16"):
        plan.precision, plan.precision_key = str(mixed), "mixed_precision"


def _llamafactory(path: Path, data: dict[str, Any], kind: str, launch_dir: Path) -> Plan:
    model = data.get("model_name_or_path")
    if not isinstance(model, str) or not model:
        raise DryRunError("DR001", "no `model_name_or_path`: the trainer has nothing to load", "model_name_or_path")
    plan = Plan(path=path, kind=kind, model=model, model_key="model_name_or_path")
    values = effective.llamafactory(data)
    _precision(data, plan)
    plan.finetuning_type = str(values["finetuning_type"])
    if plan.finetuning_type not in ("lora", "oft", "freeze", "full"):
        raise DryRunError(
            "DR002",
            f"`finetuning_type: {plan.finetuning_type}` is not dry-run yet (lora, oft, freeze and full are)",
            "finetuning_type",
        )
    plan.stage = str(values["stage"])
    if plan.stage == "rm":
        plan.notes.append("stage rm: a value head scores each sequence and the step's loss ranks pairs of them")
    elif plan.stage == "ppo":
        plan.notes.append(
            "stage ppo: the value head is built and trained, but no rollout is generated and no reward model is "
            "run; the step's loss is the language-model loss plus the value head's. LLaMA-Factory 0.9.5's PPO "
            "trainer also needs trl 0.8.6 to 0.9.6 (older than its own start-up check accepts: run it with "
            "DISABLE_VERSION_CHECK=1)"
        )
    elif plan.stage not in ("sft", "pt"):
        plan.notes.append(
            f"stage {plan.stage} is dry-run as a causal-LM step (its own loss and extra models are not built)"
        )
    if data.get("quantization_bit") is not None:
        import importlib.util

        if importlib.util.find_spec("bitsandbytes") is None:  # the trainer's quantizer (the default method)
            raise DryRunError(
                "DR003",
                f"`quantization_bit: {data['quantization_bit']}` needs bitsandbytes, which is not installed here: "
                "the trainer stops at start-up",
                "quantization_bit",
                "pip install 'bitsandbytes>=0.39' in the environment that trains (a CUDA machine for 4-bit QLoRA)",
            )
        plan.notes.append("quantization_bit is ignored: the dry-run loads unquantized weights")
    _unmodelled_training_options(data, plan)
    plan.rank = _int(values, "lora_rank")
    plan.alpha = _num(values, "lora_alpha", unset=plan.rank * 2.0)  # LLaMA-Factory: twice the rank
    if plan.alpha == 0:  # LLaMA-Factory replaces a falsy lora_alpha by twice the rank
        plan.alpha = plan.rank * 2.0
        plan.warnings.append(
            (
                "DR202",
                f"`lora_alpha: 0` is read by the trainer as not set: it trains with lora_alpha {plan.alpha:g} "
                "(twice lora_rank), not with updates scaled by 0",
                "lora_alpha",
                f"write `lora_alpha: {plan.alpha:g}`, or leave the key out, to say what runs",
            )
        )
    plan.oft_rank = _int(values, "oft_rank")
    plan.oft_block_size = _int(values, "oft_block_size")
    plan.module_dropout = _num(values, "module_dropout")
    plan.freeze_vision_tower = _flag(values, "freeze_vision_tower")
    plan.freeze_projector = _flag(values, "freeze_multi_modal_projector")
    plan.freeze_language_model = _flag(values, "freeze_language_model")
    plan.dropout = _num(values, "lora_dropout")
    plan.targets = _names(values["lora_target"]) or _names(values.default("lora_target"))
    plan.use_dora = _flag(values, "use_dora")
    plan.use_rslora = _flag(values, "use_rslora")
    plan.extra_modules = _names(values["additional_target"])
    plan.freeze_layers = _int(values, "freeze_trainable_layers")
    plan.freeze_modules = _names(values["freeze_trainable_modules"]) or _names(
        values.default("freeze_trainable_modules")
    )
    plan.freeze_extra = _names(values["freeze_extra_modules"])
    plan.llama_pro = _flag(values, "use_llama_pro")
    if plan.llama_pro and plan.finetuning_type != "freeze":
        plan.notes.append("use_llama_pro is modelled for freeze tuning only: the adapter goes on every layer here")
    plan.batch_size, plan.batch_key = _int(values, "per_device_train_batch_size"), "per_device_train_batch_size"
    plan.seq_len, plan.seq_key = _int(values, "cutoff_len"), "cutoff_len"
    plan.learning_rate = _num(values, "learning_rate")
    plan.weight_decay = _num(values, "weight_decay")
    plan.max_grad_norm = _num(values, "max_grad_norm")
    plan.seed = _int(values, "seed")
    plan.gradient_checkpointing = not _flag(values, "disable_gradient_checkpointing")
    plan.trust_remote_code = _flag(values, "trust_remote_code")
    output_dir = data.get("output_dir")
    plan.output_dir = output_dir if isinstance(output_dir, str) else None
    plan.dataset = _names(data.get("dataset"))
    dataset_dir = values["dataset_dir"]
    plan.dataset_dir = dataset_dir if isinstance(dataset_dir, str) else values.default("dataset_dir")
    template = data.get("template")
    plan.template = template if isinstance(template, str) else None
    plan.resize_vocab = _flag(values, "resize_vocab")
    plan.train_on_prompt = _flag(values, "train_on_prompt")
    plan.mask_history = _flag(values, "mask_history")
    default_system = values["default_system"]
    plan.default_system = default_system if isinstance(default_system, str) else None
    plan.enable_thinking = _flag(values, "enable_thinking")
    plan.unencoded = _unencoded(values, plan.stage)
    plan.packing = effective.llamafactory_packs(values)
    return plan


def _unencoded(values: Effective, stage: str) -> str | None:
    """Why the dry-run cannot encode this config's data as the trainer does, if it cannot."""
    if stage not in ("sft", "pt"):
        return f"stage {stage} encodes its data in its own way (the encoder models sft and pt)"
    if values["neat_packing"] is True or (stage == "sft" and effective.llamafactory_packs(values)):
        return "packing joins the encoded examples, which is not modelled for sft"
    if values["streaming"] is True:
        return "a streamed dataset"
    for key, what in (
        ("tool_format", "a tool format"),
        ("add_tokens", "tokens added to the tokenizer"),
        ("add_special_tokens", "special tokens added to the tokenizer"),
    ):
        if values[key] is not None:
            return f"`{key}`: {what}, which is not modelled"
    for key in ("split_special_tokens", "preserve_thinking"):
        if values[key] is True:
            return f"`{key}: true` is not modelled"
    return None


def _unmodelled_training_options(data: dict[str, Any], plan: Plan) -> None:
    """LLaMA-Factory options that change the run but not what the dry-run builds: said, not silently dropped."""
    if data.get("pissa_init") is True:
        plan.notes.append(
            "pissa_init is not applied: the adapters start as plain LoRA (PiSSA initialises them from an SVD of the "
            "base weights and subtracts that from the weights); shapes and counts are the same, the first loss is not"
        )
    if effective.llamafactory_packs(effective.llamafactory(data)) or data.get("neat_packing") is True:
        plan.notes.append(
            "packing: the trainer concatenates samples to cutoff_len (neat_packing also masks attention between "
            "them); the dry-run batch is always packed to cutoff_len but without that attention mask"
        )
    alpha = data.get("neftune_noise_alpha")
    if isinstance(alpha, (int, float)) and not isinstance(alpha, bool) and alpha > 0:
        plan.notes.append(
            f"neftune_noise_alpha {alpha:g} is not applied: the trainer adds noise to the input embeddings in training, "
            "the dry-run step does not (memory and shapes are the same)"
        )


def _lora_scripts(path: Path, data: dict[str, Any], kind: str, launch_dir: Path) -> Plan:
    model = data.get("base_model")
    if not isinstance(model, str) or not model:
        raise DryRunError("DR001", "no `base_model`: the trainer has nothing to load", "base_model")
    if model.lower().endswith(".gguf"):
        raise DryRunError("DR002", "a `.gguf` file cannot be trained", "base_model", "point at the original weights")
    plan = Plan(path=path, kind=kind, model=model, model_key="base_model")
    values = effective.lora_scripts(data)
    _precision(data, plan)
    plan.rank = _int(values, "lora_rank")
    plan.alpha = _num(values, "lora_alpha", unset=plan.rank)  # lora-scripts: the rank
    plan.target_key = "target_modules"
    plan.targets = _names(data.get("target_modules")) or ["all"]
    plan.batch_size, plan.batch_key = _int(values, "batch_size"), "batch_size"
    plan.learning_rate = _num(values, "learning_rate")
    plan.output_dir = data.get("output_dir") if isinstance(data.get("output_dir"), str) else None
    if kind == "lora-scripts-text":
        plan.seq_len, plan.seq_key = _int(values, "max_seq_length", unset=UNCUT_TEXT_TOKENS), "max_seq_length"
        tokenizer = data.get("tokenizer")
        plan.tokenizer = tokenizer if isinstance(tokenizer, str) else None
    else:
        plan.resolution = _resolution(values["resolution"])
        if data.get("conv_lora_rank") is not None:
            plan.conv_rank = _int(values, "conv_lora_rank")
            plan.conv_alpha = float(plan.conv_rank)
    return plan


def _kohya(path: Path, data: dict[str, Any], kind: str, launch_dir: Path) -> Plan:
    model = data.get("pretrained_model_name_or_path")
    if not isinstance(model, str) or not model:
        raise DryRunError(
            "DR001",
            "no `pretrained_model_name_or_path`: sd-scripts has nothing to load",
            "pretrained_model_name_or_path",
        )
    plan = Plan(path=path, kind=kind, model=model, model_key="pretrained_model_name_or_path")
    values = effective.kohya(data)
    _precision(data, plan)
    plan.rank = _int(values, "network_dim", unset=DEFAULT_NETWORK_DIM)
    plan.alpha = _num(values, "network_alpha")
    plan.dropout = _num(values, "network_dropout", unset=0.0)  # None: no dropout
    plan.target_key = "network_module"
    approximated = network_approximation(data)
    if approximated:
        plan.approximations.append(
            (
                approximated,
                "network_module",
                "the dry-run builds sd-scripts' networks.lora; this run trains another network",
            )
        )
    conv = network_option(data, "conv_dim")
    if conv is not None:
        alpha = network_option(data, "conv_alpha")
        plan.conv_rank = conv_dim(data)
        try:
            plan.conv_alpha = 1.0 if alpha is None else float(alpha)  # sd-scripts' default conv_alpha
        except (TypeError, ValueError):
            plan.conv_rank = None
        if plan.conv_rank is None:
            raise DryRunError(
                "DR001", f"`conv_dim` / `conv_alpha` must be numbers, not {conv!r} / {alpha!r}", "network_args"
            )
    plan.batch_size, plan.batch_key = _int(values, "train_batch_size"), "train_batch_size"
    if "resolution" in data:
        plan.resolution = _resolution(data["resolution"])
    found, where = training_resolution(data, launch_dir)
    if found is not None and where != "the training config" and min(found) > 0:
        plan.resolution = found
        plan.notes.append(f"resolution {found[0]}x{found[1]} from {where} (its largest dataset)")
    lr_key = "unet_lr" if data.get("unet_lr") is not None else "learning_rate"
    plan.learning_rate, plan.lr_key = _num(values, lr_key), lr_key
    plan.max_grad_norm = _num(values, "max_grad_norm")
    plan.gradient_checkpointing = _flag(values, "gradient_checkpointing")
    output_dir = data.get("output_dir")
    plan.output_dir = output_dir if isinstance(output_dir, str) else None
    train_type = str(data.get("model_train_type", ""))
    if "sdxl" in train_type:
        plan.model_family, plan.family_key = "sdxl", "model_train_type"
    elif data.get("v2") is True:
        plan.model_family, plan.family_key = "sd2", "v2"
    elif train_type == "sd-lora":
        plan.model_family, plan.family_key = "sd1", "model_train_type"
    if data.get("network_train_unet_only") is not True:
        plan.notes.append("text-encoder LoRA is not dry-run: only the U-Net adapter is trained")
    return plan
