"""Run `llamafactory-cli train` for many configs without paying its import time each run.

Run with the LLaMA-Factory venv's Python. It imports LLaMA-Factory once, then reads one JSON
request per line on stdin: {"config": path, "cwd": dir, "env": {...}, "output": file,
"timeout": seconds}. For each it forks a child that starts from the same entry point as
the console script (`llamafactory.cli.main` with argv `llamafactory-cli train CONFIG`),
with stdout and stderr sent to "output", and answers {"returncode": n} (null on timeout).
A forked child runs exactly the trainer's code; only the imports were done beforehand.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
import traceback


def _child(request: dict[str, object]) -> None:
    devnull = os.open(os.devnull, os.O_RDONLY)  # like the console script run with stdin closed
    os.dup2(devnull, 0)
    os.close(devnull)
    fd = os.open(str(request["output"]), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    code = 1
    try:
        os.chdir(str(request["cwd"]))
        os.environ.update({str(k): str(v) for k, v in dict(request["env"]).items()})  # type: ignore[call-overload]
        sys.argv = ["llamafactory-cli", "train", str(request["config"])]
        from llamafactory.cli import main

        main()
        code = 0
    except SystemExit as exc:  # what the interpreter does with an uncaught SystemExit
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            print(exc.code, file=sys.stderr)
            code = 1
    except BaseException:  # an uncaught exception: traceback and exit 1, like the interpreter
        traceback.print_exc()
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def wait_child(pid: int, timeout: float) -> int | None:
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return None
        time.sleep(0.05)


def main() -> int:
    # Answers go to the original stdout; anything the imports print goes to stderr.
    answers = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    import llamafactory.cli
    import llamafactory.launcher
    import llamafactory.train.tuner  # noqa: F401  (the imports the runs share)

    print(json.dumps({"ready": True}), file=answers, flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            answers.close()
            _child(request)
        code = wait_child(pid, float(request.get("timeout", 180)))
        print(json.dumps({"returncode": code}), file=answers, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
