"""Tests of the onetimesecret (OTS) API v1 fake: behaviour, quirks, harness controls,
scripts, and the official PyPI ``onetimesecret`` client.

Every server is started through tests/fakes/serve, as the demo and the integration
tests start it. Run: pytest -q tests/fakes/test_ots_server.py
"""

from __future__ import annotations

import importlib.util
import re
import statistics
import subprocess
import sys
import time

import pytest
import requests

from conftest import RUN_WITH, SERVE, FakeServer, fake_env, fake_servers

USER1, TOKEN1 = "owner@example.com", "ots-token-owner-0123456789"
USER2, TOKEN2 = "other@example.com", "ots-token-other-9876543210"
ACCOUNTS = ("--username", USER1, "--api-token", TOKEN1, "--other-username", USER2, "--other-api-token", TOKEN2)
CUSTOM_DOMAIN = "secrets.example.org"
MAIN = ACCOUNTS + ("--custom-domain", CUSTOM_DOMAIN)
DAY = 86400

UNKNOWN = "Unknown secret"
UNEXPECTED = {"message": "An unexpected error occurred :["}
NOT_AUTHORIZED = {"message": "Not authorized"}
RECEIPT_FIELDS = ["custid", "metadata_key", "secret_key", "ttl", "metadata_ttl", "secret_ttl", "metadata_url",
                  "state", "updated", "created", "recipient", "share_domain"]
ALIASES = ["identifier", "secret_identifier", "has_passphrase", "recipients", "receipt_ttl", "receipt_url"]


class OtsServer(FakeServer):
    """`serve ots`, with the OTS API root, Basic auth sessions and the fake's ageing control."""

    @property
    def api(self) -> str:
        return self.url + "/api/v1"

    def session(self, user: str | None = None, token: str | None = None) -> requests.Session:
        session = requests.Session()
        if user is not None:
            session.auth = (user, token)
        return session

    def age(self, metadata_key: str, seconds: float) -> None:
        response = requests.post(self.url + "/_fake/ots/age", json={"metadata_key": metadata_key, "seconds": seconds},
                                 timeout=5)
        assert response.status_code == 200, response.text


servers = fake_servers("ots", OtsServer)


@pytest.fixture
def ots(servers) -> OtsServer:
    return servers(*MAIN)


def share(server: OtsServer, user: str | None = None, token: str | None = None, **fields) -> dict:
    fields.setdefault("secret", "s3cret-value")
    response = server.session(user, token).post(server.api + "/share", data=fields)
    assert response.status_code == 200, response.text
    return response.json()


def reveal(server: OtsServer, secret_key: str, **fields) -> requests.Response:
    return requests.post("%s/secret/%s" % (server.api, secret_key), data=fields, timeout=5)


def receipt(server: OtsServer, metadata_key: str, user: str | None = None, token: str | None = None) -> dict:
    response = server.session(user, token).get("%s/private/%s" % (server.api, metadata_key))
    assert response.status_code == 200, response.text
    return response.json()


def assert_error(response: requests.Response, body: dict, intended: str | None = "400") -> None:
    assert response.status_code == 404, response.text
    assert response.json() == body
    assert response.headers.get("X-OTS-Intended-Status") == intended
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"


def assert_unknown(response: requests.Response, key: str) -> None:
    assert response.status_code == 404
    assert list(response.json().items()) == [("secret_key", key), ("message", UNKNOWN)]
    assert "X-OTS-Intended-Status" not in response.headers


# --------------------------------------------------------------------------- speed


def test_keep_alive_request_costs_about_a_millisecond(ots):
    session = ots.session()
    session.get(ots.api + "/status")
    # The trap this guards against (Nagle meets delayed ACK) costs about 40 ms on every request whatever the
    # load; a busy machine only stretches some requests. So the median of many, not their sum, is judged.
    durations = []
    for _attempt in range(300):
        started = time.perf_counter()
        assert session.post(ots.api + "/share", data={"secret": "x", "ttl": "3600"}).status_code == 200
        durations.append(time.perf_counter() - started)
    median = statistics.median(durations)
    print("300 keep-alive POSTs: median %.2f ms, total %.2f s" % (median * 1000, sum(durations)))
    assert median < 0.015


# --------------------------------------------------------------------------- status and auth


def test_status_and_authcheck(ots):
    assert requests.get(ots.api + "/status", timeout=5).json() == {"status": "nominal", "locale": "en"}
    assert requests.get(ots.api + "/status?locale=de", timeout=5).json()["locale"] == "de"
    assert requests.get(ots.api + "/status", headers={"Accept-Language": "fr-CA,fr;q=0.8"},
                        timeout=5).json()["locale"] == "fr_CA"
    assert_error(requests.get(ots.api + "/authcheck", timeout=5), NOT_AUTHORIZED, "401")
    checked = ots.session(USER1, TOKEN1).get(ots.api + "/authcheck")
    assert checked.status_code == 200 and checked.json() == {"status": "nominal", "locale": "en"}
    # the username is an email; case does not matter, the token does
    assert ots.session(USER1.upper(), TOKEN1).get(ots.api + "/authcheck").status_code == 200


@pytest.mark.parametrize("auth", [
    {"auth": (USER1, "wrong-token")},
    {"auth": ("", TOKEN1)},
    {"auth": (USER1, "")},
    {"auth": ("nobody@example.com", TOKEN1)},
    {"auth": (USER2, TOKEN1)},
    {"headers": {"Authorization": "Bearer " + TOKEN1}},
    {"headers": {"Authorization": "Basic b3duZXJAZXhhbXBsZS5jb20="}},  # "owner@example.com", no colon
    {"headers": {"Authorization": ""}},
])
def test_bad_credentials_are_404_intended_401_on_every_route(ots, auth):
    created = share(ots)
    for method, path in (("GET", "/status"), ("GET", "/authcheck"), ("POST", "/share"), ("POST", "/generate"),
                         ("POST", "/secret/" + created["secret_key"]), ("GET", "/private/" + created["metadata_key"]),
                         ("POST", "/private/%s/burn" % created["metadata_key"]), ("GET", "/private/recent"),
                         ("POST", "/secret/short")):
        response = requests.request(method, ots.api + path, data={"secret": "x"}, timeout=5, **auth)
        assert_error(response, NOT_AUTHORIZED, "401")
    # nothing happened to the secret
    assert receipt(ots, created["metadata_key"])["state"] == "new"


# --------------------------------------------------------------------------- share and reveal


def test_share_receipt_shape_and_reveal_once(ots):
    body = share(ots, secret="hello <b>&", passphrase="open sesame", ttl="3600")
    assert list(body) == RECEIPT_FIELDS + ["passphrase_required"] + ALIASES
    assert body["custid"] == "anon" and body["state"] == "new" and body["share_domain"] == ""
    assert (body["ttl"], body["secret_ttl"], body["metadata_ttl"]) == (3600, 3600, 7200)
    assert body["passphrase_required"] is True and body["recipient"] == []
    assert isinstance(body["created"], int) and body["created"] == body["updated"]
    assert abs(body["created"] - time.time()) < 5
    for key in ("metadata_key", "secret_key"):
        assert re.fullmatch(r"[0-9a-z]{55,62}", body[key]), body[key]
    assert body["metadata_key"] != body["secret_key"]
    assert body["metadata_url"] == "%s/receipt/%s" % (ots.url, body["metadata_key"])
    for new, old in (("identifier", "metadata_key"), ("secret_identifier", "secret_key"),
                     ("has_passphrase", "passphrase_required"), ("recipients", "recipient"),
                     ("receipt_ttl", "metadata_ttl"), ("receipt_url", "metadata_url")):
        assert body[new] == body[old]
    assert "value" not in body and "secret_value" not in body

    key = body["secret_key"]
    revealed = reveal(ots, key, passphrase="open sesame")
    assert revealed.status_code == 200
    assert revealed.json() == {"value": "hello <b>&", "secret_key": key, "share_domain": ots.url}
    assert '"hello <b>&"' in revealed.text  # Ruby's to_json does not escape HTML characters
    assert_unknown(reveal(ots, key, passphrase="open sesame"), key)

    after = receipt(ots, body["metadata_key"])
    assert after["state"] == "received"
    assert "secret_key" not in after and "secret_ttl" not in after and "secret_identifier" not in after
    assert abs(after["received"] - time.time()) < 5 and after["updated"] == after["received"]
    assert "passphrase_required" not in after and "value" not in after  # the secret is gone


def test_create_alias_json_body_and_query_string(ots):
    created = ots.session().post(ots.api + "/create", data={"secret": "via create"}).json()
    assert reveal(ots, created["secret_key"]).json()["value"] == "via create"
    as_json = ots.session().post(ots.api + "/share", json={"secret": "via json", "ttl": 120}).json()
    assert as_json["ttl"] == 120
    assert reveal(ots, as_json["secret_key"]).json()["value"] == "via json"
    in_query = ots.session().post(ots.api + "/share?secret=via+query&ttl=300").json()
    assert in_query["ttl"] == 300 and reveal(ots, in_query["secret_key"]).json()["value"] == "via query"
    broken = ots.session().post(ots.api + "/share", data="{nope", headers={"Content-Type": "application/json"})
    assert broken.status_code == 400


def test_wrong_passphrase_looks_unknown_and_does_not_destroy(ots):
    body = share(ots, passphrase="right-one")
    key = body["secret_key"]
    assert_unknown(reveal(ots, key, passphrase="wrong-one"), key)
    assert_unknown(reveal(ots, key), key)  # no passphrase at all: the same answer
    assert receipt(ots, body["metadata_key"])["state"] == "new"
    assert reveal(ots, key, passphrase="right-one").json()["value"] == "s3cret-value"


def test_secret_without_passphrase_ignores_a_given_one(ots):
    key = share(ots)["secret_key"]
    assert reveal(ots, key, passphrase="anything").json()["value"] == "s3cret-value"


def test_passphrase_lockout_after_20_failures(ots):
    body = share(ots, passphrase="right-one")
    key, session = body["secret_key"], ots.session()
    for _attempt in range(20):
        assert_unknown(session.post("%s/secret/%s" % (ots.api, key), data={"passphrase": "wrong"}), key)
    locked = session.post("%s/secret/%s" % (ots.api, key), data={"passphrase": "right-one"})
    assert_error(locked, UNEXPECTED)  # even the right passphrase, for 30 minutes
    assert_error(session.post("%s/private/%s/burn" % (ots.api, body["metadata_key"]),
                              data={"passphrase": "right-one"}), UNEXPECTED)
    ots.age(body["metadata_key"], 1799)
    assert_error(reveal(ots, key, passphrase="right-one"), UNEXPECTED)
    ots.age(body["metadata_key"], 2)
    assert reveal(ots, key, passphrase="right-one").json()["value"] == "s3cret-value"


def test_empty_passphrase_attempts_do_not_count_on_reveal(ots):
    body = share(ots, passphrase="right-one")
    for _attempt in range(25):
        assert_unknown(reveal(ots, body["secret_key"]), body["secret_key"])
    assert reveal(ots, body["secret_key"], passphrase="right-one").status_code == 200


def test_a_right_passphrase_resets_the_count(ots):
    body = share(ots, passphrase="right-one")
    for _attempt in range(19):
        reveal(ots, body["secret_key"], passphrase="wrong")
    burned = requests.post("%s/private/%s/burn" % (ots.api, body["metadata_key"]),
                           data={"passphrase": "right-one"}, timeout=5)
    assert burned.status_code == 200


# --------------------------------------------------------------------------- burn


def test_burn_and_burn_again(ots):
    body = share(ots, user=USER1, token=TOKEN1, passphrase="burn-pass")
    metadata_key, key = body["metadata_key"], body["secret_key"]
    burn_url = "%s/private/%s/burn" % (ots.api, metadata_key)
    assert_error(requests.post(burn_url, data={"passphrase": "nope"}, timeout=5),
                 {"message": "Double check that passphrase"})
    assert_error(requests.post(burn_url, timeout=5), {"message": "Double check that passphrase"})
    burned = requests.post(burn_url, data={"passphrase": "burn-pass"}, timeout=5)
    assert burned.status_code == 200
    result = burned.json()
    assert list(result) == ["state", "secret_shortkey"]
    assert result["secret_shortkey"] == key[:8]
    state = result["state"]
    assert state["state"] == "burned" and state["secret_key"] == "" and state["secret_identifier"] == ""
    assert state["custid"] == "anon"  # the caller's identity, not the owner's
    assert state["secret_ttl"] is None and "passphrase_required" not in state and "received" not in state
    assert_unknown(requests.post(burn_url, data={"passphrase": "burn-pass"}, timeout=5), metadata_key)
    assert_unknown(reveal(ots, key, passphrase="burn-pass"), key)
    assert receipt(ots, metadata_key)["state"] == "burned"
    # the aliases under /receipt and /metadata, and a receipt nobody knows
    other = share(ots)["metadata_key"]
    assert requests.post("%s/metadata/%s/burn" % (ots.api, other), timeout=5).status_code == 200
    unknown = "x" * 40
    assert_unknown(requests.post("%s/receipt/%s/burn" % (ots.api, unknown), timeout=5), unknown)


def test_burn_after_reveal_is_unknown(ots):
    body = share(ots)
    reveal(ots, body["secret_key"])
    assert_unknown(requests.post("%s/receipt/%s/burn" % (ots.api, body["metadata_key"]), timeout=5),
                   body["metadata_key"])


# --------------------------------------------------------------------------- receipts and states


def test_receipt_views_and_aliases(ots):
    body = share(ots, user=USER1, token=TOKEN1, ttl="600")
    metadata_key = body["metadata_key"]
    for prefix in ("private", "receipt", "metadata"):
        for method in ("GET", "POST"):
            response = requests.request(method, "%s/%s/%s" % (ots.api, prefix, metadata_key), timeout=5)
            assert response.status_code == 200, (prefix, method)
            view = response.json()
            assert view["state"] == "new" and view["secret_key"] == body["secret_key"]  # viewing changes nothing
            assert view["custid"] == "anon" and view["passphrase_required"] is False
            assert view["metadata_url"] == "%s/receipt/%s" % (ots.url, metadata_key)
    mine = receipt(ots, metadata_key, USER2, TOKEN2)
    assert mine["custid"] == USER2  # custid is whoever asks
    assert_unknown(requests.get("%s/private/%s" % (ots.api, "y" * 30), timeout=5), "y" * 30)


def test_expiry_with_the_aging_helper(ots):
    body = share(ots, ttl="600")
    metadata_key, key = body["metadata_key"], body["secret_key"]
    ots.age(metadata_key, 100)
    view = receipt(ots, metadata_key)
    assert (view["secret_ttl"], view["metadata_ttl"], view["state"]) == (500, 1100, "new")
    ots.age(metadata_key, 500)
    assert_unknown(reveal(ots, key), key)
    listed = requests.get(ots.url + "/_fake/ots/secrets", timeout=5).json()
    assert [(s["state"], s["secret_expired"]) for s in listed] == [("new", True)]  # until someone looks
    view = receipt(ots, metadata_key)
    assert view["state"] == "expired" and view["secret_key"] == "" and view["secret_ttl"] is None
    assert "passphrase_required" not in view and view["metadata_ttl"] == 600
    assert_unknown(requests.post("%s/private/%s/burn" % (ots.api, metadata_key), timeout=5), metadata_key)
    ots.age(metadata_key, 600)  # the receipt lives twice as long as the secret, then it is gone too
    assert_unknown(requests.get("%s/private/%s" % (ots.api, metadata_key), timeout=5), metadata_key)


def test_orphaned_state(ots):
    body = share(ots)
    assert requests.post(ots.url + "/_fake/ots/orphan", json={"metadata_key": body["metadata_key"]},
                         timeout=5).status_code == 200
    view = receipt(ots, body["metadata_key"])
    assert view["state"] == "orphaned" and view["secret_key"] == ""
    assert_unknown(reveal(ots, body["secret_key"]), body["secret_key"])


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


# --------------------------------------------------------------------------- rate limit


def test_rate_limit_creates_and_reads_separately(servers):
    server = servers(*ACCOUNTS, "--plan", "anonymous", "--rate-limit", "3")
    session = server.session()
    keys = [session.post(server.api + "/share", data={"secret": "x"}).json()["secret_key"] for _i in range(3)]
    limited = session.post(server.api + "/generate")
    assert_error(limited, {"message": "Rate limit exceeded. Please try again later."})
    # reads have their own counter; receipts and burns are not counted
    statuses = [session.post("%s/secret/%s" % (server.api, key)).status_code for key in keys]
    assert statuses == [200, 200, 200]
    assert_error(session.post("%s/secret/%s" % (server.api, "z" * 30)),
                 {"message": "Rate limit exceeded. Please try again later."})
    other_ip = session.post(server.api + "/share", data={"secret": "x"}, headers={"X-Forwarded-For": "203.0.113.7"})
    assert other_ip.status_code == 200
    # accounts on the "anonymous" plan count too, and free accounts (shared/notes/ots-server-facts.md: "for
    # anonymous and free users"); paid and self-hosted ones are exempt (controllers/base.rb check_rate_limit!)
    assert_error(server.session(USER1, TOKEN1).post(server.api + "/share", data={"secret": "x"}),
                 {"message": "Rate limit exceeded. Please try again later."})
    free = servers(*ACCOUNTS, "--plan", "free", "--rate-limit", "1")
    assert free.session(USER1, TOKEN1).post(free.api + "/share", data={"secret": "x"}).status_code == 200
    assert_error(free.session(USER1, TOKEN1).post(free.api + "/share", data={"secret": "x"}),
                 {"message": "Rate limit exceeded. Please try again later."})
    for plan in ("paid", "selfhosted"):
        exempt = servers(*ACCOUNTS, "--plan", plan, "--rate-limit", "1")
        for _attempt in range(3):
            assert exempt.session(USER1, TOKEN1).post(exempt.api + "/share", data={"secret": "x"}).status_code == 200
        exempt.session().post(exempt.api + "/share", data={"secret": "x"})
        assert exempt.session().post(exempt.api + "/share", data={"secret": "x"}).status_code == 404, plan
    server.reset()  # forgets the windows
    assert session.post(server.api + "/share", data={"secret": "x"}).status_code == 200


def test_edge_rate_limit_in_front_of_the_app(servers):
    # ots_edge.py: caddy-ratelimit as etc/examples/Caddyfile-example sets it up (there 20 a second per IP).
    server = servers(*ACCOUNTS, "--edge-rate-limit", "3")
    session = server.session()
    started = time.monotonic()
    answers = [session.get(server.api + "/status") for _i in range(5)]
    assert time.monotonic() - started < 0.9, "too slow to test a 1-second window"
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    refused = answers[-1]
    assert refused.content == b"" and refused.headers["Retry-After"] == "1"
    # per client IP, and never the fake's own controls
    assert session.get(server.api + "/status", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 200
    assert requests.get(server.url + "/_fake/requests", timeout=5).status_code == 200
    time.sleep(1.05)
    assert session.get(server.api + "/status").status_code == 200  # refused requests were not counted
    assert requests.get(servers(*ACCOUNTS).api + "/status", timeout=5).status_code == 200  # off by default


def test_injected_429_in_onetimesecrets_words(ots):
    # LimitExceeded#to_h (lib/onetime/errors.rb) and the Retry-After of RetryAfterHeader, not Rack::Attack's text
    requests.post(ots.url + "/_fake/faults", json={"status": 429, "count": 2, "retry_after": 3}, timeout=5)
    limited = ots.session().post(ots.api + "/share", data={"secret": "x"})
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "3"
    assert limited.headers["Content-Type"] == "application/json"
    assert limited.json() == {"error": "Rate limit exceeded", "error_type": "LimitExceeded", "retry_after": 3}
    requests.post(ots.url + "/_fake/faults", json={"status": 429}, timeout=5)
    bare = ots.session().get(ots.api + "/status")
    assert bare.json() == {"error": "Rate limit exceeded", "error_type": "LimitExceeded"}
    assert "Retry-After" not in bare.headers


# --------------------------------------------------------------------------- harness controls


def test_fault_switches(ots):
    session = ots.session()
    assert requests.post(ots.url + "/_fake/faults", json={"status": 503, "count": 2, "retry_after": 7},
                         timeout=5).status_code == 200
    for _attempt in range(2):
        response = session.get(ots.api + "/status")
        assert response.status_code == 503 and response.headers["Retry-After"] == "7"
    assert session.get(ots.api + "/status").status_code == 200
    requests.post(ots.url + "/_fake/faults", json={"status": 500, "count": 1, "path_prefix": "/api/v1/share"},
                  timeout=5)
    assert session.get(ots.api + "/status").status_code == 200
    assert session.post(ots.api + "/share", data={"secret": "x"}).status_code == 500
    assert requests.get(ots.url + "/_fake/ots/secrets", timeout=5).json() == []  # nothing was stored
    requests.post(ots.url + "/_fake/faults", json={"delay": 0.2}, timeout=5)
    started = time.perf_counter()
    assert session.get(ots.api + "/status").status_code == 200
    assert time.perf_counter() - started >= 0.2
    assert requests.delete(ots.url + "/_fake/faults", timeout=5).json()["delay"] == 0


def test_request_counts_reset_and_secret_listing(ots):
    body = share(ots, USER1, TOKEN1, secret="listing-secret", passphrase="listing-pass")
    reveal(ots, body["secret_key"], passphrase="listing-pass")
    counts = requests.get(ots.url + "/_fake/requests", timeout=5).json()
    assert counts == {"POST /api/v1/share": 1, "POST /api/v1/secret/<key>": 1}
    listing = requests.get(ots.url + "/_fake/ots/secrets", timeout=5)
    assert listing.json() == [{"metadata_key": body["metadata_key"], "state": "received", "custid": USER1,
                               "has_passphrase": True, "ttl": 7 * DAY, "kind": "conceal", "secret_expired": False,
                               "receipt_expired": False}]
    for secret in ("listing-secret", "listing-pass", body["secret_key"]):
        assert secret not in listing.text
    ots.reset()
    assert requests.get(ots.url + "/_fake/requests", timeout=5).json() == {}
    assert_unknown(requests.get("%s/private/%s" % (ots.api, body["metadata_key"]), timeout=5), body["metadata_key"])


def test_log_never_contains_secrets(tmp_path):
    server = OtsServer("ots", tmp_path, *ACCOUNTS)
    try:
        body = share(server, USER1, TOKEN1, secret="payload-secret-1", passphrase="pp-secret-1")
        reveal(server, body["secret_key"], passphrase="pp-secret-1")
        requests.get("%s/private/%s?passphrase=pp-secret-2" % (server.api, body["metadata_key"]), timeout=5)
        time.sleep(0.2)
        log = server.log_text()
    finally:
        server.stop()
    assert "POST /api/v1/secret/%s... 200" % body["secret_key"][:4] in log
    for secret in ("payload-secret-1", "pp-secret-1", "pp-secret-2", TOKEN1, USER1, body["secret_key"],
                   body["metadata_key"]):
        assert secret not in log


# --------------------------------------------------------------------------- scripts


def test_serve_usage_errors():
    env = fake_env()
    bad = subprocess.run([str(SERVE), "ots", "--username", "u@example.com"], capture_output=True, text=True,
                         env=env, check=False, timeout=30)
    assert bad.returncode == 2 and "go together" in bad.stderr


def test_run_with(tmp_path):
    script = ("import os, requests; u = os.environ['OTS_URL']; "
              "r = requests.get(u + '/api/v1/authcheck', auth=(os.environ['OTS_USERNAME'], os.environ['OTS_TOKEN'])); "
              "print(r.status_code, r.json()['status']); open(%r, 'w').write(u); raise SystemExit(3)"
              % str(tmp_path / "url"))
    env = {k: v for k, v in fake_env().items() if k not in ("OTS_URL", "OTS_USERNAME", "OTS_TOKEN")}
    result = subprocess.run([str(RUN_WITH), "ots", "--quiet", "--", sys.executable, "-c", script],
                            capture_output=True, text=True, env=env, timeout=60, check=False)
    assert result.returncode == 3, result.stderr
    assert result.stdout.strip() == "200 nominal"
    url = (tmp_path / "url").read_text()
    with pytest.raises(requests.ConnectionError):
        requests.get(url + "/api/v1/status", timeout=2)  # the server is gone
    env["OTS_URL"] = "http://192.0.2.1:9"
    passthrough = subprocess.run([str(RUN_WITH), "ots", "--", sys.executable, "-c",
                                  "import os; print(os.environ['OTS_URL'], os.environ['OTS_USERNAME'])"],
                                 capture_output=True, text=True, env=env, timeout=30, check=False)
    assert passthrough.returncode == 0
    assert passthrough.stdout.strip() == "http://192.0.2.1:9 demo@example.com"


# --------------------------------------------------------------------------- the official client


def test_official_client_works_unmodified(ots):
    if importlib.util.find_spec("onetimesecret") is None:
        pytest.skip("the onetimesecret client is not installed")
    from onetimesecret import OneTimeSecretCli, OneTimeSecretError  # pylint: disable=import-outside-toplevel

    link = OneTimeSecretCli(USER1, TOKEN1, url=ots.url).create_link("client-secret-1", 900)
    assert re.fullmatch(re.escape(ots.url) + r"/secret/[0-9a-z]{55,62}", link)
    key = link.rsplit("/", 1)[1]
    assert requests.get(link, timeout=5).status_code == 200  # the web page does not reveal
    revealed = reveal(ots, key)
    assert revealed.status_code == 200 and revealed.json()["value"] == "client-secret-1"
    [stored] = requests.get(ots.url + "/_fake/ots/secrets", timeout=5).json()
    assert (stored["custid"], stored["ttl"], stored["state"]) == (USER1, 900, "received")

    anonymous_link = OneTimeSecretCli(url=ots.url).create_link("client-secret-2")
    assert reveal(ots, anonymous_link.rsplit("/", 1)[1]).json()["value"] == "client-secret-2"
    with pytest.raises(OneTimeSecretError) as failure:
        OneTimeSecretCli(USER1, "wrong-token", url=ots.url).create_link("client-secret-3", 900)
    assert failure.value.status_code == 404 and "Not authorized" in str(failure.value)
