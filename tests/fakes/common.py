"""Harness shared by the local fake servers: ``install_harness`` gives every fake the same test controls

* ``POST /_fake/faults``   force a status for the next N requests, add delay, filter by path prefix,
                           or drop the connection without an answer (``{"reset": "before"|"after"}``)
* ``GET /_fake/faults``    show the current fault switches
* ``DELETE /_fake/faults`` clear them
* ``POST /_fake/reset``    drop all state (the fake's own data, counters, faults, rate-limit windows)
* ``GET /_fake/requests``  requests seen, counted per "METHOD route-pattern" (never bodies)
* ``GET /_fake/authorization``  requests seen, counted per Authorization scheme ("Basic", "Bearer", "none")

and a request log that never logs bodies, headers or query strings. Its parts live in fake_http.py (answers,
client address, ``run()``, which prints ``ready http://127.0.0.1:PORT`` once the socket listens, throwaway
TLS), fake_faults.py (the fault switches) and fake_limits.py (a Rack::Attack-like per-IP rate limiter, an API
Gateway-like per-key ``TokenBucket``); the fakes reach them all as ``common.NAME``.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import time
import traceback
from collections import Counter
from typing import Callable

from flask import Flask, Response, g, request

# The harness' parts, re-exported: the fakes use them as common.NAME.
from fake_faults import FAULT_STATUSES, RESET_MODES, FaultInjector, default_fault_response, drop_connection  # noqa: F401
from fake_http import (FAKE_PREFIX, LOG, client_ip, configure_logging, empty_response, json_body,  # noqa: F401
                       json_response, run, text_response, write_test_ca)
from fake_limits import FirstHitWindow, RateLimiter, TokenBucket  # noqa: F401

__all__ = ["FAKE_PREFIX", "FAULT_STATUSES", "LOG", "RESET_MODES", "FaultInjector", "FirstHitWindow", "RateLimiter",
           "RequestCounter", "TokenBucket", "client_ip", "configure_logging", "default_fault_response", "drop_connection",
           "empty_response", "install_harness", "json_body", "json_response", "log_exception_safely", "run",
           "text_response", "write_test_ca"]


# --------------------------------------------------------------------------- request log


def _route_pattern() -> str:
    rule = request.url_rule.rule if request.url_rule is not None else "<unmatched>"
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"<\1>", rule)


def _loggable_path(secret_view_args: tuple[str, ...]) -> str:
    """The request path without query string (passphrases travel there) and with the
    secret parts of the path (URL tokens) cut to a short prefix."""
    if request.url_rule is None:
        parts = request.path.split("/")
        return "/".join(parts[:3]) + ("/..." if len(parts) > 3 else "")
    path = request.path
    for name in secret_view_args:
        value = (request.view_args or {}).get(name)
        if value:
            path = path.replace(value, value[:4] + "...", 1)
    return path


class RequestCounter:
    """Counts requests per "METHOD route-pattern" for GET /_fake/requests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter = Counter()

    def add(self, key: str) -> None:
        with self._lock:
            self._counts[key] += 1

    def snapshot(self) -> dict:
        with self._lock:
            return dict(sorted(self._counts.items()))

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()


# --------------------------------------------------------------------------- wiring


def install_harness(app: Flask, *, name: str, reset: Callable[[], None], rate_limiter: RateLimiter | None,
                    secret_view_args: tuple[str, ...] = (),
                    fault_response: Callable[[int, dict | None], Response] | None = None) -> FaultInjector:
    """Install faults, rate limiting, request counting/logging and the /_fake/ controls.

    ``reset`` drops the fake's own state; ``secret_view_args`` names the URL variables
    (e.g. push tokens) that the log shortens; ``fault_response(status, headers)`` builds the
    forced fault answers (default: Rails/Rack::Attack pages). A fake that throttles in its
    own views (e.g. per API key with a TokenBucket) passes ``rate_limiter=None`` and resets
    its buckets in ``reset``.
    """
    faults = FaultInjector(fault_response)
    counter = RequestCounter()
    # What clients sent as credentials, by scheme only (a test of ~/.netrc handling reads it; values never kept).
    schemes = RequestCounter()
    log = logging.getLogger("fake." + name)

    @app.before_request
    def _start_clock():
        g.fake_started = time.perf_counter()

    # Faults act first, like a broken proxy in front of the app; a forced answer never
    # reaches the rate limiter.
    app.before_request(faults.before_request)
    app.after_request(faults.after_request)

    if rate_limiter is not None:
        @app.before_request
        def _throttle():
            return rate_limiter.check(client_ip(request.environ), request.path)

    @app.after_request
    def _count_and_log(response):
        if not request.path.startswith(FAKE_PREFIX):
            counter.add("%s %s" % (request.method, _route_pattern()))
            schemes.add((request.headers.get("Authorization") or "none").split(" ", 1)[0])
        elapsed_ms = (time.perf_counter() - g.get("fake_started", time.perf_counter())) * 1000
        log.info("%s %s %d %.1fms", request.method, _loggable_path(secret_view_args),
                 response.status_code, elapsed_ms)
        return response

    @app.post("/_fake/faults")
    def _set_faults():
        spec = request.get_json(silent=True)
        if not isinstance(spec, dict):
            return json_response({"error": "expected a JSON object"}, 400)
        try:
            faults.configure(spec)
        except ValueError as exc:
            return json_response({"error": str(exc)}, 400)
        return json_response(faults.state())

    @app.get("/_fake/faults")
    def _get_faults():
        return json_response(faults.state())

    @app.delete("/_fake/faults")
    def _clear_faults():
        faults.clear()
        return json_response(faults.state())

    @app.post("/_fake/reset")
    def _reset():
        reset()
        faults.clear()
        counter.reset()
        schemes.reset()
        if rate_limiter is not None:
            rate_limiter.reset()
        return json_response({"reset": True})

    @app.get("/_fake/requests")
    def _requests_seen():
        return json_response(counter.snapshot())

    @app.get("/_fake/authorization")
    def _authorization_schemes_seen():
        return json_response(schemes.snapshot())

    app.extensions["fake_faults"] = faults
    app.extensions["fake_requests"] = counter
    return faults


def log_exception_safely(log: logging.Logger, exc: BaseException) -> None:
    """Log where an exception happened without its message (it may quote a secret)."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = "; ".join("%s:%d in %s" % (f.filename.rsplit("/", 1)[-1], f.lineno, f.name) for f in frames[-4:])
    log.error("unhandled %s at %s", type(exc).__name__, where)


if __name__ == "__main__":
    # python tests/fakes/common.py make-ca DIR: the throwaway CA and server certificate (fake_http.write_test_ca).
    if len(sys.argv) == 3 and sys.argv[1] == "make-ca":
        for _name, _path in write_test_ca(sys.argv[2]).items():
            print("%s %s" % (_name, _path))
        sys.exit(0)
    sys.exit("usage: common.py make-ca DIR")
