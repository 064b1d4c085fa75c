# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A raw-socket HTTP server on 127.0.0.1: each connection goes to ``handler(conn, number, stopping)``, which
writes whatever bytes it likes (a trickle, a cut, a lie), for the hostile fake (hostile_server.py) and the
transport's unit tests (tests/unit/plugins/module_utils/_core/conftest.py, which imports it as
``ansible_collections.oneshot.secrets.tests.fakes.raw_server``). Standard library only."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socketserver
import threading


class _Connection(socketserver.BaseRequestHandler):
    def handle(self):
        server = self.server
        with server.lock:
            server.requests += 1
            server.active += 1
            number = server.requests
        try:
            server.handler(self.request, number, server.stopping)
        except (OSError, ValueError):
            pass  # the client went away: that is often the point
        finally:
            with server.lock:
                server.active -= 1


class RawServer(socketserver.ThreadingTCPServer):
    """Listens on ``host`` (a free port unless ``port``) and starts serving at once, in a thread.

    ``handler(conn, number, stopping)``: ``conn`` the client's socket (TLS-wrapped with ``tls_context``),
    ``number`` the connection's rank (``requests`` counts them, ``active`` those being handled), ``stopping``
    an Event set by ``stop()``, for handlers that trickle. ``url`` is http(s)://HOST:PORT. ``stop()`` waits for
    the handlers to end unless ``wait_for_handlers`` is False (a long-lived server whose handlers may send for
    minutes).
    """

    allow_reuse_address = True

    def __init__(self, handler, host="127.0.0.1", port=0,  # pylint: disable=too-many-arguments
                 tls_context=None, timeout=5.0, wait_for_handlers=True):
        self.handler = handler
        self.tls_context = tls_context
        self.connection_timeout = timeout
        self.daemon_threads = not wait_for_handlers
        self.lock = threading.Lock()
        self.requests = 0
        self.active = 0  # handlers running
        self.stopping = threading.Event()
        socketserver.ThreadingTCPServer.__init__(self, (host, port), _Connection)
        self.url = "%s://%s:%d" % ("https" if tls_context else "http", host, self.server_address[1])
        self.thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.1})
        self.thread.daemon = True
        self.thread.start()

    def get_request(self):
        conn, addr = self.socket.accept()
        conn.settimeout(self.connection_timeout)
        if self.tls_context is not None:
            conn = self.tls_context.wrap_socket(conn, server_side=True)
        return conn, addr

    def handle_error(self, request, client_address):
        pass  # refused TLS handshakes and clients that hang up are the expected outcomes

    def stop(self):
        self.stopping.set()
        self.shutdown()
        self.server_close()
