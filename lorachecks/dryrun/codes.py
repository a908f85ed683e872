"""Dry-run diagnostic codes: what each failure means (documented in docs/dryrun.md).

DR0xx reading the config and the environment, DR1xx the model, DR2xx the adapter,
DR3xx the training step, DR4xx saving. Every code points at the config key that caused it.
"""

from __future__ import annotations

CODES: dict[str, str] = {
    "DR000": "internal error: an unexpected exception (reported with its type and message, no traceback)",
    "DR001": "the config cannot be read, or lint finds file/schema errors the trainer stops on",
    "DR002": "the config kind or an option is not supported by the dry-run",
    "DR003": "the dry-run extra is not installed (torch, transformers, peft; diffusers for images)",
    "DR004": "the requested device is not available",
    "DR005": "lint finds a defect the trainer does not stop on: it trains something other than written (a warning)",
    "DR101": "the model path does not exist",
    "DR102": "the model is a hub id that is not in the local cache (offline by default)",
    "DR103": "the model's config.json cannot be read or names an unknown architecture",
    "DR104": "the model needs custom code: both `trust_remote_code: true` and --trust-remote-code are required",
    "DR105": "loading the model weights failed",
    "DR106": "the model would not fit in memory on the chosen device",
    "DR107": "the tokenizer cannot be loaded (the trainer loads it first and stops)",
    "DR108": "the checkpoint's family (SD 1.x / 2.x / SDXL) differs from the one the config trains",
    "DR201": "`lora_target` (or another target list) names modules the model does not have",
    "DR202": "the adapter settings are refused by peft (rank, alpha, dropout, ...)",
    "DR203": "`additional_target` / `modules_to_save` names modules the model does not have",
    "DR204": "no parameter is trainable (freeze settings select nothing)",
    "DR301": "forward or backward failed (shape, dtype or device error)",
    "DR302": "the loss is not finite",
    "DR303": "a trainable parameter got no gradient, a non-finite one, or only zeros",
    "DR304": "a frozen parameter received a gradient",
    "DR305": "the loss did not fall over --steps on the same batch (zero learning rate, frozen adapter, ...)",
    "DR306": "out of memory during the step",
    "DR307": "the DeepSpeed file's fixed batch sizes do not add up for this number of processes (--nproc)",
    "DR308": "a rank failed or died under --nproc (its own error is in the message)",
    "DR309": "a token the chat template adds to the tokenizer gets an id the model's embedding has no row for",
    "DR311": "the trainer refuses to encode the dataset (e.g. train_on_prompt on an efficient-EOS template, no valid example)",
    "DR310": "DeepSpeed or transformers' DeepSpeed integration refused the config's DeepSpeed file (--nproc)",
    "DR401": "saving the adapter or loading it back failed",
    "DR402": "the reloaded adapter differs from the trained one",
}
