# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small hostile HTTP server on 127.0.0.1 for the hostile_server target: what a broken proxy, a slow
server or a wrong url can do to a client. Raw sockets, so it can misbehave at any byte.

    python3 hostile_server.py --ready-file FILE [--tls-dir DIR] [--watch-dir DIR] [--lifetime SECONDS]

writes "http://127.0.0.1:PORT https://127.0.0.1:PORT2" to FILE once listening (the https listener, with a
CA written to DIR/ca.pem, only with --tls-dir) and exits after --lifetime seconds whatever happens.

The first path segment picks the behaviour, the rest is the API path the client asked for:

    /trickle/...         headers, then one byte every 2 s (60 s at most)
    /trickle-headers/... the status line, then one byte of a header every second (60 s at most)
    /huge/...            300 MiB of JSON whitespace without Content-Length (close-delimited)
    /huge-announced/...  the same with Content-Length: 314572800
    /midbody/...         a Password Pusher version answer; anything else closes after 20 of 200 bytes
    /midbody-once/...    closes mid-body on the first request of each method and path, then answers
    /shape-KIND/...      a Password Pusher version answer; anything else a 200 with a body of the wrong shape:
                         list, null, html, empty, deep ('[' * 50000), text
    /echo/...            a 200 announcing 64 MiB (an API echoing what it was sent); bytes sent are counted
    /files-KIND/...      a Password Pusher (oss) whose pushes are file pushes; their links (/pfb/blobs/redirect/...)
                         redirect to /pfb/disk/..., which misbehaves by KIND: traversal (a file named
                         ../escape.txt next to fine.txt), short (announces 1000 bytes, sends 100, closes),
                         huge (announces 300 MiB), unannounced (300 MiB without Content-Length),
                         big (100 MiB, whole and right), dotdot (a file named ..), many (30 files of 9 MiB),
                         many-unannounced (the same without Content-Length), liar (announces 1 MiB, sends 20),
                         names (names a terminal or a shell acts on: ESC sequences, a newline, a leading - or .)

GET /_hostile/counts answers {"METHOD /path": count, ..., "echo_bytes_sent": N, "seconds": {"METHOD /path": S},
"credentials": {"METHOD /path": N}}, S being how long a trickle went on until the client closed the connection,
N how many requests came with an Authorization or X-User-Token header; with --watch-dir, "dest_peak_bytes" (the
most bytes the files in that directory held at once, sampled every 2 ms) and "dest_names" (every name seen in it).
GET /_hostile/watch-reset starts that watch again.
The https listener answers a Password Pusher version with a certificate whose CA has no key usage
extension: trusted with the CA as ca_path, yet refused by Python 3.13's strict verification.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import select
import socket
import socketserver
import ssl
import threading
import time
from urllib.parse import quote

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

    def took(self, key, seconds):
        with self.lock:
            self.seconds[key] = round(seconds, 3)


STATE = State()


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


WATCH = None


def read_request(conn):
    """(method, path, credentials) of one request, its body read and dropped; None when the client sent nothing
    usable. credentials: whether an Authorization or X-User-Token header came with it."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
        if len(data) > MAX_REQUEST_BYTES:
            return None
    head, _sep, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
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
    return method, target.split("?")[0], credentials


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


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        conn = self.request
        conn.settimeout(30)
        try:
            request = read_request(conn)
            if request is None:
                return
            self.route(conn, *request)
        except (OSError, ValueError):
            pass  # the client went away: that is often the point

    def route(self, conn, method, path, credentials):
        if path == "/_hostile/counts":
            answer_json(conn, dict(STATE.snapshot(), **(WATCH.snapshot() if WATCH else {})))
            return
        if path == "/_hostile/watch-reset":
            if WATCH:
                WATCH.reset()
            answer_json(conn, {})
            return
        behaviour, _slash, rest = path.lstrip("/").partition("/")
        rest = "/" + rest
        number = STATE.count("%s %s" % (method, path), credentials)
        is_version = rest in ("/api/v2/version", "/api/v1/version.json")
        started = time.monotonic()
        if behaviour == "trickle":
            conn.sendall(head("200 OK", "application/json", 1000) + b"{")
            try:
                trickle(conn, b" ", 2)
            finally:
                STATE.took("%s %s" % (method, path), time.monotonic() - started)
        elif behaviour == "trickle-headers":
            conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            try:
                trickle(conn, b"z", 1)
            finally:
                STATE.took("%s %s" % (method, path), time.monotonic() - started)
        elif behaviour in ("huge", "huge-announced"):
            length = HUGE_BYTES if behaviour == "huge-announced" else None
            conn.sendall(head("200 OK", "application/json", length))
            send_blocks(conn, HUGE_BYTES)
        elif behaviour == "midbody" or (behaviour == "midbody-once" and number == 1):
            if behaviour == "midbody" and is_version:
                answer_json(conn, VERSION)
                return
            conn.sendall(head("200 OK", "application/json", 200) + b'{"url_token": "hosti')
            conn.shutdown(socket.SHUT_RDWR)
        elif behaviour == "midbody-once":
            answer_json(conn, VERSION)
        elif behaviour.startswith("shape-") and behaviour[6:] in SHAPES:
            if is_version:
                answer_json(conn, VERSION)
                return
            content_type, body = SHAPES[behaviour[6:]]
            answer(conn, body, content_type)
        elif behaviour == "echo":
            conn.sendall(head("200 OK", "application/json", ECHO_BYTES))

            def count_sent(size):
                with STATE.lock:
                    STATE.echo_bytes_sent += size

            send_blocks(conn, ECHO_BYTES, count_sent)
        elif behaviour.startswith("files-") and behaviour[6:] in FILE_NAMES:
            if is_version:
                answer_json(conn, VERSION)
            else:
                file_push(conn, behaviour, rest)
        elif behaviour == "tls" and is_version:
            answer_json(conn, VERSION)
        else:
            answer(conn, b'{"error": "no such behaviour"}', status="404 Not Found")


def file_push(conn, behaviour, rest):
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


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class TlsServer(Server):
    context = None

    def get_request(self):
        conn, addr = self.socket.accept()
        conn.settimeout(10)
        return self.context.wrap_socket(conn, server_side=True), addr

    def handle_error(self, request, client_address):
        pass  # refused handshakes are the expected outcome


def write_ca_without_key_usage(directory):
    """A CA (no key usage extension: Python 3.13 refuses it) and a server certificate for 127.0.0.1."""
    # pylint: disable=import-outside-toplevel
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hostile_server test CA without key usage")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
          .not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=True, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = dict(ca=os.path.join(directory, "ca.pem"), cert=os.path.join(directory, "server.pem"),
                 key=os.path.join(directory, "server.key"))
    with open(paths["ca"], "wb") as handle:
        handle.write(ca.public_bytes(serialization.Encoding.PEM))
    with open(paths["cert"], "wb") as handle:
        handle.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(paths["key"], "wb") as handle:
        handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    return paths


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ready-file", required=True)
    parser.add_argument("--tls-dir")
    parser.add_argument("--watch-dir")
    parser.add_argument("--lifetime", type=float, default=600)
    args = parser.parse_args()
    if args.watch_dir:
        global WATCH  # pylint: disable=global-statement
        WATCH = DirectoryWatch(args.watch_dir)
        threading.Thread(target=WATCH.run, daemon=True).start()
    servers = [Server(("127.0.0.1", 0), Handler)]
    urls = ["http://127.0.0.1:%d" % servers[0].server_address[1]]
    if args.tls_dir:
        paths = write_ca_without_key_usage(args.tls_dir)
        tls = TlsServer(("127.0.0.1", 0), Handler)
        tls.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.context.load_cert_chain(paths["cert"], paths["key"])
        servers.append(tls)
        urls.append("https://127.0.0.1:%d" % tls.server_address[1])
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    with open(args.ready_file + ".tmp", "w") as handle:
        handle.write(" ".join(urls) + "\n")
    os.rename(args.ready_file + ".tmp", args.ready_file)
    time.sleep(args.lifetime)


if __name__ == "__main__":
    main()
