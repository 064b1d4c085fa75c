# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""tf's ProviderServicer with secrets kept out of state, measured against Terraform 1.0.3.

Terraform checks every planned attribute against the configuration ("planned an invalid
value ... sensitive planned value does not match config value"), and on protocol 6 it has no
legacy-type-system escape (that flag is read for protocol 5 only). The one place it does not
check is a nested block in *set* mode: set elements cannot be correlated, so Terraform trusts
the provider's plan for them (terraform internal/plans/objchange/plan_valid.go, NestingSet,
unchanged from 1.0 to today). A resource's secrets therefore live in one `sealed { }` set
block (min 1, max 1 element), and for it:

* PlanResourceChange plans the prior element (salted digests) when the configured values still
  match it, so an unchanged secret plans no change; otherwise an element whose secret
  attributes are unknown ("known after apply"), with the block in requires_replace;
* ApplyResourceChange (create) takes the plain values from the configuration Terraform sends
  along, hands them to the resource's create, and returns fresh digests in the new state:
  an unknown planned value may become anything, so Terraform accepts it.

An imported resource has no digests: its secrets cannot be read back, so import stores digest.IMPORTED for them.
The first plan after an import takes the configuration as it is (unless what the server told contradicts it, e.g.
a passphrase the push does not have): an in-place update, with a warning, whose apply stores the configured
values' digests and sends no request. Plans compare digests from then on.

Write-only arguments (Terraform >= 1.11; protocol.py adds them to tf's messages): a resource's WRITE_ONLY
({argument: its sealed name}, e.g. payload_wo: payload) are the other form of its secrets, used instead of the block.
Terraform sends them in the configuration only; they are planned and stored as null (Terraform refuses anything
else), and create takes them from the configuration. Nothing of them is kept, so their *_wo_version argument
(requires_replace) is what tells that they changed. A Terraform that does not announce write-only support (1.0 to
1.10) would store them like any argument: validation refuses them there and names the block to use instead.

StopProvider (Terraform's answer to Ctrl-C) cancels the provider's clients: requests in flight end at once.

Every RPC turns an unexpected exception into one error diagnostic: no traceback reaches
Terraform's terminal or its TF_LOG output (tf's own wrapper prints one). tf advertises
plan_destroy but answers a destroy plan with an error; here a destroy plan is planned as null.
"""

import functools
import sys

import msgpack

from tf.gen import tfplugin_pb2 as pb
from tf.provider import ProviderServicer
from tf.types import Unknown
from tf.utils import Diagnostics, _to_attribute_path, read_dynamic_value, to_dynamic_value

from oneshot_provider import digest, protocol
from oneshot_provider.ephemeral import EphemeralCalls

SEALED = "sealed"
CAPABILITIES = dict(plan_destroy=True, get_provider_schema_optional=False)
# cty's msgpack encoding of a null object (what Terraform sends for "no object").
NULL = pb.DynamicValue(msgpack=msgpack.packb(None))


def _guarded(method):
    """An RPC that answers an unexpected exception with one diagnostic instead of a traceback."""
    @functools.wraps(method)
    def wrapper(self, request, context):
        try:
            return method(self, request, context)
        except Exception as exc:  # pylint: disable=broad-except
            # The exception's type only: its text could quote a value.
            sys.stderr.write("oneshot provider: %s failed: %s\n" % (method.__name__, type(exc).__name__))
            name = method.__name__
            response_type = getattr(pb, name).Response if name not in protocol.EXTENDED_RPCS \
                else protocol.message_class(name + ".Response")
            diags = Diagnostics().add_error(
                "Internal error in the oneshot provider (%s)" % method.__name__,
                "%s. Please report it with the Terraform command that failed." % type(exc).__name__)
            return response_type(diagnostics=diags.to_pb())
    return wrapper


def sealed_values(values):
    """The {name: value} of a state's or config's sealed block ({} if absent or unknown)."""
    block = (values or {}).get(SEALED)
    if isinstance(block, list) and block and isinstance(block[0], dict):
        return dict(block[0])
    return {}


def write_only_form(resource_class, config):
    """Whether config gives the resource's secrets as write-only arguments (no sealed block)."""
    return bool(getattr(resource_class, "WRITE_ONLY", None)) and not (config or {}).get(SEALED)


def secrets_of(resource_class, values):
    """{sealed name: value} of the secrets values give, in the block or as write-only arguments."""
    if not write_only_form(resource_class, values):
        return sealed_values(values)
    return dict((sealed, (values or {}).get(name)) for name, sealed in resource_class.WRITE_ONLY.items())


def _dynamic(request, field):
    return read_dynamic_value(getattr(request, field))


def _with(request, **fields):
    """A copy of a request message with some DynamicValue fields replaced."""
    copy = type(request)()
    copy.CopyFrom(request)
    for name, value in fields.items():
        getattr(copy, name).CopyFrom(to_dynamic_value(value) if value is not None else NULL)
    return copy


class OneshotServicer(EphemeralCalls, ProviderServicer):
    def _sealed_fields(self, type_name):
        try:
            return tuple(getattr(self._get_res_cls(type_name), "SEALED_FIELDS", ()))
        except KeyError:
            return ()

    @_guarded
    def GetMetadata(self, request, context):
        response = super().GetMetadata(request, context)
        response.server_capabilities.CopyFrom(pb.ServerCapabilities(**CAPABILITIES))
        response = protocol.extended(response, "GetMetadata.Response")
        response.ephemeral_resources.extend(protocol.message_class("GetMetadata.EphemeralMetadata")(type_name=name)
                                            for name in self.ephemeral_classes())
        return response

    @_guarded
    def GetProviderSchema(self, request, context):
        response = super().GetProviderSchema(request, context)
        response.server_capabilities.CopyFrom(pb.ServerCapabilities(**CAPABILITIES))
        response = protocol.extended(response, "GetProviderSchema.Response")
        for type_name, schema in response.resource_schemas.items():
            write_only = getattr(self._get_res_cls(type_name), "WRITE_ONLY", {})
            for attribute in schema.block.attributes:
                attribute.write_only = attribute.name in write_only
        for type_name, ephemeral_class in self.ephemeral_classes().items():
            response.ephemeral_resource_schemas[type_name].CopyFrom(
                protocol.extended(ephemeral_class.get_schema().to_pb(), "Schema"))
        return response

    ValidateProviderConfig = _guarded(ProviderServicer.ValidateProviderConfig.__wrapped__)

    @_guarded
    def ValidateResourceConfig(self, request, context):
        allowed = request.client_capabilities.write_only_attributes_allowed
        response = ProviderServicer.ValidateResourceConfig.__wrapped__(
            self, protocol.as_tf(request, "ValidateResourceConfig.Request"), context)
        resource_class = self._get_res_cls(request.type_name)
        config = _dynamic(request, "config") or {}
        diags = Diagnostics()
        given = [name for name in getattr(resource_class, "WRITE_ONLY", {}) if config.get(name) is not None]
        if given and config.get(SEALED):
            diags.add_error("%s and the sealed block are two forms of the same secrets" % given[0],
                            "Give the secrets either in the sealed block or as write-only arguments.", path=[given[0]])
        elif given and not allowed:
            diags.add_error(
                "%s needs Terraform 1.11 or later" % given[0],
                "It is a write-only argument, which this Terraform does not support: it would keep the value in its "
                "state. Use the sealed block instead (sealed { %s = ... }): state keeps only a digest of it."
                % resource_class.WRITE_ONLY[given[0]], path=[given[0]])
        response.diagnostics.extend(diags.to_pb())
        return response
    ValidateDataResourceConfig = _guarded(ProviderServicer.ValidateDataResourceConfig.__wrapped__)
    UpgradeResourceState = _guarded(ProviderServicer.UpgradeResourceState.__wrapped__)
    ImportResourceState = _guarded(ProviderServicer.ImportResourceState.__wrapped__)
    ConfigureProvider = _guarded(ProviderServicer.ConfigureProvider.__wrapped__)
    ReadResource = _guarded(ProviderServicer.ReadResource.__wrapped__)
    ReadDataSource = _guarded(ProviderServicer.ReadDataSource.__wrapped__)
    ValidateEphemeralResourceConfig = _guarded(EphemeralCalls.ValidateEphemeralResourceConfig)
    OpenEphemeralResource = _guarded(EphemeralCalls.OpenEphemeralResource)
    RenewEphemeralResource = _guarded(EphemeralCalls.RenewEphemeralResource)
    CloseEphemeralResource = _guarded(EphemeralCalls.CloseEphemeralResource)

    @_guarded
    def PlanResourceChange(self, request, context):
        proposed = _dynamic(request, "proposed_new_state")
        if proposed is None:
            return pb.PlanResourceChange.Response(planned_state=NULL)  # destroy: the object goes away
        fields = self._sealed_fields(request.type_name)
        if not fields:
            return ProviderServicer.PlanResourceChange.__wrapped__(self, request, context)
        prior = _dynamic(request, "prior_state")
        config = _dynamic(request, "config") or {}
        resource_class = self._get_res_cls(request.type_name)
        write_only = write_only_form(resource_class, config)
        wanted, stored = secrets_of(resource_class, config), sealed_values(prior)
        resource = self.app.new_resource(resource_class)
        imported = prior is not None and digest.is_imported(stored)
        adopted = imported and resource.adopts(prior, wanted)
        unchanged = prior is not None and stored and not imported and not write_only and all(
            (wanted.get(name) is None and stored.get(name) is None)
            or digest.matches(wanted.get(name), stored.get(name)) for name in fields)
        for name in getattr(resource_class, "WRITE_ONLY", {}):
            proposed[name] = None  # never planned, never stored
        if write_only:
            # Unchanged unless the *_wo_version changed (tf's requires_replace) or the block is left for them.
            unchanged = prior is not None and not stored
            proposed[SEALED] = []
        elif unchanged:
            proposed[SEALED] = [stored]
        else:
            proposed[SEALED] = [dict((name, None if wanted.get(name) is None else Unknown) for name in fields)]
        response = ProviderServicer.PlanResourceChange.__wrapped__(
            self, _with(request, proposed_new_state=proposed), context)
        if adopted:
            # Nothing of the configuration can be compared with the server's: take it, in place.
            del response.requires_replace[:]
            response.diagnostics.extend(Diagnostics().add_warning(
                "Configuration taken as it is for an imported %s" % request.type_name,
                "Its secrets and arguments cannot be read back from the server, so this plan takes the configured "
                "values as the ones it was made with; applying it stores them and sends no request. If they differ, "
                "replace it: terraform apply -replace=ADDRESS.").to_pb())
        elif prior is not None and not unchanged:
            response.requires_replace.append(_to_attribute_path([SEALED]))
        if prior is None and not any(d.severity == pb.Diagnostic.ERROR for d in response.diagnostics):
            # A create: check the arguments against the server now rather than at apply.
            diags = Diagnostics()
            resource.check_with_server(diags, proposed)
            response.diagnostics.extend(diags.to_pb())
        return response

    @_guarded
    def ApplyResourceChange(self, request, context):
        fields = self._sealed_fields(request.type_name)
        planned = _dynamic(request, "planned_state")
        prior = _dynamic(request, "prior_state")
        if not fields or planned is None or (prior is not None and not digest.is_imported(sealed_values(prior))):
            return ProviderServicer.ApplyResourceChange.__wrapped__(self, request, context)
        # A create, or the first apply after an import: the plain values come from the configuration, never from
        # (or back into) state.
        resource_class = self._get_res_cls(request.type_name)
        config = _dynamic(request, "config") or {}
        write_only = getattr(resource_class, "WRITE_ONLY", {})
        plain = dict(planned)
        if write_only_form(resource_class, config):
            plain.update((name, config.get(name)) for name in write_only)
        else:
            plain[SEALED] = [dict((name, sealed_values(config).get(name)) for name in fields)]
        response = ProviderServicer.ApplyResourceChange.__wrapped__(self, _with(request, planned_state=plain), context)
        new_state = _dynamic(response, "new_state")
        if isinstance(new_state, dict):
            values = sealed_values(plain)
            new_state[SEALED] = [dict((name, None if values.get(name) is None else digest.make(values[name]))
                                      for name in fields)] if values else []
            new_state.update((name, None) for name in write_only)
            response.new_state.CopyFrom(to_dynamic_value(new_state))
        return response

    @_guarded
    def StopProvider(self, request, context):
        self.app.stop()
        return pb.StopProvider.Response()
