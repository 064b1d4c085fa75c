"""HTTP basics every fake shares (for common.py): Rails-like JSON and text answers, the client address behind
local proxies, logging, and ``run()``, which serves an app with waitress (or werkzeug for HTTPS) and prints
``ready http://HOST:PORT`` once the socket listens; ``write_test_ca`` makes the throwaway certificates."""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import signal
import sys
from typing import Callable

from flask import Flask, Response

FAKE_PREFIX = "/_fake/"

LOG = logging.getLogger("fake")

BoundHook = Callable[[str, str, int], None]


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


# --------------------------------------------------------------------------- serving


def configure_logging(quiet: bool = False) -> None:
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING if quiet else logging.INFO,
                        format="%(asctime)s %(name)s %(message)s")


def stop_on_signals() -> None:
    """SIGTERM and SIGINT end ``serve_forever`` with SystemExit (``announce_and_serve`` catches it)."""

    def _stop(signum, frame):  # pylint: disable=unused-argument
        # Ctrl-C reaches make, run-with and this server at once, and may come twice: a second signal while
        # the server closes would print a traceback.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)


def announce_and_serve(url: str, serve_forever: Callable[[], None], close: Callable[[], None],
                       on_bound: BoundHook | None = None) -> None:
    """Call ``on_bound(scheme, host, port)``, print ``ready URL``, serve until SIGTERM/SIGINT, close."""
    scheme, _sep, address = url.partition("://")
    host, _colon, port = address.rpartition(":")
    if on_bound is not None:
        on_bound(scheme, host, int(port))
    print("ready " + url, flush=True)
    try:
        serve_forever()
    except SystemExit:
        pass
    finally:
        close()


def run(app: Flask, port: int, host: str = "127.0.0.1", threads: int = 8,  # pylint: disable=too-many-arguments
        tls_cert: str | None = None, tls_key: str | None = None, on_bound: BoundHook | None = None) -> None:
    """Serve ``app`` until SIGTERM/SIGINT; print ``ready http://HOST:PORT`` once listening.

    ``on_bound(scheme, host, port)`` runs once the port is known, before the ready line (a fake whose
    links come from its configuration takes its address from there when none was configured).

    With ``tls_cert`` and ``tls_key`` (PEM files; default: the environment's FAKE_TLS_CERT and
    FAKE_TLS_KEY, which ``serve --tls-cert/--tls-key`` sets) it serves HTTPS instead, with
    werkzeug's threaded server (waitress has no TLS), and prints ``ready https://HOST:PORT``.
    """
    tls_cert = tls_cert or os.environ.get("FAKE_TLS_CERT") or None
    tls_key = tls_key or os.environ.get("FAKE_TLS_KEY") or None
    stop_on_signals()
    if tls_cert or tls_key:
        server = _tls_server(app, port, host, tls_cert, tls_key)
        announce_and_serve("https://%s:%s" % (host, server.server_port), server.serve_forever, server.server_close,
                           on_bound)
        return
    from waitress.server import create_server  # pylint: disable=import-outside-toplevel

    waitress = create_server(
        app, host=host, port=port, threads=threads,
        # Keep X-Forwarded-* (waitress strips them by default): the fakes build links from
        # them, as Rails does behind a proxy.
        clear_untrusted_proxy_headers=False,
        ident="fake",
    )
    announce_and_serve("http://%s:%s" % (host, waitress.effective_port), waitress.run, waitress.close, on_bound)


def _tls_server(app: Flask, port: int, host: str, cert: str | None, key: str | None):
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

    return make_server(host, port, app, threaded=True, ssl_context=context, request_handler=_QuietHandler)


# --------------------------------------------------------------------------- throwaway TLS


def write_test_ca(directory: str, host: str = "127.0.0.1", *, ca_key_usage: bool = True) -> dict:
    """Write a throwaway CA and a server certificate it signed for ``host`` (and localhost).

    Files: ca.pem (the CA certificate, what a client passes as ca_path), server.pem (the
    server certificate followed by the CA), server.key (unencrypted). Valid for two days.
    Uses the ``cryptography`` package. Returns the paths by name (ca, cert, key).
    ``ca_key_usage=False`` leaves the key usage extension out of the CA: trusted by OpenSSL's
    usual checks, refused by Python 3.13's strict verification (the hostile fake's https listener).
    """
    import datetime  # pylint: disable=import-outside-toplevel

    from cryptography import x509  # pylint: disable=import-outside-toplevel
    from cryptography.hazmat.primitives import hashes, serialization  # pylint: disable=import-outside-toplevel
    from cryptography.hazmat.primitives.asymmetric import ec  # pylint: disable=import-outside-toplevel
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID  # pylint: disable=import-outside-toplevel

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "oneshot.secrets throwaway test CA"
                                            + ("" if ca_key_usage else " without key usage"))])
    ca_builder = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
                  .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
                  .not_valid_before(now - datetime.timedelta(minutes=5))
                  .not_valid_after(now + datetime.timedelta(days=2))
                  .add_extension(x509.BasicConstraints(ca=True, path_length=0 if ca_key_usage else None), critical=True)
                  .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False))
    if ca_key_usage:
        ca_builder = ca_builder.add_extension(
            x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                          key_encipherment=False, data_encipherment=False, key_agreement=False, encipher_only=False,
                          decipher_only=False), critical=True)
    ca_cert = ca_builder.sign(ca_key, hashes.SHA256())
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
