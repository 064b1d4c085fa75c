# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one HTTP stub of the unit tests: scripted answers instead of the network, and every request recorded.

- ScriptedSession(client.http, answers): one client's transport answers from the list (a response or an exception
  each, in order) and records its sleeps instead of sleeping; an unexpected request fails the test.
- ScriptedSession(client.http, server=function): answers computed from each request (many pages, many threads).
- ScriptedSession.everywhere(monkeypatch): every transport's session, for plugins that Ansible builds
  (lookups, modules); the `http` fixture of tests/unit/plugins/conftest.py.
- response(): an answer. Its body is a stream (a urllib3 response over bytes), so the transport reads it the way it
  reads a server's: in chunks, under its size cap.
- canned(name): a server's answer kept as tests/unit/fixtures/<name>.json.
- stubbed(ClientClass, answers, **options): a client whose transport is a ScriptedSession; WRONG_ANSWERS: 200s that
  are not the JSON a client asked for.
- bare_transport(url, **options): an HttpTransport that neither retries nor sleeps unless told.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import io
import json
import os

import requests
from requests.structures import CaseInsensitiveDict
from urllib3.response import HTTPResponse

from ansible_collections.oneshot.secrets.plugins.module_utils._core import transport as transport_module

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures")


def canned(name):
    """The JSON answer kept in tests/unit/fixtures/<name>.json (a fresh copy each call)."""
    with open(os.path.join(FIXTURES, name + ".json")) as source:
        return json.load(source)


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
    """Answers requests from a list of responses or exceptions (or from server(method, url, **kwargs)), and records
    what was asked in calls and what would have been slept in sleeps."""

    def __init__(self, transport, answers=(), server=None):
        self.answers = list(answers)
        self.server = server
        self.calls = []
        self.sleeps = []
        if transport is not None:
            transport.session.request = self.request
            transport.sleep = self.sleeps.append

    @classmethod
    def everywhere(cls, monkeypatch, answers=(), server=None):
        """A stub for every transport's session, for the clients a plugin builds itself."""
        stub = cls(None, answers, server)
        monkeypatch.setattr(transport_module.requests.Session, "request",
                            lambda session, method, url, **kwargs: stub.request(method, url, **kwargs))
        return stub

    def request(self, method, url, **kwargs):
        self.calls.append((method, url, kwargs))
        if self.server is not None:
            return self.server(method, url, **kwargs)
        if not self.answers:
            raise AssertionError("unexpected HTTP request %s %s" % (method, url))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        answer.url = url
        return answer


def stubbed(client_class, answers=(), **options):
    """(client, stub): a client_class(**options) (2 retries unless given) whose transport answers from `answers`."""
    options.setdefault("retries", 2)
    client = client_class(**options)
    return client, ScriptedSession(client.http, answers)


BAD_GATEWAY_HTML = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
# A 200 that is not the JSON asked for: (id, answer factory, words the message must hold to say what came).
WRONG_ANSWERS = [
    ("list", lambda: response(200, [{"url_token": "tok123456"}]), "a JSON list"),
    ("empty-list", lambda: response(200, []), "a JSON list"),
    ("null", lambda: response(200, raw="null"), "JSON null"),
    ("number", lambda: response(200, raw="42"), "a JSON number"),
    ("html", lambda: response(200, raw=BAD_GATEWAY_HTML, headers={"Content-Type": "text/html"}), "an HTML page"),
    ("empty", lambda: response(200), "an empty body"),
    ("deep", lambda: response(200, raw="[" * 50000), "JSON nested too deeply"),
    ("text", lambda: response(200, raw="OK", headers={"Content-Type": "text/plain"}), "text that is not JSON"),
]


def bare_transport(url, **kwargs):
    """An HttpTransport that neither retries nor sleeps unless told (retries=..., sleep=...)."""
    kwargs.setdefault("retries", 0)
    kwargs.setdefault("sleep", lambda seconds: None)
    return transport_module.HttpTransport(url, **kwargs)
