"""Language servers the editor tests start: lorachecks' own and the editors' npm servers."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

# tools/setup_editor_servers.sh installs them here; LORACHECKS_EDITOR_SERVERS points elsewhere.
NODE_MODULES = Path(os.environ.get("LORACHECKS_EDITOR_SERVERS", ROOT / "tools" / "editor" / "node_modules"))
YAML_SERVER = NODE_MODULES / "yaml-language-server" / "bin" / "yaml-language-server"
TAPLO_BRIDGE = ROOT / "tools" / "editor" / "taplo-lsp.mjs"


def node_or_skip(entry: Path) -> list[str]:
    node = shutil.which("node")
    if node is None or not entry.exists():
        pytest.skip(f"{entry.name} is not installed: run tools/setup_editor_servers.sh (needs node and npm)")
    return [node, str(entry)]


@pytest.fixture(scope="session")
def yaml_server_command() -> list[str]:
    return [*node_or_skip(YAML_SERVER), "--stdio"]


@pytest.fixture(scope="session")
def taplo_command() -> Iterator[list[str]]:
    node_or_skip(NODE_MODULES / "@taplo" / "lsp")
    yield node_or_skip(TAPLO_BRIDGE)
