# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A hostile test server on 127.0.0.1 that echoes what it was sent in its error answers.

Real servers may do this (a 400/422 quoting the rejected input); the collection must mask every secret of the
call before such text reaches a message. The first path segment picks the answer, e.g. a client with
url http://127.0.0.1:PORT/422/json gets:

- GET .../api/v2/version: 200, a Password Pusher (open-source edition) version answer;
- anything else: the status of the first segment, and as body the request's body and decoded query echoed
  as JSON ({"error": ..., "message": ...}, format `json`) or as Python repr text (format `repr`).

Prints "ready http://127.0.0.1:PORT" once listening; stops on SIGTERM or after --lifetime seconds.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import json
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote_plus, urlsplit

VERSION = {"application_version": "2.11.4", "api_version": "2.1", "edition": "oss", "features": {}}


class EchoHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass  # quiet: the echoed values must not reach any log

    def _answer(self, status, body, content_type):
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        parts = urlsplit(self.path)
        segments = [segment for segment in parts.path.split("/") if segment]
        if self.command == "GET" and parts.path.endswith("/api/v2/version"):
            return self._answer(200, json.dumps(VERSION), "application/json")
        status = int(segments[0]) if segments and segments[0].isdigit() else 400
        style = segments[1] if len(segments) > 1 else "json"
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = parse_qs(raw)
        echo = {"body": parsed, "query": parse_qs(parts.query)}
        if style == "repr":
            return self._answer(status, "Rejected: %r" % (echo,), "text/plain")
        text = "rejected %s %s" % (raw, unquote_plus(parts.query))
        return self._answer(status, json.dumps({"error": text, "message": text}), "application/json")

    do_GET = do_POST = do_DELETE = do_PUT = _handle


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--lifetime", type=float, default=600.0)
    args = parser.parse_args(argv)
    server = ThreadingHTTPServer(("127.0.0.1", 0), EchoHandler)
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda signum, frame: threading.Thread(target=server.shutdown).start())
    timer = threading.Timer(args.lifetime, server.shutdown)
    timer.daemon = True
    timer.start()
    print("ready http://127.0.0.1:%d" % server.server_address[1], flush=True)
    server.serve_forever()
    server.server_close()
    sys.exit(0)


if __name__ == "__main__":
    main()
