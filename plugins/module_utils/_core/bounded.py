# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bounds of one HTTP attempt, for transport.HttpTransport: a deadline for the whole attempt (connect,
headers, body) and a size cap on the body, read as a stream.

A socket timeout bounds each read, not a request: a server or a proxy that sends one byte every few
seconds would hold a play forever, and one that sends gigabytes would fill the controller's memory.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket
import threading
import time

try:
    from requests.adapters import HTTPAdapter
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
except ImportError:  # pragma: no cover - transport.py reports the missing library
    HTTPAdapter = HTTPConnectionPool = HTTPSConnectionPool = object

# The most read of one JSON answer. The largest real answer of these APIs is a Password Pusher retrieve of a
# 1 MiB text push (the server's limit), which Rails' JSON encoding can grow up to six times when every
# character is escaped (<, >, & and control characters become \uXXXX); list pages (50 pushes without
# payloads), receipts and version answers are a few KiB. 8 MiB holds the worst case with room to spare and
# keeps a module's memory bounded whatever a proxy or a wrong url sends.
MAX_JSON_BYTES = 8 * 1024 * 1024
READ_CHUNK_BYTES = 64 * 1024


class AttemptWatch:
    """The deadline of one attempt and the connections it uses, for the watchdog to cut."""

    def __init__(self, deadline):
        self.deadline = deadline
        self.connections = []
        self.expired = False

    def cut(self):
        """Shut the sockets down: a read or write blocked on them returns at once (also inside TLS)."""
        self.expired = True
        for connection in self.connections:
            # A connection, whose socket comes with connecting; or the socket an answer is read from
            # (http.client lets go of the connection's socket once an answer says Connection: close).
            sock = connection if isinstance(connection, socket.socket) else getattr(connection, "sock", None)
            if isinstance(sock, socket.socket):
                try:
                    # The plain socket method: for TLS it cuts the transport without touching the TLS state.
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)
                except (OSError, ValueError):
                    pass


# The attempt running on this thread, if any: the connection pools below attach their connection to it.
current_attempt = threading.local()


class Watchdog:
    """One daemon thread per transport that cuts every attempt still running at its deadline.

    A socket timeout bounds each read, not a request: a server (or a proxy) that sends one byte every
    few seconds would hold a play forever without this.
    """

    # How often a cut is repeated while the attempt is still running (its connection may be opening).
    RECUT_SECONDS = 0.05

    def __init__(self):
        self._condition = threading.Condition()
        self._watches = set()
        self._thread = None
        self._wake_at = None
        self._closed = False

    def start(self, seconds):
        watch = AttemptWatch(time.monotonic() + seconds)
        with self._condition:
            self._watches.add(watch)
            self._closed = False  # a transport used again after close(): its thread, if still there, goes on
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="oneshot-http-deadline")
                self._thread.daemon = True
                self._thread.start()
            if self._wake_at is None or watch.deadline < self._wake_at:
                self._condition.notify()
        return watch

    def finish(self, watch):
        with self._condition:
            self._watches.discard(watch)

    def close(self):
        with self._condition:
            self._closed = True
            self._condition.notify()

    def _run(self):
        with self._condition:
            while not self._closed:
                now = time.monotonic()
                wake_at = None
                for watch in self._watches:
                    if watch.deadline <= now:
                        watch.cut()
                        due = now + self.RECUT_SECONDS
                    else:
                        due = watch.deadline
                    wake_at = due if wake_at is None else min(wake_at, due)
                self._wake_at = wake_at
                self._condition.wait(None if wake_at is None else max(0.0, wake_at - now))


def _attach_to_current_attempt(connection):
    watch = getattr(current_attempt, "watch", None)
    if watch is not None and connection is not None:
        watch.connections.append(connection)
        if watch.expired:
            watch.cut()


def _socket_of(response):
    """The socket an answer reads its body from: urllib3 2 -> http.client -> buffered reader -> socket
    (urllib3 1.26 hands the http.client answer itself)."""
    reader = getattr(getattr(response, "_fp", None) or response, "fp", None)
    return getattr(getattr(reader, "raw", None), "_sock", None)


def _make_watched_request(pool_class, pool, conn, args, kwargs):
    _attach_to_current_attempt(conn)
    response = super(pool_class, pool)._make_request(conn, *args, **kwargs)
    _attach_to_current_attempt(_socket_of(response))
    return response


class _WatchedHTTPConnectionPool(HTTPConnectionPool):
    def _make_request(self, conn, *args, **kwargs):
        return _make_watched_request(_WatchedHTTPConnectionPool, self, conn, args, kwargs)


class _WatchedHTTPSConnectionPool(HTTPSConnectionPool):
    def _make_request(self, conn, *args, **kwargs):
        return _make_watched_request(_WatchedHTTPSConnectionPool, self, conn, args, kwargs)


_WATCHED_POOLS = {"http": _WatchedHTTPConnectionPool, "https": _WatchedHTTPSConnectionPool}


class DeadlineAdapter(HTTPAdapter):
    """An HTTPAdapter whose connections (direct or through an HTTP proxy) the watchdog can cut."""

    def init_poolmanager(self, *args, **kwargs):
        super(DeadlineAdapter, self).init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _WATCHED_POOLS

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        manager = super(DeadlineAdapter, self).proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = _WATCHED_POOLS
        return manager


class AttemptFailed(Exception):
    """Why one attempt got no usable answer; `kind` decides whether it is retried and how it is told."""

    def __init__(self, kind, message=None, answered=False):
        super(AttemptFailed, self).__init__(kind)
        self.kind = kind
        self.message = message
        self.answered = answered  # the server had started its answer: it did process the request


def set_body(response, content):
    response._content = content
    response._content_consumed = True


def read_body(response, watch, max_bytes, sink=None):
    """Read the body as a stream into the response (or hand it to sink(chunk)), within max_bytes and the deadline.

    An answer announcing more than max_bytes is refused before its body is read; one that sends more is cut
    there; one that ends before the length it announced was cut short (urllib3 1.x does not check that).
    """
    if response._content is not False:
        return  # already read (a test's scripted answer)
    method = getattr(response.request, "method", None) or ""
    if method.upper() == "HEAD" or response.status_code in (204, 304):
        response.close()
        set_body(response, b"")
        return
    announced = response.headers.get("Content-Length", "").strip()
    announced = int(announced) if announced.isdigit() else None
    if announced is not None and announced > max_bytes:
        raise AttemptFailed("too_big", too_big_message(response, max_bytes, announced), answered=True)
    # Content-Length counts the bytes on the wire; a compressed body decodes to another size.
    encoded = response.headers.get("Content-Encoding", "identity").strip().lower() not in ("", "identity")
    chunks = []
    size = 0
    # Exceptions of requests (a connection closed mid-body, a cut) go to the caller, which words them.
    for chunk in response.iter_content(READ_CHUNK_BYTES):
        size += len(chunk)
        if size > max_bytes:
            raise AttemptFailed("too_big", too_big_message(response, max_bytes), answered=True)
        if watch.expired:
            break
        if sink is not None:
            sink(chunk)
        else:
            chunks.append(chunk)
    if watch.expired:
        # A cut connection may look like the end of a body sent without Content-Length.
        raise AttemptFailed("deadline", answered=True)
    if announced is not None and not encoded and size != announced:
        raise AttemptFailed("broken", answered=True)
    set_body(response, b"".join(chunks))


def too_big_message(response, max_bytes, announced=None):
    sent = "announced %s" % _size(announced) if announced is not None else "sent more"
    return ("%s %s for one answer, more than the %s this collection reads: is url the service itself, not a "
            "proxy or another server?" % (origin(response.url), sent, _size(max_bytes)))


def _size(count):
    if count >= 1024 * 1024 and count % (1024 * 1024) == 0:
        return "%d MiB" % (count // (1024 * 1024))
    return "%d bytes" % count


def origin(url):
    """scheme://host[:port] of a URL, for messages (no path or query)."""
    parts = (url or "").split("/", 3)
    return "/".join(parts[:3]) if len(parts) >= 3 else (url or "the server")
