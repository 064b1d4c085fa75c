# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The errors every door catches: one sentence for the user, and what a door needs to word it in its own terms.

- code: what kind of failure it is ("invalid_value", "short_secret", "secret_in_field", ...; None for a server's).
- option: the declared option it concerns (module_utils/_options.py names), or None.
A door (module, lookup, action plugin, Terraform provider) may choose its own sentence from code and option; the
message is the Ansible doors' sentence. Nothing here imports ansible-core or requests.
For the collection's own use: not a public API, it may change in any release.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ServiceError(Exception):
    """A failure worth one clear sentence to the user; never carries a secret."""

    def __init__(self, message, status=None, body=None, code=None, option=None):
        super(ServiceError, self).__init__(message)
        self.message = message
        self.status = status
        self.body = body
        self.kind = None  # why a transport attempt failed ("too_big", "deadline", ...), when that was the cause
        self.code = code
        self.option = option


class OptionError(ServiceError):
    """A value refused before any request, naming its option."""

    def __init__(self, option, message, code="invalid_value"):
        super(OptionError, self).__init__(message, code=code, option=option)
