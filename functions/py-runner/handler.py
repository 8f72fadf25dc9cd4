"""
The Python runner: runs `py` and `virtual py` stages. Standard library only (Lambda python3.12).

Two ways in, one behaviour:

- AWS Lambda: `handler(event, context)`; a failure raises `StageFailed`, which Lambda reports as
  errorType "StageFailed" with the message as the error's cause.
- Locally: `python3 handler.py` reads one JSON request on stdin and writes one JSON line on stdout:
  `{"ok": true, "result": ...}` or `{"ok": false, "errorType": ..., "errorMessage": ...}`. The
  caller enforces the timeout by killing the process group.

The request (`PyRunRequest` in lib/protocol) is already rendered: `code` is text parts and
`{"value": v, "in": place}` parts, each value written for its place in the code: a Python literal
in code, text escaped for the string literal it sits in (see `join_code`), so no value is ever read
as code. The code runs with `globals` (the context roots: params, stages, matrix, item, ...)
and `vars` over them as its global namespace.

Decisions:
- outputs are the names the code leaves in its namespace, except dunder names, modules,
  functions and classes, and context globals it did not reassign; `vars` are included (they are
  the stage's own variables). Values are made JSON: tuples become lists, sets sorted lists,
  dates ISO text, Decimals floats, anything else its repr.
- Text leaves the runner well-formed: Python strings may hold lone surrogates (`"\\ud800"`), which
  UTF-8 cannot encode and JSON readers treat differently. In outputs (values and keys) and in
  failure messages, a high surrogate followed by a low one becomes the character they spell (as
  JSON and JavaScript read the pair), and any other surrogate becomes U+FFFD, the replacement
  character (as `String.prototype.toWellFormed` does). print() of such text writes the surrogate
  to the logs as its escape (`\\ud800`) instead of failing the stage.
- Outputs past the output budget are written to the results bucket (`WF_RESULTS_BUCKET`) under
  `wf-spill/` and replaced by references, and references in `globals` and `vars` are read back
  before the code runs (`spill_outputs`, `resolve_spilled_refs`; lib/protocol/spill-refs.ts).
- print() output is not an output: it goes to the logs (CloudWatch on AWS, stderr locally, where
  stdout is the protocol channel and file descriptor 1 is pointed at stderr while code runs).
- exit()/sys.exit() in py code fails the stage; it never ends the runner.
- A failure's message starts with the stage and the exception, then the traceback of the stage's
  own code lines (runner frames are left out).
- A failure stays well under Step Functions' 32,768-character cause once the Lambda runtime has
  wrapped it (`fit_failure`, the same steps as lib/runtime/fit-record.ts): long outputs, then the
  message, are cut in the middle with a marker.
- py and virtual py code runs in a fresh temporary directory, removed afterwards: on Lambda the
  runner's own folder (/var/task) is read-only, and locally it is the same, so relative paths
  behave alike on both.
"""

from __future__ import annotations

import builtins
import datetime
import decimal
import fcntl
import hashlib
import inspect
import io
import json
import linecache
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import traceback
import re
import types
import uuid
from contextlib import contextmanager
from typing import Any, Iterator

# Bytes kept per captured stream of a virtual py stage (head and tail, marker between).
OUTPUT_BYTES = 64 * 1024
# The most a failure may take once the Lambda runtime has wrapped it (Step Functions keeps 32,768).
FAILURE_BUDGET_CHARS = 24_000
# Characters kept of each text before the next one is cut (see fit_record).
TRIM_FLOOR_CHARS = 1_000
# Room left for the runtime's stackTrace (the frames of the handler's raise; measured ~200).
TRACE_RESERVE_CHARS = 2_000
# Step Functions' limit on an error name.
ERROR_NAME_CHARS = 256
# Seconds between SIGTERM and SIGKILL when a virtual py process is stopped.
KILL_GRACE = 2.0


class StageFailed(Exception):
    """A stage failure; the message is the JSON of the failed stage record."""


class BadRequest(Exception):
    """A request this runner does not understand (a compiler or wiring bug)."""


class _Timeout(BaseException):
    """Raised in the stage's code when its timeout passes (BaseException: `except Exception` cannot swallow it)."""


# --- failures within a cause ---------------------------------------------------------------------


def truncation_marker(dropped: int) -> str:
    """The marker that stands for `dropped` bytes (UTF-8) cut from the middle of a text."""
    return f"…[truncated {dropped} bytes]…"


def trim_middle(text: str, keep: int) -> str:
    """`text` when it has at most `keep` characters; else its head and tail, `keep` characters in
    all (the head gets the odd one), around a truncation marker."""
    if len(text) <= keep:
        return text
    keep = max(0, int(keep))
    head = (keep + 1) // 2
    tail = keep - head
    dropped = text[head : len(text) - tail]
    return text[:head] + truncation_marker(len(dropped.encode("utf-8", "surrogatepass"))) + text[len(text) - tail :]


def _json_bytes(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass"))


def _skeleton(value: Any) -> Any:
    if isinstance(value, str):
        return ""
    if isinstance(value, list):
        return [_skeleton(v) for v in value]
    if isinstance(value, dict):
        return {k: _skeleton(v) for k, v in value.items()}
    return value


def _shrink_value(value: Any, level: int) -> Any:
    """`value` with every string longer than `level` cut to it; a list or dict whose size without
    its strings is still over `level` becomes a `__truncated__` marker."""
    if isinstance(value, str):
        return trim_middle(value, level)
    if not isinstance(value, (list, dict)):
        return value
    if _json_bytes(_skeleton(value)) > max(level, 2):
        return {"__truncated__": f"{_json_bytes(value)} bytes"}
    if isinstance(value, list):
        return [_shrink_value(v, level) for v in value]
    return {k: _shrink_value(v, level) for k, v in value.items()}


def _longest(value: Any) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, (list, dict)):
        inner = value if isinstance(value, list) else list(value.values())
        return max([_json_bytes(value), *(_longest(v) for v in inner)])
    return 0


def largest_fitting(low: int, high: int, fits: Any) -> int | None:
    """The largest whole number in [low, high] that `fits`, or None when not even `low` does."""
    if not fits(low):
        return None
    lo, hi = low, max(low, high)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fits(mid):
            lo = mid
        else:
            hi = mid - 1
    return lo


def fit_record(record: dict, fits: Any) -> dict:
    """`record` as it is when it fits; else shrunk: the outputs' strings down to one length (not
    under the floor; lists and dicts longer than that without their strings become a `__truncated__`
    marker), then the error message, then both below the floor, at worst the outputs one marker and
    the name cut to 256."""
    if fits(record):
        return record
    outputs = record.get("outputs") or {}
    errors = record.get("errors") or {"name": "StageError", "message": ""}
    message = errors.get("message") if isinstance(errors.get("message"), str) else json.dumps(errors.get("message"))

    def build(out: int, msg: int) -> dict:
        shrunk = {k: _shrink_value(v, out) for k, v in outputs.items()}
        return {**record, "outputs": shrunk, "errors": {**errors, "message": trim_middle(message, msg)}}

    steps = [
        (TRIM_FLOOR_CHARS, _longest(outputs), lambda n: build(n, len(message))),
        (TRIM_FLOOR_CHARS, len(message), lambda n: build(TRIM_FLOOR_CHARS, n)),
        (0, TRIM_FLOOR_CHARS, lambda n: build(n, TRIM_FLOOR_CHARS)),
        (0, TRIM_FLOOR_CHARS, lambda n: build(0, n)),
    ]
    for low, high, at in steps:
        level = largest_fitting(low, high, lambda n, at=at: fits(at(n)))
        if level is not None:
            return at(level)
    last = build(0, 0)
    name = trim_middle(str(errors.get("name")), ERROR_NAME_CHARS)
    return {**last, "outputs": {"__truncated__": f"{_json_bytes(outputs)} bytes"}, "errors": {**last["errors"], "name": name}}


def _wrapped_length(error_type: str, message: str) -> int:
    """The length of the Lambda runtime's report of an error (its JSON, non-ASCII escaped), with
    room for its stack trace."""
    shape = {"errorMessage": message, "errorType": error_type, "requestId": "0" * 36, "stackTrace": []}
    return len(json.dumps(shape)) + TRACE_RESERVE_CHARS


def fit_failure(error_type: str, message: str, budget: int = FAILURE_BUDGET_CHARS) -> str:
    """The message of a failure, shrunk when the runtime's report of it would pass `budget`: a
    failed record through `fit_record`, any other text cut in the middle."""
    if _wrapped_length(error_type, message) <= budget:
        return message

    def fits(text: str) -> bool:
        return _wrapped_length(error_type, text) <= budget

    try:
        record = json.loads(message)
    except ValueError:
        record = None
    if isinstance(record, dict) and isinstance(record.get("errors"), dict):
        return _dumps_record(fit_record(record, lambda r: fits(_dumps_record(r))))
    return trim_middle(message, largest_fitting(0, len(message), lambda n: fits(trim_middle(message, n))) or 0)


def lambda_cause(e: BaseException) -> str:
    """What the Lambda Python runtime reports for `e`, Step Functions' cause: `{errorMessage,
    errorType, requestId, stackTrace}` as its `json.dumps` writes it, with the frames below the
    caller's (the runtime leaves its bootstrap frames out)."""
    frames = traceback.extract_tb(e.__traceback__)[1:]
    shape = {"errorMessage": str(e), "errorType": type(e).__name__, "requestId": str(uuid.uuid4()), "stackTrace": traceback.format_list(frames)}
    return json.dumps(shape)


def _dumps_record(record: dict) -> str:
    return well_formed(json.dumps(record, ensure_ascii=False, separators=(",", ":")))


def _failed(name: str, message: str, outputs: dict | None = None) -> StageFailed:
    record = {"status": "FAILED", "outputs": outputs or {}, "errors": {"name": name, "message": message}}
    return StageFailed(_dumps_record(record))


# --- code assembly -------------------------------------------------------------------------------


def py_literal(value: Any) -> str:
    """The Python literal of a JSON value: None, True, 3, 0.5, 'text', [1, 2], {'a': 1}."""
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "float('nan')"
        if math.isinf(value):
            return "float('inf')" if value > 0 else "float('-inf')"
        return repr(value)
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(py_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{py_literal(k)}: {py_literal(v)}" for k, v in value.items()) + "}"
    return repr(value)


def in_string(value: Any, fstring: bool) -> str:
    """The text of a value escaped for the string literal it sits in (any non-raw quotes, triple or
    not): strings as they are, other values as their literal; backslash, both quotes, and anything
    unprintable escaped, and in an f-string `{` and `}` doubled. No value can end the string."""
    text = value if isinstance(value, str) else py_literal(value)
    out = []
    for ch in text:
        if ch in "\\'\"":
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif fstring and ch in "{}":
            out.append(ch + ch)
        elif ch != " " and not ch.isprintable():
            c = ord(ch)
            out.append(f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}" if c < 0x10000 else f"\\U{c:08x}")
        else:
            out.append(ch)
    return "".join(out)


def in_code(value: Any) -> str:
    """A value written as code: its Python literal, a negative number in parentheses (so it cannot
    join the code before it: `10(-1)` is an error, never `10-1`)."""
    text = py_literal(value)
    return f"({text})" if isinstance(value, (int, float)) and not isinstance(value, bool) and text.startswith("-") else text


_PLACES = {"v": None, "s": "string", "f": "fstring"}


def join_code(parts: Any) -> str:
    """The source of a request's `code` parts: text as is, each value written for its place (`in`):
    absent, a Python literal; "string" or "fstring", text escaped for that string literal."""
    if isinstance(parts, str):
        return parts
    if isinstance(parts, dict):
        # Keyed form from state machine Parameters (which cannot hold paths inside lists):
        # "t<i>" is text, "v<i>" a value in code, "s<i>" in a string, "f<i>" in an f-string; i gives the order.
        keyed = []
        for key, value in parts.items():
            if len(key) < 2 or (key[0] != "t" and key[0] not in _PLACES) or not key[1:].isdigit():
                raise BadRequest(f'a "code" key must be t<n>, v<n>, s<n> or f<n>, got {key!r}')
            part = value if key[0] == "t" else {"value": value, **({"in": _PLACES[key[0]]} if _PLACES[key[0]] else {})}
            keyed.append((int(key[1:]), part))
        parts = [part for _, part in sorted(keyed, key=lambda kv: kv[0])]
    if not isinstance(parts, list):
        raise BadRequest('"code" must be a list of text and {"value": ...} parts')
    out = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif isinstance(part, dict) and "value" in part:
            place = part.get("in")
            if place is None:
                out.append(in_code(part["value"]))
            elif place in ("string", "fstring"):
                out.append(in_string(part["value"], place == "fstring"))
            else:
                raise BadRequest(f'a value part\'s "in" must be "string" or "fstring", got {place!r}')
        else:
            raise BadRequest(f'a "code" part must be text or {{"value": ...}}, got {part!r}')
    return "".join(out)


# --- outputs -------------------------------------------------------------------------------------


_SURROGATE = re.compile("[\ud800-\udbff][\udc00-\udfff]|[\ud800-\udfff]")


def well_formed(text: str) -> str:
    """`text` with surrogate pairs joined into their character and lone surrogates as U+FFFD."""
    if not _SURROGATE.search(text):
        return text
    return _SURROGATE.sub(lambda m: m.group().encode("utf-16-le", "surrogatepass").decode("utf-16-le") if len(m.group()) == 2 else "\ufffd", text)


def to_json(value: Any, _seen: set[int] | None = None) -> Any:
    """`value` as JSON-compatible data with well-formed text (see the module docstring)."""
    seen = _seen if _seen is not None else set()
    if isinstance(value, str):
        return well_formed(value)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, decimal.Decimal):
        f = float(value)
        return f if math.isfinite(f) else str(value)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if id(value) in seen:
        return "<circular reference>"
    if isinstance(value, dict):
        seen.add(id(value))
        out = {well_formed(k if isinstance(k, str) else str(k)): to_json(v, seen) for k, v in value.items()}
        seen.discard(id(value))
        return out
    if isinstance(value, (list, tuple)):
        seen.add(id(value))
        items = [to_json(v, seen) for v in value]
        seen.discard(id(value))
        return items
    if isinstance(value, (set, frozenset)):
        try:
            ordered = sorted(value)
        except TypeError:
            ordered = sorted(value, key=repr)
        return [to_json(v, seen) for v in ordered]
    return repr(value)


def _is_output(name: str, value: Any, given: dict) -> bool:
    if name.startswith("__"):
        return False
    if isinstance(value, types.ModuleType) or inspect.isclass(value):
        return False
    if inspect.isfunction(value) or inspect.isbuiltin(value) or inspect.ismethod(value):
        return False
    return not (name in given and given[name] is value)


def collect_outputs(namespace: dict, given: dict) -> dict:
    """The outputs of a py stage: its namespace less what is not data or was given unchanged."""
    return {k: to_json(v) for k, v in namespace.items() if _is_output(k, v, given)}


# --- py ------------------------------------------------------------------------------------------


@contextmanager
def scratch_dir(prefix: str) -> Iterator[str]:
    """A fresh, writable temporary directory as the working directory while the stage's code runs,
    removed afterwards (the previous working directory is restored)."""
    path = tempfile.mkdtemp(prefix=prefix)
    try:
        previous: str | None = os.getcwd()
    except OSError:
        previous = None
    os.chdir(path)
    try:
        yield path
    finally:
        os.chdir(previous if previous is not None and os.path.isdir(previous) else tempfile.gettempdir())
        shutil.rmtree(path, ignore_errors=True)


def _safe_str(e: BaseException) -> str:
    try:
        return str(e)
    except Exception:  # noqa: BLE001 - a broken __str__ must not hide the failure
        return repr(e)


def error_text(label: str, e: BaseException, filename: str) -> str:
    """`<label> raised Name: text`, then the traceback of the stage's own lines."""
    text = _safe_str(e)
    lines = [f"{label} raised {type(e).__name__}" + (f": {text}" if text else "")]
    frames = [f for f in traceback.extract_tb(e.__traceback__) if f.filename == filename]
    if frames:
        lines.append("Traceback (most recent call last):")
        lines.append("".join(traceback.format_list(frames)).rstrip("\n"))
    lines.append("".join(traceback.format_exception_only(type(e), e)).rstrip("\n"))
    return "\n".join(lines)


def syntax_error_text(label: str, e: SyntaxError) -> str:
    where = f" at line {e.lineno}" if e.lineno else ""
    out = f"{label} has a syntax error{where}: {e.msg}"
    if e.text:
        source = e.text.rstrip("\n")
        stripped = source.lstrip()
        out += f"\n    {stripped}"
        if e.offset:
            caret = max(0, e.offset - 1 - (len(source) - len(stripped)))
            out += "\n    " + " " * caret + "^"
    return out


@contextmanager
def _deadline(seconds: Any) -> Iterator[None]:
    """Raises `_Timeout` in the running code after `seconds` (main thread only; else a no-op)."""
    usable = isinstance(seconds, (int, float)) and seconds > 0 and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def on_alarm(signum: int, frame: Any) -> None:
        raise _Timeout()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, float(seconds))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


_RESULT_SPELLING = {"SUCCESS": "success", "FAILED": "failure", "SKIP": "skipped", "CANCEL": "cancelled"}
ENV_PREFIX = "WORKFLOW_ENV_"


def context_globals(ctx: Any) -> dict:
    """The context as py code sees it, built from the wire context the same way the stage runner
    builds its expression scope: `stages` merged from the visible scopes (inner ids shadow outer),
    `needs` from the needed jobs (with `result` in GitHub spelling), `env` from the workflow's
    `extras.env` over the runner's `WORKFLOW_ENV_*` variables."""
    if not isinstance(ctx, dict):
        raise BadRequest('"globals" must be an object')
    out = {k: v for k, v in ctx.items() if k not in ("scopes", "needs", "env")}
    scopes = ctx.get("scopes")
    if scopes is not None:
        if isinstance(scopes, dict):
            scopes = [v for _, v in sorted(scopes.items(), key=lambda kv: int(kv[0]) if str(kv[0]).isdigit() else 0)]
        stages: dict = {}
        for scope in scopes or []:
            if isinstance(scope, dict):
                stages.update(scope)
        out["stages"] = stages
    if isinstance(ctx.get("needs"), list):
        jobs = ctx.get("jobs") or {}
        needs = {}
        for job_id in ctx["needs"]:
            job = jobs.get(job_id) if isinstance(jobs, dict) else None
            job = dict(job) if isinstance(job, dict) else {"status": "SKIP"}
            job.setdefault("outputs", {})
            job["result"] = _RESULT_SPELLING.get(job.get("status"), "skipped")
            needs[job_id] = job
        out["needs"] = needs
    if "env" in ctx:
        env = {k[len(ENV_PREFIX):]: v for k, v in os.environ.items() if k.startswith(ENV_PREFIX)}
        env.update(ctx.get("env") or {})
        out["env"] = env
    return out


def run_py(event: dict) -> dict:
    """Runs a py stage and returns `{status: 'SUCCESS', outputs}`; raises `StageFailed`."""
    name = str(event.get("name") or "py")
    label = f"py stage {json.dumps(name, ensure_ascii=False)}"
    source = join_code(event.get("code", []))
    given = context_globals(event.get("globals") or {})
    variables = event.get("vars") or {}
    if not isinstance(variables, dict):
        raise BadRequest('"vars" must be an object')
    filename = f"<py stage {name}>"
    try:
        code = compile(source, filename, "exec")
    except SyntaxError as e:
        raise _failed("SyntaxError", syntax_error_text(label, e)) from None
    namespace = dict(given)
    namespace.update(variables)
    namespace["__name__"] = "__main__"
    namespace["__builtins__"] = builtins
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    timeout = event.get("timeout")
    try:
        with scratch_dir("wf-py-"), _deadline(timeout):
            exec(code, namespace)  # noqa: S102 - running the stage's code is this runner's job
    except _Timeout:
        raise _failed("StageTimeout", f"{label} timed out after {timeout} s") from None
    except SystemExit as e:
        message = (
            f"{label} called exit({e.code!r}): a py stage cannot end the Python runner; "
            "let the code finish, or raise an exception to fail the stage"
        )
        raise _failed("SystemExit", message) from None
    except BaseException as e:  # noqa: BLE001 - any failure of user code is the stage's failure
        raise _failed(type(e).__name__, error_text(label, e, filename)) from None
    finally:
        linecache.cache.pop(filename, None)
    return {"status": "SUCCESS", "outputs": collect_outputs(namespace, given)}


# --- virtual py ----------------------------------------------------------------------------------

# Runs inside the venv's interpreter: builds the namespace, runs the stage's code, and on an
# exception prints a traceback of the stage's own lines and exits 1.
_BOOT = r"""
import json, linecache, sys, traceback
# The payload and the code come on stdin, never in a file: they may hold secret values.
f = json.loads(sys.stdin.buffer.read().decode("utf-8"))
payload, source = f["payload"], f["source"]
filename = "<virtual py stage " + payload["name"] + ">"
linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
namespace = dict(payload["globals"])
namespace.update(payload["vars"])
namespace["__name__"] = "__main__"
del f, payload
try:
    exec(compile(source, filename, "exec"), namespace)
except SystemExit:
    raise
except BaseException as e:
    frames = [fr for fr in traceback.extract_tb(e.__traceback__) if fr.filename == filename]
    if frames:
        sys.stderr.write("Traceback (most recent call last):\n" + "".join(traceback.format_list(frames)))
    sys.stderr.write("".join(traceback.format_exception_only(type(e), e)))
    sys.exit(1)
"""


def _clip(data: bytes) -> str:
    if len(data) > OUTPUT_BYTES:
        half = OUTPUT_BYTES // 2
        dropped = len(data) - 2 * half
        data = data[:half] + truncation_marker(dropped).encode() + data[-half:]
    return data.decode("utf-8", errors="replace").rstrip()


def _run(args: list[str], timeout: float | None = None, cwd: str | None = None, stdin: bytes | None = None) -> tuple[int, str, str, bool]:
    """Runs a process (with `stdin` as its input, else none); returns (return code, stdout, stderr,
    timed out). Stops it on timeout."""
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL, cwd=cwd)
    try:
        out, err = proc.communicate(input=stdin, timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        proc.terminate()
        try:
            out, err = proc.communicate(timeout=KILL_GRACE)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
        timed_out = True
    code = proc.returncode
    if code < 0:
        code = 128 - code
    return code, _clip(out), _clip(err), timed_out


def _last_lines(text: str, count: int) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("ERROR")]
    return "\n".join((errors or lines)[-count:])


def _base_python(version: str) -> str:
    """An interpreter for `version`: a working `python<version>` on PATH, else this one (with a warning)."""
    current = f"{sys.version_info.major}.{sys.version_info.minor}"
    if version in (current, str(sys.version_info.major)):
        return sys.executable
    found = shutil.which(f"python{version}")
    if found:
        try:
            probe = subprocess.run([found, "-c", "import venv"], capture_output=True, timeout=30)
            if probe.returncode == 0:
                return found
        except (OSError, subprocess.TimeoutExpired):
            pass
    print(
        f"virtual py: Python {version} was asked for but is not installed (and uv is not available); using Python {current}",
        file=sys.stderr,
    )
    return sys.executable


def _venv_root() -> str:
    return os.environ.get("WORKFLOW_CORE_VENV_CACHE") or os.path.join(tempfile.gettempdir(), "sfn-workflow-venvs")


def ensure_venv(label: str, deps: list[str], version: str) -> str:
    """The python of a venv with `deps` installed, created once per (deps, version) and cached."""
    uv = shutil.which("uv")
    base = None if uv else _base_python(version)
    key = hashlib.sha256(json.dumps({"deps": sorted(deps), "version": version, "tool": "uv" if uv else base}).encode()).hexdigest()[:16]
    root = _venv_root()
    os.makedirs(root, exist_ok=True)
    venv = os.path.join(root, key)
    python = os.path.join(venv, "bin", "python")
    ready = os.path.join(venv, ".ready")
    with open(venv + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(ready):
            return python
        shutil.rmtree(venv, ignore_errors=True)
        if uv:
            steps = [[uv, "venv", "--quiet", "--python", version, venv]]
            if deps:
                steps.append([uv, "pip", "install", "--quiet", "--python", python, *deps])
        else:
            steps = [[base, "-m", "venv", venv]]
            if deps:
                steps.append([python, "-m", "pip", "install", "--disable-pip-version-check", "--no-input", "--quiet", *deps])
        for step in steps:
            try:
                code, out, err, _ = _run(step)
            except OSError as e:
                code, out, err = 127, "", str(e)
            if code != 0:
                shutil.rmtree(venv, ignore_errors=True)
                tool = "uv" if uv else ("pip" if "pip" in step else "venv")
                shown = ", ".join(json.dumps(d) for d in deps) or "(none)"
                detail = _last_lines(err or out, 4) or f"exit code {code}"
                hint = ""
                if tool != "venv":
                    hint = "\nthe package index must be reachable (or set PIP_INDEX_URL / PIP_FIND_LINKS to a reachable or local one)"
                message = f"{label} could not install its deps {shown} for Python {version}: {tool} failed:\n{detail}{hint}"
                raise _failed("DependencyError", message)
        with open(ready, "w") as f:
            f.write("\n".join(deps))
    return python


def run_virtual_py(event: dict) -> dict:
    """Runs a virtual py stage in a cached venv; outputs `{return_code, stdout, stderr}`."""
    name = str(event.get("name") or "virtual-py")
    label = f"virtual py stage {json.dumps(name, ensure_ascii=False)}"
    deps = [str(d) for d in (event.get("deps") or [])]
    version = str(event.get("version") or "3.12")
    source = join_code(event.get("code", []))
    python = ensure_venv(label, deps, version)
    work = tempfile.mkdtemp(prefix="wf-vpy-")
    try:
        # Only the boot script is a file; the payload and the code (which may hold secret values)
        # go through a pipe, so nothing of them stays on disk if the runner is killed.
        boot = os.path.join(work, "boot.py")
        with open(boot, "w", encoding="utf-8") as f:
            f.write(_BOOT)
        payload = {"name": name, "globals": context_globals(event.get("globals") or {}), "vars": event.get("vars") or {}}
        stdin = json.dumps({"payload": payload, "source": source}).encode("ascii")
        timeout = event.get("timeout")
        limit = float(timeout) if isinstance(timeout, (int, float)) and timeout > 0 else None
        with scratch_dir("wf-vpy-cwd-") as cwd:
            code, out, err, timed_out = _run([python, boot], limit, cwd, stdin)
        outputs = {"return_code": code, "stdout": out, "stderr": err}
        if timed_out:
            raise _failed("StageTimeout", f"{label} timed out after {timeout} s and was killed", outputs)
        if code != 0:
            tail = _last_lines(err, 1) or _last_lines(out, 1)
            raise _failed("StageError", f"{label} exited with code {code}" + (f": {tail}" if tail else ""), outputs)
        return {"status": "SUCCESS", "outputs": outputs}
    finally:
        shutil.rmtree(work, ignore_errors=True)


# --- entry points --------------------------------------------------------------------------------


OUTPUT_BUDGET_BYTES = 32 * 1024


SECRET_REF_KEY = "$wf:secret"


def _is_secret_ref(v: Any) -> bool:
    return isinstance(v, dict) and isinstance(v.get(SECRET_REF_KEY), str) and set(v) <= {SECRET_REF_KEY, "at"}


_ssm_client: Any = None


def _ssm_get(name: str) -> str | None:
    """The stored text of a secret: a SecureString of Parameter Store (lib/runtime/secret-store.ts)."""
    global _ssm_client
    import boto3  # the Lambda runtime has it; only requests that hold secret references load it

    _ssm_client = _ssm_client or boto3.client("ssm")
    try:
        return _ssm_client.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]
    except _ssm_client.exceptions.ParameterNotFound:
        return None


def resolve_secret_refs(event: dict, get: Any = None) -> dict:
    """The request with every secret reference (lib/protocol/secret-refs.ts) replaced by the value it
    stands for, read from the store under `$WF_SECRETS_PREFIX`, only for the request's run (or its
    parent), as the stage runner does. Values stay in this process's memory."""
    # Only a workflow with secret params has references (its requests name them in `secrets`).
    if not event.get("secrets") or SECRET_REF_KEY not in json.dumps(event):
        return event
    get = get or _ssm_get
    prefix = os.environ.get("WF_SECRETS_PREFIX", "").rstrip("/")
    if not prefix:
        raise BadRequest("this request holds secret references, but the runner has no secret store (WF_SECRETS_PREFIX is not set)")
    run = event.get("secretRun") if isinstance(event.get("secretRun"), dict) else (event.get("globals") or {}).get("run") or {}
    runs = {r for r in (run.get("id"), run.get("parent")) if isinstance(r, str)}
    texts: dict = {}

    def resolve(v: Any, depth: int = 0) -> Any:
        if _is_secret_ref(v):
            name = v[SECRET_REF_KEY]
            rest = name[len(prefix) + 1:].split("/") if name.startswith(prefix + "/") else []
            if len(rest) != 2 or rest[0] not in runs:
                raise BadRequest(f"a secret reference to {name!r} is not one this run may read")
            if name not in texts:
                texts[name] = get(name)
            if texts[name] is None:
                raise _failed("SecretError", f"the secret {name[len(prefix) + 1:]!r} is no longer stored (its run ended, or it was never stored)")
            value = json.loads(texts[name])
            for step in v.get("at") or []:
                value = value[step] if isinstance(value, (list, dict)) and (step in value if isinstance(value, dict) else isinstance(step, int) and 0 <= step < len(value)) else None
            return value
        if depth > 100:
            return v
        if isinstance(v, list):
            return [resolve(x, depth + 1) for x in v]
        if isinstance(v, dict):
            return {k: resolve(x, depth + 1) for k, x in v.items()}
        return v

    out = dict(event)
    for key in ("globals", "vars", "code", "secretValues"):
        if key in out:
            out[key] = resolve(out[key])
    return out


MIN_SECRET_CHARS = 4


def _mask_text_forms(out: set, text: str) -> None:
    forms = [text, json.dumps(text, ensure_ascii=False)[1:-1]]
    for line in re.split(r"\r\n|\r|\n", text):
        forms += [line, line.strip(), json.dumps(line, ensure_ascii=False)[1:-1]]
    out.update(f for f in forms if len(f) >= MIN_SECRET_CHARS)


def _mask_value_forms(out: set, value: Any, depth: int = 0) -> None:
    if value is None or depth > 20:
        return
    if isinstance(value, str):
        _mask_text_forms(out, value)
    elif isinstance(value, bool):
        _mask_text_forms(out, "true" if value else "false")
    elif isinstance(value, (int, float)):
        _mask_text_forms(out, json.dumps(value))
    elif isinstance(value, (list, dict)):
        _mask_text_forms(out, json.dumps(value, ensure_ascii=False, separators=(",", ":")))
        _mask_text_forms(out, json.dumps(value, ensure_ascii=False, indent=2))
        for v in value if isinstance(value, list) else value.values():
            _mask_value_forms(out, v, depth + 1)


def secret_masks(event: dict) -> list:
    """The masks of the workflow's secret params (named in `secrets`, valued in `secretValues`), as
    GitHub Actions masks secrets and as the stage runner does (lib/runtime/secret-masks.ts): each
    value's exact text, each line of it, its JSON-escaped form, and for a list or map each value in
    it; masks under 4 characters are left out. Longest first."""
    names = event.get("secrets") or []
    values = event.get("secretValues") or {}
    if not isinstance(names, list) or not isinstance(values, dict):
        return []
    out: set = set()
    for name in names:
        if isinstance(name, str) and name in values:
            _mask_value_forms(out, values[name])
    return sorted(out, key=len, reverse=True)


def mask_text(text: str, masks: list) -> str:
    for m in masks:
        if m in text:
            text = text.replace(m, "***")
    return text


def mask_value(value: Any, masks: list, depth: int = 0) -> Any:
    """`value` with every mask replaced by `***` in every string and key, however deep."""
    if not masks:
        return value
    if isinstance(value, str):
        return mask_text(value, masks)
    if depth > 200:
        return value
    if isinstance(value, list):
        return [mask_value(v, masks, depth + 1) for v in value]
    if isinstance(value, dict):
        return {mask_text(k, masks) if isinstance(k, str) else k: mask_value(v, masks, depth + 1) for k, v in value.items()}
    return value


class MaskingWriter(io.TextIOBase):
    """A text stream that masks secrets in what the code prints, a line at a time (a secret split
    across two writes of one line is still masked), before it reaches the logs."""

    def __init__(self, target: Any, masks: list) -> None:
        super().__init__()
        self._target = target
        self._masks = masks
        self._line = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._line += text
        *lines, self._line = self._line.split("\n")
        for line in lines:
            self._target.write(mask_text(line, self._masks) + "\n")
        return len(text)

    def flush(self) -> None:
        if self._line:
            self._target.write(mask_text(self._line, self._masks))
            self._line = ""
        self._target.flush()


def cap_outputs(outputs: dict, budget: int = OUTPUT_BUDGET_BYTES) -> dict:
    """Outputs within the budget as they are; else the largest values replaced, one by one, by a
    marker saying how big they were (the same rule as the stage runner's `capOutputs`), so no state
    payload passes Step Functions' 256 KB limit."""
    def size(value: Any) -> int:
        return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))

    if size(outputs) <= budget:
        return outputs
    out = dict(outputs)
    for key, n in sorted(((k, size(v)) for k, v in out.items()), key=lambda kv: (-kv[1], kv[0])):
        out[key] = {"__truncated__": f"{n} bytes"}
        if size(out) <= budget:
            break
    return out


# Values too big for a state travel as references to JSON objects in the results bucket
# (lib/protocol/spill-refs.ts, the same rules and messages as the stage runner's spill-values.ts).
SPILL_REF_KEY = "__spilled__"
SPILL_PREFIX = "wf-spill/"
RESULTS_BUCKET_ENV = "WF_RESULTS_BUCKET"
SPILL_TO_CALLER_ENV = "WF_SPILL_TO_CALLER"


def is_spill_ref(v: Any) -> bool:
    """True when `v` is a reference object: exactly the key, holding a bucket, a key and a size."""
    if not isinstance(v, dict) or list(v) != [SPILL_REF_KEY]:
        return False
    ref = v[SPILL_REF_KEY]
    return (
        isinstance(ref, dict)
        and isinstance(ref.get("bucket"), str)
        and isinstance(ref.get("key"), str)
        and isinstance(ref.get("bytes"), (int, float))
        and not isinstance(ref.get("bytes"), bool)
    )


def spill_ref_problem(ref: dict, bucket: str | None) -> str | None:
    """Why a reference may not be read with `bucket` as the results bucket, or None when it may: only
    the runner's own bucket, under `wf-spill/`, so a value a stage made up cannot name anything else."""
    b, key = ref[SPILL_REF_KEY]["bucket"], ref[SPILL_REF_KEY]["key"]
    if not bucket:
        return f"this request holds a spilled value (s3://{b}/{key}), but the runner has no results bucket ({RESULTS_BUCKET_ENV} is not set)"
    if b != bucket or not key.startswith(SPILL_PREFIX) or ".." in key:
        return f"a spilled value may only be read from s3://{bucket}/{SPILL_PREFIX}; this one names s3://{b}/{key}"
    return None


_s3_client: Any = None


def _s3() -> Any:
    """One S3 client, made on first use (boto3 takes AWS_ENDPOINT_URL_S3 from the environment)."""
    global _s3_client
    if _s3_client is None:
        import boto3  # the Lambda runtime has it; only requests that spill or read spilled values load it
        from botocore.config import Config

        _s3_client = boto3.client("s3", config=Config(s3={"addressing_style": "path"}))
    return _s3_client


def _s3_get(bucket: str, key: str) -> str:
    return _s3().get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")


def _s3_put(bucket: str, key: str, body: bytes) -> None:
    _s3().put_object(Bucket=bucket, Key=key, Body=body, ContentType="application/json")


def _walk_refs(v: Any, on_ref: Any, depth: int = 0) -> Any:
    """`v` with each spill reference replaced by `on_ref(ref)`, however deep (to 100 levels)."""
    if is_spill_ref(v):
        return on_ref(v)
    if depth > 100:
        return v
    if isinstance(v, list):
        return [_walk_refs(x, on_ref, depth + 1) for x in v]
    if isinstance(v, dict):
        return {k: _walk_refs(x, on_ref, depth + 1) for k, x in v.items()}
    return v


def resolve_spilled_refs(event: dict, get: Any = None) -> dict:
    """The request with every spilled value in `globals` and `vars` read back from the results
    bucket, so the code sees the value itself. Every reference is checked before any is read; each
    object is read once."""
    parts = {k: event[k] for k in ("globals", "vars") if k in event}
    if f'"{SPILL_REF_KEY}"' not in json.dumps(parts):
        return event
    get = get or _s3_get
    bucket = os.environ.get(RESULTS_BUCKET_ENV) or None
    texts: dict = {}

    def check(ref: dict) -> dict:
        problem = spill_ref_problem(ref, bucket)
        if problem:
            raise BadRequest(problem)
        texts[ref[SPILL_REF_KEY]["key"]] = None
        return ref

    def load(ref: dict) -> Any:
        key = ref[SPILL_REF_KEY]["key"]
        try:
            if texts[key] is None:
                texts[key] = get(bucket, key)
            return json.loads(texts[key])
        except Exception as e:  # noqa: BLE001 - any failure to read it is the stage's failure
            raise _failed("SpillError", f"could not read the spilled value s3://{bucket}/{key}: {_safe_str(e)}") from None

    for part in parts.values():
        _walk_refs(part, check)
    out = dict(event)
    for name in parts:
        out[name] = _walk_refs(out[name], load)
    return out


def spill_outputs(outputs: dict, put: Any = None, budget: int = OUTPUT_BUDGET_BYTES) -> dict:
    """Outputs within the budget: as they are. With `WF_SPILL_TO_CALLER=1` (a local run): as they are,
    the caller spills them. With a results bucket: the largest values written to it under
    `wf-spill/`, one by one, each replaced by its reference, until the rest fits (a value that cannot
    be written is truncated instead, and said so on stderr). Else truncated (`cap_outputs`)."""
    bucket = os.environ.get(RESULTS_BUCKET_ENV)
    if os.environ.get(SPILL_TO_CALLER_ENV) == "1" or _json_bytes(outputs) <= budget:
        return outputs
    if not bucket:
        return cap_outputs(outputs, budget)
    put = put or _s3_put
    out = dict(outputs)
    for name, n in sorted(((k, _json_bytes(v)) for k, v in out.items()), key=lambda kv: (-kv[1], kv[0])):
        body = json.dumps(out[name], ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        key = f"{SPILL_PREFIX}{uuid.uuid4()}.json"
        try:
            put(bucket, key, body)
            out[name] = {SPILL_REF_KEY: {"bucket": bucket, "key": key, "bytes": len(body)}}
        except Exception as e:  # noqa: BLE001 - a value that cannot be written never fails the run
            print(f"could not write output {json.dumps(name, ensure_ascii=False)} ({n} bytes) to s3://{bucket}/{SPILL_PREFIX}: {_safe_str(e)}; it is truncated", file=sys.stderr)
            out[name] = {"__truncated__": f"{n} bytes"}
        if _json_bytes(out) <= budget:
            break
    return out


def handler(event: Any, context: Any = None) -> dict:
    """Lambda entry: runs a PyRunRequest; returns `{status, outputs}` or raises StageFailed/BadRequest.
    A request with a `key` gets it back in a failed record, so the state machine can tell which
    stage failed."""
    if not isinstance(event, dict):
        raise BadRequest(f"a Python runner request must be an object, got {type(event).__name__}")
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    action = event.get("action")
    masks: list = []
    streams = (sys.stdout, sys.stderr)
    try:
        event = resolve_secret_refs(event)
        event = resolve_spilled_refs(event)
        masks = secret_masks(event)
        if masks:
            sys.stdout, sys.stderr = MaskingWriter(sys.stdout, masks), MaskingWriter(sys.stderr, masks)
        if action in ("py", "virtual-py"):
            result = run_py(event) if action == "py" else run_virtual_py(event)
            return {**result, "outputs": spill_outputs(mask_value(result.get("outputs") or {}, masks))}
    except StageFailed as e:
        key = event.get("key")
        record = mask_value(json.loads(str(e)), masks)
        if isinstance(key, str):
            record["key"] = key
        raise StageFailed(fit_failure("StageFailed", _dumps_record(record))) from None
    except BadRequest as e:
        raise BadRequest(fit_failure("BadRequest", str(e))) from None
    finally:
        if masks:
            sys.stdout.flush()
            sys.stderr.flush()
            sys.stdout, sys.stderr = streams
    raise BadRequest(f'unknown action {action!r}; the Python runner takes "py" and "virtual-py"')


def main() -> None:
    """CLI entry: one JSON request on stdin, one JSON line on stdout. A failure's line carries, as
    `cause`, what the Lambda runtime would report for it, so local runs see AWS's cause."""
    reply = os.fdopen(os.dup(1), "w", encoding="utf-8")
    sys.stdout.flush()
    os.dup2(2, 1)
    try:
        event = json.loads(sys.stdin.buffer.read().decode("utf-8"))
        response: dict = {"ok": True, "result": handler(event)}
    except (StageFailed, BadRequest) as e:
        response = {"ok": False, "errorType": type(e).__name__, "errorMessage": str(e), "cause": lambda_cause(e)}
    except json.JSONDecodeError as e:
        response = {"ok": False, "errorType": "BadRequest", "errorMessage": f"the request is not JSON: {e}"}
    except BaseException as e:  # noqa: BLE001 - a runner bug is still answered, never a silent death
        response = {"ok": False, "errorType": type(e).__name__, "errorMessage": "".join(traceback.format_exception(e)), "cause": lambda_cause(e)}
    sys.stdout.flush()
    try:
        line = well_formed(json.dumps(response, ensure_ascii=False, allow_nan=False))
    except (TypeError, ValueError) as e:
        line = json.dumps({"ok": False, "errorType": "BadRequest", "errorMessage": f"the result is not JSON: {e}"})
    reply.write(line + "\n")
    reply.flush()


if __name__ == "__main__":
    main()
