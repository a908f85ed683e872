"""Generate lorachecks/formats/llamafactory/compiled.py from the Pydantic schema.

The lint path of a clean config does not need Pydantic: importing it and building the
377-field model costs more than the whole lint of one file. This tool "compiles" the schema
into plain Python once:

- ``FIELDS``: every field's accepted types (a small spec the fast checker understands),
  its default and the release that introduced it;
- ``CompiledConfig``: a plain class carrying the cross-field validator methods of
  ``LlamaFactoryConfig``, copied from schema.py with their decorators removed, so the same
  code runs on a plain object;
- ``SOURCE_HASH``: a hash of the sources it was made from. At run time a mismatch (schema
  edited, this tool not re-run) silently falls back to Pydantic, so verdicts never depend on
  regeneration; tests/test_performance.py fails until it is regenerated.

Run: ``python tools/gen_llamafactory_compiled.py`` (from the repository root).
"""

from __future__ import annotations

import ast
import subprocess
import sys
import types
import typing
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lorachecks.formats.llamafactory import fast  # noqa: E402
from lorachecks.formats.llamafactory.schema import LlamaFactoryConfig  # noqa: E402

SCHEMA = ROOT / "lorachecks" / "formats" / "llamafactory" / "schema.py"
OUT = ROOT / "lorachecks" / "formats" / "llamafactory" / "compiled.py"
SKIPPED_IMPORTS = ("pydantic", "typing_extensions", "lorachecks.formats.llamafactory.fields")


def spec_of(annotation: Any) -> Any:
    """Encode a field annotation as nested tuples; ("unknown",) always defers to Pydantic."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if annotation is Any:
        return ("any",)
    if annotation is type(None):
        return ("none",)
    if annotation in (bool, int, float, str):
        return (annotation.__name__,)
    if origin is typing.Literal:
        if all(type(a) in (str, int, bool) for a in args):
            return ("lit", tuple((type(a).__name__, a) for a in args))
        return ("unknown",)
    if origin in (typing.Union, types.UnionType):
        return ("union", tuple(spec_of(a) for a in args))
    if origin is list and len(args) == 1:
        return ("list", spec_of(args[0]))
    if origin is dict and len(args) == 2:
        return ("dict", spec_of(args[0]), spec_of(args[1]))
    return ("unknown",)


def constraints_of(metadata: list[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in metadata:
        for bound in ("ge", "gt", "le", "lt"):
            value = getattr(item, bound, None)
            if value is not None:
                out[bound] = value
        if not any(getattr(item, b, None) is not None for b in ("ge", "gt", "le", "lt")):
            out["unknown"] = True
    return out


def field_table() -> str:
    lines = ["FIELDS: dict[str, tuple[Any, Any, Any, str | None]] = {"]
    for name, info in LlamaFactoryConfig.model_fields.items():
        spec = spec_of(info.annotation)
        limits = constraints_of(list(info.metadata))
        if limits.pop("unknown", False):
            spec = ("unknown",)
        elif limits:
            spec = ("con", spec, tuple(sorted(limits.items())))
        if info.default_factory is not None:
            default: Any = ("factory", info.default_factory.__name__)
            if info.default_factory not in (list, dict):
                spec = ("unknown",)
        else:
            default = ("value", info.default)
        lines.append(f"    {name!r}: ({spec!r}, {default!r}, {LlamaFactoryConfig.since(name)!r}),")
    lines.append("}")
    return "\n".join(lines)


def module_parts(tree: ast.Module, source: str) -> tuple[list[str], list[str], ast.ClassDef]:
    imports, constants = [], []
    config: ast.ClassDef | None = None
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(SKIPPED_IMPORTS):
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            if not (isinstance(node, ast.ImportFrom) and node.module == "__future__"):
                imports.append(ast.get_source_segment(source, node) or "")
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            constants.append(ast.get_source_segment(source, node) or "")
        elif isinstance(node, ast.ClassDef) and node.name == "LlamaFactoryConfig":
            config = node
    assert config is not None, "LlamaFactoryConfig not found in schema.py"
    return imports, constants, config


def methods(config: ast.ClassDef, source: str) -> tuple[list[str], list[str]]:
    """Copied method sources (decorators other than @property dropped) and validator names."""
    out, validators = [], []
    lines = source.splitlines()
    for node in config.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        decorators = [ast.unparse(d) for d in node.decorator_list]
        if "classmethod" in decorators:
            continue
        if any(d.startswith("model_validator") for d in decorators):
            if "model_validator(mode='after')" not in decorators:
                raise SystemExit(f"{node.name}: only mode='after' validators can be compiled")
            validators.append(node.name)
        body = "\n".join(lines[node.lineno - 1 : node.end_lineno])
        keep = "    @property\n" if "property" in decorators else ""
        out.append(keep + body)
    return out, validators


def stubs() -> str:
    """Field-group classes the validators name, reduced to their field names."""
    from lorachecks.formats.llamafactory import fields

    out = []
    for name in fields.__all__:
        model = getattr(fields, name)
        out.append(f"class {name}:\n    model_fields = dict.fromkeys({tuple(model.model_fields)!r})\n")
    return "\n\n".join(out)


def render() -> str:
    source = SCHEMA.read_text(encoding="utf-8")
    imports, constants, config = module_parts(ast.parse(source), source)
    bodies, validators = methods(config, source)
    return f'''# mypy: ignore-errors
"""Generated by tools/gen_llamafactory_compiled.py from schema.py and fields/: do not edit.

The LLaMA-Factory schema without Pydantic, for the fast lint path (see fast.py).
"""

from __future__ import annotations

{chr(10).join(imports)}

SOURCE_HASH = {fast.source_hash()!r}

# name: (accepted types, ("value", default) or ("factory", name), release introduced)
{field_table()}

{chr(10).join(constants)}


{stubs()}


class CompiledConfig:
    """The validated config as a plain object: field values plus the cross-field checks."""

    def __init__(self, values: dict[str, Any], fields_set: set[str]) -> None:
        self.__dict__.update(DEFAULTS)
        for name in FACTORIES:
            self.__dict__[name] = FACTORIES[name]()
        self.__dict__.update(values)
        self.model_fields_set = fields_set

{chr(10).join(bodies)}


DEFAULTS = {{n: d[1] for n, (_, d, _) in FIELDS.items() if d[0] == "value"}}
FACTORIES = {{n: {{"list": list, "dict": dict}}[d[1]] for n, (_, d, _) in FIELDS.items() if d[0] == "factory"}}
VALIDATORS = ({"".join(f"CompiledConfig.{v}, " for v in validators)})
'''


def main() -> None:
    OUT.write_text(render(), encoding="utf-8")
    ruff = Path(sys.executable).parent / "ruff"
    if ruff.exists():
        subprocess.run([str(ruff), "format", "--quiet", str(OUT)], check=False)
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
