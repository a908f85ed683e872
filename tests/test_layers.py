"""The package's layers, checked from the source: loader -> formats -> rules -> engine ->
report -> cli. A module imports only from its own layer or the ones below (at run time or for
type checking alike), so there is no import cycle between layers and a lower layer never
reaches up (the lint path cannot pull in the CLI, a format cannot depend on a rule)."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "lorachecks"

# Modules and packages by layer, lowest first; the longest matching name decides.
LAYERS: dict[str, tuple[str, ...]] = {
    # Plain data and helpers that know nothing of configs; read-only looks at files on disk.
    "base": ("lorachecks", "lorachecks.core", "lorachecks.files"),
    "loader": ("lorachecks.loader",),
    "formats": ("lorachecks.formats",),
    "rules": ("lorachecks.rules", "lorachecks.estimate"),
    "engine": ("lorachecks.engine",),
    "report": ("lorachecks.report",),
    "cli": (
        "lorachecks.__main__",
        "lorachecks.cli",
        "lorachecks.lsp",
        "lorachecks.dryrun",
        "lorachecks.estimate.command",
    ),
}
ORDER = list(LAYERS)


def layer_of(module: str) -> str:
    best = max(
        ((prefix, layer) for layer, prefixes in LAYERS.items() for prefix in prefixes if _within(module, prefix)),
        key=lambda found: len(found[0]),
    )
    return best[1]


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every lorachecks import in the file, wherever it is written."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            # `from lorachecks.x import y` may name a module y: judge by the deepest module.
            for alias in node.names:
                deeper = f"{target}.{alias.name}"
                is_module = (PACKAGE.parent / Path(*deeper.split("."))).with_suffix(".py").is_file() or (
                    PACKAGE.parent / Path(*deeper.split("."))
                ).is_dir()
                found.append((node.lineno, deeper if is_module else target))
    return [(line, module) for line, module in found if _within(module, "lorachecks")]


def test_every_module_has_a_layer() -> None:
    for path in PACKAGE.rglob("*.py"):
        assert layer_of(module_name(path)) in ORDER


def test_no_module_imports_from_a_higher_layer() -> None:
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        here = module_name(path)
        for line, target in imports(path):
            if ORDER.index(layer_of(target)) > ORDER.index(layer_of(here)):
                upward.append(
                    f"{path.relative_to(ROOT)}:{line}: {here} ({layer_of(here)}) imports {target} ({layer_of(target)})"
                )
    assert upward == [], "\n".join(upward)


def test_the_check_sees_imports_wherever_they_are_written() -> None:
    linter = imports(PACKAGE / "engine" / "linter.py")
    assert any(m == "lorachecks.core.diagnostics" for _, m in linter)
    assert any(m == "lorachecks.engine.cache" for _, m in linter)  # imported inside a function
    assert any(
        m == "lorachecks.formats.view" for _, m in imports(PACKAGE / "formats" / "sd_data.py")
    )  # for type checking
    assert [
        layer_of(m) for m in ("lorachecks.engine.linter", "lorachecks.formats.view", "lorachecks.estimate.command")
    ] == [
        "engine",
        "formats",
        "cli",
    ]
