# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The public API of the collection's core, for programs other than Ansible (the Terraform provider in
terraform/ is one). What is named here keeps its name and meaning within a major release; everything else in
module_utils (the folders and files starting with _) may change in any release.

Needs requests, not ansible-core. The pieces:
- clients: PwpushClient, OtsClient; build them with from_options(get_option, masked_results=False) where nothing
  masks your results (Ansible's rule against short secrets then does not apply); a client's transport,
  client.http, has cancel(): it ends the client's requests in flight and refuses later ones (ServiceError code
  CANCELLED), for a program that must stop now;
- what a push or secret may be, checked before any request: PushSpec (validate()), validate_secret_options();
- errors: ServiceError and its services' PwpushError, OtsError; OptionError for a refused value. Each has message,
  status, code (what kind of failure, or None) and option (the declared option it concerns, or None);
  worded(words) gives the sentence with its option terms (term(option)) in your own names for the options;
- resolve(declarations, given, environ=None, variables=None): an option set's values with the precedence every
  door uses (given, variable, environment, declared default);
- declarations: the option sets (PWPUSH_CONNECTION, PWPUSH_PUSH, PWPUSH_PUSH_OWNER, OTS_CONNECTION, OTS_SECRET),
  each {name: {type, default, choices, no_log, env, vars, min, max, ...}}, to derive settings and schemas from.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.oneshot.secrets.plugins.module_utils._core.errors import OptionError, ServiceError, term
from ansible_collections.oneshot.secrets.plugins.module_utils._core.options import resolve
from ansible_collections.oneshot.secrets.plugins.module_utils._core.transport import CANCELLED
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.client import DEFAULT_URL as OTS_DEFAULT_URL
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.client import OtsClient
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.errors import OtsError
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.options import OTS_CONNECTION, OTS_SECRET
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.spec import validate_secret_options
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.client import DEFAULT_URL as PWPUSH_DEFAULT_URL
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.client import PwpushClient
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.errors import PwpushError
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.options import (
    PWPUSH_CONNECTION,
    PWPUSH_PUSH,
    PWPUSH_PUSH_OWNER,
)
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.spec import PushSpec

__all__ = (
    "CANCELLED", "OTS_CONNECTION", "OTS_DEFAULT_URL", "OTS_SECRET", "OptionError", "OtsClient", "OtsError",
    "PWPUSH_CONNECTION", "PWPUSH_DEFAULT_URL", "PWPUSH_PUSH", "PWPUSH_PUSH_OWNER", "PushSpec", "PwpushClient",
    "PwpushError", "ServiceError", "resolve", "term", "validate_secret_options",
)
