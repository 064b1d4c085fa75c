# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The errors every door catches: one sentence for the user, and what a door needs to word it in its own terms.

- code: what kind of failure it is ("invalid_value", "short_secret", "secret_in_field", ...; None for a server's).
- option: the declared option it concerns (the names of its declarations, module_utils/_*/options.py), or None.
A door (module, lookup, action plugin, Terraform provider) may choose its own sentence from code and option; the
message is the Ansible doors' sentence. Nothing here imports ansible-core or requests.
For the collection's own use: not a public API, it may change in any release.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# term("token"): a declared option named in a message, worded by each door (see ServiceError.worded). Marked with
# private-use characters, so that text a server sent (a file name "{url}") is never taken for a term.
_OPTION_TERM = re.compile("\ue000([a-z_]+)\ue001")


def term(option):
    """The declared option `option` in a message, for each door to word (token (PWPUSH_TOKEN), pwpush_token ...)."""
    return "\ue000%s\ue001" % option


class ServiceError(Exception):
    """A failure worth one clear sentence to the user; never carries a secret.

    The sentence may name the service's options as term(option) (a subclass's OPTIONS declares them): `message`
    words them as the Ansible doors do, token (PWPUSH_TOKEN); worded() lets another door use its own names.
    """

    OPTIONS = {}  # the service's connection declarations (module_utils/_*/options.py)

    def __init__(self, message, status=None, body=None, code=None, option=None):
        self.template = message
        message = self.worded(self.option_words)
        super(ServiceError, self).__init__(message)
        self.message = message
        self.status = status
        self.body = body
        self.kind = None  # why a transport attempt failed ("too_big", "deadline", ...), when that was the cause
        self.code = code
        self.option = option

    @classmethod
    def option_words(cls, option):
        """How the Ansible doors name an option: the option, and its environment variable when it has one."""
        env = cls.OPTIONS[option].get("env")
        return "%s (%s)" % (option, env[0]) if env else option

    @classmethod
    def rewording(cls, exc, message):
        """This service's error for another one (the transport's), in a new sentence that keeps what it concerns."""
        error = cls(message, status=exc.status, body=exc.body, code=exc.code, option=exc.option)
        error.kind = exc.kind
        return error

    def worded(self, words):
        """The sentence with each term(option) in a door's words (words(option) -> text)."""
        return _OPTION_TERM.sub(lambda term: words(term.group(1)) if term.group(1) in self.OPTIONS else term.group(0),
                                self.template)


class OptionError(ServiceError):
    """A value refused before any request, naming its option."""

    def __init__(self, option, message, code="invalid_value"):
        super(OptionError, self).__init__(message, code=code, option=option)
