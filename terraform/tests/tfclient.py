# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A stand-in for Terraform's side of the plugin protocol, for tests.

It does what Terraform (through go-plugin) does with a provider binary: makes a client
certificate, starts the binary with the handshake environment (TF_PLUGIN_MAGIC_COOKIE,
PLUGIN_PROTOCOL_VERSIONS, PLUGIN_CLIENT_CERT, ...), reads `1|6|unix|PATH|grpc|CERT` from its
stdout, dials the socket with mutual TLS (trusting only the certificate from the handshake,
as server name "localhost") and calls tfplugin6.Provider with msgpack DynamicValues built
from the provider's own schema (every attribute present, null when unset; proposed new
state = config with prior values for unset computed attributes), like Terraform core.
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
LAUNCHER = os.path.join(os.path.dirname(HERE), "terraform-provider-oneshot")
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
    """What go-plugin's client makes for auto-mTLS: a self-signed ECDSA certificate for localhost."""
    key = ec.generate_private_key(ec.SECP256R1())
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
            .sign(key, hashes.SHA256()))
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
        self.schema = None

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

    # --- schema-aware helpers ---------------------------------------------------------------

    def get_schema(self):
        self.schema = self.stub.GetProviderSchema(pb.GetProviderSchema.Request())
        return self.schema

    def _block(self, kind, type_name=None):
        if self.schema is None:
            self.get_schema()
        if kind == "provider":
            return self.schema.provider.block
        if kind == "resource":
            return self.schema.resource_schemas[type_name].block
        return self.schema.data_source_schemas[type_name].block

    def full_config(self, kind, type_name, values):
        """Every attribute of the block: the given value, else null (what Terraform sends)."""
        block = self._block(kind, type_name)
        unknown_names = set(values) - {a.name for a in block.attributes}
        assert not unknown_names, unknown_names
        return {a.name: values.get(a.name) for a in block.attributes}

    def proposed_new(self, type_name, prior, config):
        """Terraform's objchange.ProposedNew for flat attributes."""
        block = self._block("resource", type_name)
        out = {}
        for attr in block.attributes:
            value = config.get(attr.name)
            if value is None and attr.computed:
                value = (prior or {}).get(attr.name) if prior is not None else UNKNOWN
            out[attr.name] = value
        return out

    # --- RPCs ------------------------------------------------------------------------------

    def configure(self, values):
        config = encode(self.full_config("provider", None, values))
        valid = self.stub.ValidateProviderConfig(pb.ValidateProviderConfig.Request(config=config))
        if list(valid.diagnostics):
            return valid.diagnostics
        return self.stub.ConfigureProvider(pb.ConfigureProvider.Request(terraform_version="1.9.8", config=config)).diagnostics

    def validate(self, type_name, values):
        config = encode(self.full_config("resource", type_name, values))
        return self.stub.ValidateResourceConfig(pb.ValidateResourceConfig.Request(type_name=type_name, config=config))

    def plan(self, type_name, prior, values):
        config = self.full_config("resource", type_name, values) if values is not None else None
        proposed = self.proposed_new(type_name, prior, config) if config is not None else None
        return self.stub.PlanResourceChange(pb.PlanResourceChange.Request(
            type_name=type_name, prior_state=encode(prior), proposed_new_state=encode(proposed),
            config=encode(config)))

    def apply(self, type_name, prior, planned_response, values):
        config = self.full_config("resource", type_name, values) if values is not None else None
        return self.stub.ApplyResourceChange(pb.ApplyResourceChange.Request(
            type_name=type_name, prior_state=encode(prior), planned_state=planned_response.planned_state,
            config=encode(config), planned_private=planned_response.planned_private))

    def read(self, type_name, state):
        return self.stub.ReadResource(pb.ReadResource.Request(type_name=type_name, current_state=encode(state)))

    def read_data(self, type_name, values):
        config = encode(self.full_config("data", type_name, values))
        return self.stub.ReadDataSource(pb.ReadDataSource.Request(type_name=type_name, config=config))


def errors(diagnostics):
    return [d.summary + ": " + d.detail for d in diagnostics if d.severity == pb.Diagnostic.ERROR]


def warnings(diagnostics):
    return [d.summary + ": " + d.detail for d in diagnostics if d.severity == pb.Diagnostic.WARNING]
