# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A hostile HTTP server on 127.0.0.1: what a broken proxy, a slow server, a wrong url or a server that echoes
what it was sent can do to a client. Raw sockets (raw_server.py), so it can misbehave at any byte.

    tests/fakes/serve hostile [--port P] [--tls-dir DIR] [--watch-dir DIR] [--lifetime SECONDS]
    tests/fakes/run-with hostile [serve options] -- COMMAND...   # exports HOSTILE_URL (and HOSTILE_TLS_URL)

prints "tls https://127.0.0.1:PORT2" (only with --tls-dir: an https listener, its CA written to DIR/ca.pem), then
"ready http://127.0.0.1:PORT" once listening; stops on SIGTERM/SIGINT, or after --lifetime seconds whatever
happens. Every answer closes the connection. The first path segment picks the behaviour (its fault switch),
the rest is the API path the client asked for:

    /trickle/...         headers, then one byte every 2 s (60 s at most)
    /trickle-headers/... the status line, then one byte of a header every second (60 s at most)
    /huge/...            300 MiB of JSON whitespace without Content-Length (close-delimited)
    /huge-announced/...  the same with Content-Length: 314572800
    /midbody/...         a Password Pusher version answer; anything else closes after 20 of 200 bytes
    /midbody-once/...    closes mid-body on the first request of each method and path, then answers
    /shape-KIND/...      a Password Pusher version answer; anything else a 200 with a body of the wrong shape:
                         list, null, html, empty, deep ('[' * 50000), text
    /echo/...            a 200 announcing 64 MiB (an API echoing what it was sent); bytes sent are counted
    /STATUS/FORMAT/...   (e.g. /422/json/...) GET .../api/v2/version: a Password Pusher (oss) version answer;
                         anything else STATUS with the request's body and decoded query echoed, as JSON
                         ({"error": ..., "message": ...}, FORMAT json, the default) or as Python repr text
                         (FORMAT repr): real servers may quote rejected input, the collection must mask it
    /files-KIND/...      a Password Pusher (oss) whose pushes are file pushes; their links (/pfb/blobs/redirect/...)
                         redirect to /pfb/disk/..., which misbehaves by KIND: traversal (a file named
                         ../escape.txt next to fine.txt), short (announces 1000 bytes, sends 100, closes),
                         huge (announces 300 MiB), unannounced (300 MiB without Content-Length),
                         big (100 MiB, whole and right), dotdot (a file named ..), many (30 files of 9 MiB),
                         many-unannounced (the same without Content-Length), liar (announces 1 MiB, sends 20),
                         names (names a terminal or a shell acts on: ESC sequences, a newline, a leading - or .)
    /tls/api/v2/version  a Password Pusher version answer (what the https listener is asked)

GET /_hostile/counts answers {"METHOD /path": count, ..., "echo_bytes_sent": N, "seconds": {"METHOD /path": S},
"credentials": {"METHOD /path": N}}, S being how long a trickle went on until the client closed the connection,
N how many requests came with an Authorization or X-User-Token header; with --watch-dir, "dest_peak_bytes" (the
most bytes the files in that directory held at once, sampled every 2 ms) and "dest_names" (every name seen in it).
GET /_hostile/watch-reset starts that watch again; POST /_fake/reset (as on every fake) the counts too.
The https listener's certificate comes from a CA without the key usage extension: trusted with the CA as
ca_path, yet refused by Python 3.13's strict verification. Nothing is logged (echoed values must reach no log).
"""

from __future__ import annotations

import argparse
import http
import json
import os
import select
import signal
import socket
import ssl
import sys
import threading
import time
from urllib.parse import parse_qs, quote, unquote_plus

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fake_cli  # noqa: E402  pylint: disable=wrong-import-position
import fake_http  # noqa: E402  pylint: disable=wrong-import-position
from raw_server import RawServer  # noqa: E402  pylint: disable=wrong-import-position

VERSION = {"application_version": "2.11.4", "api_version": "2.1", "edition": "oss", "features": {}}
HTML = ("<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1>"
        "</center><hr><center>nginx</center></body></html>")
SHAPES = {
    "list": ("application/json", b'[{"url_token": "hostile0001"}]'),
    "null": ("application/json", b"null"),
    "html": ("text/html", HTML.encode()),
    "empty": ("application/json", b""),
    "deep": ("application/json", b"[" * 50000),
    "text": ("text/plain", b"OK"),
}
HUGE_BYTES = 300 * 1024 * 1024
ECHO_BYTES = 64 * 1024 * 1024
BIG_FILE_BYTES = 100 * 1024 * 1024
MANY_FILE_BYTES = 9 * 1024 * 1024
LIAR_ANNOUNCED_BYTES = 1024 * 1024
HOSTILE_NAMES = ["\x1b]0;pwned\x07\x1b[2J", "--checkpoint-action=exec=sh x.sh", ".bashrc", "notes\nrm -rf ~.txt", "-",
                 "\u202egpj.exe", "fine.txt"]
FILE_NAMES = {"traversal": ["fine.txt", "../escape.txt"], "short": ["short.bin"], "huge": ["huge.bin"],
              "unannounced": ["unannounced.bin"], "big": ["big.bin"], "dotdot": ["fine.txt", ".."],
              "many": ["part-%02d.bin" % n for n in range(1, 31)], "liar": ["liar.bin"], "names": HOSTILE_NAMES}
FILE_NAMES["many-unannounced"] = FILE_NAMES["many"]
TRICKLE_SECONDS = 60
MAX_REQUEST_BYTES = 1024 * 1024


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {}
        self.seconds = {}
        self.echo_bytes_sent = 0
        self.credentials = {}

    def count(self, key, credentials=False):
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + 1
            if credentials:
                self.credentials[key] = self.credentials.get(key, 0) + 1
            return self.counts[key]

    def snapshot(self):
        with self.lock:
            return dict(self.counts, echo_bytes_sent=self.echo_bytes_sent, seconds=dict(self.seconds),
                        credentials=dict(self.credentials))

    def sent(self, size):
        with self.lock:
            self.echo_bytes_sent += size

    def took(self, key, seconds):
        with self.lock:
            self.seconds[key] = round(seconds, 3)


class DirectoryWatch:
    """Samples a directory every 2 ms: the most bytes its files held at once, and every name seen in it."""

    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.peak = 0
        self.names = set()

    def reset(self):
        with self.lock:
            self.peak = 0
            self.names = set()

    def run(self):
        while True:
            try:  # a part file may go between the listing and its stat; the directory may not exist yet
                entries = [(entry.name, entry.stat(follow_symlinks=False).st_size) for entry in os.scandir(self.path)]
            except OSError:
                entries = []
            with self.lock:
                self.peak = max(self.peak, sum(size for _name, size in entries))
                self.names.update(name for name, _size in entries)
            time.sleep(0.002)

    def snapshot(self):
        with self.lock:
            return {"dest_peak_bytes": self.peak, "dest_names": sorted(self.names)}


def read_request(conn):
    """(method, path, query, body, credentials) of one request; None when the client sent nothing usable.
    credentials: whether an Authorization or X-User-Token header came with it."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
        if len(data) > MAX_REQUEST_BYTES:
            return None
    head_bytes, _sep, body = data.partition(b"\r\n\r\n")
    lines = head_bytes.decode("latin-1").split("\r\n")
    method, target = lines[0].split(" ")[:2]
    length = 0
    credentials = False
    for line in lines[1:]:
        name, _colon, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = min(int(value.strip() or 0), MAX_REQUEST_BYTES)
        credentials = credentials or name.strip().lower() in ("authorization", "x-user-token")
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    path, _mark, query = target.partition("?")
    return method, path, query, body[:length], credentials


def head(status, content_type, length=None, extra=""):
    lines = ["HTTP/1.1 %s" % status, "Content-Type: %s" % content_type, "Connection: close"]
    if length is not None:
        lines.append("Content-Length: %d" % length)
    return ("\r\n".join(lines) + extra + "\r\n\r\n").encode()


def answer(conn, body, content_type="application/json", status="200 OK"):
    conn.sendall(head(status, content_type, len(body)) + body)


def answer_json(conn, obj):
    answer(conn, json.dumps(obj).encode())


def trickle(conn, byte, every):
    """Send byte every `every` seconds until the client closes the connection (or TRICKLE_SECONDS pass)."""
    started = time.monotonic()
    while time.monotonic() - started < TRICKLE_SECONDS:
        readable, _writable, _failed = select.select([conn], [], [], every)
        if readable and not conn.recv(1):
            return  # the client gave up
        conn.sendall(byte)


def send_blocks(conn, total, on_sent=None):
    block = b" " * (1024 * 1024)
    sent = 0
    while sent < total:
        piece = block[:total - sent]
        conn.sendall(piece)
        sent += len(piece)
        if on_sent is not None:
            on_sent(len(piece))


def echo_answer(conn, status, style, query, body):
    """STATUS with what the request sent echoed: as JSON {"error", "message"} or as Python repr text."""
    raw = body.decode("utf-8", "replace")
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = parse_qs(raw)
    line = "%d %s" % (status, http.HTTPStatus(status).phrase)
    if style == "repr":
        answer(conn, ("Rejected: %r" % ({"body": parsed, "query": parse_qs(query)},)).encode(), "text/plain", line)
        return
    text = "rejected %s %s" % (raw, unquote_plus(query))
    answer(conn, json.dumps({"error": text, "message": text}).encode(), status=line)


class Hostile:
    """What every connection of both listeners shares: the counts, the directory watch, the behaviours."""

    def __init__(self, tls_dir=None, watch_dir=None, lifetime=600.0):
        self.state = State()
        self.watch = DirectoryWatch(watch_dir) if watch_dir else None
        self.tls_dir = tls_dir
        self.lifetime = lifetime

    def handle(self, conn, _number, _stopping):
        request = read_request(conn)
        if request is not None:
            self.route(conn, *request)

    def route(self, conn, method, path, query, body,  # pylint: disable=too-many-arguments,too-many-branches
              credentials):
        if path == "/_hostile/counts":
            answer_json(conn, dict(self.state.snapshot(), **(self.watch.snapshot() if self.watch else {})))
            return
        if path in ("/_hostile/watch-reset", "/_fake/reset"):
            if self.watch:
                self.watch.reset()
            if path == "/_fake/reset":
                self.state.__init__()  # pylint: disable=unnecessary-dunder-call
            answer_json(conn, {})
            return
        behaviour, _slash, rest = path.lstrip("/").partition("/")
        rest = "/" + rest
        key = "%s %s" % (method, path)
        number = self.state.count(key, credentials)
        is_version = rest in ("/api/v2/version", "/api/v1/version.json")
        started = time.monotonic()
        if behaviour in ("trickle", "trickle-headers"):
            if behaviour == "trickle":
                conn.sendall(head("200 OK", "application/json", 1000) + b"{")
            else:
                conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            try:
                trickle(conn, b" " if behaviour == "trickle" else b"z", 2 if behaviour == "trickle" else 1)
            finally:
                self.state.took(key, time.monotonic() - started)
        elif behaviour in ("huge", "huge-announced"):
            conn.sendall(head("200 OK", "application/json", HUGE_BYTES if behaviour == "huge-announced" else None))
            send_blocks(conn, HUGE_BYTES)
        elif behaviour == "midbody" or (behaviour == "midbody-once" and number == 1):
            if behaviour == "midbody" and is_version:
                answer_json(conn, VERSION)
                return
            conn.sendall(head("200 OK", "application/json", 200) + b'{"url_token": "hosti')
            conn.shutdown(socket.SHUT_RDWR)
        elif behaviour == "midbody-once":
            answer_json(conn, VERSION)
        elif behaviour == "echo":
            conn.sendall(head("200 OK", "application/json", ECHO_BYTES))
            send_blocks(conn, ECHO_BYTES, self.state.sent)
        elif behaviour.isdigit() and 100 <= int(behaviour) <= 599:
            if method == "GET" and path.endswith("/api/v2/version"):
                answer_json(conn, VERSION)
            else:
                echo_answer(conn, int(behaviour), rest.split("/")[1] or "json", query, body)
        elif is_version and (behaviour == "tls" or behaviour[6:] in (SHAPES if behaviour[:6] == "shape-" else
                                                                     FILE_NAMES if behaviour[:6] == "files-" else ())):
            answer_json(conn, VERSION)
        elif behaviour.startswith("shape-") and behaviour[6:] in SHAPES:
            content_type, shape = SHAPES[behaviour[6:]]
            answer(conn, shape, content_type)
        elif behaviour.startswith("files-") and behaviour[6:] in FILE_NAMES:
            file_push(conn, behaviour, rest)
        else:
            answer(conn, b'{"error": "no such behaviour"}', status="404 Not Found")


def file_push(conn, behaviour, rest):  # pylint: disable=too-many-branches
    """A file push, its links and downloads that misbehave the way behaviour says (files-KIND)."""
    kind = behaviour[6:]
    base = "http://%s:%d/%s" % (conn.getsockname()[0], conn.getsockname()[1], behaviour)
    if rest.startswith("/pfb/blobs/redirect/"):
        name = rest.rsplit("/", 1)[1]
        conn.sendall(head("302 Found", "text/html", 0, "\r\nLocation: %s/pfb/disk/k1--x/%s" % (base, name)))
    elif rest.startswith("/pfb/disk/"):
        if kind == "short":
            conn.sendall(head("200 OK", "application/octet-stream", 1000) + b"x" * 100)
            conn.shutdown(socket.SHUT_RDWR)
        elif kind in ("huge", "unannounced"):
            conn.sendall(head("200 OK", "application/octet-stream", HUGE_BYTES if kind == "huge" else None))
            send_blocks(conn, HUGE_BYTES)
        elif kind in ("many", "many-unannounced"):
            conn.sendall(head("200 OK", "application/octet-stream", MANY_FILE_BYTES if kind == "many" else None))
            send_blocks(conn, MANY_FILE_BYTES)
        elif kind == "liar":
            conn.sendall(head("200 OK", "application/octet-stream", LIAR_ANNOUNCED_BYTES))
            send_blocks(conn, 20 * LIAR_ANNOUNCED_BYTES)
        else:
            conn.sendall(head("200 OK", "application/octet-stream", BIG_FILE_BYTES if kind == "big" else 4))
            send_blocks(conn, BIG_FILE_BYTES if kind == "big" else 4)
    else:
        answer_json(conn, {
            "url_token": "hostilefiles01", "expired": False, "views_remaining": 1, "payload": "see the files",
            "passphrase": "", "files": [{"filename": name, "content_type": "application/octet-stream",
                                         "url": "%s/pfb/blobs/redirect/s1--x/%s" % (base, quote(name, safe=""))}
                                        for name in FILE_NAMES[kind]]})


def run(fake, port, host="127.0.0.1", _threads=8, on_bound=None):
    """Both listeners (the https one with --tls-dir), the directory watch, the lifetime; until SIGTERM/SIGINT."""
    fake_http.stop_on_signals()
    if fake.lifetime:
        timer = threading.Timer(fake.lifetime, os.kill, (os.getpid(), signal.SIGTERM))
        timer.daemon = True
        timer.start()
    if fake.watch:
        threading.Thread(target=fake.watch.run, daemon=True).start()
    servers = [RawServer(fake.handle, host, port, timeout=30, wait_for_handlers=False)]
    if fake.tls_dir:
        paths = fake_http.write_test_ca(fake.tls_dir, host, ca_key_usage=False)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(paths["cert"], paths["key"])
        servers.append(RawServer(fake.handle, host, 0, tls_context=context, timeout=30, wait_for_handlers=False))
        print("tls " + servers[1].url, flush=True)

    def close():
        for server in servers:
            server.stop()

    fake_http.announce_and_serve(servers[0].url, lambda: time.sleep(10 ** 6), close, on_bound)


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tls-dir", help="also an https listener, its CA (without key usage) written to DIR/ca.pem")
    parser.add_argument("--watch-dir", help="sample this directory every 2 ms (see /_hostile/counts)")
    parser.add_argument("--lifetime", type=float, default=600, help="stop after this many seconds (600; 0: never)")


def main(argv: list[str] | None = None) -> int:
    return fake_cli.serve_main("hostile", "A hostile HTTP server for tests (raw sockets).", add_options,
                               lambda args: Hostile(args.tls_dir, args.watch_dir, args.lifetime), argv, run=run)


if __name__ == "__main__":
    sys.exit(main())
