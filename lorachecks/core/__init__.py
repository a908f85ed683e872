"""Plain data and helpers that know nothing of configs: records, diagnostics, settings, options, paths."""
