"""Load driver for `lianyaohu mcp` over stdio: initializes, warms the cache, then keeps WINDOW
`tools/call get_quote` requests in flight for DURATION seconds and prints
`calls/s p50-ms p99-ms errors`. Requests are prebuilt lines with unique ids; answers are matched
by id without a full JSON parse, so the driver stays light next to the server on two cores.

Usage: mcp-stdio-load.py BINARY [--duration S] [--window N] [--symbol SYM]
"""

import argparse
import json
import subprocess
import threading
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--window", type=int, default=32)
    parser.add_argument("--symbol", default="AAPL")
    options = parser.parse_args()

    process = subprocess.Popen([options.binary, "mcp", "--log-level", "warning"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0)
    out = process.stdout
    write = process.stdin.write

    def call(message):
        write((json.dumps(message) + "\n").encode())
        return json.loads(out.readline())

    call({"jsonrpc": "2.0", "id": 0, "method": "initialize",
          "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "load", "version": "1"}}})
    write(b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n')
    warm = call({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                 "params": {"name": "get_quote", "arguments": {"symbol": options.symbol}}})
    assert "result" in warm and not warm["result"].get("isError"), warm

    prefix = b'{"jsonrpc":"2.0","id":'
    suffix = (',"method":"tools/call","params":{"name":"get_quote","arguments":{"symbol":"%s"}}}\n'
              % options.symbol).encode()
    sent_at = {}
    latencies = []
    errors = [0]
    slots = threading.Semaphore(options.window)
    done = threading.Event()
    lock = threading.Lock()

    def reader():
        id_marker = b'"id":'
        while True:
            line = out.readline()
            if not line:
                break
            now = time.perf_counter()
            start = line.find(id_marker)
            end = line.find(b",", start)
            try:
                request_id = int(line[start + 5:end])
            except ValueError:
                errors[0] += 1
                continue
            with lock:
                began = sent_at.pop(request_id, None)
            if began is not None:
                latencies.append(now - began)
                if b'"isError":true' in line or b'"error":' in line[:40]:
                    errors[0] += 1
                slots.release()
            if done.is_set() and not sent_at:
                break

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    next_id = 2
    started = time.perf_counter()
    deadline = started + options.duration
    while time.perf_counter() < deadline:
        slots.acquire()
        with lock:
            sent_at[next_id] = time.perf_counter()
        write(prefix + str(next_id).encode() + suffix)
        next_id += 1
    done.set()
    thread.join(timeout=10)
    elapsed = time.perf_counter() - started
    process.stdin.close()
    process.wait(timeout=30)
    latencies.sort()
    count = len(latencies)
    p50 = latencies[count // 2] * 1000 if count else 0
    p99 = latencies[min(count - 1, int(count * 0.99))] * 1000 if count else 0
    print(f"{count / elapsed:.0f} {p50:.3f} {p99:.3f} {errors[0]}")


if __name__ == "__main__":
    main()
