# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Terraform's side of the plugin handshake, for the few tests the real binary cannot drive.

The real Terraform (test_terraform.py) is the judge of the protocol. This client only starts the
provider the way go-plugin does (handshake environment with an ECDSA P-521 client certificate,
as Terraform 1.0.3 makes it), reads `1|6|unix|PATH|grpc|CERT`, dials the socket over TLS
(trusting only the certificate from the handshake, as "localhost") and can send raw requests:
for what Terraform never sends (garbage values), and for process life (Shutdown, a parent that dies).
"""

import base64
import datetime
import os
import select
import subprocess
import time

import grpc
import msgpack
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from msgpack.ext import ExtType

from tf.gen import grpc_controller_pb2 as controller_pb
from tf.gen import grpc_controller_pb2_grpc as controller_rpc
from tf.gen import tfplugin_pb2 as pb
from tf.gen import tfplugin_pb2_grpc as rpc

HERE = os.path.dirname(os.path.abspath(__file__))
LAUNCHER = os.path.join(os.path.dirname(os.path.dirname(HERE)), "terraform", "terraform-provider-oneshot")
MAGIC_COOKIE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"


class _UnknownType:
    def __repr__(self):
        return "UNKNOWN"


UNKNOWN = _UnknownType()


def encode(value):
    """A Python value as a msgpack DynamicValue (UNKNOWN as cty's unknown extension)."""
    def default(obj):
        if obj is UNKNOWN:
            return ExtType(0, b"\x00")
        raise TypeError(repr(obj))

    return pb.DynamicValue(msgpack=msgpack.packb(value, default=default))


def decode(dynamic):
    if dynamic.msgpack:
        return msgpack.unpackb(dynamic.msgpack, ext_hook=lambda code, data: UNKNOWN if code == 0 else ExtType(code, data))
    if dynamic.json:
        import json  # pylint: disable=import-outside-toplevel
        return json.loads(dynamic.json)
    return None


def client_certificate():
    """What go-plugin's client makes for auto-mTLS: a self-signed ECDSA P-521 certificate for localhost."""
    key = ec.generate_private_key(ec.SECP521R1())
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "HashiCorp"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(seconds=30)).not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=True,
                                         data_encipherment=False, key_agreement=True, key_cert_sign=True,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .sign(key, hashes.SHA512()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return key_pem, cert.public_bytes(serialization.Encoding.PEM)


def handshake_env(client_cert_pem, extra=None):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PWPUSH_", "OTS_", "PLUGIN_", "TF_PLUGIN_"))}
    env.update({
        "TF_PLUGIN_MAGIC_COOKIE": MAGIC_COOKIE,
        "PLUGIN_PROTOCOL_VERSIONS": "5,6",
        "PLUGIN_MIN_PORT": "10000",
        "PLUGIN_MAX_PORT": "25000",
        "PLUGIN_CLIENT_CERT": client_cert_pem.decode(),
    })
    env.update(extra or {})
    return env


class PluginProcess:
    """One provider process, as Terraform runs it for a plan or an apply."""

    def __init__(self, env_extra=None, launcher=LAUNCHER, timeout=30):
        self.key_pem, self.cert_pem = client_certificate()
        self.proc = subprocess.Popen([launcher], env=handshake_env(self.cert_pem, env_extra),
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        self.handshake = self._read_handshake(timeout)
        core, proto, network, address, protocol, cert = self.handshake.split("|")
        assert (core, proto, network, protocol) == ("1", "6", "unix", "grpc"), self.handshake
        self.address = address
        der = base64.b64decode(cert + "=" * (-len(cert) % 4))
        self.server_cert_pem = x509.load_der_x509_certificate(der).public_bytes(serialization.Encoding.PEM)
        self.channel = self.dial(self.key_pem, self.cert_pem)
        self.stub = rpc.ProviderStub(self.channel)

    def _read_handshake(self, timeout):
        deadline = time.monotonic() + timeout
        line = b""
        while not line.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.proc.poll() is not None:
                err = self.proc.stderr.read().decode(errors="replace") if self.proc.poll() is not None else ""
                raise RuntimeError("no handshake from the provider: %r %s" % (line, err))
            ready = select.select([self.proc.stdout], [], [], remaining)[0]
            if ready:
                chunk = os.read(self.proc.stdout.fileno(), 1)
                if not chunk:
                    continue
                line += chunk
        return line.decode().strip()

    def dial(self, key_pem, cert_pem, timeout=15):
        credentials = grpc.ssl_channel_credentials(root_certificates=self.server_cert_pem,
                                                   private_key=key_pem, certificate_chain=cert_pem)
        channel = grpc.secure_channel("unix:" + self.address, credentials,
                                      options=[("grpc.ssl_target_name_override", "localhost")])
        try:
            grpc.channel_ready_future(channel).result(timeout=timeout)
        except grpc.FutureTimeoutError:
            channel.close()
            raise
        return channel

    def close(self):
        """GRPCController.Shutdown, as go-plugin's Kill does, then wait for the process to exit."""
        if self.proc.returncode is not None:
            return self.proc.returncode
        try:
            controller_rpc.GRPCControllerStub(self.channel).Shutdown(controller_pb.Empty(), timeout=5)
        except grpc.RpcError:
            pass
        self.channel.close()
        try:
            code = self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self.stderr = self.proc.stderr.read().decode(errors="replace")
        self.proc.stdout.close()
        self.proc.stderr.close()
        return code


def errors(diagnostics):
    return [d.summary + ": " + d.detail for d in diagnostics if d.severity == pb.Diagnostic.ERROR]


def warnings(diagnostics):
    return [d.summary + ": " + d.detail for d in diagnostics if d.severity == pb.Diagnostic.WARNING]
