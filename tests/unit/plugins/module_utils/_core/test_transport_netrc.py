# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""~/.netrc never replaces a service's credentials, while proxies and CA bundles from the environment still apply.

Every request goes through requests' own Session.request (prepare, environment merge, send); only the
adapter at the end is a recorder, so nothing reaches the network.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import shutil

import certifi
import pytest
import requests
from requests.adapters import BaseAdapter

from ansible_collections.oneshot.secrets.plugins.module_utils._ots.client import OtsClient
from ansible_collections.oneshot.secrets.plugins.module_utils._pushsecurity.client import PushSecurityClient
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.client import PwpushClient

HOST = "secrets.example.test"
BASE = "https://%s" % HOST
NETRC_BASIC = "Basic %s" % base64.b64encode(b"netrc-user:netrc-password").decode("ascii")


class RecordingAdapter(BaseAdapter):
    def __init__(self):
        super(RecordingAdapter, self).__init__()
        self.sent = []

    def send(self, request, **kwargs):
        self.sent.append((request, kwargs))
        answer = requests.Response()
        answer.status_code = 200
        answer._content = b"{}"
        answer.request = request
        answer.url = request.url
        return answer

    def close(self):
        pass


@pytest.fixture
def netrc_home(tmp_path, monkeypatch):
    """HOME with a .netrc entry for the server's host, as CI runners and developer machines often have."""
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine %s login netrc-user password netrc-password\n" % HOST)
    netrc.chmod(0o600)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("NETRC", raising=False)
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY",
                 "no_proxy", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    # The fixture itself must be one requests would use: otherwise these tests prove nothing.
    assert requests.utils.get_netrc_auth(BASE + "/") == ("netrc-user", "netrc-password")
    return tmp_path


def send_one(client):
    adapter = RecordingAdapter()
    client.http.session.mount("https://", adapter)
    client.http.request("GET", "/anything")
    assert len(adapter.sent) == 1
    return adapter.sent[0]


CLIENTS = {
    "pwpush": (lambda: PwpushClient(url=BASE, token="pwpush-token-1"), "Bearer pwpush-token-1"),
    "pwpush-email": (lambda: PwpushClient(url=BASE, token="pwpush-token-1", email="a@example.com"),
                     "Bearer pwpush-token-1"),
    "ots": (lambda: OtsClient(url=BASE, username="me@example.com", api_token="ots-token-1"),
            "Basic %s" % base64.b64encode(b"me@example.com:ots-token-1").decode("ascii")),
    "ots-anonymous": (lambda: OtsClient(url=BASE), None),
    "pwpush-anonymous": (lambda: PwpushClient(url=BASE), None),
    "pushsecurity": (lambda: PushSecurityClient(url=BASE, api_key="ps-key-1"), None),
}


@pytest.mark.parametrize("name", sorted(CLIENTS))
def test_netrc_never_replaces_or_adds_credentials(netrc_home, name):
    make, authorization = CLIENTS[name]
    request, dummy = send_one(make())
    assert request.headers.get("Authorization") == authorization
    assert NETRC_BASIC not in request.headers.values()


def test_pushsecurity_still_sends_its_key(netrc_home):
    request, dummy = send_one(PushSecurityClient(url=BASE, api_key="ps-key-1"))
    assert request.headers["x-api-key"] == "ps-key-1"


def test_proxies_from_the_environment_still_apply(netrc_home, monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example.test:3128")
    dummy, sent_with = send_one(PwpushClient(url=BASE, token="pwpush-token-1"))
    assert sent_with["proxies"].get("https") == "http://proxy.example.test:3128"


def test_no_proxy_from_the_environment_still_applies(netrc_home, monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example.test:3128")
    monkeypatch.setenv("NO_PROXY", HOST)
    dummy, sent_with = send_one(PwpushClient(url=BASE, token="pwpush-token-1"))
    assert not sent_with["proxies"].get("https")


def test_ca_bundle_from_the_environment_still_applies(netrc_home, monkeypatch, tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    dummy, sent_with = send_one(OtsClient(url=BASE))
    assert sent_with["verify"] == str(bundle)


def test_ca_path_option_wins_over_the_environment(netrc_home, monkeypatch, tmp_path):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "env-ca.pem"))
    shutil.copy(certifi.where(), str(tmp_path / "option-ca.pem"))  # a real bundle: the client checks it is PEM
    dummy, sent_with = send_one(OtsClient(url=BASE, ca_path=str(tmp_path / "option-ca.pem")))
    assert sent_with["verify"] == str(tmp_path / "option-ca.pem")


def test_a_redirect_takes_nothing_from_netrc(netrc_home):
    client = PwpushClient(url=BASE, token="pwpush-token-1")
    session = client.http.session
    first = session.prepare_request(requests.Request("GET", BASE + "/a"))
    answer = requests.Response()
    answer.request = first
    # Same host: the token stays, netrc adds nothing.
    follow = session.prepare_request(requests.Request("GET", BASE + "/b"))
    session.rebuild_auth(follow, answer)
    assert follow.headers["Authorization"] == "Bearer pwpush-token-1"
    # Another host (one with a netrc entry): the token is stripped, as requests does, and netrc adds nothing.
    first = session.prepare_request(requests.Request("GET", "https://other.example.test/a"))
    answer.request = first
    follow = session.prepare_request(requests.Request("GET", BASE + "/b"))
    session.rebuild_auth(follow, answer)
    assert "Authorization" not in follow.headers
