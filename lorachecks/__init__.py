"""lorachecks: catch broken LoRA fine-tuning configs before they waste a GPU hour."""

__version__ = "0.1.0"
