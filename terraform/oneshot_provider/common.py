# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the provider and its resources share: the collection's clients (imported on first use),
value helpers, the sealed block and the resources' base class."""

import types

from tf.blocks import SetNestedBlock
from tf.schema import Attribute, Block
from tf.types import Bool, Number, String, Unknown

from oneshot_provider import collection
from oneshot_provider.servicer import SEALED

_SERVICE_SETS = {"pwpush": "PWPUSH_CONNECTION", "ots": "OTS_CONNECTION"}


def setting_words(service, option):
    """How the provider names a declared connection option of service, e.g. pwpush_url (PWPUSH_URL): the option's
    variable name (its setting) and its environment variable; None when the option is not declared so."""
    declared_option = getattr(declared(), _SERVICE_SETS[service]).get(option) if option else None
    if not declared_option or not declared_option.get("vars") or not declared_option.get("env"):
        return None
    return "%s (%s)" % (declared_option["vars"][0], declared_option["env"][0])


def in_provider_words(exc, service):
    """A client's sentence in the provider's words: its {option} terms and, when the sentence starts with the option
    it carries (exc.option), that first word become the provider's settings (pwpush_token (PWPUSH_TOKEN))."""
    message = exc.worded(lambda option: setting_words(service, option) or option)
    option = getattr(exc, "option", None)
    words = setting_words(service, option)
    if words and message.startswith(option + " "):
        return words + message[len(option):]
    return message


_LIB = {}


def lib():
    """The collection's public API (plugins/module_utils/api.py), imported on first use (see collection.py), under
    the keys the resources use: pwpush, ots (each its client, spec check and error), ServiceError, options."""
    if not _LIB:
        collection.ensure_importable()
        from ansible_collections.oneshot.secrets.plugins.module_utils import api  # pylint: disable=import-outside-toplevel

        pwpush = types.SimpleNamespace(PwpushClient=api.PwpushClient, DEFAULT_URL=api.PWPUSH_DEFAULT_URL,
                                       PushSpec=api.PushSpec, PwpushError=api.PwpushError)
        ots = types.SimpleNamespace(OtsClient=api.OtsClient, DEFAULT_URL=api.OTS_DEFAULT_URL, OtsError=api.OtsError,
                                    validate_secret_options=api.validate_secret_options)
        _LIB.update(pwpush=pwpush, ots=ots, ServiceError=api.ServiceError, options=api)
    return _LIB


def declared():
    """The collection's option declarations (the public API's option sets): what the schemas derive from."""
    return lib()["options"]


_TYPES = {"str": String, "int": Number, "bool": Bool}


def declared_attribute(name, option, descriptions, **kwargs):
    """A schema attribute of a declared option: its type, and sensitive when the option is no_log."""
    return Attribute(name, _TYPES[option.get("type", "str")](), sensitive=bool(option.get("no_log")),
                     description=descriptions.get(name), **kwargs)


def lib_or_error(diags):
    try:
        return lib()
    except collection.CollectionNotFound as exc:
        diags.add_error("The oneshot.secrets collection cannot be imported", str(exc))
        return {}


def known(value):
    return value is not None and value is not Unknown


def as_int(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def str_or_none(value):
    return None if value is None else str(value)


def error_path(message, names, sealed_names=(), write_only=None):
    """The attribute a client's message is about: the messages start with the option's name. write_only: the
    resource's {write-only argument: sealed name} when the configuration uses them."""
    first = message.split(" ", 1)[0].rstrip(":,.")
    for name, sealed_name in (write_only or {}).items():
        if first == sealed_name:
            return [name]
    if first in sealed_names:
        return [SEALED]
    return [first] if first in names else None


def sealed_block(description, attributes):
    """The set block that holds a resource's secrets (one element, or none when the write-only arguments hold them;
    see servicer.py)."""
    block = SetNestedBlock(SEALED, Block(attributes=attributes, description=description))
    block.min_items, block.max_items = 0, 1
    return block


def write_only_attributes(resource_class, descriptions, version_description):
    """The resource's write-only arguments (WRITE_ONLY; protocol.py marks them so) and the *_wo_version argument
    whose change replaces the object, as the AWS and Google providers shape them."""
    return [Attribute(name, String(), optional=True, sensitive=True, description=descriptions[name])
            for name in resource_class.WRITE_ONLY] + [
        Attribute(resource_class.WRITE_ONLY_VERSION, Number(), optional=True, requires_replace=True,
                  description=version_description)]


def secrets_required(diags, resource_class, config):
    """Validation: the secret is given, in the block or as its write-only argument."""
    first = next(iter(resource_class.WRITE_ONLY))
    if not config.get(SEALED) and config.get(first) is None:
        diags.add_error("%s or the sealed block is required" % first,
                        "Give the %s as %s (Terraform >= 1.11: never kept in plan or state) or in a sealed block "
                        "(any Terraform: state keeps a digest)." % (resource_class.WRITE_ONLY[first], first),
                        path=[first])


class Base:
    # The attributes of the `sealed` block: state keeps digests of them (see servicer.py).
    SEALED_FIELDS = ()
    # {write-only argument: the sealed attribute it stands for}, and the argument whose change replaces the object.
    WRITE_ONLY = {}
    WRITE_ONLY_VERSION = None

    def __init__(self, provider):
        self.provider = provider

    def check_with_server(self, diags, planned):
        """At plan time of a create: what only the server can tell (nothing by default)."""

    def import_not_found(self, diags, what, service):
        """No such object to import: Terraform's own words for it (1.0.3 would report an empty import as a success)."""
        diags.add_error(
            "Cannot import non-existent remote object",
            "While attempting to import an existing object, the provider detected that no %s exists with the given "
            "id. Only pre-existing objects can be imported; check that the id is correct and that it is associated "
            "with the provider's configured %s, or use \"terraform apply\" to create a new remote object for this "
            "resource." % (what, setting_words(service, "url")))

    def adopts(self, imported, wanted):
        """Whether the first plan after an import may take the configured sealed values `wanted` as the imported
        object's (no contradiction with what its server told, see servicer.py)."""
        return True
