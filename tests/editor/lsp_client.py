"""A small Language Server Protocol client over stdio, for tests: it drives lorachecks' own
server and the editors' servers (yaml-language-server, Taplo) exactly as an editor does."""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

Json = Any


class LspClient:
    def __init__(
        self,
        command: Sequence[str],
        root: Path,
        settings: Json = None,
        initialization_options: Json = None,
        cwd: Path | None = None,
    ) -> None:
        self.process = subprocess.Popen(
            list(command), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd or root
        )
        self.settings = settings or {}
        self.next_id = 0
        self.responses: dict[int, queue.Queue[Json]] = {}
        self.diagnostics: dict[str, list[Json]] = {}
        self.diagnostics_changed = threading.Condition()
        self.notifications: list[Json] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()
        self.capabilities = self.request(
            "initialize",
            {
                "processId": None,
                "rootUri": root.as_uri(),
                "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
                "initializationOptions": initialization_options,
                "capabilities": {
                    "workspace": {"configuration": True, "workspaceFolders": True},
                    "textDocument": {
                        "publishDiagnostics": {"relatedInformation": True, "codeDescriptionSupport": True},
                        "hover": {"contentFormat": ["markdown", "plaintext"]},
                        "completion": {"completionItem": {"snippetSupport": False}},
                        "codeAction": {
                            "codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix", "source"]}}
                        },
                        "synchronization": {"didSave": True},
                    },
                },
            },
        )["capabilities"]
        self.notify("initialized", {})
        if self.settings:
            self.notify("workspace/didChangeConfiguration", {"settings": self.settings})

    # -- wire ---------------------------------------------------------------------------
    def _send(self, message: Json) -> None:
        body = json.dumps(message).encode()
        assert self.process.stdin is not None
        with self.lock:
            self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.process.stdin.flush()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            if length is None:
                continue
            message = json.loads(stream.read(length))
            if "id" in message and "method" in message:
                self._answer(message)
            elif "id" in message:
                self.responses.setdefault(message["id"], queue.Queue()).put(message)
            elif message.get("method") == "textDocument/publishDiagnostics":
                with self.diagnostics_changed:
                    self.diagnostics[message["params"]["uri"]] = message["params"]["diagnostics"]
                    self.diagnostics_changed.notify_all()
            else:
                self.notifications.append(message)

    def _answer(self, request: Json) -> None:
        """Requests from the server: settings, registrations, progress."""
        result: Json = None
        if request["method"] == "workspace/configuration":
            result = [self._section(item.get("section")) for item in request["params"]["items"]]
        self._send({"jsonrpc": "2.0", "id": request["id"], "result": result})

    def _section(self, section: str | None) -> Json:
        value: Json = self.settings
        for part in (section or "").split(".") if section else []:
            value = value.get(part, {}) if isinstance(value, dict) else None
        return value

    # -- protocol -------------------------------------------------------------------------
    def request(self, method: str, params: Json, timeout: float = 30) -> Json:
        self.next_id += 1
        ident = self.next_id
        box = self.responses.setdefault(ident, queue.Queue())
        self._send({"jsonrpc": "2.0", "id": ident, "method": method, "params": params})
        try:
            message = box.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(f"{method}: no answer in {timeout} s; stderr: {self.stderr()}") from None
        if "error" in message:
            raise RuntimeError(f"{method}: {message['error']}")
        return message.get("result")

    def notify(self, method: str, params: Json) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def open(self, path: Path, text: str, language: str) -> str:
        uri = path.as_uri()
        self.diagnostics.pop(uri, None)
        self.notify(
            "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}
        )
        return uri

    def change(self, uri: str, text: str, version: int) -> None:
        with self.diagnostics_changed:
            self.diagnostics.pop(uri, None)
        self.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]},
        )

    def wait_diagnostics(
        self, uri: str, timeout: float = 30, until: Callable[[list[Json]], bool] | None = None
    ) -> list[Json]:
        """The next diagnostics published for ``uri`` (that satisfy ``until``, when given)."""
        deadline = time.monotonic() + timeout
        with self.diagnostics_changed:
            while True:
                found = self.diagnostics.get(uri)
                if found is not None and (until is None or until(found)):
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no diagnostics for {uri} in {timeout} s; stderr: {self.stderr()}")
                self.diagnostics_changed.wait(left)

    def hover(self, uri: str, line: int, character: int) -> Json:
        return self.request(
            "textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}
        )

    def completion(self, uri: str, line: int, character: int) -> list[Json]:
        result = self.request(
            "textDocument/completion",
            {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}},
        )
        if result is None:
            return []
        return list(result["items"] if isinstance(result, dict) else result)

    def stderr(self) -> str:
        if self.process.poll() is None or self.process.stderr is None:
            return "(running)"
        return self.process.stderr.read().decode(errors="replace")[-2000:]

    def close(self) -> int | None:
        if self.process.poll() is None:
            try:
                self.request("shutdown", None, timeout=10)
                self.notify("exit", None)
                self.process.wait(timeout=10)
            except (TimeoutError, OSError, RuntimeError):
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def message_text(hover: Json) -> str:
    """The text of a hover result, whatever shape the server chose."""
    if hover is None:
        return ""
    contents = hover["contents"]
    if isinstance(contents, dict):
        return str(contents.get("value", ""))
    if isinstance(contents, list):
        return "\n".join(c if isinstance(c, str) else c.get("value", "") for c in contents)
    return str(contents)
