"""Where the pwpush fake follows the real server's source more closely (issue 15).

Each test names the source it checks. Run: pytest -q tests/fakes/test_pwpush_fidelity.py
"""

from __future__ import annotations

import pytest
import requests

from test_pwpush_server import TOKEN1, TOKEN2, UNLIMITED, PwpushServer, create, retrieve  # noqa: F401
from test_pwpush_server import servers  # noqa: F401  pylint: disable=unused-import

ADMIN = "tok-admin-5555555555"


@pytest.fixture(params=["hosted", "oss", "v1"])
def any_mode(request, servers) -> PwpushServer:  # noqa: F811
    return servers("--mode", request.param, "--token", TOKEN1, "--other-token", TOKEN2, *UNLIMITED)


@pytest.fixture
def hosted_admin(servers) -> PwpushServer:  # noqa: F811
    return servers("--mode", "hosted", "--token", TOKEN1, "--other-token", TOKEN2, "--admin-token", ADMIN,
                   *UNLIMITED)


def v1_create(server: PwpushServer, **fields) -> dict:
    fields.setdefault("payload", "s3cret-payload")
    response = server.session(TOKEN1).post(server.url + "/p.json", json={"password": fields})
    assert response.status_code == 201, response.text
    return response.json()


# config/settings.yml: retrieval_step_default: true for every kind (2.2.2, 2.11.4 and later).
def test_retrieval_step_is_on_by_default_in_every_mode(any_mode):
    body = v1_create(any_mode)
    assert body["retrieval_step"] is True
    assert body["html_url"] == "%s/p/%s/r" % (any_mode.url, body["url_token"])


def test_retrieval_step_default_can_be_turned_off(servers):  # noqa: F811
    server = servers("--mode", "oss", "--token", TOKEN1, "--retrieval-step-default", "false", *UNLIMITED)
    body = create(server)
    assert body["retrieval_step"] is False and not body["html_url"].endswith("/r")


# app/controllers/api/v1/pushes_controller.rb#destroy: an expired push is rendered again with 200.
def test_v1_delete_of_an_expired_push_answers_200_with_the_push(any_mode):
    token = v1_create(any_mode)["url_token"]
    session = any_mode.session(TOKEN1)
    first = session.delete("%s/p/%s.json" % (any_mode.url, token))
    again = session.delete("%s/p/%s.json" % (any_mode.url, token))
    assert first.status_code == 200 and again.status_code == 200, again.text
    assert again.json()["url_token"] == token and again.json()["expired"] is True
    assert again.json()["expired_on"] == first.json()["expired_on"]
    audit = session.get("%s/p/%s/audit.json" % (any_mode.url, token)).json()["views"]
    assert [entry["kind"] for entry in audit] == ["creation", "expire"]  # one expiry, not two


# Api::V1 runs before_action :set_push before its passphrase rate_limit; Api::V2 re-declares set_push,
# which moves it after the inherited rate_limit.
def test_v1_looks_the_push_up_before_throttling_passphrases(servers):  # noqa: F811
    server = servers("--mode", "oss", "--token", TOKEN1, *UNLIMITED)
    for _attempt in range(7):
        unknown = requests.get(server.url + "/p/nosuchtoken123.json", params={"passphrase": "x"}, timeout=5)
        assert unknown.status_code == 404 and unknown.json() == {"error": "not-found"}
    token = create(server, passphrase="right")["url_token"]
    for _attempt in range(5):
        assert requests.get("%s/p/%s.json" % (server.url, token), params={"passphrase": "no"},
                            timeout=5).status_code == 401
    assert requests.get("%s/p/%s.json" % (server.url, token), params={"passphrase": "right"},
                        timeout=5).status_code == 429
    statuses = [retrieve(server, "nosuchtoken456", passphrase="x").status_code for _attempt in range(6)]
    assert statuses == [404] * 5 + [429]


# app/models/push.rb#claim_view!: an administrator's retrieval logs admin_view and counts no view;
# the audit log stays the owner's (Api::V2::PushesController#audit: owned_by? only).
def test_admin_retrieval_counts_no_view(hosted_admin):
    token = create(hosted_admin, expire_after_views=1)["url_token"]
    shown = retrieve(hosted_admin, token, token=ADMIN)
    assert shown.status_code == 200 and shown.json()["payload"] == "s3cret-payload"
    assert shown.json()["views_remaining"] == 1 and shown.json()["expired"] is False
    stored = requests.get(hosted_admin.url + "/_fake/pwpush/pushes", timeout=5).json()
    assert [(p["view_count"], p["expired"]) for p in stored] == [(0, False)]
    denied = hosted_admin.session(ADMIN).get("%s/api/v2/pushes/%s/audit" % (hosted_admin.url, token))
    assert denied.status_code == 403
    audit = hosted_admin.session(TOKEN1).get("%s/api/v2/pushes/%s/audit" % (hosted_admin.url, token)).json()
    assert [entry["kind"] for entry in audit["logs"]] == ["creation", "admin_view"]
    assert retrieve(hosted_admin, token).json()["payload"] == "s3cret-payload"  # the one view is still there


# app/validators/multiple_emails_validator.rb (max 5), in the model's validation order.
@pytest.mark.parametrize("emails, messages", [
    ("a@example.com,", ["has commas used in the wrong way"]),
    ("a@example.com,,b@example.com", ["has commas used in the wrong way"]),
    (",a@example.com", ["has commas used in the wrong way"]),
    ("a@example.com, A@example.com", ["contains duplicate emails"]),
    (",".join("u%d@example.com" % i for i in range(6)), ["contains more than 5 email(s)"]),
    ("not-an-email", ["contains invalid email(s)"]),
    ("a@b.c", ["contains invalid email(s)"]),
    ("x@example.com,x@example.com,y,z@e.io,w@e.io,v@e.io",
     ["contains duplicate emails", "contains more than 5 email(s)", "contains invalid email(s)"]),
])
def test_notify_emails_to_is_validated(servers, emails, messages):  # noqa: F811
    server = servers("--mode", "hosted", "--token", TOKEN1, *UNLIMITED)
    response = server.session(TOKEN1).post(server.url + "/api/v2/pushes",
                                           json={"push": {"payload": "x", "notify_emails_to": emails}})
    assert response.status_code == 422
    assert response.json() == {"notify_emails_to": messages}
    assert requests.get(server.url + "/_fake/pwpush/pushes", timeout=5).json() == []


def test_notify_emails_to_accepts_a_good_list(servers):  # noqa: F811
    server = servers("--mode", "hosted", "--token", TOKEN1, *UNLIMITED)
    body = create(server, notify_emails_to="a@example.com, b.c+d@mail.example.org")
    assert body["notify_emails_to"] == "a@example.com, b.c+d@mail.example.org"


# Pwpush::NotifiableByEmail#validate_notify_by_email_limit: 5 recipients per push in all.
def test_notify_emails_caps_recipients_per_push(servers):  # noqa: F811
    server = servers("--mode", "hosted", "--token", TOKEN1, *UNLIMITED)
    token = create(server, notify_emails_to="a@example.com,b@example.com,c@example.com")["url_token"]
    session = server.session(TOKEN1)
    url = "%s/api/v2/pushes/%s/notify_emails" % (server.url, token)
    over = session.post(url, json={"notify_emails_to": "d@example.com,e@example.com,f@example.com"})
    assert over.status_code == 422
    assert over.json() == {"base": ["You can notify up to 5 email(s) and you have already sent emails to 3 recipients"]}
    fits = session.post(url, json={"notify_emails_to": "d@example.com,e@example.com"})
    assert fits.status_code == 201 and fits.json() == {"message": "Recipient(s) are added to the queue to be sent."}
    assert session.post(url, json={"notify_emails_to": "f@example.com"}).status_code == 422


# User#email_limit_reached? with config/settings.yml notify_by_email.daily_limit: 500 recipients a day.
def test_notify_emails_daily_cap_per_user(servers):  # noqa: F811
    server = servers("--mode", "hosted", "--token", TOKEN1, "--other-token", TOKEN2, *UNLIMITED)
    five = ",".join("r%d@example.com" % i for i in range(5))
    for _push in range(100):
        create(server, notify_emails_to=five)
    refused = server.session(TOKEN1).post(server.url + "/api/v2/pushes",
                                          json={"push": {"payload": "x", "notify_emails_to": "last@example.com"}})
    assert refused.status_code == 422
    assert refused.json() == {"base": ["The maximum number of emails has been reached for today"]}
    create(server)  # without recipients: fine
    create(server, token=TOKEN2, notify_emails_to="last@example.com")  # the cap is per user
