#!/usr/bin/env python3
"""Latency of `cronlock lsp` as an editor feels it (a benchmark, not a test).

    python3 bench/lsp_latency.py BINARY TREE [EDITS]

A scripted client opens TREE as the workspace folder and measures: the first
scan (initialize -> first publishDiagnostics), then EDITS times, the time from a
`didChange` of one job file to the `publishDiagnostics` that answers it (the
edit alternates between adding and removing the file's lockService, so every
edit changes its diagnostics). Once a folder is loaded the server answers an
edit in place (its session judges only what changed) and does not debounce. Prints
p50/p95 and the server's peak RSS (VmHWM). TREE: e.g. a tree from
`target/release/examples/gen_monorepo TREE 10000`.
"""
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import queue
import tempfile
from pathlib import Path


def frame(message):
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def reader(stream, out):
    while True:
        length = None
        while True:
            line = stream.readline()
            if not line:
                return
            line = line.strip()
            if not line:
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        out.put((time.perf_counter(), json.loads(stream.read(length))))


def main():
    binary, tree = sys.argv[1], Path(sys.argv[2]).resolve()
    edits = int(sys.argv[3]) if len(sys.argv) > 3 else 30
    check = subprocess.run([binary, "check", "--format", "json", str(tree)], capture_output=True)
    findings = json.loads(check.stdout)["findings"]
    target = next(f for f in findings if f["rule"] == "missing-lock-service")
    path = Path(target["file"]) if Path(target["file"]).is_absolute() else Path.cwd() / target["file"]
    path = path.resolve()
    uri = path.as_uri()
    text = path.read_text()
    server = subprocess.Popen([binary, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    messages = queue.Queue()
    threading.Thread(target=reader, args=(server.stdout, messages), daemon=True).start()

    def send(message):
        server.stdin.write(frame(message))
        server.stdin.flush()

    def wait(predicate):
        while True:
            at, message = messages.get(timeout=float(os.environ.get("WAIT", "300")))
            if predicate(message):
                return at, message

    started = time.perf_counter()
    send({"jsonrpc": "2.0", "id": 1, "method": "initialize",
          "params": {"capabilities": {}, "workspaceFolders": [{"uri": tree.as_uri(), "name": "tree"}]}})
    wait(lambda m: m.get("id") == 1)
    send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    at, _ = wait(lambda m: m.get("method") == "textDocument/publishDiagnostics")
    first_scan = at - started
    send({"jsonrpc": "2.0", "method": "textDocument/didOpen",
          "params": {"textDocument": {"uri": uri, "languageId": "typescript", "version": 1, "text": text}}})
    # Opening re-analyses the folder (its diagnostics are already published, so nothing new comes).
    time.sleep(max(1.0, 3 * first_scan))
    while not messages.empty():
        messages.get()
    # The locked text is what `cronlock fix` makes of the file (fixed alone, in a scratch copy).
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / path.name
        copy.write_text(text)
        subprocess.run([binary, "fix", "--quiet", "--allow-dirty", str(copy)], capture_output=True)
        with_lock = copy.read_text()
    assert with_lock != text, "cronlock fix changed nothing"
    latencies = []
    for version in range(2, edits + 2):
        locked = version % 2 == 0
        sent = time.perf_counter()
        send({"jsonrpc": "2.0", "method": "textDocument/didChange",
              "params": {"textDocument": {"uri": uri, "version": version},
                         "contentChanges": [{"text": with_lock if locked else text}]}})
        at, message = wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                           and m["params"]["uri"] == uri
                           and any(d["code"] == "missing-lock-service" for d in m["params"]["diagnostics"]) != locked)
        latencies.append((at - sent) * 1000)
    rss = next((l.split()[1] for l in open(f"/proc/{server.pid}/status") if l.startswith("VmHWM")), "?")
    send({"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": None})
    wait(lambda m: m.get("id") == 2)
    send({"jsonrpc": "2.0", "method": "exit", "params": None})
    server.wait(timeout=30)
    latencies.sort()
    p95 = latencies[min(len(latencies) - 1, int(round(0.95 * (len(latencies) - 1))))]
    print(f"{tree.name}: first scan {first_scan:.2f} s; didChange -> publishDiagnostics over {len(latencies)} edits: "
          f"p50 {statistics.median(latencies):.0f} ms, p95 {p95:.0f} ms; "
          f"server peak RSS {int(rss) // 1024} MB")


if __name__ == "__main__":
    main()
