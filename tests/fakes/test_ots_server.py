"""Tests of the onetimesecret (OTS) API v1 fake: auth, share, reveal, passphrases, burn, receipts and their
states; and the helpers the other test_ots_*.py import (options and limits in test_ots_options.py, throttles,
harness controls, scripts and the official PyPI ``onetimesecret`` client in test_ots_harness.py).

Every server is started through tests/fakes/serve, as the demo and the integration
tests start it. Run: pytest -q tests/fakes/test_ots_*.py
"""

from __future__ import annotations

import re
import statistics
import time

import pytest
import requests

from conftest import FakeServer, fake_servers

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
