# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Password Pusher client of the pwpush modules and lookups, one concern per module:

- client: PwpushClient (connection, server version, creates) and the connection options;
- existing: its calls on pushes that exist (preview, retrieve, expire, audit, notify, lists, reuse);
- spec: PushSpec, what to push, validated before any request;
- durations: the hosted edition's expiry enum;
- errors: PwpushError and the wording of a failed answer (by operation and HTTP status);
- bulk: many creates over one client; answers: reading the server's answers.

For the collection's own use: not a public API, it may change in any release.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type
