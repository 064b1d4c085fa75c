"""Shared harness for the local fake servers (pwpush today; OTS and Push Security later).

Every fake is a Flask app served by waitress and gets the same test controls:

* ``POST /_fake/faults``   force a status for the next N requests, add delay, filter by path prefix,
                           or drop the connection without an answer (``{"reset": "before"|"after"}``)
* ``GET /_fake/faults``    show the current fault switches
* ``DELETE /_fake/faults`` clear them
* ``POST /_fake/reset``    drop all state (the fake's own data, counters, faults, rate-limit windows)
* ``GET /_fake/requests``  requests seen, counted per "METHOD route-pattern" (never bodies)
* ``GET /_fake/authorization``  requests seen, counted per Authorization scheme ("Basic", "Bearer", "none")

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
import os
import signal
import socket
import struct
import sys
import threading
import time
import traceback
from collections import Counter
from typing import Callable

from flask import Flask, Response, g, request

FAKE_PREFIX = "/_fake/"
FAULT_STATUSES = (429, 500, 502, 503)
RESET_MODES = ("before", "after")

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


def configure_logging(quiet: bool = False) -> None:
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING if quiet else logging.INFO,
                        format="%(asctime)s %(name)s %(message)s")


def run(app: Flask, port: int, host: str = "127.0.0.1", threads: int = 8,  # pylint: disable=too-many-arguments
        tls_cert: str | None = None, tls_key: str | None = None,
        on_bound: Callable[[str, str, int], None] | None = None) -> None:
    """Serve ``app`` until SIGTERM/SIGINT; print ``ready http://HOST:PORT`` once listening.

    ``on_bound(scheme, host, port)`` runs once the port is known, before the ready line (a fake whose
    links come from its configuration takes its address from there when none was configured).

    With ``tls_cert`` and ``tls_key`` (PEM files; default: the environment's FAKE_TLS_CERT and
    FAKE_TLS_KEY, which ``serve --tls-cert/--tls-key`` sets) it serves HTTPS instead, with
    werkzeug's threaded server (waitress has no TLS), and prints ``ready https://HOST:PORT``.
    """
    tls_cert = tls_cert or os.environ.get("FAKE_TLS_CERT") or None
    tls_key = tls_key or os.environ.get("FAKE_TLS_KEY") or None

    def _stop(signum, frame):  # pylint: disable=unused-argument
        # Ctrl-C reaches make, run-with and this server at once, and may come twice: a second signal while
        # the server closes would print a traceback.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    if tls_cert or tls_key:
        _run_tls(app, port, host, tls_cert, tls_key, on_bound)
        return
    from waitress.server import create_server  # pylint: disable=import-outside-toplevel

    server = create_server(
        app, host=host, port=port, threads=threads,
        # Keep X-Forwarded-* (waitress strips them by default): the fakes build links from
        # them, as Rails does behind a proxy.
        clear_untrusted_proxy_headers=False,
        ident="fake",
    )
    if on_bound is not None:
        on_bound("http", host, int(server.effective_port))
    print("ready http://%s:%s" % (host, server.effective_port), flush=True)
    try:
        server.run()
    except SystemExit:
        pass
    finally:
        server.close()


def _run_tls(app: Flask, port: int, host: str, cert: str | None, key: str | None,  # pylint: disable=too-many-arguments
             on_bound: Callable[[str, str, int], None] | None = None) -> None:
    import ssl  # pylint: disable=import-outside-toplevel

    from werkzeug.serving import WSGIRequestHandler, make_server  # pylint: disable=import-outside-toplevel

    if not (cert and key):
        raise SystemExit("--tls-cert and --tls-key go together")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)

    class _QuietHandler(WSGIRequestHandler):
        # The harness logs every request itself (without secrets); werkzeug's own line would
        # add the query string, where passphrases travel.
        def log_request(self, code="-", size="-"):
            pass

        def log_error(self, format, *args):  # pylint: disable=redefined-builtin
            # A client that refuses our throwaway CA closes the handshake: one line, no traceback.
            LOG.info("tls: %s", (format % args)[:200])

    server = make_server(host, port, app, threaded=True, ssl_context=context, request_handler=_QuietHandler)
    if on_bound is not None:
        on_bound("https", host, server.server_port)
    print("ready https://%s:%s" % (host, server.server_port), flush=True)
    try:
        server.serve_forever()
    except SystemExit:
        pass
    finally:
        server.server_close()


# --------------------------------------------------------------------------- throwaway TLS


def write_test_ca(directory: str, host: str = "127.0.0.1") -> dict:
    """Write a throwaway CA and a server certificate it signed for ``host`` (and localhost).

    Files: ca.pem (the CA certificate, what a client passes as ca_path), server.pem (the
    server certificate followed by the CA), server.key (unencrypted). Valid for two days.
    Uses the ``cryptography`` package. Returns the paths by name (ca, cert, key).
    """
    import datetime  # pylint: disable=import-outside-toplevel

    from cryptography import x509  # pylint: disable=import-outside-toplevel
    from cryptography.hazmat.primitives import hashes, serialization  # pylint: disable=import-outside-toplevel
    from cryptography.hazmat.primitives.asymmetric import ec  # pylint: disable=import-outside-toplevel
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID  # pylint: disable=import-outside-toplevel

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "oneshot.secrets throwaway test CA")])
    ca_cert = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
               .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=2))
               .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                            content_commitment=False, key_encipherment=False, data_encipherment=False,
                                            key_agreement=False, encipher_only=False, decipher_only=False),
                              critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
               .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    names: list = [x509.DNSName("localhost")]
    try:
        names.append(x509.IPAddress(ipaddress.ip_address(host)))
    except ValueError:
        names.append(x509.DNSName(host))
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])).issuer_name(ca_name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    paths = {"ca": os.path.join(directory, "ca.pem"), "cert": os.path.join(directory, "server.pem"),
             "key": os.path.join(directory, "server.key")}
    with open(paths["ca"], "wb") as handle:
        handle.write(ca_cert.public_bytes(pem))
    with open(paths["cert"], "wb") as handle:
        handle.write(cert.public_bytes(pem) + ca_cert.public_bytes(pem))
    fd = os.open(paths["key"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return paths


if __name__ == "__main__":
    # python tests/fakes/common.py make-ca DIR: the throwaway CA and server certificate above.
    if len(sys.argv) == 3 and sys.argv[1] == "make-ca":
        for _name, _path in write_test_ca(sys.argv[2]).items():
            print("%s %s" % (_name, _path))
        sys.exit(0)
    sys.exit("usage: common.py make-ca DIR")


class FirstHitWindow:
    """Counters whose fixed window starts at a key's first hit (Redis INCR + EXPIRE, Rails' rate_limit
    cache increment): a window is never sliding. Shared by the fakes whose real servers count this way."""

    def __init__(self) -> None:
        self._windows: dict[str, tuple[float, int]] = {}

    def hit(self, key: str, now: float, within: int) -> int:
        start, count = self._windows.get(key, (now, 0))
        if now >= start + within:
            start, count = now, 0
        self._windows[key] = (start, count + 1)
        return count + 1

    def clear(self) -> None:
        self._windows.clear()
