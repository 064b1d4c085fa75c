# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""tf's tfplugin6 messages, extended with what protocol 6.7-6.9 added and this provider uses.

tf 1.2.0 ships tfplugin6 as of protocol 6.6: no write-only attributes (6.8, Terraform >= 1.11) and no ephemeral
resources (6.7, Terraform >= 1.10). Those are new fields and messages only, so this module takes tf's own file
descriptor, adds them (field numbers as in Terraform's docs/plugin-protocol/tfplugin6.9.proto) and builds the result
in a private descriptor pool: tf's classes stay as they are for everything tf does, and the extended classes are
used where a new field or call is needed (GetProviderSchema, GetMetadata, ValidateResourceConfig, the ephemeral
resource calls). A message parsed by one and serialized by the other keeps every byte: the wire format is the same.

Older Terraform ignores the fields it does not know (protobuf's rule), so 1.0.3 still reads the schema; it sees a
write-only attribute as an ordinary one, which is why validation refuses one when Terraform does not announce
write_only_attributes_allowed.
"""

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from tf.gen import tfplugin_pb2 as tf_pb
from tf.gen import tfplugin_pb2_grpc as tf_rpc

_F = descriptor_pb2.FieldDescriptorProto
# The RPCs answered with the extended messages (request and response classes below); tf's classes serve the rest.
EXTENDED_RPCS = ("GetMetadata", "GetProviderSchema", "ValidateResourceConfig", "ValidateEphemeralResourceConfig",
                 "OpenEphemeralResource", "RenewEphemeralResource", "CloseEphemeralResource")
_EPHEMERAL_RPCS = EXTENDED_RPCS[3:]


def _message(parent, name):
    for message in parent.message_type if hasattr(parent, "message_type") else parent.nested_type:
        if message.name == name:
            return message
    raise KeyError(name)


def _field(message, name, number, kind, type_name=None, repeated=False):
    field = message.field.add(name=name, number=number, type=kind,
                              label=_F.LABEL_REPEATED if repeated else _F.LABEL_OPTIONAL)
    if type_name:
        field.type_name = type_name
    return field


def _request_response(file, name, request_fields, response_fields):
    """message NAME { message Request {...} message Response {...} } with (name, number, type, type_name, repeated)."""
    outer = file.message_type.add(name=name)
    for inner, fields in (("Request", request_fields), ("Response", response_fields)):
        message = outer.nested_type.add(name=inner)
        for field in fields:
            _field(message, *field)


def _extended_file():
    file = descriptor_pb2.FileDescriptorProto.FromString(tf_pb.DESCRIPTOR.serialized_pb)
    file.name = "oneshot_tfplugin6_9.proto"  # its own name in its own pool
    dynamic, diagnostic = ".tfplugin6.DynamicValue", ".tfplugin6.Diagnostic"

    _field(_message(_message(file, "Schema"), "Attribute"), "write_only", 11, _F.TYPE_BOOL)

    capabilities = file.message_type.add(name="ClientCapabilities")
    _field(capabilities, "deferral_allowed", 1, _F.TYPE_BOOL)
    _field(capabilities, "write_only_attributes_allowed", 2, _F.TYPE_BOOL)
    _field(_message(_message(file, "ValidateResourceConfig"), "Request"), "client_capabilities", 3, _F.TYPE_MESSAGE,
           ".tfplugin6.ClientCapabilities")

    metadata = _message(file, "GetMetadata")
    _field(metadata.nested_type.add(name="EphemeralMetadata"), "type_name", 1, _F.TYPE_STRING)
    _field(_message(metadata, "Response"), "ephemeral_resources", 6, _F.TYPE_MESSAGE,
           ".tfplugin6.GetMetadata.EphemeralMetadata", repeated=True)

    schema_response = _message(_message(file, "GetProviderSchema"), "Response")
    entry = schema_response.nested_type.add(name="EphemeralResourceSchemasEntry")
    entry.options.map_entry = True
    _field(entry, "key", 1, _F.TYPE_STRING)
    _field(entry, "value", 2, _F.TYPE_MESSAGE, ".tfplugin6.Schema")
    _field(schema_response, "ephemeral_resource_schemas", 8, _F.TYPE_MESSAGE,
           ".tfplugin6.GetProviderSchema.Response.EphemeralResourceSchemasEntry", repeated=True)

    # The ephemeral calls, without the fields this provider never sets (renew_at, private, deferred): a provider
    # that sets no renew_at is never renewed, and Close needs no private data here.
    config_request = [("type_name", 1, _F.TYPE_STRING), ("config", 2, _F.TYPE_MESSAGE, dynamic)]
    diagnostics = [("diagnostics", 1, _F.TYPE_MESSAGE, diagnostic, True)]
    _request_response(file, "ValidateEphemeralResourceConfig", config_request, diagnostics)
    _request_response(file, "OpenEphemeralResource",
                      config_request + [("client_capabilities", 3, _F.TYPE_MESSAGE, ".tfplugin6.ClientCapabilities")],
                      diagnostics + [("result", 3, _F.TYPE_MESSAGE, dynamic)])
    _request_response(file, "RenewEphemeralResource", [("type_name", 1, _F.TYPE_STRING)], diagnostics)
    _request_response(file, "CloseEphemeralResource", [("type_name", 1, _F.TYPE_STRING)], diagnostics)
    return file


_POOL = descriptor_pool.DescriptorPool()
_POOL.Add(_extended_file())


def message_class(name):
    """The extended class of tfplugin6.NAME (e.g. "GetProviderSchema.Response")."""
    return message_factory.GetMessageClass(_POOL.FindMessageTypeByName("tfplugin6." + name))


def extended(message, name):
    """message (one of tf's) as the extended class of tfplugin6.NAME: the same bytes, the new fields settable."""
    return message_class(name).FromString(message.SerializeToString())


def as_tf(message, name):
    """message (an extended one) as tf's class of tfplugin6.NAME, for tf's own code."""
    cls = tf_pb
    for part in name.split("."):
        cls = getattr(cls, part)
    return cls.FromString(message.SerializeToString())


def provider_handlers(servicer):
    """{method: handler} of tfplugin6.Provider: tf's calls with tf's classes, the extended ones (EXTENDED_RPCS) with
    these."""
    handlers = {}
    for name in dir(tf_rpc.ProviderServicer):
        if name.startswith("_") or not hasattr(tf_pb, name):
            continue
        request_class = message_class(name + ".Request") if name in EXTENDED_RPCS else getattr(tf_pb, name).Request
        handlers[name] = _handler(servicer, name, request_class)
    for name in _EPHEMERAL_RPCS:
        handlers[name] = _handler(servicer, name, message_class(name + ".Request"))
    return handlers


def _handler(servicer, name, request_class):
    return grpc.unary_unary_rpc_method_handler(getattr(servicer, name), request_deserializer=request_class.FromString,
                                               response_serializer=lambda message: message.SerializeToString())
