"""kohya training configs are judged as sd-scripts reads them (read_config_from_file).

The file is loaded with the `toml` package (0.10.2), its tables flattened one level, and the
values handed to argparse as a namespace: argparse then applies neither `type=` nor
`choices=` to them. So an out-of-choice value is reported by what it does, a `0`/`1` flag
runs as written, text for a number stays text, and arrays toml 0.10.2 refuses stop the run.
"""

from __future__ import annotations

import pytest

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


@pytest.mark.parametrize("text", ["a = [1e-5, 1]", "a = [true, 1]", "a = [[1, 2], ['x']]", "a = [1, 2.0, 'x']"])
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
