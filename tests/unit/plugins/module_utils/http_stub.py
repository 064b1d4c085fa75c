# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Scripted HTTP answers for unit tests: the transport's session.request replaced, nothing on the network.

Each answer's body is a stream (a urllib3 response over bytes), so the transport reads it the way it reads
a server's: in chunks, under its size cap.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import io
import json

import requests
from requests.structures import CaseInsensitiveDict
from urllib3.response import HTTPResponse


def response(status=200, body=None, headers=None, raw=None, content=None):
    """An answer: body as JSON, raw as text, or content as bytes (nothing: an empty body)."""
    all_headers = {}
    if content is not None:
        data = content
    elif raw is not None:
        data = raw.encode("utf-8")
    elif body is None:
        data = b""
    else:
        data = json.dumps(body).encode("utf-8")
        all_headers["Content-Type"] = "application/json"
    all_headers.update(headers or {})
    resp = requests.Response()
    resp.status_code = status
    resp.headers = CaseInsensitiveDict(all_headers)
    resp.raw = HTTPResponse(body=io.BytesIO(data), headers=all_headers, status=status, preload_content=False,
                            decode_content=False)
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
        answer.url = url
        return answer
