# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The go-plugin side of the provider: handshake, auto-mTLS and the gRPC server.

tf's own runner (tf.runner.run_provider) is not used because it ignores PLUGIN_CLIENT_CERT
(any local process could call the provider), caches a 1024-bit key under ~/.cache, does not
check the magic cookie and stops serving on StopProvider. This one follows go-plugin:

* refuses to start unless TF_PLUGIN_MAGIC_COOKIE is Terraform's (or OpenTofu's, the same);
* speaks protocol 6 and says so if PLUGIN_PROTOCOL_VERSIONS does not offer it;
* listens on a unix socket in a private temporary directory (PLUGIN_UNIX_SOCKET_DIR if set);
* with PLUGIN_CLIENT_CERT: a fresh in-memory ECDSA certificate for the server, and only
  clients holding the key of PLUGIN_CLIENT_CERT are accepted (mutual TLS);
* prints `1|6|unix|PATH|grpc|CERT` on stdout, then keeps stdout for the handshake only
  (everything else goes to stderr, which Terraform logs);
* serves tfplugin6.Provider, plugin.GRPCController (Shutdown), plugin.GRPCStdio and the
  grpc.health.v1 check go-plugin pings.
"""

import base64
import datetime
import os
import signal
import sys
import tempfile
import threading
from concurrent import futures

MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE"
MAGIC_COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
CORE_PROTOCOL_VERSION = 1
APP_PROTOCOL_VERSION = 6

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


def _health_handler(grpc):
    """grpc.health.v1.Health/Check answering SERVING (status field 1 = 1) without extra packages."""
    def check(_request, _context):
        return b"\x08\x01"

    return grpc.method_handlers_generic_handler("grpc.health.v1.Health", {
        "Check": grpc.unary_unary_rpc_method_handler(check),
    })


def serve(provider, servicer_class, environ=None):
    """Run the provider until Terraform shuts it down. Returns the process exit code."""
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

    # pylint: disable=import-outside-toplevel
    import grpc
    from tf.gen import grpc_controller_pb2 as controller_pb
    from tf.gen import grpc_controller_pb2_grpc as controller_rpc
    from tf.gen import grpc_stdio_pb2_grpc as stdio_rpc
    from tf.gen import tfplugin_pb2_grpc as rpc

    done = threading.Event()

    class Controller(controller_rpc.GRPCControllerServicer):
        def Shutdown(self, request, context):
            done.set()
            return controller_pb.Empty()

    class Stdio(stdio_rpc.GRPCStdioServicer):
        def StreamStdio(self, request, context):
            return iter(())  # logs go to stderr, which go-plugin reads directly

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=10))
    rpc.add_ProviderServicer_to_server(servicer_class(provider), server)
    controller_rpc.add_GRPCControllerServicer_to_server(Controller(), server)
    stdio_rpc.add_GRPCStdioServicer_to_server(Stdio(), server)
    server.add_generic_rpc_handlers((_health_handler(grpc),))

    socket_dir = tempfile.mkdtemp(prefix="oneshot-tf-", dir=environ.get("PLUGIN_UNIX_SOCKET_DIR") or None)
    socket_path = os.path.join(socket_dir, "plugin.sock")
    client_cert = environ.get("PLUGIN_CLIENT_CERT")
    if client_cert:
        key_pem, cert_pem, cert_der = server_certificate()
        credentials = grpc.ssl_server_credentials([(key_pem, cert_pem)], require_client_auth=False)
        server.add_secure_port("unix:" + socket_path, credentials)
        cert_field = base64.b64encode(cert_der).decode("ascii").rstrip("=")
    else:
        server.add_insecure_port("unix:" + socket_path)
        cert_field = ""

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Terraform handles Ctrl-C and tells us (StopProvider)
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    server.start()
    try:
        handshake_out.write("|".join([str(CORE_PROTOCOL_VERSION), str(APP_PROTOCOL_VERSION), "unix", socket_path,
                                      "grpc", cert_field]) + "\n")
        handshake_out.flush()
        while not done.wait(0.2):
            pass
    finally:
        server.stop(grace=1).wait()
        for remove, path in ((os.unlink, socket_path), (os.rmdir, socket_dir)):
            try:
                remove(path)
            except OSError:
                pass  # grpc may have removed the socket already
    return 0
