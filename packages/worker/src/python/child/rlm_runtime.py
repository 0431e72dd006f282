# The RLM protocol in Python (DESIGN section 2), run once per sandbox in a private namespace.
#
# User code runs in its own globals dict (`_user`), which persists across steps. The names the
# model may use (context, llm_query, llm_query_batched, rlm_query, rlm_query_batched, FINAL,
# FINAL_VAR, SHOW_VARS, answer, print) are put there before the first step. Sub-calls go to the
# parent process through the /dev/rlm device (see python-child.ts); nothing in this namespace or in
# the user's is a proxy of a JavaScript object.
#
# Returned to JavaScript: `_rlm_setup(context, output_cap, flush_chars)`,
# `_rlm_run_step(code, file_name)`, `_rlm_snapshot()` and `_rlm_restore(text)`, which answer with
# JSON texts (never Python objects).
#
# Snapshots (cluster mode: any worker may run a session's next step) hold the user's picklable
# values, pickled together so that shared references stay shared, plus the source of the
# top-level imports, functions and classes the steps defined, re-run on restore before the values
# are unpickled (so instances of user classes come back). What cannot be kept is named, and the
# model is told on its next step. Unpickling runs inside the sandbox that will hold the state, so a
# hostile snapshot can do no more than the session's own code could.

import ast
import base64
import builtins
import json
import os
import pickle
import signal
import sys
import time
import types

_DEVICE = "/dev/rlm"
_FLUSH_SECONDS = 0.25
# Held while a step runs and dropped at a MemoryError, so that the step's result can still be
# built. A step that cannot get it back finds the heap full (code that swallowed a MemoryError):
# it reports MemoryError without running, and the parent resets the REPL, as it does after any
# MemoryError (the JavaScript sandbox's isolate dies at its limit too).
_RESERVE_BYTES = 8 * 1024 * 1024
# DEFAULT_MAX_PENDING_PROMPT_CHARS (request-capacity.ts; a test keeps the two equal): one call's
# prompts are counted before the frame is built, since each is a copy in host memory.
_PROMPT_CHARS_CAP = 256 * 1024 * 1024
# The session's maxAnswerChars (set by _rlm_setup): a longer final answer is refused here and a
# longer partial answer is not sent, so neither is ever copied to the host (as in the JS sandbox).
_answer_cap = 16 * 1024 * 1024
_reserve = None


class _Output:
    def __init__(self, cap, flush_chars):
        self.cap = cap
        self.flush_chars = flush_chars
        self.reset()

    def reset(self):
        self.kept = 0
        self.total = 0
        self.pending = []
        self.pending_chars = 0
        self.last_flush = time.monotonic()
        # Set while the pending text is being changed: the flush signal's handler leaves it alone then.
        self.busy = False

    def emit(self, text):
        self.busy = True
        try:
            self.total += len(text)
            room = self.cap - self.kept
            if room <= 0:
                return
            piece = text if len(text) <= room else text[:room]
            self.kept += len(piece)
            self.pending.append(piece)
            self.pending_chars += len(piece)
            # Flushing as we go keeps what a step printed before the watchdog kills it.
            if self.pending_chars >= self.flush_chars or time.monotonic() - self.last_flush > _FLUSH_SECONDS:
                self.flush()
        finally:
            self.busy = False

    def flush(self):
        if self.pending:
            _send(b"O", {"type": "output", "text": self.take(), "total": self.total})

    def take(self):
        busy = self.busy
        self.busy = True
        try:
            text = "".join(self.pending)
            self.pending = []
            self.pending_chars = 0
            self.last_flush = time.monotonic()
            return text
        finally:
            self.busy = busy


class _Writer:
    """sys.stdout and sys.stderr: everything printed becomes step output."""

    encoding = "utf-8"
    errors = "strict"

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError("write() argument must be str, not " + type(text).__name__)
        _output.emit(text)
        return len(text)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        pass

    def isatty(self):
        return False

    def writable(self):
        return True

    def readable(self):
        return False


class _NoInput:
    def read(self, *args):
        return ""

    def readline(self, *args):
        return ""

    def readable(self):
        return True


_output = _Output(1_000_000, 16384)


def _flush_on_signal(signum, frame):
    # Raised by python-child.ts every _FLUSH_SECONDS while Python runs, so that what a step
    # printed just before a long computation (`print(...)` then a loop) reaches the parent before
    # the watchdog kills the process: a print alone only flushes on a later print. A signal may
    # arrive between any two bytecodes, also inside emit or take: then the text is left for them.
    if not _output.busy:
        _output.flush()


signal.signal(signal.SIGUSR1, _flush_on_signal)

# The user's globals are a real module registered as __main__, so that pickle finds user classes.
_main = types.ModuleType("__main__")
_user = _main.__dict__
# Source of top-level imports (in order) and of functions and classes (by name), for snapshots.
_imports = []
_definitions = {}
_step = {"final": None, "final_error": None}
_protected = set()


def _send(mark, frame):
    """Writes one frame to the parent; for calls, returns its decoded answer."""
    data = mark + json.dumps(frame, ensure_ascii=False).encode("utf-8", "surrogatepass")
    fd = os.open(_DEVICE, os.O_RDWR)
    try:
        written = os.write(fd, data)
        if written != len(data):
            raise OSError("short write to the host device")
        if mark == b"O":
            return None
        chunks = []
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(fd)
    return json.loads(b"".join(chunks).decode("utf-8"))


def _stringify(value):
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list, tuple)):
        try:
            return json.dumps(value, ensure_ascii=False, indent=2)
        except (TypeError, ValueError):
            pass
    try:
        return str(value)
    except Exception:
        return object.__repr__(value)


def _partial_answer():
    answer = _user.get("answer")
    if not isinstance(answer, dict):
        return None, False
    content = answer.get("content")
    partial = None if content is None or content == "" else _stringify(content)
    return partial, answer.get("ready") is True


def _sendable_partial():
    partial, _ = _partial_answer()
    return partial if partial is not None and len(partial) <= _answer_cap else None


def _answer_too_large(chars):
    return ("the final answer has " + str(chars) + " characters, more than the limit of " + str(_answer_cap)
            + " (maxAnswerChars), so it was not accepted; answer with what was asked for, summarised, not with the material itself")


def _call(name, payload, model):
    if model is not None and not isinstance(model, str):
        return "Error: " + name + ": model must be a str, got " + type(model).__name__
    partial = _sendable_partial()
    frame = {
        "type": "call",
        "name": name,
        "payload": payload,
        "options": None if model is None else {"model": model},
        "output": _output.take(),
        "total": _output.total,
    }
    if partial is not None:
        frame["partialAnswer"] = partial
    return _send(b"C", frame)


def _check_prompts(name, prompts):
    if isinstance(prompts, (str, bytes)) or not hasattr(prompts, "__iter__"):
        return None, "Error: " + name + " expects a list of prompt strs, got " + type(prompts).__name__
    items = list(prompts)
    for index, prompt in enumerate(items):
        if not isinstance(prompt, str):
            return None, "Error: " + name + " expects a list of prompt strs, but item " + str(index) + " is " + type(prompt).__name__
    problem = _oversized(name, sum(len(prompt) for prompt in items))
    return (None, problem) if problem is not None else (items, None)


def _oversized(name, total):
    if total <= _PROMPT_CHARS_CAP:
        return None
    return ("Error: " + name + ": its prompts hold " + str(total) + " characters, more than the " + str(_PROMPT_CHARS_CAP)
            + " the request may have pending at once (each is a copy in host memory); send smaller slices, fewer at once")


def llm_query(prompt, model=None):
    """One sub-LLM call; returns a str (failures as a str starting with "Error:")."""
    if not isinstance(prompt, str):
        return "Error: llm_query expects the prompt as a str, got " + type(prompt).__name__
    return _oversized("llm_query", len(prompt)) or _call("llm_query", prompt, model)


def llm_query_batched(prompts, model=None):
    """Many sub-LLM calls in parallel; returns strs in the prompts' order."""
    items, problem = _check_prompts("llm_query_batched", prompts)
    if problem is not None:
        return [problem]
    if not items:
        return []
    answers = _call("llm_query_batched", items, model)
    return answers if isinstance(answers, list) else [answers] * len(items)


def rlm_query(prompt, model=None):
    """A recursive child RLM whose context is the prompt; a plain call at the depth limit."""
    if not isinstance(prompt, str):
        return "Error: rlm_query expects the prompt as a str, got " + type(prompt).__name__
    return _oversized("rlm_query", len(prompt)) or _call("rlm_query", prompt, model)


def rlm_query_batched(prompts, model=None):
    """Parallel child RLMs; returns strs in the prompts' order."""
    items, problem = _check_prompts("rlm_query_batched", prompts)
    if problem is not None:
        return [problem]
    if not items:
        return []
    answers = _call("rlm_query_batched", items, model)
    return answers if isinstance(answers, list) else [answers] * len(items)


def _make_tool(tool_name):
    def tool(*args, **kwargs):
        if args and kwargs:
            return "Error: " + tool_name + " takes keyword arguments or one dict, not both"
        if len(args) > 1:
            return "Error: " + tool_name + " takes keyword arguments or one dict, got " + str(len(args)) + " positional arguments"
        payload = args[0] if args else dict(kwargs)
        try:
            json.dumps(payload, ensure_ascii=False)
        except (TypeError, ValueError) as error:
            return "Error: " + tool_name + ": the arguments are not JSON (" + str(error) + ")"
        partial = _sendable_partial()
        frame = {
            "type": "call",
            "name": "call_tool",
            "payload": payload,
            "options": tool_name,
            "output": _output.take(),
            "total": _output.total,
        }
        if partial is not None:
            frame["partialAnswer"] = partial
        return _send(b"C", frame)

    tool.__name__ = tool_name
    tool.__qualname__ = tool_name
    tool.__doc__ = "A tool of the caller: keyword arguments (or one dict) in, a JSON value out; failures as a str starting with \"Error:\"."
    return tool


def FINAL(value):
    """Declares the final answer (a str, or anything str()/JSON can render)."""
    _step["final"] = _stringify(value)
    _step["final_error"] = None


def FINAL_VAR(name):
    """Declares the final answer from a variable, named as a str."""
    if not isinstance(name, str):
        _step["final"] = None
        _step["final_error"] = 'FINAL_VAR expects the name of a variable as a str, e.g. FINAL_VAR("result"); use FINAL(value) to answer with a value'
        return
    key = name.strip()
    if key in _protected or key not in _user:
        _step["final"] = None
        _step["final_error"] = 'FINAL_VAR: no variable named "' + key + '"'
        return
    _step["final"] = _stringify(_user[key])
    _step["final_error"] = None


_SIZE_UNITS = {"str": "chars", "list": "items", "tuple": "items", "dict": "keys", "set": "entries", "bytes": "bytes"}


def _describe(name, value):
    kind = type(value).__name__
    size = None
    if isinstance(value, (str, list, tuple, dict, set, frozenset, bytes, bytearray)):
        size = len(value)
    return {"name": name, "type": kind, "size": size}


def _variables():
    listed = []
    for name, value in list(_user.items()):
        if name in _protected or name.startswith("_") or isinstance(value, types.ModuleType):
            continue
        listed.append(_describe(name, value))
    return listed


def SHOW_VARS():
    """Prints and returns the user variables with their type and size."""
    listed = _variables()
    lines = ["No user variables yet."] if not listed else ["Variables:"]
    for item in listed:
        unit = _SIZE_UNITS.get(item["type"])
        size = "" if item["size"] is None or unit is None else " (" + str(item["size"]) + " " + unit + ")"
        lines.append("  " + item["name"] + ": " + item["type"] + size)
    _output.emit("\n".join(lines) + "\n")
    return listed


def _seal():
    """Best effort only: the process around us is the boundary (see the decision record)."""
    blocked = ("js", "pyodide_js", "pyodide", "_pyodide", "_pyodide_core", "micropip")

    class _Blocker:
        @staticmethod
        def find_spec(name, path=None, target=None):
            if name.split(".")[0] in blocked:
                raise ImportError("module " + name + " is not available in the RLM sandbox")
            return None

    sys.meta_path[:] = [_Blocker()] + [f for f in sys.meta_path if "js" not in type(f).__name__.lower()]
    for name in list(sys.modules):
        if name.split(".")[0] in blocked:
            del sys.modules[name]
    os.environ.clear()
    sys.stdin = _NoInput()
    sys.stdout = _Writer()
    sys.stderr = sys.stdout


def _rlm_setup(context, output_cap, flush_chars, tool_names=(), extra_contexts=None, answer_cap=None):
    global _output, _answer_cap
    if answer_cap is not None:
        _answer_cap = int(answer_cap)
    _output = _Output(int(output_cap), int(flush_chars))
    _seal()
    api = {
        "context": context,
        "llm_query": llm_query,
        "llm_query_batched": llm_query_batched,
        "rlm_query": rlm_query,
        "rlm_query_batched": rlm_query_batched,
        "FINAL": FINAL,
        "FINAL_VAR": FINAL_VAR,
        "SHOW_VARS": SHOW_VARS,
        "answer": {"content": "", "ready": False},
    }
    for tool_name in tool_names:
        if tool_name not in api:
            api[tool_name] = _make_tool(str(tool_name))
    # A conversation's later contexts: context_1, context_2, ... and context_0 for the first.
    if extra_contexts is not None:
        api["context_0"] = context
        for index, value in enumerate(extra_contexts):
            api[f"context_{index + 1}"] = value
    _user.clear()
    _user["__builtins__"] = builtins
    _user["__name__"] = "__main__"
    _user.update(api)
    _protected.update(api)
    sys.modules["__main__"] = _main


def _where(error, file_name):
    line = None
    if isinstance(error, SyntaxError) and error.filename == file_name:
        line = error.lineno
    trace = error.__traceback__
    while trace is not None:
        if trace.tb_frame.f_code.co_filename == file_name:
            line = trace.tb_lineno
        trace = trace.tb_next
    return "" if line is None else " (line " + str(line) + ")"


def _describe_error(error, file_name):
    message = str(error) if not isinstance(error, SyntaxError) else (error.msg or "invalid syntax")
    return {"name": type(error).__name__, "message": message + _where(error, file_name)}


def _remember_definitions(tree):
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            source = ast.unparse(node)
            if source not in _imports:
                _imports.append(source)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            _definitions.pop(node.name, None)
            _definitions[node.name] = ast.unparse(node)


def _run(code, file_name):
    tree = ast.parse(code, file_name, "exec")
    _remember_definitions(tree)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, file_name, "exec"), _user)
    if last is None:
        return
    printed = _output.total
    value = eval(compile(ast.Expression(last.value), file_name, "eval"), _user)
    # Echo the last expression like a notebook, unless it printed something itself.
    if value is not None and _output.total == printed:
        _output.emit(repr(value) + "\n")


def _rlm_run_step(code, file_name):
    global _reserve
    _output.reset()
    _step["final"] = None
    _step["final_error"] = None
    error = None
    try:
        if _reserve is None:
            _reserve = bytearray(_RESERVE_BYTES)
        _run(code, file_name)
    except MemoryError:
        _reserve = None
        error = {"name": "MemoryError", "message": "out of memory"}
    except BaseException as raised:  # SystemExit and KeyboardInterrupt end the step, not the REPL
        error = _describe_error(raised, file_name)
    partial, ready = _partial_answer()
    final = _step["final"]
    if final is None and _step["final_error"] is None and ready:
        final = partial if partial is not None else ""
    if error is None and _step["final_error"] is not None:
        error = {"name": "FinalVarError", "message": _step["final_error"]}
    # Checked here so that an oversized answer never leaves the sandbox; the session loop checks again.
    if final is not None and len(final) > _answer_cap:
        error = {"name": "AnswerTooLargeError", "message": _answer_too_large(len(final))}
        final = None
    if partial is not None and len(partial) > _answer_cap:
        partial = None
    summary = {
        "type": "result",
        "output": _output.take(),
        "outputTotalChars": _output.total,
        "variables": [dict((k, v) for k, v in item.items() if v is not None) for item in _variables()],
        "pendingAwaited": 0,
    }
    if error is not None:
        summary["error"] = error
    if final is not None:
        summary["final"] = final
    if partial is not None:
        summary["partialAnswer"] = partial
    return json.dumps(summary, ensure_ascii=False)


def _defined_by_source(name, value):
    return name in _definitions and isinstance(value, (type, types.FunctionType)) and getattr(value, "__module__", None) == "__main__"


def _rlm_snapshot():
    values = {}
    skipped = []
    for name, value in list(_user.items()):
        if name.startswith("__") or (name in _protected and name != "answer"):
            continue
        if isinstance(value, types.ModuleType) or _defined_by_source(name, value):
            continue
        try:
            pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as problem:
            skipped.append({"name": name, "reason": type(problem).__name__ + ": " + str(problem)[:200]})
            continue
        values[name] = value
    definitions = [source for name, source in _definitions.items() if _defined_by_source(name, _user.get(name))]
    return json.dumps({
        "version": 1,
        "language": "python",
        "imports": list(_imports),
        "definitions": definitions,
        "values": base64.b64encode(pickle.dumps(values, protocol=pickle.HIGHEST_PROTOCOL)).decode("ascii"),
        "skipped": skipped,
    })


def _rlm_restore(text):
    snapshot = json.loads(text)
    skipped = list(snapshot.get("skipped", []))
    for source in snapshot.get("imports", []) + snapshot.get("definitions", []):
        try:
            tree = ast.parse(source, "<restore>", "exec")
            _remember_definitions(tree)
            exec(compile(tree, "<restore>", "exec"), _user)
        except Exception as problem:
            skipped.append({"name": source.split("\n")[0][:80], "reason": type(problem).__name__ + ": " + str(problem)[:200]})
    try:
        data = snapshot.get("values", "")
        values = pickle.loads(base64.b64decode(data)) if data else {}
        for name, value in values.items():
            _user[name] = value
    except Exception as problem:
        skipped.append({"name": "(all values)", "reason": type(problem).__name__ + ": " + str(problem)[:200]})
    return json.dumps(skipped)


def _rlm_warm_up():
    """Runs a representative step before any session, so the first real step does not pay for
    what Pyodide does lazily on first use (measured: ~200 ms of a first step's time)."""
    _rlm_run_step("import time\nwarm = [str(i) + ' ' + str(time.time_ns()) for i in range(1000)]\nlen(warm)", "<warm-up>")
    json.loads(json.dumps({"warm": ["up"] * 1000}))
    _user.clear()
    _imports.clear()
    _definitions.clear()
    _output.reset()
