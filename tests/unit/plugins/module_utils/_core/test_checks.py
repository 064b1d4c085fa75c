# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""_core/checks.py: a service's url is refused in one sentence, naming its option, before any request."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oneshot.secrets.plugins.module_utils._core import checks
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.client import OtsClient
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.errors import OtsError
from ansible_collections.oneshot.secrets.plugins.module_utils._pushsecurity.client import PushSecurityClient
from ansible_collections.oneshot.secrets.plugins.module_utils._pushsecurity.errors import PushSecurityError
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.client import PwpushClient
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.errors import PwpushError

CLIENTS = [
    (lambda url: PwpushClient(url=url, token="api-token-0001"), PwpushError),
    (lambda url: OtsClient(url=url), OtsError),
    (lambda url: PushSecurityClient(url=url, api_key="key-0001"), PushSecurityError),
]


@pytest.mark.parametrize("url", [
    "http://user:pa55word-in-url@127.0.0.1:8443",
    "https://:pa55word-in-url@host.example",
    "https://host.example/base?x=1",
    "https://host.example?x=1",
    "https://host.example/#fragment",
    "https://host.example/ foo",
    "https://host.example/\n",
    "https://host.example:99999",
    "ftp://host.example",
    "host.example",
    "",
])
@pytest.mark.parametrize("client, error", CLIENTS)
def test_every_client_refuses_a_bad_url_in_one_sentence_before_any_request(url, client, error):
    with pytest.raises(error) as info:
        client(url)  # no transport is built: a request would need one
    message = info.value.message
    assert message.startswith("url ") and message.count(". ") == 0 and message.endswith(")." if "(got" in message else ".")
    assert "pa55word" not in message


@pytest.mark.parametrize("url", ["https://host.example", "http://127.0.0.1:8443/", "https://h.example/pwpush/base",
                                 "http://[::1]:8080", "HTTPS://Host.Example"])
@pytest.mark.parametrize("client, error", CLIENTS)
def test_every_client_takes_a_plain_url(url, client, error):
    assert client(url).url == url.rstrip("/")


def test_url_password_is_found_for_masking():
    assert checks.url_password("http://user:secret@host/x") == "user:secret"
    assert checks.url_password("http://host/x?a=b@c") is None


@pytest.mark.parametrize("url", ["not a url", "http://user:pw@host.example", "https://host.example/?x=1", ""])
def test_a_refused_url_names_its_option_for_the_door_to_word(url):
    """The Terraform provider words it as pwpush_url (PWPUSH_URL) from exc.option, not from the sentence."""
    for client, error in ((PwpushClient, PwpushError), (OtsClient, OtsError)):
        with pytest.raises(error) as info:
            client(url=url)
        assert info.value.option == "url" and info.value.message.startswith("url ")
