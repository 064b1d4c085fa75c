# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared plumbing of the collection's lookups: options, check mode and errors, decided here once.

A lookup of this collection subclasses ServiceLookupBase, declares CLIENT (a client class with from_options),
CHANGES_SERVER and SECRET_TERMS, and writes two steps:

- validate(client, terms): every check of a real run, before its first change; read-only requests only.
  Its return value goes to change().
- change(client, terms, validated): the requests that create something or spend a view; the lookup's result.

Check mode (ansible-playbook --check) is decided here: a lookup with CHANGES_SERVER runs validate(), then
check_mode_result() (None per term, or what a read-only probe says) instead of change().
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleLookupError, AnsibleOptionsError
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display

from ansible_collections.oneshot.secrets.plugins.module_utils._core.errors import ServiceError
from ansible_collections.oneshot.secrets.plugins.module_utils._core.masking import mask_secrets
from ansible_collections.oneshot.secrets.plugins.module_utils._core.options import secret_names
from ansible_collections.oneshot.secrets.plugins.module_utils._core.transport import INSECURE_WARNING
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.options import OTS_CONNECTION, OTS_SECRET
from ansible_collections.oneshot.secrets.plugins.module_utils._pushsecurity.options import PUSHSECURITY_CONNECTION
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.options import PWPUSH_CONNECTION, PWPUSH_PUSH

display = Display()

# Options whose values a lookup's error must never show (a module's no_log does this for modules).
SECRET_OPTIONS = secret_names(PWPUSH_CONNECTION, PWPUSH_PUSH, OTS_CONNECTION, OTS_SECRET, PUSHSECURITY_CONNECTION)

# Keywords Ansible itself hands to a lookup's run() besides its options: ansible-core 2.17 passes wantlist=True
# to the lookup of a with_<lookup> loop.
ANSIBLE_KEYWORDS = frozenset(("wantlist",))


def unsupported_parameters(plugin_name, given, definitions):
    """The module's sentence for unknown keywords (AnsibleModule's), or None when every keyword is an option.

    definitions: the plugin's config definitions (its documented options); `_terms` are the positional terms,
    not a keyword. Only names are quoted, never a value, so no secret can show.
    """
    options = dict((name, definition) for name, definition in definitions.items() if not name.startswith("_"))
    aliases = set(alias for definition in options.values() for alias in (definition or {}).get("aliases") or ())
    unknown = sorted(name for name in given if name not in options and name not in aliases
                     and name not in ANSIBLE_KEYWORDS)
    if not unknown:
        return None
    supported = ", ".join(sorted(options))
    if aliases:
        supported += " (%s)" % ", ".join(sorted(aliases))
    return "Unsupported parameters for (%s) lookup: %s. Supported parameters include: %s." % (
        plugin_name, ", ".join(unknown), supported)


def in_check_mode(variables):
    """Whether the play runs with --check. A lookup sees only the run's mode (ansible_check_mode): a task's own
    check_mode keyword does not reach it (tested on ansible-core 2.17 and 2.21)."""
    return boolean((variables or {}).get("ansible_check_mode", False), strict=False)


class ServiceLookupBase(LookupBase):
    """A lookup whose connection options may also come from variables (pwpush_url, ots_url, ...)."""

    CLIENT = None
    # True when change() creates something on the server or spends a view: check mode then changes nothing.
    CHANGES_SERVER = False
    # True when the terms are secrets: masked in error messages.
    SECRET_TERMS = False

    @property
    def fqcn(self):
        """oneshot.secrets.pwpush, however the lookup was called (the loader's _load_name may be a Python path)."""
        return getattr(self, "ansible_name", None) or self._load_name

    @property
    def lookup_name(self):
        """The short name errors start with ("pwpush lookup: ...")."""
        return self.fqcn.split(".")[-1]

    def run(self, terms, variables=None, **kwargs):
        self.load_options(variables, kwargs)
        check_mode = self.CHANGES_SERVER and in_check_mode(variables)

        def act(client):
            validated = self.validate(client, terms)
            if check_mode:
                return self.check_mode_result(client, terms, validated)
            return self.change(client, terms, validated)

        return self.run_with_client(self.lookup_name, self.CLIENT.from_options, act,
                                    secrets=terms if self.SECRET_TERMS else (), read_only=check_mode)

    def validate(self, client, terms):
        """Every check of a real run before its first change (read-only requests only); passed to change()."""
        return None

    def change(self, client, terms, validated):
        raise NotImplementedError("a lookup of this collection defines change()")

    def check_mode_result(self, client, terms, validated):
        """The result in check mode: None for each term. A lookup may first probe with read-only requests."""
        return [None] * len(terms)

    def load_options(self, variables, kwargs):
        # Before anything else: a misspelt keyword must not be ignored (a link that stays for 5 views).
        message = unsupported_parameters(self.fqcn, kwargs, self.option_definitions)
        if message:
            raise AnsibleOptionsError(message)  # passed on unwrapped by ansible-core 2.17, never ignored
        self.set_options(var_options=variables, direct=kwargs)
        # Options read from variables arrive untemplated ("{{ vault_token }}"); render them like task options.
        for name, value in list(self._options.items()):
            if isinstance(value, str) and self._templar.is_template(value):
                self.set_option(name, self._templar.template(value))
        if self.get_option("validate_certs") is False:
            display.warning(INSECURE_WARNING)

    def run_with_client(self, name, client_factory, action, secrets=(), read_only=False):
        """action(client) with a client built from this lookup's options (no request yet), closed afterwards.

        A service error becomes an AnsibleLookupError naming the lookup. A server may echo what it was sent, and nothing
        masks a lookup's error the way no_log masks a module's: `secrets` (the terms that are secrets) and the
        secret options are masked here.
        """
        client = None
        try:
            # Nothing masks a lookup's result (no no_log): Ansible's rule against short secrets, which could garble a
            # masked link, does not apply, so a 4-digit PIN can be pushed (the conformance matrix's short_secret).
            # read_only: in check mode the core itself sends reads only.
            door = dict(masked_results=False, read_only=True) if read_only else dict(masked_results=False)
            client = client_factory(self.get_option, **door)
            return action(client)
        except ServiceError as exc:
            # AnsibleLookupError: ansible-core 2.17 passes it on as it is (any other error it wraps in "An unhandled
            # exception ... original message: X.. X.") and honours the lookup's errors=warn|ignore.
            if getattr(exc, "short_secret", False):  # quotes no value; masking a short one would garble it
                raise AnsibleLookupError("%s lookup: %s" % (name, exc.message))
            hidden = list(secrets) + [self._options.get(option) for option in SECRET_OPTIONS]
            raise AnsibleLookupError("%s lookup: %s" % (name, mask_secrets(exc.message, hidden)))
        finally:
            if client is not None:
                client.close()
