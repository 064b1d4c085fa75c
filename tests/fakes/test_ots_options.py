"""Tests of the onetimesecret (OTS) API v1 fake: generate, the recent list, ttl, size and passphrase limits,
recipients, share domains, links and the older servers' options (helpers in test_ots_server.py)."""

from __future__ import annotations

import re

import requests

from test_ots_server import (ACCOUNTS, ALIASES, CUSTOM_DOMAIN, DAY, MAIN, NOT_AUTHORIZED, RECEIPT_FIELDS, TOKEN1,
                             TOKEN2, UNEXPECTED, USER1, USER2, assert_error, receipt, reveal, share)
from test_ots_server import ots, servers  # noqa: F401  pylint: disable=unused-import


def test_generate(ots):
    session = ots.session(USER1, TOKEN1)
    body = session.post(ots.api + "/generate", data={"ttl": "3600"}).json()
    assert list(body) == (RECEIPT_FIELDS + ["value", "passphrase_required"] + ALIASES[:-1]
                          + ["receipt_url", "secret_value"])
    assert body["custid"] == USER1 and len(body["value"]) == 12 and body["secret_value"] == body["value"]
    assert not set(body["value"]) & set("ilo1IO0")
    # the value once more on the first receipt view within 60 s, then never
    first = receipt(ots, body["metadata_key"])
    assert first["value"] == body["value"] and first["secret_value"] == body["value"]
    second = receipt(ots, body["metadata_key"])
    assert "value" not in second and "secret_value" not in second
    assert reveal(ots, body["secret_key"]).json()["value"] == body["value"]

    late = session.post(ots.api + "/generate", data={"length": "30"}).json()
    assert len(late["value"]) == 30
    ots.age(late["metadata_key"], 61)
    assert "value" not in receipt(ots, late["metadata_key"])
    protected = session.post(ots.api + "/generate", data={"passphrase": "gen-pass"}).json()
    assert protected["passphrase_required"] is True and "value" in protected
    assert "value" not in receipt(ots, protected["metadata_key"])
    assert len(session.post(ots.api + "/generate", data={"length": "128"}).json()["value"]) == 128
    assert len(session.post(ots.api + "/generate", data={"length": "2"}).json()["value"]) == 4  # one of each set
    assert_error(session.post(ots.api + "/generate", data={"length": "129"}),
                 {"message": "Generated password length must be no more than 128 characters"})
    assert_error(session.post(ots.api + "/generate", data={"length": "0"}), UNEXPECTED)
    assert_error(session.post(ots.api + "/generate", data={"length": "abc"}), UNEXPECTED)


def test_generate_honours_character_sets(ots):
    # GenerateSecret passes payload['character_sets'] to Onetime::Utils.strand (lib/onetime/utils.rb).
    session = ots.session(USER1, TOKEN1)

    def generate(**body) -> str:
        response = session.post(ots.api + "/generate", json=body)
        assert response.status_code == 200, response.text
        return response.json()["value"]

    letters = generate(length=60, character_sets={"symbols": False, "numbers": False})
    assert len(letters) == 60 and letters.isalpha() and not set(letters) & set("ilo1IO0")
    assert any(c.isupper() for c in letters) and any(c.islower() for c in letters)  # one of each set asked for
    digits = generate(length=20, character_sets={"uppercase": False, "lowercase": False, "symbols": False})
    assert set(digits) <= set("23456789")
    assert set(generate(length=20, character_sets={"numbers": False, "uppercase": False, "lowercase": False,
                                                   "symbols": False})) <= set("abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789*$!?()@#%^")
    # A form sends strings, and "false" is true in Ruby: a form cannot turn a set off.
    form = session.post(ots.api + "/generate", data={"length": "8", "character_sets[symbols]": "false"}).json()
    assert set(form["value"]) & set("!@#$%^&*()_-+=[]{}|:;\"'<>,.?/~`")


def test_recent_requires_auth_and_lists_own_receipts(ots):
    assert_error(requests.get(ots.api + "/private/recent", timeout=5), NOT_AUTHORIZED, "401")
    first = share(ots, USER1, TOKEN1, secret="one")
    second = share(ots, USER1, TOKEN1, secret="two", passphrase="pass-two")
    share(ots, USER2, TOKEN2)
    share(ots)
    reveal(ots, first["secret_key"])
    for prefix in ("private", "receipt", "metadata"):
        listed = ots.session(USER1, TOKEN1).get("%s/%s/recent" % (ots.api, prefix)).json()
        assert [r["metadata_key"] for r in listed] == [first["metadata_key"], second["metadata_key"]]
        assert [r["state"] for r in listed] == ["received", "new"]
        for item in listed:
            assert "secret_key" not in item and "passphrase_required" not in item and item["custid"] == USER1
        # current servers delete secret_key after adding its alias: secret_identifier stays
        assert listed[1]["secret_identifier"] == second["secret_key"] and listed[1]["secret_ttl"] is None
    other = ots.session(USER2, TOKEN2).get(ots.api + "/private/recent").json()
    assert len(other) == 1 and other[0]["custid"] == USER2
    # POST /private/recent is the receipt route with a 6-character key
    assert_error(ots.session(USER1, TOKEN1).post(ots.api + "/private/recent"), {"message": "Not Found"}, None)


# --------------------------------------------------------------------------- validation


def test_ttl_default_and_clamping(servers):
    ots = servers(*MAIN)  # selfhosted
    assert share(ots)["ttl"] == 7 * DAY
    assert share(ots, ttl="10")["ttl"] == 60
    assert share(ots, ttl="-5")["ttl"] == 60
    assert share(ots, ttl="abc")["ttl"] == 60
    assert share(ots, ttl="3600.9")["ttl"] == 3600
    assert share(ots, ttl=str(30 * DAY))["ttl"] == 7 * DAY  # anonymous callers: 7 days
    assert share(ots, USER1, TOKEN1, ttl=str(31 * DAY))["ttl"] == 30 * DAY
    assert share(ots, USER1, TOKEN1)["ttl"] == 7 * DAY
    for plan, ceiling in (("free", 14), ("paid", 30), ("anonymous", 7)):
        server = servers(*ACCOUNTS, "--plan", plan)
        assert share(server, USER1, TOKEN1, ttl=str(90 * DAY))["ttl"] == ceiling * DAY, plan
        assert share(server, ttl=str(90 * DAY))["ttl"] == 7 * DAY, plan


def test_secret_size_limit(ots, servers):
    assert share(ots, secret="x" * 10000)["ttl"]
    too_big = ots.session().post(ots.api + "/share", data={"secret": "x" * 10001})
    assert_error(too_big, {"message": "Secret value exceeds the maximum size of 10000 bytes"})
    multibyte = ots.session().post(ots.api + "/share", data={"secret": "\u00e9" * 5001})  # 10002 bytes
    assert_error(multibyte, {"message": "Secret value exceeds the maximum size of 10000 bytes"})
    small = servers(*ACCOUNTS, "--secret-max-bytes", "1000", "--passphrase-min", "8")
    assert_error(small.session().post(small.api + "/share", data={"secret": "x" * 1001}),
                 {"message": "Secret value exceeds the maximum size of 1000 bytes"})
    assert_error(small.session().post(small.api + "/share", data={"secret": "x", "passphrase": "1234567"}),
                 {"message": "Passphrase must be at least 8 characters long"})


def test_empty_secret_and_validation_order(ots):
    for data in ({}, {"secret": ""}):
        assert_error(ots.session().post(ots.api + "/share", data=data),
                     {"message": "You did not provide anything to share"})
    # the passphrase is checked before the emptiness of the secret
    assert_error(ots.session().post(ots.api + "/share", data={"secret": "", "passphrase": "abc"}),
                 {"message": "Passphrase must be at least 4 characters long"})


def test_passphrase_limits(ots):
    assert_error(ots.session().post(ots.api + "/share", data={"secret": "x", "passphrase": "abc"}),
                 {"message": "Passphrase must be at least 4 characters long"})
    assert_error(ots.session().post(ots.api + "/share", data={"secret": "x", "passphrase": "p" * 129}),
                 {"message": "Passphrase must be no more than 128 characters long"})
    assert share(ots, passphrase="abcd")["passphrase_required"] is True
    assert share(ots, passphrase="\u00e9" * 128)["passphrase_required"] is True  # characters, not bytes


def test_recipients(ots):
    assert_error(ots.session().post(ots.api + "/share", data={"secret": "x", "recipient": "bob@example.com"}),
                 {"message": "An account is required to send emails."})
    body = share(ots, USER1, TOKEN1, recipient="tom@myspace.com")
    assert body["recipient"] == ["to***@m***.com"] and body["recipients"] == body["recipient"]
    assert share(ots, USER1, TOKEN1, recipient="user@mail.example.co.uk")["recipient"] == ["us***@m***.co.uk"]
    assert share(ots, USER1, TOKEN1, recipient="a@example.org")["recipient"] == ["a@e***.org"]
    assert_error(ots.session(USER1, TOKEN1).post(ots.api + "/share", data={"secret": "x", "recipient": "nope"}),
                 {"message": "Undeliverable email address: nope"})


def test_share_domain(ots):
    mine = share(ots, USER1, TOKEN1, share_domain=CUSTOM_DOMAIN)
    assert mine["share_domain"] == CUSTOM_DOMAIN
    assert mine["metadata_url"] == "http://%s/receipt/%s" % (CUSTOM_DOMAIN, mine["metadata_key"])
    assert reveal(ots, mine["secret_key"]).json()["share_domain"] == "http://" + CUSTOM_DOMAIN
    assert share(ots, USER1, TOKEN1, share_domain="not a domain")["share_domain"] == ""
    elsewhere = {"secret": "x", "share_domain": "elsewhere.example"}
    assert_error(ots.session(USER1, TOKEN1).post(ots.api + "/share", data=elsewhere),
                 {"message": "Unknown domain: elsewhere.example"})
    not_theirs = {"secret": "x", "share_domain": CUSTOM_DOMAIN}
    assert_error(ots.session(USER2, TOKEN2).post(ots.api + "/share", data=not_theirs),
                 {"message": "You do not have permission to use domain: %s" % CUSTOM_DOMAIN})
    assert_error(ots.session().post(ots.api + "/share", data={"secret": "x", "share_domain": CUSTOM_DOMAIN}),
                 {"message": "You do not have permission to use domain: %s" % CUSTOM_DOMAIN})


def test_links_come_from_the_configured_host_not_the_request(ots, servers):
    # receipt_hsh and UriHelpers build links from site.host and site.ssl (HOST, SSL), at /receipt/.
    # Without --site-host the address the fake listens on is its configuration: no request header moves it.
    for headers in ({"X-Forwarded-Proto": "https", "X-Forwarded-Host": "ots.example.net"},
                    {"Host": "elsewhere.example:8443"}):
        body = ots.session().post(ots.api + "/share", data={"secret": "x"}, headers=headers).json()
        assert body["metadata_url"] == "%s/receipt/%s" % (ots.url, body["metadata_key"]), headers
        revealed = requests.post("%s/secret/%s" % (ots.api, body["secret_key"]), headers=headers, timeout=5)
        assert revealed.json()["share_domain"] == ots.url, headers
    configured = servers(*MAIN, "--site-host", "ots.example.net", "--ssl", "true")
    body = configured.session().post(configured.api + "/share", data={"secret": "x"}).json()
    assert body["metadata_url"] == "https://ots.example.net/receipt/" + body["metadata_key"]
    assert body["receipt_url"] == body["metadata_url"]
    revealed = requests.post("%s/secret/%s" % (configured.api, body["secret_key"]), headers=headers, timeout=5)
    assert revealed.json()["share_domain"] == "https://ots.example.net"
    # /private/ stays as the deprecated alias
    assert configured.session().get("%s/private/%s" % (configured.api, body["metadata_key"])).status_code == 200


def test_short_keys_and_unknown_routes(ots):
    for method, path in (("POST", "/secret/abc"), ("GET", "/private/" + "k" * 19),
                         ("POST", "/receipt/burn/burn"), ("POST", "/metadata/" + "k" * 19 + "/burn")):
        assert_error(requests.request(method, ots.api + path, timeout=5), {"message": "Not Found"}, None)
    for method, path in (("GET", "/share"), ("GET", "/secret/" + "k" * 30), ("DELETE", "/private/" + "k" * 30),
                         ("GET", "/nope"), ("GET", "/private/%s/burn" % ("k" * 30)), ("POST", "/status")):
        response = requests.request(method, ots.api + path, timeout=5)
        assert response.status_code == 404 and response.json() == {"error": "Not Found"}, (method, path)


def test_opening_the_link_does_not_burn(ots):
    body = share(ots)
    page = requests.get("%s/secret/%s" % (ots.url, body["secret_key"]), timeout=5)
    assert page.status_code == 200 and "s3cret-value" not in page.text
    assert reveal(ots, body["secret_key"]).json()["value"] == "s3cret-value"


def test_legacy_strings_short_keys_no_aliases(servers):
    old = servers(*ACCOUNTS, "--legacy-strings", "--short-keys", "--no-alias-fields")
    body = share(old, USER1, TOKEN1, ttl="3600")
    assert list(body) == [f for f in RECEIPT_FIELDS if f != "metadata_url"] + ["passphrase_required"]
    assert (body["ttl"], body["secret_ttl"], body["metadata_ttl"]) == ("3600", "3600", "7200")
    assert re.fullmatch(r"\d+", body["created"]) and body["created"] == body["updated"]
    assert 25 <= len(body["secret_key"]) <= 31 and 25 <= len(body["metadata_key"]) <= 31
    reveal(old, body["secret_key"])
    assert re.fullmatch(r"\d+", receipt(old, body["metadata_key"])["received"])
    other = share(old)
    burned = requests.post("%s/private/%s/burn" % (old.api, other["metadata_key"]), timeout=5).json()
    assert burned["secret_shortkey"] == other["secret_key"][:6] and burned["state"]["secret_ttl"] is None
