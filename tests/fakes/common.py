"""Shared harness for the local fake servers (pwpush today; OTS and Push Security later).

Every fake is a Flask app served by waitress and gets the same test controls:

* ``POST /_fake/faults``   force a status for the next N requests, add delay, filter by path prefix
* ``GET /_fake/faults``    show the current fault switches
* ``DELETE /_fake/faults`` clear them
* ``POST /_fake/reset``    drop all state (the fake's own data, counters, faults, rate-limit windows)
* ``GET /_fake/requests``  requests seen, counted per "METHOD route-pattern" (never bodies)

plus a Rack::Attack-like per-IP rate limiter (and an API Gateway-like per-key token bucket,
``TokenBucket``), a request logger that never logs bodies,
headers or query strings, and ``run()``, which prints ``ready http://127.0.0.1:PORT``
once the socket listens.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import signal
import sys
import threading
import time
import traceback
from collections import Counter
from typing import Callable

from flask import Flask, Response, g, request

FAKE_PREFIX = "/_fake/"
FAULT_STATUSES = (429, 500, 502, 503)

LOG = logging.getLogger("fake")


# --------------------------------------------------------------------------- responses


def json_body(obj) -> str:
    """Encode like Rails' to_json: compact, UTF-8, with <, >, & and the JS line separators escaped."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                          ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return text


def json_response(obj, status: int = 200, headers: dict | None = None) -> Response:
    """A JSON response with Rails' content type (Flask's jsonify omits the charset)."""
    return Response(json_body(obj), status=status, headers=headers,
                    content_type="application/json; charset=utf-8")


def empty_response(status: int, content_type: str = "application/json") -> Response:
    """Rails ``head :status``: no body at all (clients that call .json() on it must cope)."""
    return Response(b"", status=status, content_type=content_type)


def text_response(body: str, status: int, headers: dict | None = None) -> Response:
    return Response(body, status=status, headers=headers, content_type="text/plain")


# --------------------------------------------------------------------------- client IP


_TRUSTED_PROXY_NETS = [ipaddress.ip_network(net) for net in (
    "127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")]


def _is_trusted_proxy(addr: str) -> bool:
    try:
        ip = ipaddress.ip_address(addr.strip())
    except ValueError:
        return addr.strip() in ("localhost", "unix")
    return any(ip in net for net in _TRUSTED_PROXY_NETS)


def client_ip(environ) -> str:
    """The client address as Rails' request.remote_ip / Rack's request.ip compute it.

    Local and private peers count as trusted proxies, so X-Forwarded-For is honoured when
    the fake is reached through localhost: the rightmost untrusted hop is the client.
    Tests use this to act as several clients.
    """
    remote = environ.get("REMOTE_ADDR", "") or ""
    forwarded = [part.strip() for part in environ.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if not forwarded or not _is_trusted_proxy(remote):
        return remote
    for hop in reversed(forwarded):
        if not _is_trusted_proxy(hop):
            return hop
    return forwarded[0]


# --------------------------------------------------------------------------- fault injection


class FaultInjector:
    """Test switch: force a status on the next N matching requests and/or slow them down.

    State: ``status`` (429/500/502/503) for the next ``count`` requests, optional
    ``retry_after`` header value, ``delay`` seconds added to every matching request, and an
    optional ``path_prefix`` that limits both to matching paths. /_fake/ is never affected.
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

    def configure(self, spec: dict) -> None:
        """Apply a POST /_fake/faults body; raises ValueError on a bad field."""
        status = spec.get("status")
        if status is not None and status not in FAULT_STATUSES:
            raise ValueError("status must be one of %s" % (FAULT_STATUSES,))
        count = spec.get("count", 1 if status is not None else 0)
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
        with self._lock:
            self.status = status
            self.remaining = count if status is not None else 0
            self.retry_after = retry_after
            self.delay = float(delay)
            self.path_prefix = prefix or None

    def state(self) -> dict:
        with self._lock:
            return {"status": self.status, "count": self.remaining, "retry_after": self.retry_after,
                    "delay": self.delay, "path_prefix": self.path_prefix}

    def before_request(self) -> Response | None:
        """Flask before_request hook: sleep and/or answer with the forced status."""
        if request.path.startswith(FAKE_PREFIX):
            return None
        with self._lock:
            if self.path_prefix and not request.path.startswith(self.path_prefix):
                return None
            delay = self.delay
            status = None
            if self.status is not None and self.remaining > 0:
                self.remaining -= 1
                status, retry_after = self.status, self.retry_after
        if delay:
            time.sleep(delay)  # outside the lock: a slow request must not stall the others
        if status is None:
            return None
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
        if self._response is not None:
            return self._response(status, headers)
        if status == 429:
            return text_response("Retry later\n", 429, headers)  # what Rack::Attack sends
        return Response(_FAULT_PAGES[status], status=status, headers=headers,
                        content_type="text/html; charset=utf-8")


_FAULT_PAGES = {
    500: "<html><body><h1>We're sorry, but something went wrong.</h1></body></html>\n",
    502: "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>\n",
    503: ("<html><head><title>503 Service Unavailable</title></head>"
          "<body><h1>503 Service Unavailable</h1></body></html>\n"),
}


# --------------------------------------------------------------------------- rate limiting


class RateLimiter:
    """Per-IP throttle shaped like Rack::Attack's ``throttle`` (what pwpush uses).

    Rack::Attack counts in fixed windows aligned to the epoch (the key holds
    ``now // period``), not sliding ones: a client can burst up to twice the limit across a
    window boundary, and Retry-After is the time left in the current window. Every request
    increments the counters (throttled ones too); throttles are checked in order and the
    first one over its limit answers 429 "Retry later\\n" (text/plain) with Retry-After.
    A limit of 0 disables that throttle.
    """

    def __init__(self, per_minute: int = 120, per_second: int = 60,
                 exempt: Callable[[str], bool] | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.throttles = [("req/minute/ip", per_minute, 60), ("req/second/ip", per_second, 1)]
        self.exempt = exempt or (lambda path: False)
        self.clock = clock
        self._lock = threading.Lock()
        self._counts: dict[tuple, int] = {}

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()

    def check(self, ip: str, path: str) -> Response | None:
        if path.startswith(FAKE_PREFIX) or self.exempt(path):
            return None
        now = int(self.clock())
        with self._lock:
            if len(self._counts) > 10000:  # drop windows that are long over
                self._counts = {k: v for k, v in self._counts.items() if k[2] >= now // k[3] - 1}
            for name, limit, period in self.throttles:
                if limit <= 0:
                    continue
                key = (name, ip, now // period, period)
                self._counts[key] = count = self._counts.get(key, 0) + 1
                if count > limit:
                    retry_after = period - (now % period)
                    return text_response("Retry later\n", 429, {"Retry-After": str(retry_after)})
        return None


class TokenBucket:
    """Per-key token bucket, the way AWS API Gateway throttles (usage plans: rate and burst).

    Each key has a bucket of ``burst`` tokens, full at first, refilled continuously at
    ``rate`` tokens a second; a request takes one token, and a request that finds less than
    one is refused (it takes nothing). So from rest a client gets ``burst`` requests at once,
    then ``rate`` a second. A rate of 0 disables the limit. ``take`` returns None when the
    request may pass, else the seconds until a token is there.
    """

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        if rate < 0 or (rate > 0 and burst < 1):
            raise ValueError("rate must be >= 0 and burst >= 1")
        self.rate = float(rate)
        self.burst = float(burst)
        self.clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()

    def take(self, key: str) -> float | None:
        if self.rate <= 0:
            return None
        now = self.clock()
        with self._lock:
            if key not in self._buckets and len(self._buckets) >= 10000:
                full = now - self.burst / self.rate  # forget keys whose bucket has filled up again
                self._buckets = {k: v for k, v in self._buckets.items() if v[1] > full}
            tokens, at = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - at) * self.rate)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                return None
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self.rate


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
    log = logging.getLogger("fake." + name)

    @app.before_request
    def _start_clock():
        g.fake_started = time.perf_counter()

    # Faults act first, like a broken proxy in front of the app; a forced answer never
    # reaches the rate limiter.
    app.before_request(faults.before_request)

    if rate_limiter is not None:
        @app.before_request
        def _throttle():
            return rate_limiter.check(client_ip(request.environ), request.path)

    @app.after_request
    def _count_and_log(response):
        if not request.path.startswith(FAKE_PREFIX):
            counter.add("%s %s" % (request.method, _route_pattern()))
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
        if rate_limiter is not None:
            rate_limiter.reset()
        return json_response({"reset": True})

    @app.get("/_fake/requests")
    def _requests_seen():
        return json_response(counter.snapshot())

    app.extensions["fake_faults"] = faults
    app.extensions["fake_requests"] = counter
    return faults


def log_exception_safely(log: logging.Logger, exc: BaseException) -> None:
    """Log where an exception happened without its message (it may quote a secret)."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = "; ".join("%s:%d in %s" % (f.filename.rsplit("/", 1)[-1], f.lineno, f.name) for f in frames[-4:])
    log.error("unhandled %s at %s", type(exc).__name__, where)


def configure_logging(quiet: bool = False) -> None:
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING if quiet else logging.INFO,
                        format="%(asctime)s %(name)s %(message)s")


def run(app: Flask, port: int, host: str = "127.0.0.1", threads: int = 8) -> None:
    """Serve ``app`` until SIGTERM/SIGINT; print ``ready http://HOST:PORT`` once listening."""
    from waitress.server import create_server  # pylint: disable=import-outside-toplevel

    server = create_server(
        app, host=host, port=port, threads=threads,
        # Keep X-Forwarded-* (waitress strips them by default): the fakes build links from
        # them, as Rails does behind a proxy.
        clear_untrusted_proxy_headers=False,
        ident="fake",
    )

    def _stop(signum, frame):  # pylint: disable=unused-argument
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    print("ready http://%s:%s" % (host, server.effective_port), flush=True)
    try:
        server.run()
    except SystemExit:
        pass
    finally:
        server.close()
