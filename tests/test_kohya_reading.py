"""kohya training configs are judged as sd-scripts reads them (read_config_from_file).

The file is loaded with the `toml` package (0.10.2), its tables flattened one level, and the
values handed to argparse as a namespace: argparse then applies neither `type=` nor
`choices=` to them. So an out-of-choice value is reported by what it does, a `0`/`1` flag
runs as written, text for a number stays text, and arrays toml 0.10.2 refuses stop the run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lorachecks.cli.lint_command import UsageError, run_lint
from lorachecks.core.settings import Settings
from lorachecks.engine.linter import lint_file
from lorachecks.formats.kohya.choices import encoded_tokens
from tests.conftest import LintText

HEAD = 'pretrained_model_name_or_path = "m.safetensors"\nnetwork_module = "networks.lora"\n'


def _found(lint_text: LintText, body: str) -> list[tuple[str, str, int]]:
    result = lint_text(HEAD + body, name="train.toml")
    assert result.format == "kohya"
    return [(d.code, d.severity.value, d.line) for d in result.diagnostics]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # accelerate accepts "no"; sd-scripts reads the backend only with torch_compile
        ('dynamo_backend = "no"', []),
        ('dynamo_backend = "no"\ntorch_compile = true', [("LC105", "warning", 3)]),
        ('dynamo_backend = "banana"\ntorch_compile = true', [("LC105", "error", 3)]),
        # 75 is CLIP's own context: the same as unset
        ("max_token_length = 75", []),
        ("max_token_length = 255", [("LC105", "error", 3)]),  # 225 tokens encoded, silently
        ("max_token_length = 300", []),  # four 75-token chunks, as written
        ('loss_type = "mse"', [("LC105", "error", 3)]),  # NotImplementedError at step 1
        ('huber_schedule = "linear"', []),  # read only with a huber / smooth_l1 loss
        ('huber_schedule = "linear"\nloss_type = "huber"', [("LC105", "error", 3)]),
        ('mixed_precision = "fp32"', [("LC105", "error", 3)]),  # accelerate refuses it
        ("zero_stage = 4", []),  # read only with deepspeed
        ("zero_stage = 4\ndeepspeed = true", [("LC105", "error", 3)]),  # DeepSpeed refuses it
    ],
)
def test_out_of_choice_values_are_judged_by_their_effect(
    lint_text: LintText, body: str, expected: list[tuple[str, str, int]]
) -> None:
    assert [f for f in _found(lint_text, body) if f[0] == "LC105"] == expected


def test_encoded_tokens_follow_the_75_token_chunks() -> None:
    assert [encoded_tokens(n) for n in (150, 225, 255, 300, 100)] == [150, 225, 225, 300, 75]


def test_a_flag_given_an_int_runs_as_written(lint_text: LintText) -> None:
    assert _found(lint_text, "network_train_unet_only = 1\ncache_latents = 0") == [
        ("LC104", "info", 3),
        ("LC104", "info", 4),
    ]


def test_text_for_a_number_says_when_the_run_stops(lint_text: LintText) -> None:
    result = lint_text(HEAD + 'network_dim = "8"', name="train.toml")
    (diag,) = result.diagnostics
    assert (diag.code, diag.severity.value, diag.line) == ("LC104", "error", 3)
    assert "after the model loads" in diag.message


@pytest.mark.parametrize(
    ("body", "line"),
    [
        ("text_encoder_lr = [1e-5, 1]", 3),
        ('[net]\nnetwork_args = [1, "conv_dim=4"]', 4),
        ('network_args = ["conv_dim=4", {conv_alpha = 1}]', 3),
    ],
)
def test_arrays_toml_0_10_refuses_stop_the_run(lint_text: LintText, body: str, line: int) -> None:
    result = lint_text(HEAD + body, name="train.toml")
    assert [(d.code, d.severity.value, d.line) for d in result.diagnostics if d.code == "LC001"] == [
        ("LC001", "error", line)
    ]
    assert "Not a homogeneous array" in result.diagnostics[0].message


def test_arrays_of_arrays_and_tables_are_homogeneous(lint_text: LintText) -> None:
    assert _found(lint_text, 'text_encoder_lr = [1e-5, 2e-5]\nnetwork_args = ["conv_dim=4", "conv_alpha=1"]') == []


@pytest.mark.parametrize(
    "text",
    [
        "a = [1e-5, 1]",
        "a = [true, 1]",
        "a = [[1, 2], ['x']]",
        "a = [1, 2.0, 'x']",
        "a = ['x', {y = 1}]",
        "a = [{x = 1}, {y = 's'}]",
        "a = [[1], [1.0]]",
    ],
)
def test_homogeneity_agrees_with_the_toml_package(text: str) -> None:
    toml = pytest.importorskip(
        "toml", reason="the `toml` package (0.10.2, what sd-scripts reads with) is not installed"
    )
    from lorachecks.loader.toml_loader import _mixed_arrays, tomllib

    try:
        toml.loads(text)
        refused = False
    except toml.TomlDecodeError:
        refused = True
    assert bool(_mixed_arrays(tomllib.loads(text), ())) == refused


def test_training_keys_under_general_make_a_training_config(lint_text: LintText) -> None:
    """sd-scripts flattens `[general]` like any table of a --config_file."""
    text = '[general]\npretrained_model_name_or_path = "m.safetensors"\noutput_dir = "out"\nnetwork_dim = 8\n'
    result = lint_text(text, name="config.toml")
    assert result.format == "kohya"
    assert [d for d in result.diagnostics if d.severity.value == "error"] == []


def test_a_dataset_config_with_general_stays_a_dataset_config(lint_text: LintText) -> None:
    text = '[general]\nshuffle_caption = true\n\n[[datasets]]\nresolution = 512\n\n  [[datasets.subsets]]\n  image_dir = "img"\n'
    assert lint_text(text, name="dataset.toml").format == "kohya-dataset"


@pytest.mark.parametrize(
    ("name", "text", "fmt"),
    [
        # musubi-tuner: the model is `dit`, datasets name image/video directories and a cache
        (
            "mt.toml",
            'dit = "wan.safetensors"\ntask = "t2v-14B"\nnetwork_module = "networks.lora_wan"\n',
            "musubi-tuner",
        ),
        # musubi-tuner without `dit` in the file (given on the command line): its network module
        # lives in the musubi_tuner package, which sd-scripts cannot import
        (
            "mt2.toml",
            '[general]\nmodel_version = "v1"\nsample_every_n_epochs = 1\nnetwork_module = "musubi_tuner.networks.lora"\n'
            "\n[training]\nbatch_size = 4\n",
            "musubi-tuner",
        ),
        # anima_lora: its preprocessing folders, and dataset keys sd-scripts refuses
        ("al.toml", 'network_module = "networks.lora_anima"\nresized_image_dir = "post/resized"\n', "anima-lora"),
        (
            "ald.toml",
            '[[datasets]]\nbatch_size = 1\n\n  [[datasets.subsets]]\n  image_dir = "img"\n  cache_dir = "post/c"\n',
            "anima-lora",
        ),
        (
            "mtd.toml",
            '[general]\nresolution = [960, 544]\n\n[[datasets]]\nvideo_directory = "v"\ncache_directory = "c"\n'
            "target_frames = [1, 25]\n",
            "musubi-tuner-dataset",
        ),
        (
            "dp.toml",
            'output_dir = "out"\ndataset = "d.toml"\nmicro_batch_size_per_gpu = 1\n\n[model]\ntype = "flux"\n\n'
            '[adapter]\ntype = "lora"\nrank = 32\n',
            "diffusion-pipe",
        ),
        (
            "dpd.toml",
            'resolutions = [512]\nenable_ar_bucket = true\n\n[[directory]]\npath = "img"\n',
            "diffusion-pipe-dataset",
        ),
        ("ot.json", '{"__version": 6, "training_method": "LORA", "model_type": "STABLE_DIFFUSION_15"}', "onetrainer"),
        ("ait.yaml", "job: extension\nconfig:\n  name: x\n  process:\n    - type: sd_trainer\n", "ai-toolkit"),
    ],
)
def test_neighbouring_trainers_are_recognised_and_skipped(lint_text: LintText, name: str, text: str, fmt: str) -> None:
    result = lint_text(text, name=name)
    assert (result.status, result.format) == ("skipped", fmt)
    assert result.diagnostics == []


@pytest.mark.parametrize(
    ("body", "stated", "severity"),
    [
        ("", None, "info"),  # SD model name: sdxl_train_network or train_network, not known
        ("", "sdxl_train_network", "error"),
        ("", "flux_train_network", None),  # FLUX caches T5 and trains CLIP
        ('\n[n]\nnetwork_module = "networks.lora_flux"\nae = "ae.safetensors"', None, None),
        ('\n[m]\npretrained_model_name_or_path = "sd_xl_base_1.0.safetensors"', None, "error"),
    ],
)
def test_the_unet_only_assertion_exists_only_in_sdxl_train_network(
    lint_text: LintText, body: str, stated: str | None, severity: str | None
) -> None:
    text = "cache_text_encoder_outputs = true\n" + HEAD + body
    result = lint_text(text, name="train.toml", kohya_script=stated)
    found = [d.severity.value for d in result.diagnostics if d.code == "LC313"]
    assert found == ([severity] if severity else [])


def test_the_script_is_stated_on_the_command_line_or_per_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "sdxl" / "train.toml"
    config.parent.mkdir()
    config.write_text("cache_text_encoder_outputs = true\n" + HEAD)
    assert run_lint([config], path_checks=False) == 0  # script unknown: a note
    assert run_lint([config], path_checks=False, kohya_script="sdxl_train_network") == 1
    capsys.readouterr()
    (tmp_path / "lorachecks.toml").write_text('[per-path."sdxl/*.toml"]\nkohya-script = "sdxl_train_network"\n')
    assert run_lint([config], path_checks=False) == 1
    with pytest.raises(UsageError, match="unknown sd-scripts script"):
        run_lint([config], path_checks=False, kohya_script="banana")
    (tmp_path / "lorachecks.toml").write_text('kohya-script = "train_networks"\n')
    with pytest.raises(UsageError, match="unknown sd-scripts script"):
        run_lint([config], path_checks=False)


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ("relative_step=False,", "true"),
        ("weight_decay=0.01,", "tuple"),
        ("relative_step=False", None),
        ("betas=0.9,0.99", None),  # a real tuple of two
    ],
)
def test_a_trailing_comma_makes_a_tuple(lint_text: LintText, item: str, expected: str | None) -> None:
    result = lint_text(HEAD + f'optimizer_type = "AdaFactor"\noptimizer_args = ["{item}"]', name="train.toml")
    found = [d for d in result.diagnostics if d.code == "LC326"]
    if expected is None:
        assert found == []
    else:
        (diag,) = found
        assert (diag.severity.value, diag.line) == ("error", 4)
        assert expected in diag.message


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("sample_every_n_steps = 100", "at step 100"),
        ("sample_every_n_epochs = 2\nsample_every_n_steps = 100", "at the end of epoch 2"),
        ("sample_at_first = true", "before the first step"),
        ('sample_every_n_steps = 100\nsample_prompts = "p.txt"', None),
    ],
)
def test_sampling_needs_a_prompt_file(lint_text: LintText, body: str, expected: str | None) -> None:
    result = lint_text(HEAD + body, name="train.toml")
    found = [d.message for d in result.diagnostics if d.code == "LC327" and d.severity.value == "warning"]
    assert (found[0] if found else None) is None if expected is None else expected in found[0]


def test_an_sd_trainer_launcher_that_gives_the_prompt_file_is_read(tmp_path: Path) -> None:
    # SD-Trainer's layout: config/default.toml started by ../train_by_toml.sh with
    # --sample_prompts (users' copies in the wild corpus); config/lora.toml is not started by it.
    folder = tmp_path / "config"
    folder.mkdir()
    for name in ("default.toml", "lora.toml"):
        (folder / name).write_text(HEAD + "sample_every_n_epochs = 1\n", encoding="utf-8")
    (tmp_path / "train_by_toml.sh").write_text(
        'config_file="./config/default.toml"\nprompts="./config/prompts.txt"\n'
        'accelerate launch train_network.py --config_file="$config_file" --sample_prompts="$prompts"\n',
        encoding="utf-8",
    )

    def sampling_warnings(name: str, path_checks: bool) -> int:
        result = lint_file(folder / name, Settings(path_checks=path_checks, launch_dir=tmp_path))
        return sum(d.code == "LC327" for d in result.diagnostics)

    assert sampling_warnings("default.toml", path_checks=True) == 0
    assert sampling_warnings("lora.toml", path_checks=True) == 1
    assert sampling_warnings("default.toml", path_checks=False) == 1  # the launcher is not read


def test_caching_conflicts_across_the_training_and_the_dataset_config(lint_text: LintText, tmp_path: Path) -> None:
    (tmp_path / "dataset.toml").write_text(
        "[general]\nshuffle_caption = true\n\n[[datasets]]\nresolution = 512\n\n  [[datasets.subsets]]\n"
        '  image_dir = "img"\n  color_aug = true\n'
    )
    text = HEAD + 'cache_text_encoder_outputs = true\ncache_latents = true\ndataset_config = "dataset.toml"\n'
    result = lint_text(text, name="train.toml", path_checks=True)
    found = sorted((d.line, d.message.split(" (line")[0]) for d in result.diagnostics if d.code == "LC328")
    assert found == [
        (
            3,
            "`cache_text_encoder_outputs` cannot be used with `shuffle_caption` set in the dataset config dataset.toml",
        ),
        (4, "`cache_latents` cannot be used with `color_aug` set in the dataset config dataset.toml"),
    ]
    # Without path checks the other file is not read.
    assert [d for d in lint_text(text, name="train.toml").diagnostics if d.code == "LC328"] == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('clip_skip = 2\n[m]\npretrained_model_name_or_path = "sd_xl_base_1.0.safetensors"', ("LC329", 3)),
        ("clip_skip = 2", None),  # SD 1.x by the model name: clip_skip works
        ('lr_scheduler = "cosine"\nlr_scheduler_num_cycles = 3', ("LC329", 4)),
        ('lr_scheduler = "cosine_with_restarts"\nlr_scheduler_num_cycles = 3', None),
        ("lr_scheduler_num_cycles = 1", None),  # the default: changes nothing either way
        ('train_data_dir = "C:\\\\data\\\\img"\nreg_data_dir = "c:/data/img/"', ("LC330", 4)),
        ('train_data_dir = "data/img"\nreg_data_dir = "data/reg"', None),
    ],
)
def test_options_that_change_nothing_or_something_else(
    lint_text: LintText, body: str, expected: tuple[str, int] | None
) -> None:
    result = lint_text(HEAD + body, name="train.toml")
    found = [(d.code, d.line) for d in result.diagnostics if d.code in ("LC329", "LC330")]
    assert found == ([expected] if expected else [])
    assert all(d.severity.value == "warning" for d in result.diagnostics if d.code in ("LC329", "LC330"))


@pytest.mark.parametrize(
    ("subset", "general", "expected"),
    [
        ('image_dir = "data/10_chara"', "", "no `num_repeats` is set, so it is 1"),
        ('image_dir = "data/10_chara"\n  num_repeats = 3', "", "`num_repeats = 3` is used"),
        ('image_dir = "data/10_chara"\n  num_repeats = 10', "", None),
        ('image_dir = "data/10_chara"', "num_repeats = 10\n", None),  # [general] sets it for every subset
        ('image_dir = "data/chara"', "", None),
    ],
)
def test_a_folder_prefix_in_a_dataset_config_is_not_the_repeat_count(
    lint_text: LintText, subset: str, general: str, expected: str | None
) -> None:
    text = f"[general]\n{general}\n[[datasets]]\nresolution = 512\n\n  [[datasets.subsets]]\n  {subset}\n"
    result = lint_text(text, name="dataset.toml")
    assert result.format == "kohya-dataset"
    found = [d for d in result.diagnostics if d.code == "LC331"]
    if expected is None:
        assert found == []
    else:
        (diag,) = found
        assert expected in diag.message
        assert diag.severity.value == ("info" if "is used" in expected else "warning")


@pytest.mark.parametrize(
    ("body", "when"),
    [
        ("network_dim = 8.0", "create_network builds the adapter, after the model loads"),
        ("max_train_steps = 1e3", "after the model loads, before the first step"),
        ("max_train_epochs = 2.0", "after the model loads, before the first step"),
        ("seed = 42.0", "start-up, before the model loads"),
    ],
)
def test_a_float_for_a_size_or_step_count_says_when_the_run_stops(lint_text: LintText, body: str, when: str) -> None:
    result = lint_text(HEAD + body, name="train.toml")
    (diag,) = [d for d in result.diagnostics if d.code == "LC104"]
    assert diag.severity.value == "error"
    assert when in diag.message


def test_a_whole_float_for_save_every_n_epochs_runs_unless_old_saves_are_removed(lint_text: LintText) -> None:
    assert _found(lint_text, "save_every_n_epochs = 1.0") == [("LC104", "info", 3)]
    assert _found(lint_text, "save_every_n_epochs = 1.0\nsave_last_n_epochs = 2") == [("LC104", "error", 3)]
