"""Secrets (found, and masked in every output format), supply-chain and data-safety rules."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from lorachecks.core.diagnostics import Severity
from lorachecks.core.settings import Settings
from lorachecks.engine.linter import lint_file, lint_paths
from lorachecks.loader.secrets import mask, printable, redact
from lorachecks.report import OUTPUT_FORMATS, Run, renderer
from tests.conftest import BASE, LintText, codes

HF = "hf_" + "aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"
OPENAI = "sk-proj-" + "Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0Lm"
AWS = "AKIA" + "IOSFODNN7EXAMPLQ"
WANDB = "0123456789abcdef0123456789abcdef01234567"
GENERIC = "q8Zr2LmXw9Tt4KpB7vNc"


def test_hf_token_is_an_error_with_the_token_masked(lint_text: LintText) -> None:
    result = lint_text(BASE + f"hf_hub_token: {HF}\n")
    found = [d for d in result.diagnostics if d.code == "LC601"]
    assert len(found) == 1 and found[0].severity.value == "error"
    assert found[0].line == 9 and found[0].key == "hf_hub_token"
    assert "hf_****" in found[0].message
    assert HF not in json.dumps([d.message + str(d.hint) for d in result.diagnostics])


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (f"note: {OPENAI}\n", "OpenAI"),
        (f"aws: {{id: {AWS}}}\n", "AWS"),
        (f"wandb_api_key: {WANDB}\n", "Weights & Biases"),
        (f"extra: [x, 'token={HF}']\n", "Hugging Face"),
    ],
)
def test_token_shapes_anywhere_in_the_data(lint_text: LintText, text: str, kind: str) -> None:
    result = lint_text(BASE + text)
    messages = [d.message for d in result.diagnostics if d.code == "LC601"]
    assert len(messages) == 1 and kind in messages[0]


def test_generic_credential_needs_a_credential_key_and_entropy(lint_text: LintText) -> None:
    result = lint_text(BASE + f"api_key: {GENERIC}\nmy_password: {GENERIC}x\n")
    assert codes(result).count("LC602") == 2
    quiet = lint_text(
        BASE + "eos_token: <|im_end|>\npad_token: '<|endoftext|>'\nprompt_key: instruction\n"
        "cache_key: saves/cache/qwen3-4b-sft\napi_key: not-a-real-key-at-all\n"
    )
    assert "LC602" not in codes(quiet) and "LC601" not in codes(quiet)
    wandb_elsewhere = lint_text(BASE + f"run_hash: {WANDB}\n")
    assert "LC601" not in codes(wandb_elsewhere)


def test_token_in_a_file_that_does_not_parse_is_masked_in_the_source_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(f'hf_hub_token: "{HF}\nlora_rank: [8\n', encoding="utf-8")
    result = lint_file(path, Settings(path_checks=False))
    assert result.status == "failed"  # masked by its shape: nothing was recorded from unparsed data
    for name in OUTPUT_FORMATS:
        out = io.StringIO()
        renderer(name)(Run(files=[result]), out)
        assert HF not in out.getvalue()


def _every_format(results: list[object]) -> dict[str, str]:
    rendered = {}
    for name in OUTPUT_FORMATS:
        for color in (False, True):
            out = io.StringIO()
            renderer(name)(Run(files=list(results), color=color, verbose=True), out)  # type: ignore[arg-type]
            rendered[f"{name}{'-color' if color else ''}"] = out.getvalue()
    return rendered


def test_no_output_format_prints_a_secret(tmp_path: Path) -> None:
    """Covers every registered output format, including ones added after this test."""
    secrets = [HF, OPENAI, AWS, WANDB, GENERIC]
    (tmp_path / "a.yaml").write_text(
        BASE + f"hf_hub_token: {HF}\nwandb_api_key: {WANDB}\napi_key: {GENERIC}\n"
        f"{OPENAI}: 1\nlora_target: {AWS}\nlearning_rate: {HF}\n",
        encoding="utf-8",
    )
    (tmp_path / "b.yaml").write_text(f"model_name_or_path: [{HF}\n", encoding="utf-8")
    results = list(lint_paths([tmp_path], Settings(path_checks=False, launch_dir=tmp_path)))
    assert {"LC601", "LC602"} <= {d.code for r in results for d in r.diagnostics}
    assert any(d.code == "LC101" for r in results for d in r.diagnostics)  # the key holding a token
    rendered = _every_format(results)
    assert set(OUTPUT_FORMATS) <= set(rendered)
    for name, text in rendered.items():
        assert "hf_****" in text or name.startswith("json"), name
        for secret in secrets:
            assert secret not in text, (name, secret)


def test_redaction_helpers() -> None:
    assert mask(HF) == "hf_****" and mask(AWS) == "AKIA****" and mask(GENERIC) == "****"
    assert redact(f"x {HF} y", ()) == "x hf_**** y"
    assert redact(f"k={GENERIC}", (GENERIC,)) == "k=****"
    assert printable("a\x1b[31mred\nline\u202e") == "a\\x1b[31mred\\x0aline\\u202e"
    assert printable("x" * 5000).endswith("(3,000 more characters)")


def test_internal_error_message_is_masked_too(lint_text: LintText, monkeypatch: pytest.MonkeyPatch) -> None:
    import lorachecks.rules.lc201_model_path as rule

    def broken(ctx: object) -> list[object]:
        raise RuntimeError(f"cannot handle {HF}")

    monkeypatch.setattr(rule, "check", broken)
    from lorachecks.rules import all_rules

    all_rules.cache_clear()
    try:
        result = lint_text(BASE + f"hf_hub_token: {HF}\n")
    finally:
        monkeypatch.undo()
        all_rules.cache_clear()
    internal = [d for d in result.diagnostics if d.code == "LC000"]
    assert len(internal) == 1 and "LC201" in internal[0].message and HF not in internal[0].message
    assert "LC601" in codes(result)  # the other rules still ran


def test_home_paths_are_notes_unless_the_run_cannot_write_there(lint_text: LintText) -> None:
    result = lint_text(
        BASE.replace("Qwen/Qwen3-4B", "/home/alice/models/qwen")
        + "deepspeed: C:\\Users\\bob\\ds.json\nadapter_name_or_path: /Users/carol/adapters/x\n"
    )
    found = sorted(d.key or "" for d in result.diagnostics if d.code == "LC603")
    assert found == ["adapter_name_or_path", "deepspeed", "model_name_or_path"]
    assert all(d.severity.value == "info" for d in result.diagnostics if d.code == "LC603")
    assert "LC603" not in codes(lint_text(BASE + "cache_dir: /home/user/cache\n"))
    # An output folder under a home folder this machine lacks cannot be created: a warning.
    absent = lint_text(BASE + "output_dir: /home/nobody-here-xyz/saves\n", path_checks=True)
    [warning] = [d for d in absent.diagnostics if d.code == "LC603"]
    assert warning.severity.value == "warning" and "does not exist on this machine" in warning.message
    unchecked = lint_text(BASE + "output_dir: /home/nobody-here-xyz/saves\n")
    assert [d.severity.value for d in unchecked.diagnostics if d.code == "LC603"] == ["info"]


def test_trust_remote_code_names_the_code(tmp_path: Path, lint_text: LintText) -> None:
    model = tmp_path / "models" / "custom"
    model.mkdir(parents=True)
    (model / "config.json").write_text(json.dumps({"auto_map": {"AutoModel": "modeling_custom.CustomModel"}}))
    (model / "modeling_custom.py").write_text("print('hello')\n")
    text = BASE.replace("Qwen/Qwen3-4B", "models/custom") + "trust_remote_code: true\n"
    result = lint_text(text, path_checks=True)
    [warning] = [d for d in result.diagnostics if d.code == "LC604"]
    assert "modeling_custom.py" in warning.message and "auto_map: modeling_custom.CustomModel" in warning.message
    assert warning.severity.value == "warning"  # this run imports the folder's own classes
    hub = lint_text(BASE + "trust_remote_code: true\n")
    [note] = [d for d in hub.diagnostics if d.code == "LC604"]
    assert "`Qwen/Qwen3-4B` that its config.json names in `auto_map` (downloaded at load time)" in note.message
    assert note.severity.value == "info"  # nothing known to run: advice, not a consequence
    local = lint_text(BASE.replace("Qwen/Qwen3-4B", "/path/to/model") + "trust_remote_code: true\n")
    message = next(d.message for d in local.diagnostics if d.code == "LC604")
    assert "`/path/to/model` that its config.json names in `auto_map`, with" in message  # nothing to download
    assert "LC604" not in codes(lint_text(BASE + "trust_remote_code: false\n"))


def test_safety_notes_can_be_raised_to_warnings(lint_text: LintText) -> None:
    text = BASE.replace("Qwen/Qwen3-4B", "/home/alice/m.ckpt") + "trust_remote_code: true\n"
    raised = {code: Severity.WARNING for code in ("LC603", "LC604", "LC605")}
    result = lint_text(text, severity=raised)
    levels = {d.code: d.severity.value for d in result.diagnostics if d.code in raised}
    assert levels == {"LC603": "warning", "LC604": "warning", "LC605": "warning"}


def test_pickle_checkpoints_are_noted(tmp_path: Path, lint_text: LintText) -> None:
    result = lint_text(BASE + "adapter_name_or_path: saves/a.bin,saves/b\n")
    assert [d.code for d in result.diagnostics if d.code == "LC605"] == ["LC605"]
    model = tmp_path / "old"
    model.mkdir()
    (model / "config.json").write_text("{}")
    (model / "pytorch_model.bin").write_bytes(b"\x80\x04")
    folder = lint_text(BASE.replace("Qwen/Qwen3-4B", "old"), path_checks=True)
    [note] = [d for d in folder.diagnostics if d.code == "LC605"]
    assert "pytorch_model.bin" in note.message and "safetensors" in (note.hint or "")
    assert note.severity.value == "info"
    (model / "model.safetensors").write_bytes(b"")
    assert "LC605" not in codes(lint_text(BASE.replace("Qwen/Qwen3-4B", "old"), path_checks=True))


def _output(tmp_path: Path, *names: str) -> Path:
    out = tmp_path / "saves" / "x"
    out.mkdir(parents=True)
    for name in names:
        if name.startswith("checkpoint-"):
            (out / name).mkdir()
        else:
            (out / name).write_bytes(b"")
    return out


def test_finished_run_in_output_dir_is_an_error(tmp_path: Path, lint_text: LintText) -> None:
    _output(tmp_path, "adapter_model.safetensors", "trainer_log.jsonl")
    [error] = [d for d in lint_text(BASE, path_checks=True).diagnostics if d.code == "LC608"]
    assert error.severity.value == "error" and "adapter_model.safetensors" in error.message
    assert "LC608" not in codes(lint_text(BASE + "do_train: false\n".replace("do_train", "do_predict")))
    overwrite = lint_text(BASE + "overwrite_output_dir: true\n", path_checks=True)
    assert "LC608" not in codes(overwrite)
    [warning] = [d for d in overwrite.diagnostics if d.code == "LC606"]
    assert "adapter_model.safetensors" in warning.message and warning.severity.value == "warning"
    rm_full = BASE.replace("stage: sft", "stage: rm").replace("finetuning_type: lora", "finetuning_type: full")
    assert "LC608" not in codes(lint_text(rm_full, path_checks=True))
    _output(tmp_path / "older", "adapter_model.safetensors")  # an explicit resume skips the check
    resume = BASE + f"resume_from_checkpoint: {tmp_path / 'older' / 'saves' / 'x'}\n"
    assert "LC608" not in codes(lint_text(resume, path_checks=True))


def test_checkpoint_in_output_dir_is_a_resume_note(tmp_path: Path, lint_text: LintText) -> None:
    _output(tmp_path, "checkpoint-500", "checkpoint-1000", "adapter_model.safetensors")
    [note] = [d for d in lint_text(BASE, path_checks=True).diagnostics if d.code == "LC608"]
    assert note.severity.value == "info" and "checkpoint-1000" in note.message


def test_empty_or_missing_output_dir_is_fine(tmp_path: Path, lint_text: LintText) -> None:
    assert not {"LC606", "LC608"} & set(codes(lint_text(BASE + "overwrite_output_dir: true\n", path_checks=True)))
    _output(tmp_path)
    assert not {"LC606", "LC608"} & set(codes(lint_text(BASE + "overwrite_output_dir: true\n", path_checks=True)))


def test_shared_output_dir_across_configs(tmp_path: Path) -> None:
    for name, out in [("a.yaml", "saves/x"), ("b.yaml", "./saves/x/"), ("c.yaml", "saves/y")]:
        (tmp_path / name).write_text(BASE.replace("saves/x", out), encoding="utf-8")
    (tmp_path / "infer.yaml").write_text(BASE.replace("do_train: true", "do_train: false"), encoding="utf-8")
    results = list(lint_paths([tmp_path], Settings(path_checks=False, launch_dir=tmp_path)))
    shared = {Path(d.path).name: d for r in results for d in r.diagnostics if d.code == "LC607"}
    assert set(shared) == {"b.yaml"}  # the later config, naming the first
    assert "also the output of a.yaml:" in shared["b.yaml"].message and shared["b.yaml"].line == 7
    (tmp_path / "d.yaml").write_text(BASE, encoding="utf-8")
    results = list(lint_paths([tmp_path], Settings(path_checks=False, launch_dir=tmp_path)))
    shared = {Path(d.path).name: d for r in results for d in r.diagnostics if d.code == "LC607"}
    assert set(shared) == {"b.yaml", "d.yaml"}
    assert "also the output of a.yaml and 1 other config(s):" in shared["d.yaml"].message
    ignored = list(
        lint_paths([tmp_path], Settings(path_checks=False, launch_dir=tmp_path, ignore=frozenset({"LC607"})))
    )
    assert not any(d.code == "LC607" for r in ignored for d in r.diagnostics)


def test_lint_is_read_only(tmp_path: Path) -> None:
    """Every file and folder under a linted tree keeps its bytes, size and timestamps."""
    from typer.testing import CliRunner

    from lorachecks.cli.app import app

    tree = tmp_path / "repo"
    (tree / "configs").mkdir(parents=True)
    (tree / "configs" / "ok.yaml").write_text(BASE, encoding="utf-8")
    (tree / "configs" / "secret.yaml").write_text(BASE + f"hf_hub_token: {HF}\n", encoding="utf-8")
    (tree / "configs" / "broken.yaml").write_text("a: [1\n", encoding="utf-8")
    (tree / "configs" / "bin.yaml").write_bytes(b"\x00\xff" * 100)
    (tree / "data.json").write_text('{"x": 1}', encoding="utf-8")
    _output(tree, "adapter_model.safetensors")

    def snapshot() -> dict[str, tuple[bytes, int, int, int]]:
        state = {}
        for folder, dirs, files in os.walk(tree):
            for name in dirs + files:
                path = Path(folder, name)
                stat = path.stat()
                content = path.read_bytes() if path.is_file() else b""
                state[str(path)] = (content, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
        return state

    before = snapshot()
    runner = CliRunner()
    for fmt in OUTPUT_FORMATS:
        result = runner.invoke(app, ["lint", "--format", fmt, "--launch-dir", str(tree), str(tree)])
        assert result.exit_code == 1, result.output
    assert snapshot() == before


def test_shared_output_dir_respects_suppression_comments(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(BASE, encoding="utf-8")
    silenced = BASE.replace("output_dir: saves/x", "output_dir: saves/x  # lorachecks: disable=LC607")
    assert silenced != BASE
    (tmp_path / "b.yaml").write_text(silenced, encoding="utf-8")
    (tmp_path / "c.yaml").write_text(BASE, encoding="utf-8")
    results = list(lint_paths([tmp_path], Settings(path_checks=False, launch_dir=tmp_path)))
    assert {Path(d.path).name for r in results for d in r.diagnostics if d.code == "LC607"} == {"c.yaml"}


def test_shared_output_dir_names_same_named_configs_by_folder(tmp_path: Path) -> None:
    for folder in ("train_full", "extras/galore"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "llama3.yaml").write_text(BASE, encoding="utf-8")
    results = list(lint_paths([tmp_path], Settings(path_checks=False, launch_dir=tmp_path)))
    (message,) = [d.message for r in results for d in r.diagnostics if d.code == "LC607"]
    assert "also the output of extras/galore/llama3.yaml:" in message  # listed first; warned: train_full/


def test_kohya_home_paths_and_pickle_checkpoints_are_notes(lint_text: LintText) -> None:
    text = (
        'pretrained_model_name_or_path = "/home/alice/models/sd15.ckpt"\n'
        'train_data_dir = "data"\nnetwork_module = "networks.lora"\n'
        'output_dir = "/home/nobody-here-xyz/out"\n'
    )
    levels = {(d.code, d.key): d.severity.value for d in lint_text(text, name="train.toml").diagnostics}
    assert levels[("LC605", "pretrained_model_name_or_path")] == "info"
    assert levels[("LC603", "pretrained_model_name_or_path")] == "info"
    assert levels[("LC603", "output_dir")] == "info"
    # With path checks on, sd-scripts cannot create an output folder in a home this machine lacks.
    checked = lint_text(text, name="train.toml", path_checks=True)
    assert [d.severity.value for d in checked.diagnostics if d.code == "LC603" and d.key == "output_dir"] == ["warning"]
