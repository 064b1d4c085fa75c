# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 14: short secrets that corrupt links, secrets in error text, credentials and extras in `url`."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import random
import string

import pytest

from ansible.module_utils.common.parameters import remove_values

from ansible_collections.oneshot.secrets.plugins.module_utils._core import checks, masking
from ansible_collections.oneshot.secrets.plugins.module_utils._core.pacing import Pacer
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.client import OtsClient
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.errors import OtsError
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.spec import validate_secret_options
from ansible_collections.oneshot.secrets.plugins.module_utils._pushsecurity.client import PushSecurityClient
from ansible_collections.oneshot.secrets.plugins.module_utils._pushsecurity.errors import PushSecurityError
from ansible_collections.oneshot.secrets.plugins.module_utils._pushsecurity.spec import (
    load_credentials_file,
    validate_credentials,
)
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.client import PwpushClient
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.errors import PwpushError
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.spec import PushSpec
from ansible_collections.oneshot.secrets.tests.unit.plugins.module_utils.http_stub import ScriptedSession, response

OSS_VERSION = {"application_version": "2.11.4", "api_version": "2.1", "edition": "oss", "features": {}}
FAKE_URL = "http://127.0.0.1:41234"  # the shape of the fakes' addresses

CLIENTS = [
    (lambda url: PwpushClient(url=url, token="api-token-0001"), PwpushError),
    (lambda url: OtsClient(url=url), OtsError),
    (lambda url: PushSecurityClient(url=url, api_key="key-0001"), PushSecurityError),
]


# --- 3. credentials and extras in url ---------------------------------------------------------------------------

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


# --- 1. short secrets corrupt links -----------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, option", [
    (dict(payload="1"), "payload"),
    (dict(payload="1234567"), "payload"),
    (dict(payload="a-secret", passphrase="p"), "passphrase"),
])
def test_pwpush_refuses_short_payloads_and_passphrases(kwargs, option):
    with pytest.raises(PwpushError, match="^%s must be at least 8 characters" % option):
        PushSpec(**kwargs).validate(has_token=True)


@pytest.mark.parametrize("kwargs, option", [
    (dict(secret="0"), "secret"),
    (dict(secret="a-secret", passphrase="p"), "passphrase"),
    (dict(passphrase="abc"), "passphrase"),
])
def test_ots_refuses_short_secrets_and_passphrases(kwargs, option):
    with pytest.raises(OtsError, match="^%s must be at least 8 characters" % option):
        validate_secret_options(**kwargs)


@pytest.mark.parametrize("value", ["127.0.0.1:41234", "http://127.0.0.1", "41234/p/abc", "1:41234/p/", "/api/v2/pushes/"])
def test_pwpush_refuses_a_payload_or_passphrase_in_the_fixed_text_of_its_links(value):
    client = PwpushClient(url=FAKE_URL, token="api-token-0001")
    ScriptedSession(client.http, [response(200, OSS_VERSION)])
    with pytest.raises(PwpushError, match="^payload must not be part of the link"):
        client.prepare(PushSpec(payload=value))
    with pytest.raises(PwpushError, match="^passphrase must not be part of the link"):
        client.prepare(PushSpec(payload="a-long-payload", passphrase=value))


def test_ots_refuses_a_secret_in_the_fixed_text_of_its_links():
    client = OtsClient(url=FAKE_URL)
    ScriptedSession(client.http, [])
    with pytest.raises(OtsError, match="^secret must not be part of the link"):
        client.share("127.0.0.1:41234/secret/")
    with pytest.raises(OtsError, match="^passphrase must not be part of the link"):
        client.share("a-long-secret", passphrase="/private/")


def _candidates(links, rng):
    """Values a user might push: every piece of the links, and random values of every length up to 12."""
    values = set()
    for link in links:
        for start in range(len(link)):
            for end in range(start + 1, min(len(link), start + 24) + 1):
                values.add(link[start:end])
    alphabet = string.ascii_lowercase + string.digits + "-_:/."
    for length in range(1, 13):
        for _count in range(40):
            values.add("".join(rng.choice(alphabet) for _char in range(length)))
    return sorted(values)


def _accepted(option, value, prefixes, suffixes):
    try:
        masking.refuse_short_secret(option, value)
        masking.refuse_secret_in_link(option, value, prefixes, suffixes)
    except ValueError:
        return False
    return True


def test_links_survive_ansible_masking_of_every_accepted_value():
    """Property: a value the modules accept is never found by Ansible's no_log masking in the links they return."""
    rng = random.Random(14)
    pwpush_prefixes = [FAKE_URL + path for path in ("/p/", "/f/", "/r/", "/api/v2/pushes/")]
    ots_prefixes = [FAKE_URL + path for path in ("/secret/", "/private/")]

    def pwpush_links():  # the fake's tokens: secrets.token_urlsafe(8..14).lower(), like the real server's
        token = "".join(rng.choice(string.ascii_lowercase + string.digits + "-_") for _char in range(rng.randint(11, 19)))
        return [FAKE_URL + "/p/" + token, FAKE_URL + "/p/" + token + "/r", FAKE_URL + "/api/v2/pushes/" + token,
                FAKE_URL + "/p/" + token + ".json"]

    def ots_links():  # base-36 keys of 31 or 62 characters
        return [FAKE_URL + path + "".join(rng.choice(string.ascii_lowercase + string.digits)
                                          for _char in range(rng.choice((31, 62)))) for path in ("/secret/", "/private/")]

    checked = 0
    for make_links, prefixes, suffixes in ((pwpush_links, pwpush_prefixes, ("/r", ".json", "")),
                                           (ots_links, ots_prefixes, ("",))):
        for value in _candidates(make_links(), rng):
            if not _accepted("payload", value, prefixes, suffixes):
                continue
            links = make_links()
            masked = remove_values(links, frozenset([value]))
            assert masked == links, "%r corrupts %r" % (value, links)
            checked += 1
    assert checked > 1000


def test_the_issue_values_are_refused():
    for value in ("1", "p", "0"):
        assert not _accepted("payload", value, [FAKE_URL + "/p/"], ("",))


# --- 2. secrets in error messages -------------------------------------------------------------------------------

@pytest.mark.parametrize("secret", ['pa"ss\'wo\\rd-1', "plain-password-2", "caf\u00e9 cr\u00e8me", "a b&c=d/e"])
def test_mask_secrets_covers_every_quoting_a_server_may_echo(secret):
    echoes = [secret, json.dumps(secret), json.dumps(secret, ensure_ascii=False), repr(secret), repr([secret]),
              repr({"password": secret}), json.dumps({"password": secret})]
    for echo in echoes:
        masked = masking.mask_secrets("server said: %s" % echo, [secret])
        assert "********" in masked
        for piece in (secret, secret[:6], secret[-6:]):
            assert piece not in masked, (echo, masked)


def test_mask_secrets_never_cuts_a_secret_in_half():
    secret = "correct-horse-battery"
    for offset in range(170, 210):
        text = "x" * offset + secret + " and the rest of a long answer" * 5
        masked = masking.mask_secrets(text, [secret], limit=200)
        assert "corr" not in masked and len(masked) <= 200 + len("********...")


def creds(*pairs):
    return [{"email": email, "password": password} for email, password in pairs]


def make_pushsecurity(answers):
    client = PushSecurityClient(url="https://ps.example.test", api_key="key-0001", retries=0)
    client.http.pacer = Pacer(0, max_rate_limited=0)  # no waiting in unit tests
    return client, ScriptedSession(client.http, answers)


@pytest.mark.parametrize("answer", [
    response(400, raw="Invalid items: %r" % [{"email": "a@example.com", "password": 'pw-with-"quote-1'}]),
    response(400, raw="Invalid items: %r" % [{"email": "a@example.com", "password": "pw-with-'quote-1"}]),
    response(400, {"message": json.dumps([{"email": "a@example.com", "password": 'pw-with-"quote-1'}])}),
    response(400, {"message": "bad item {'password': 'pw-with-\"quote-1'} and %s" % ("x" * 180)}),
    response(500, raw="x" * 190 + 'pw-with-"quote-1'),
])
def test_pushsecurity_errors_mask_every_password_of_the_call(answer):
    client, _stub = make_pushsecurity([answer])
    with pytest.raises(PushSecurityError) as info:
        client.add_stolen_credentials(creds(("a@example.com", 'pw-with-"quote-1'), ("b@example.com", "pw-with-'quote-1")))
    for piece in ("quote-1", "pw-with", "with-\\"):
        assert piece not in info.value.message, info.value.message


@pytest.mark.parametrize("email", ["bob@example.com:Sup3rSecret", "bob@example.com\n", "bob@exa mple.com",
                                   "bob@@example.com", "bob@example", "<bob@example.com>"])
def test_pushsecurity_email_check_is_strict_and_never_quotes_the_cell(email):
    with pytest.raises(PushSecurityError, match=r"credentials\[1\]: email is not an email address") as info:
        validate_credentials(creds((email, "pw-1")))
    assert "Sup3rSecret" not in info.value.message and email.strip() not in info.value.message


def test_pushsecurity_src_email_password_rows_keep_the_password_out_of_messages(tmp_path):
    src = tmp_path / "leak.csv"
    src.write_text("email,password\nbob@example.com:Sup3rSecret\n")
    with pytest.raises(PushSecurityError) as info:
        load_credentials_file(str(src))
    assert "Sup3rSecret" not in info.value.message and "email:password" in info.value.message
    src.write_text('[{"email": "bob@example.com:Sup3rSecret", "password": "x"}]')
    with pytest.raises(PushSecurityError) as info:
        load_credentials_file(str(src))
    assert "Sup3rSecret" not in info.value.message


def test_pushsecurity_messages_that_quote_an_email_mask_the_passwords():
    with pytest.raises(PushSecurityError) as info:
        validate_credentials(creds(("hunter22@example.com", "hunter22"))
                             + [{"email": "c@example.com", "password": "p", "metadata": "x"}])
    assert "hunter22" not in info.value.message


def test_pwpush_client_masks_echoed_payload_and_passphrase():
    client = PwpushClient(url=FAKE_URL, token="api-token-0001", retries=0)
    ScriptedSession(client.http, [response(200, OSS_VERSION),
                                  response(422, {"payload": ["'echoed-payload-1' is not allowed with echoed-phrase-2"]})])
    with pytest.raises(PwpushError) as info:
        client.create_push(PushSpec(payload="echoed-payload-1", passphrase="echoed-phrase-2"))
    assert "echoed" not in info.value.message and "HTTP 422" in info.value.message


def test_pwpush_client_masks_an_echoed_retrieve_passphrase():
    client = PwpushClient(url=FAKE_URL, retries=0)
    ScriptedSession(client.http, [response(200, OSS_VERSION),
                                  response(401, raw="x" * 195 + "passphrase=echoed-phrase-2 is wrong")])
    with pytest.raises(PwpushError) as info:
        client.retrieve("tok123456", passphrase="echoed-phrase-2")
    assert "echoed" not in info.value.message and "ech" not in info.value.message.split("x" * 20)[-1]


def test_ots_client_masks_an_echoed_secret():
    client = OtsClient(url=FAKE_URL, retries=0)
    ScriptedSession(client.http, [response(400, {"message": "cannot store echoed-secret-1 with echoed-phrase-2"})])
    with pytest.raises(OtsError) as info:
        client.share("echoed-secret-1", passphrase="echoed-phrase-2")
    assert "echoed" not in info.value.message and "HTTP 400" in info.value.message
