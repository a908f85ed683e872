"""Write the expected output of the per-rule fixtures (tests/rules_fixtures/<CODE>/).

    python tools/update_rule_fixtures.py            # every fixture folder
    python tools/update_rule_fixtures.py LC101 LC607   # only these codes' folders

Prints each expected file it creates or changes. A written file is a proposal, not yet a
test: read it and check every line against what the trainer does (is the finding right,
at a sensible line and column, with a true message) before committing it.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.rule_fixtures import configs_in, expected_path, fixture_folders, lint_folder, render


def update(codes: set[str]) -> int:
    changed = 0
    for folder in fixture_folders():
        if codes and folder.name not in codes:
            continue
        results = lint_folder(folder)
        for config in configs_in(folder):
            target = expected_path(config)
            text = render(results[config.name], folder)
            before = target.read_text(encoding="utf-8") if target.exists() else None
            if text != before:
                target.write_text(text, encoding="utf-8")
                changed += 1
                print(("updated " if before is not None else "created ") + str(target.relative_to(folder.parent)))
    return changed


if __name__ == "__main__":
    wanted = {code.upper() for code in sys.argv[1:]}
    print(f"{update(wanted)} expected file(s) written")
