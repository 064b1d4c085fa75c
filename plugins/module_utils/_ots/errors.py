# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""onetimesecret's errors: one sentence each, its {option} terms worded by each door (_core/errors.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.oneshot.secrets.plugins.module_utils._core.errors import ServiceError
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.options import OTS_CONNECTION


class OtsError(ServiceError):
    """An onetimesecret failure, phrased for the user."""

    OPTIONS = OTS_CONNECTION

    body_message = None  # the server's own message, when it sent one
