# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Scripted HTTP answers for unit tests: the transport's session.request replaced, nothing on the network."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import requests


def response(status=200, body=None, headers=None, raw=None):
    resp = requests.Response()
    resp.status_code = status
    if raw is not None:
        resp._content = raw.encode("utf-8")
    elif body is None:
        resp._content = b""
    else:
        resp._content = json.dumps(body).encode("utf-8")
        resp.headers["Content-Type"] = "application/json"
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    return resp


class ScriptedSession:
    """Answers requests from a list of responses or exceptions, and records what was asked."""

    def __init__(self, transport, answers):
        self.answers = list(answers)
        self.calls = []
        transport.session.request = self.request
        self.sleeps = []
        transport.sleep = self.sleeps.append

    def request(self, method, url, **kwargs):
        self.calls.append((method, url, kwargs))
        if not self.answers:
            raise AssertionError("unexpected request %s %s" % (method, url))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer
