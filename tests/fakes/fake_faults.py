"""The fault switches every fake has (for common.py's ``POST /_fake/faults``): a forced status for the next N
requests, a delay, or a connection dropped without an answer."""

from __future__ import annotations

import socket
import struct
import sys
import threading
import time
from typing import Callable

from flask import Response, g, request

from fake_http import FAKE_PREFIX, LOG, empty_response, text_response

FAULT_STATUSES = (429, 500, 502, 503)
RESET_MODES = ("before", "after")


class FaultInjector:
    """Test switch: force a status on the next N matching requests and/or slow them down.

    State: ``status`` (429/500/502/503) for the next ``count`` requests, optional
    ``retry_after`` header value, ``delay`` seconds added to every matching request, and an
    optional ``path_prefix`` and/or ``method`` (for example "POST": the creates, not the reads
    under the same path) that limit both to matching requests. /_fake/ is never affected.

    ``reset`` ("before" or "after", instead of ``status``) drops the connection of the next
    ``count`` matching requests without any answer: "before" before the app sees the request
    (nothing is stored), "after" once the app has handled it (a create is stored, but the client
    never learns so). The client sees the connection closed (RST) with no response.
    """

    def __init__(self, response: Callable[[int, dict | None], Response] | None = None) -> None:
        # ``response(status, headers)`` builds a forced answer the way the faked service's own
        # front end would; without it the Rails/Rack::Attack pages below are used.
        self._response = response
        self._lock = threading.Lock()
        self.clear()

    def clear(self) -> None:
        with self._lock:
            self.status: int | None = None
            self.remaining = 0
            self.retry_after: int | None = None
            self.delay = 0.0
            self.path_prefix: str | None = None
            self.method: str | None = None
            self.reset: str | None = None

    def configure(self, spec: dict) -> None:
        """Apply a POST /_fake/faults body; raises ValueError on a bad field."""
        status = spec.get("status")
        if status is not None and status not in FAULT_STATUSES:
            raise ValueError("status must be one of %s" % (FAULT_STATUSES,))
        reset = spec.get("reset")
        if reset is not None and reset not in RESET_MODES:
            raise ValueError("reset must be one of %s" % (RESET_MODES,))
        if reset is not None and status is not None:
            raise ValueError("give status or reset, not both")
        count = spec.get("count", 1 if status is not None or reset is not None else 0)
        if not isinstance(count, int) or count < 0:
            raise ValueError("count must be a non-negative integer")
        retry_after = spec.get("retry_after")
        if retry_after is not None and (not isinstance(retry_after, int) or retry_after < 0):
            raise ValueError("retry_after must be a non-negative integer or null")
        delay = spec.get("delay", 0)
        if not isinstance(delay, (int, float)) or isinstance(delay, bool) or delay < 0:
            raise ValueError("delay must be a non-negative number of seconds")
        prefix = spec.get("path_prefix")
        if prefix is not None and not isinstance(prefix, str):
            raise ValueError("path_prefix must be a string")
        method = spec.get("method")
        if method is not None and method not in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            raise ValueError("method must be GET, POST, PUT, PATCH or DELETE")
        with self._lock:
            self.status = status
            self.reset = reset
            self.remaining = count if status is not None or reset is not None else 0
            self.retry_after = retry_after
            self.delay = float(delay)
            self.path_prefix = prefix or None
            self.method = method

    def state(self) -> dict:
        with self._lock:
            state = {"status": self.status, "count": self.remaining, "retry_after": self.retry_after,
                     "delay": self.delay, "path_prefix": self.path_prefix, "method": self.method}
            if self.reset is not None:
                state["reset"] = self.reset
            return state

    def before_request(self) -> Response | None:
        """Flask before_request hook: sleep and/or answer with the forced status."""
        if request.path.startswith(FAKE_PREFIX):
            return None
        with self._lock:
            if self.path_prefix and not request.path.startswith(self.path_prefix):
                return None
            if self.method and request.method != self.method:
                return None
            delay = self.delay
            status = reset = None
            if self.status is not None and self.remaining > 0:
                self.remaining -= 1
                status, retry_after = self.status, self.retry_after
            elif self.reset is not None and self.remaining > 0:
                self.remaining -= 1
                reset = self.reset
        if delay:
            time.sleep(delay)  # outside the lock: a slow request must not stall the others
        if reset == "before":
            drop_connection(request.environ)
            return empty_response(500)  # never reaches the client: the socket is gone
        if reset == "after":
            g.fake_drop_after = True
            return None
        if status is None:
            return None
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
        return (self._response or default_fault_response)(status, headers)

    def after_request(self, response: Response) -> Response:  # pylint: disable=no-self-use
        """Flask after_request hook: the "after" reset, once the view has done its work."""
        if g.get("fake_drop_after"):
            drop_connection(request.environ)
        return response


def _raw_socket(environ):
    """The client socket behind a WSGI request, for the servers run() uses.

    werkzeug's server puts it in the environ; waitress does not, so it is taken from the
    waitress task that is calling the app (a frame up the stack: ``self.channel.socket``).
    """
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        return sock
    frame = sys._getframe(1)  # pylint: disable=protected-access
    while frame is not None:
        task = frame.f_locals.get("self")
        channel = getattr(task, "channel", None)
        if channel is not None and isinstance(getattr(channel, "socket", None), socket.socket):
            return channel.socket
        frame = frame.f_back
    return None


def drop_connection(environ) -> None:
    """Close the client's connection at once with a TCP reset, without an answer."""
    sock = _raw_socket(environ)
    if sock is None:
        raise RuntimeError("reset fault: no client socket found for this request")
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    LOG.info("reset fault: connection dropped without an answer")


def default_fault_response(status: int, headers: dict | None) -> Response:
    """A forced answer as a Rails app behind a proxy gives it: Rack::Attack's 429, the error pages."""
    if status == 429:
        return text_response("Retry later\n", 429, headers)  # what Rack::Attack sends
    return Response(_FAULT_PAGES[status], status=status, headers=headers, content_type="text/html; charset=utf-8")


_FAULT_PAGES = {
    500: "<html><body><h1>We're sorry, but something went wrong.</h1></body></html>\n",
    502: "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>\n",
    503: ("<html><head><title>503 Service Unavailable</title></head>"
          "<body><h1>503 Service Unavailable</h1></body></html>\n"),
}
