# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""tf's ProviderServicer with secrets kept out of state, and a destroy plan that works.

The protocol `tf` 1.2 speaks (tfplugin 6.6) has no write-only attributes, so a configured
value would normally land in state as it is. For the attributes a resource lists in HASHED:

* PlanResourceChange puts a salted digest in the planned state instead of the value (the
  prior digest when the configured value still matches it, so an unchanged secret plans no
  change and a changed one plans a replacement);
* ApplyResourceChange checks the configuration (which Terraform sends along) against the
  planned digest, hands the plain value to the resource's create, and returns the digest
  in the new state;
* both answers set legacy_type_system, the flag Terraform and OpenTofu honour for providers
  whose state is allowed to differ from the configuration (the SDKv2 StateFunc mechanism).

tf advertises plan_destroy but answers a destroy plan with an error; here a destroy plan
(proposed_new_state null) is planned as null.
"""

import msgpack

from tf.gen import tfplugin_pb2 as pb
from tf.provider import ProviderServicer
from tf.types import Unknown
from tf.utils import Diagnostics, read_dynamic_value, to_dynamic_value

from oneshot_provider import digest

CAPABILITIES = dict(plan_destroy=True, get_provider_schema_optional=False)
# cty's msgpack encoding of a null object (what Terraform sends for "no object").
NULL = pb.DynamicValue(msgpack=msgpack.packb(None))


def _request_with(request, **fields):
    """A copy of a request message with some DynamicValue fields replaced."""
    copy = type(request)()
    copy.CopyFrom(request)
    for name, value in fields.items():
        getattr(copy, name).CopyFrom(to_dynamic_value(value) if value is not None else NULL)
    return copy


class OneshotServicer(ProviderServicer):
    def _hashed(self, type_name):
        try:
            return tuple(getattr(self._get_res_cls(type_name), "HASHED", ()))
        except KeyError:
            return ()

    def GetMetadata(self, request, context):
        response = super().GetMetadata(request, context)
        response.server_capabilities.CopyFrom(pb.ServerCapabilities(**CAPABILITIES))
        return response

    def GetProviderSchema(self, request, context):
        response = super().GetProviderSchema(request, context)
        response.server_capabilities.CopyFrom(pb.ServerCapabilities(**CAPABILITIES))
        return response

    def PlanResourceChange(self, request, context):
        proposed = read_dynamic_value(request.proposed_new_state)
        if proposed is None:
            # Destroy plan: nothing to ask the resource; the object goes away.
            return pb.PlanResourceChange.Response(planned_state=NULL)
        hashed = self._hashed(request.type_name)
        if not hashed:
            return super().PlanResourceChange(request, context)
        prior = read_dynamic_value(request.prior_state) or {}
        for name in hashed:
            value = proposed.get(name)
            if value is None or value is Unknown:
                continue
            old = prior.get(name)
            proposed[name] = old if digest.matches(value, old) else digest.make(value)
        response = super().PlanResourceChange(_request_with(request, proposed_new_state=proposed), context)
        response.legacy_type_system = True
        return response

    def ApplyResourceChange(self, request, context):
        hashed = self._hashed(request.type_name)
        planned = read_dynamic_value(request.planned_state)
        if not hashed or planned is None:
            response = super().ApplyResourceChange(request, context)
            response.legacy_type_system = bool(hashed)
            return response
        config = read_dynamic_value(request.config) or {}
        plain = dict(planned)
        diags = Diagnostics()
        for name in hashed:
            want = planned.get(name)
            if want is None:
                continue
            got = config.get(name)
            if got is None or got is Unknown or not digest.matches(got, want):
                diags.add_error("%s changed after the plan" % name,
                                "The configured %s does not match the one planned: run plan again." % name,
                                path=[name])
                continue
            plain[name] = got
        if diags.has_errors():
            return pb.ApplyResourceChange.Response(new_state=request.prior_state, diagnostics=diags.to_pb(),
                                                   legacy_type_system=True)
        response = super().ApplyResourceChange(_request_with(request, planned_state=plain), context)
        new_state = read_dynamic_value(response.new_state)
        if isinstance(new_state, dict):
            for name in hashed:
                new_state[name] = planned.get(name)  # the digest, never the plain value
            response.new_state.CopyFrom(to_dynamic_value(new_state))
        response.legacy_type_system = True
        return response
