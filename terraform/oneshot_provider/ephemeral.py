# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ephemeral resource calls (Terraform >= 1.10), which tf does not have: servicer.py mixes them in.

An ephemeral resource class (the provider's get_ephemeral_resources()) is like a data source of tf's: get_name(),
get_schema() (a tf Schema), an instance made with the provider, validate(diags, config) and open(diags, config),
which returns the result's values. Terraform keeps the result in memory for the command only: never in state or in
a plan file. Older Terraform (1.0 to 1.9) never asks for the schemas or calls these.
"""

from tf.provider import _decode_state, _encode_state
from tf.utils import Diagnostics, read_dynamic_value

from oneshot_provider import protocol


def _attributes(ephemeral_class):
    schema = ephemeral_class.get_schema()
    return dict((a.name, a) for a in schema.attributes), dict((b.type_name, b) for b in schema.block_types)


class EphemeralCalls:
    """ValidateEphemeralResourceConfig, OpenEphemeralResource, RenewEphemeralResource, CloseEphemeralResource."""

    def ephemeral_classes(self):
        """{type name: class} of the provider's ephemeral resources."""
        prefix = self.app.get_model_prefix()
        return dict((prefix + each.get_name(), each) for each in self.app.get_ephemeral_resources())

    def _ephemeral_config(self, diags, request):
        ephemeral_class = self.ephemeral_classes()[request.type_name]
        attrs, blocks = _attributes(ephemeral_class)
        _raw, config = _decode_state(diags, attrs, blocks, read_dynamic_value(request.config))
        return ephemeral_class(self.app), config or {}

    def ValidateEphemeralResourceConfig(self, request, context):  # pylint: disable=unused-argument
        diags = Diagnostics()
        instance, config = self._ephemeral_config(diags, request)
        if not diags.has_errors():
            instance.validate(diags, config)
        return protocol.message_class("ValidateEphemeralResourceConfig.Response")(
            diagnostics=[protocol.extended(d, "Diagnostic") for d in diags.to_pb()])

    def OpenEphemeralResource(self, request, context):  # pylint: disable=unused-argument
        diags = Diagnostics()
        instance, config = self._ephemeral_config(diags, request)
        response = protocol.message_class("OpenEphemeralResource.Response")()
        result = None if diags.has_errors() else instance.open(diags, config)
        if result is not None and not diags.has_errors():
            attrs, blocks = _attributes(type(instance))
            response.result.CopyFrom(protocol.extended(_encode_state(attrs, blocks, result, None), "DynamicValue"))
        response.diagnostics.extend(protocol.extended(d, "Diagnostic") for d in diags.to_pb())
        return response

    def RenewEphemeralResource(self, request, context):  # pylint: disable=unused-argument
        return protocol.message_class("RenewEphemeralResource.Response")()  # no renew_at is ever set

    def CloseEphemeralResource(self, request, context):  # pylint: disable=unused-argument
        return protocol.message_class("CloseEphemeralResource.Response")()  # nothing is held open
