# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The go-plugin side of the provider: handshake, auto-mTLS and the gRPC server.

tf's own runner (tf.runner.run_provider) is not used because it ignores PLUGIN_CLIENT_CERT
(any local process could call the provider), caches a 1024-bit key under ~/.cache, does not
check the magic cookie and stops serving on StopProvider. This one follows go-plugin:

* refuses to start unless TF_PLUGIN_MAGIC_COOKIE is Terraform's (or OpenTofu's, the same);
* speaks protocol 6 and says so if PLUGIN_PROTOCOL_VERSIONS does not offer it;
* listens on a unix socket in a private (0700) temporary directory (PLUGIN_UNIX_SOCKET_DIR if
  set), named after its process id; at start it removes such directories of providers that
  died without cleaning up (Terraform kills a provider whose handshake failed);
* with PLUGIN_CLIENT_CERT: TLS with a fresh in-memory ECDSA certificate, which Terraform pins.
  The client certificate is not required: Terraform's is ECDSA P-521, and BoringSSL behind
  grpc's server credentials does not offer ecdsa_secp521r1_sha512, so Terraform would send none
  and the handshake would fail (pyvider-rpcplugin does the same). Only processes of the same
  user can reach the socket (its directory is 0700);
* exits when Terraform goes away (its parent changes), so a killed Terraform leaves no provider;
* prints `1|6|unix|PATH|grpc|CERT` on stdout, then keeps stdout for the handshake only
  (everything else goes to stderr, which Terraform logs);
* serves tfplugin6.Provider, plugin.GRPCController (Shutdown), plugin.GRPCStdio and the
  grpc.health.v1 check go-plugin pings.
"""

import base64
import datetime
import glob
import os
import shutil
import signal
import sys
import tempfile
import threading
import traceback
from concurrent import futures

MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE"
MAGIC_COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
CORE_PROTOCOL_VERSION = 1
APP_PROTOCOL_VERSION = 6

# The line Terraform quotes when the provider cannot start (see serve); the launcher prints the same words.
START_FAILED = "terraform-provider-oneshot could not start: %s (see docs/terraform/troubleshooting.md)"
NOT_A_PROGRAM = ("This binary is a plugin. These are not meant to be executed directly.\n"
                 "Please execute the program that consumes these plugins, which will\n"
                 "load any plugins automatically\n")


def server_certificate():
    """(key PEM, cert PEM, cert DER) of a fresh self-signed certificate for localhost, as go-plugin makes."""
    # pylint: disable=import-outside-toplevel
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP384R1())
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "oneshot.secrets"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(seconds=30))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=True,
                                     data_encipherment=False, key_agreement=True, key_cert_sign=True,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return key_pem, cert.public_bytes(serialization.Encoding.PEM), cert.public_bytes(serialization.Encoding.DER)


SOCKET_DIR_PREFIX = "oneshot-tf-"
# A Unix socket's path must fit sun_path (108 bytes with its NUL); grpc fails to bind a longer one.
MAX_SOCKET_PATH = 107
# What mkdtemp adds under the parent: the prefix, a pid, "-", 8 random characters, "/plugin.sock".
_SOCKET_PATH_TAIL = len(SOCKET_DIR_PREFIX) + 10 + 1 + 8 + len("/plugin.sock") + 1


def socket_parent_dir(environ):
    """PLUGIN_UNIX_SOCKET_DIR or the temporary directory, unless a socket there would not fit sun_path
    (a deep TMPDIR, as macOS and test harnesses have): then /tmp."""
    parent = environ.get("PLUGIN_UNIX_SOCKET_DIR") or tempfile.gettempdir()
    if len(parent) + _SOCKET_PATH_TAIL > MAX_SOCKET_PATH and os.path.isdir("/tmp"):
        return "/tmp"
    return parent


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_socket_dirs(parent):
    """Remove oneshot-tf-PID-* directories (ours) whose provider process is gone."""
    for path in glob.glob(os.path.join(parent, SOCKET_DIR_PREFIX + "*-*")):
        pid = os.path.basename(path)[len(SOCKET_DIR_PREFIX):].split("-", 1)[0]
        try:
            if pid.isdigit() and int(pid) != os.getpid() and os.stat(path).st_uid == os.getuid() \
                    and not _alive(int(pid)):
                shutil.rmtree(path, ignore_errors=True)
        except OSError:
            pass


PROVIDER_SERVICE = "tfplugin6.Provider"


def _raw_handlers(grpc, done):
    """go-plugin's own services, on raw bytes so that no protobuf module is imported before the handshake:
    grpc.health.v1.Health/Check answers SERVING (status field 1 = 1), plugin.GRPCController/Shutdown takes and
    answers an Empty (no bytes), plugin.GRPCStdio/StreamStdio streams nothing (logs go to stderr, which go-plugin
    reads directly)."""
    def shutdown(_request, _context):
        done.set()
        return b""

    return (
        grpc.method_handlers_generic_handler("grpc.health.v1.Health", {
            "Check": grpc.unary_unary_rpc_method_handler(lambda _request, _context: b"\x08\x01")}),
        grpc.method_handlers_generic_handler("plugin.GRPCController", {
            "Shutdown": grpc.unary_unary_rpc_method_handler(shutdown)}),
        grpc.method_handlers_generic_handler("plugin.GRPCStdio", {
            "StreamStdio": grpc.unary_stream_rpc_method_handler(lambda _request, _context: iter(()))}),
    )


class ProviderHandlers:
    """tfplugin6.Provider, loaded on its first call: the provider's modules (tf, protobuf, the resources) take
    longer to import than the rest of the start, and Terraform waits for the handshake line of every provider
    process it starts (3-5 a command)."""

    def __init__(self, grpc, load):
        """load(): the servicer (its provider as .app); imported and built once, by the first call."""
        self._grpc = grpc
        self._load = load
        self._lock = threading.Lock()
        self._handlers = None
        self.servicer = None

    def _loaded(self):
        with self._lock:
            if self._handlers is None:
                from oneshot_provider.protocol import provider_handlers  # pylint: disable=import-outside-toplevel
                self.servicer = self._load()
                self._handlers = provider_handlers(self.servicer)
            return self._handlers

    def service(self, handler_call_details):
        """grpc's GenericRpcHandler: the handler of a tfplugin6.Provider method, None for other services."""
        service, _slash, method = handler_call_details.method.lstrip("/").partition("/")
        if service != PROVIDER_SERVICE:
            return None
        try:
            return self._loaded().get(method)
        except Exception as exc:  # pylint: disable=broad-except
            # Terraform prints a call's status message under the command: the cause, not grpc's generic words.
            message = "the oneshot provider could not load (%s: %s); see docs/terraform/troubleshooting.md" % (
                type(exc).__name__, exc)

            def refuse(_request, context):
                context.abort(self._grpc.StatusCode.FAILED_PRECONDITION, message)

            return self._grpc.unary_unary_rpc_method_handler(refuse)

    def close(self):
        """Close the provider's clients, if a call ever built them."""
        if self.servicer is not None:
            getattr(self.servicer.app, "close", lambda: None)()


def serve(load, environ=None):
    """Run the provider until Terraform shuts it down; load() builds its servicer (see ProviderHandlers).
    Returns the process exit code."""
    environ = os.environ if environ is None else environ
    if environ.get(MAGIC_COOKIE_KEY) != MAGIC_COOKIE_VALUE:
        sys.stderr.write(NOT_A_PROGRAM)
        return 1
    offered = [v.strip() for v in environ.get("PLUGIN_PROTOCOL_VERSIONS", "").split(",") if v.strip()]
    if offered and str(APP_PROTOCOL_VERSION) not in offered:
        sys.stderr.write("This provider speaks plugin protocol %d; the client offers %s (Terraform >= 1.0 and "
                         "OpenTofu speak 6).\n" % (APP_PROTOCOL_VERSION, ", ".join(offered)))
        return 1

    # stdout is for the handshake line only: keep a handle, point fd 1 and sys.stdout at stderr.
    handshake_out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    done = threading.Event()
    try:
        server, provider_handlers, socket_dir, handshake = _listen(environ, load, done)
    except Exception as exc:  # pylint: disable=broad-except
        # Terraform shows no plugin stderr without TF_LOG, but it quotes a line on stdout that is not a handshake
        # ("Unrecognized remote plugin message: ..."): the cause goes there, the traceback to stderr.
        traceback.print_exc()
        handshake_out.write(START_FAILED % ("%s: %s" % (type(exc).__name__, exc)) + "\n")
        handshake_out.flush()
        return 1

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Terraform handles Ctrl-C and tells us (StopProvider)
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    parent = os.getppid()
    try:
        handshake_out.write(handshake + "\n")
        handshake_out.flush()
        while not done.wait(1.0):
            if os.getppid() != parent:  # Terraform died: nobody will ask us to stop
                break
    finally:
        server.stop(grace=0.2).wait()
        shutil.rmtree(socket_dir, ignore_errors=True)
        provider_handlers.close()  # the clients' sessions
    # Terraform waits for the process to end after every command's last call: skip the interpreter's
    # slow teardown of grpc's threads (nothing is left to flush but stderr).
    sys.stderr.flush()
    os._exit(0)


def _listen(environ, load, done):
    """(started server, its ProviderHandlers, socket directory, handshake line): grpc and the certificate, nothing
    of the provider itself (see ProviderHandlers)."""
    import grpc  # pylint: disable=import-outside-toplevel

    # Terraform calls up to -parallelism (10 by default) operations at once and StopProvider beside them: a pool
    # that size would leave Ctrl-C's StopProvider waiting behind the very requests it must end.
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=64))
    provider_handlers = ProviderHandlers(grpc, load)
    server.add_generic_rpc_handlers((provider_handlers,) + _raw_handlers(grpc, done))

    parent_dir = socket_parent_dir(environ)
    remove_stale_socket_dirs(parent_dir)
    socket_dir = tempfile.mkdtemp(prefix="%s%d-" % (SOCKET_DIR_PREFIX, os.getpid()), dir=parent_dir)
    socket_path = os.path.join(socket_dir, "plugin.sock")
    try:
        if environ.get("PLUGIN_CLIENT_CERT"):
            key_pem, cert_pem, cert_der = server_certificate()
            credentials = grpc.ssl_server_credentials([(key_pem, cert_pem)], require_client_auth=False)
            server.add_secure_port("unix:" + socket_path, credentials)
            cert_field = base64.b64encode(cert_der).decode("ascii").rstrip("=")
        else:
            server.add_insecure_port("unix:" + socket_path)
            cert_field = ""
        server.start()
    except BaseException:
        shutil.rmtree(socket_dir, ignore_errors=True)
        raise
    handshake = "|".join([str(CORE_PROTOCOL_VERSION), str(APP_PROTOCOL_VERSION), "unix", socket_path, "grpc",
                          cert_field])
    return server, provider_handlers, socket_dir, handshake
