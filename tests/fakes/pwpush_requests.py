"""Requests (ask a person for a secret) of the fake Password Pusher: the hosted Pro edition only.

Where each behaviour comes from (docs/pwpush.md "Requests" has the full notes):
* The open-source application (github.com/pglombardo/PasswordPusher, main of August 2026) has no requests:
  no route (config/routes/pwp_api.rb), and its version answer says ``"requests": {"enabled": false}``
  ("not available in OSS", app/views/pages/api.html.erb). So the oss and v1 modes register nothing here:
  ``/api/v2/requests`` is an unknown route there (404).
* pwpush.com documents the API (eu.pwpush.com/help/api/requests): ``POST /api/v2/requests`` with
  ``{"request": {"request", "close_after_duration" (0-17), "passphrase", "name", "note", "retrieval_step",
  "include_requestor", "response_file_attachments"}}`` (multipart ``request[files][]`` for files), token
  required. The official CLI (pwpush 0.16.7) reads ``url_token`` from the 201 and then
  ``GET /api/v2/requests/:url_token/preview`` for ``{"url"}``; it also sends ``expire_after_duration``,
  ``expire_after_views``, ``deletable_by_viewer`` and ``notify_emails_to`` (only when the version answer says
  ``features.requests.email_auto_dispatch``). Fields the server does not permit are dropped, as Rails'
  strong parameters do by default.
* Inferred (the Pro code is not public), shaped after the pushes controller: show, active/expired lists,
  DELETE to expire, owner-only (403), 404 ``not-found``, the JSON keys, the ``/req/`` link, and a response
  becoming a text push owned by the requester. The person's side is a web form on the real server; here it
  is ``POST /_fake/pwpush/requests/<url_token>/respond {"payload": ...}``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask import Response, g, request
from werkzeug.datastructures import FileStorage

import common
import pwpush_model as model
import pwpush_rails as rails
from pwpush_api import PwpushApi

MSG_REQUEST_NOT_YOURS = "That request doesn't belong to you."
MSG_REQUEST_EXPIRED = "That request has expired."
PERMITTED = ("request", "name", "note", "passphrase", "close_after_duration", "retrieval_step",
             "include_requestor", "response_file_attachments", "notify_emails_to", "notify_emails_to_locale")


@dataclass
class SecretRequest:  # pylint: disable=too-many-instance-attributes
    url_token: str
    text: str | None
    name: str | None
    note: str | None
    passphrase: str | None
    close_after_duration: int
    retrieval_step: bool
    include_requestor: bool
    response_file_attachments: bool
    owner_id: int
    account_id: int
    created_at: dt.datetime
    updated_at: dt.datetime
    seq: int
    files: list = field(default_factory=list)
    notify_emails_to: str | None = None
    notify_emails_to_locale: str | None = None
    expired: bool = False
    expired_on: dt.datetime | None = None
    responses: list = field(default_factory=list)  # url_tokens of the pushes it received

    def closes_at(self) -> dt.datetime:
        return self.created_at + model.DURATIONS[self.close_after_duration]

    def check_limits(self, now: dt.datetime) -> None:
        if not self.expired and now >= self.closes_at():
            self.expire(now)

    def expire(self, now: dt.datetime) -> None:
        self.expired = True
        self.expired_on = now
        self.updated_at = now


class Requests:
    """The requests controller, sharing the fake's users, lock, params and pushes."""

    def __init__(self, fake: PwpushApi) -> None:
        self.fake = fake
        self.requests: dict[str, SecretRequest] = {}

    def reset(self) -> None:
        self.requests.clear()

    # ------------------------------------------------------------- helpers

    def _gate(self) -> Response | None:
        """Every request endpoint needs a user: a bad token 401 with an empty body, none Devise's 401."""
        user, token_sent = self.fake.auth()
        if user is not None:
            return None
        return common.empty_response(401) if token_sent else rails.devise_unauthorized()

    def _gated(self, token: str, *, owned: bool = True) -> SecretRequest | Response:
        """What show, preview and destroy do first: the hosted-only gate, then the request (``owned``: the
        caller's own, see ``_owned``; else anybody's, 404 if none)."""
        denied = self._gate()
        if denied:
            return denied
        if owned:
            return self._owned(token)
        found = self.requests.get(token)
        return rails.not_found() if found is None else found

    def _owned(self, token: str) -> SecretRequest | Response:
        found = self.requests.get(token)
        if found is None:
            return rails.not_found()
        if found.owner_id != self.fake.user().id:
            return common.json_response({"error": MSG_REQUEST_NOT_YOURS}, 403)
        found.check_limits(self.fake.now())
        return found

    def link(self, found: SecretRequest) -> str:
        url = "%s/req/%s" % (self.fake.base_url(), found.url_token)
        return url + "/r" if found.retrieval_step else url

    def request_json(self, found: SecretRequest) -> dict:
        now = self.fake.now()
        return {
            "url_token": found.url_token,
            "request": found.text,
            "name": found.name,
            "note": found.note,
            "passphrase": found.passphrase,  # in plain text, as push JSON sends it
            "close_after_duration": found.close_after_duration,
            "retrieval_step": found.retrieval_step,
            "include_requestor": found.include_requestor,
            "response_file_attachments": found.response_file_attachments,
            "expired": found.expired,
            "expired_on": rails.rails_time(found.expired_on),
            "created_at": rails.rails_time(found.created_at),
            "updated_at": rails.rails_time(found.updated_at),
            "days_remaining": max(0, (found.closes_at() - now).days),
            "account_id": found.account_id,
            "html_url": self.link(found),
            "files": [{"filename": f.filename, "content_type": f.content_type} for f in found.files],
            "responses": [{"url_token": t, "created_at": rails.rails_time(self.fake.pushes[t].created_at)}
                          for t in found.responses if t in self.fake.pushes],
        }

    # ------------------------------------------------------------- endpoints

    def create(self) -> Response:
        denied = self._gate()
        if denied:
            return denied
        user = self.fake.user()
        params = self.fake.params()
        raw = params.get("request")
        if rails.blank(raw) and raw is not False:
            return common.json_response(
                {"error": "param is missing or the value is empty or invalid: request"}, 400)
        if not isinstance(raw, dict):
            return rails.rails_error(500)
        permitted = rails.permit(raw, PERMITTED, ("files",))
        files = [f for f in permitted.get("files", []) if isinstance(f, FileStorage) and f.filename]
        errors: dict[str, list[str]] = {}
        text = rails.ruby_str(permitted.get("request"))
        if rails.blank(text) and not files:
            errors.setdefault("request", []).append("can't be blank")
        elif text and len(text) > model.MAX_TEXT_PAYLOAD:
            errors.setdefault("request", []).append("is too long")
        if len(files) > model.MAX_FILES:
            errors.setdefault("files", []).append("You can only attach up to %d files per request." % model.MAX_FILES)
        notify_to = rails.ruby_str(permitted.get("notify_emails_to"))
        notify_locale = rails.ruby_str(permitted.get("notify_emails_to_locale"))
        self.fake._check_notify(errors, user, notify_to, notify_locale,  # pylint: disable=protected-access
                                expired=False, already_sent=0)
        if errors:
            return common.json_response(errors, 422)
        duration = rails.ruby_int(permitted.get("close_after_duration"))
        if duration is None or not 0 <= duration < len(model.DURATIONS):
            duration = model.DURATION_DEFAULT  # out of range silently becomes the default, like pushes
        now = self.fake.now()
        self.fake.seq += 1
        found = SecretRequest(
            url_token=self._new_token(), text=text, name=rails.ruby_str(permitted.get("name")) or None,
            note=rails.ruby_str(permitted.get("note")) or None,
            passphrase=rails.ruby_str(permitted.get("passphrase")) or None, close_after_duration=duration,
            retrieval_step=(rails.truthy(permitted["retrieval_step"]) if "retrieval_step" in permitted
                            else self.fake.retrieval_step_default),
            include_requestor=rails.truthy(permitted.get("include_requestor", False)),
            response_file_attachments=rails.truthy(permitted.get("response_file_attachments", False)),
            owner_id=user.id, account_id=user.account_id, created_at=now, updated_at=now, seq=self.fake.seq,
            files=[self.fake._store_file(f) for f in files],  # pylint: disable=protected-access
            notify_emails_to=notify_to, notify_emails_to_locale=notify_locale)
        if rails.present(notify_to):
            self.fake._notify_record(user, notify_to, notify_locale)  # pylint: disable=protected-access
        self.requests[found.url_token] = found
        return common.json_response(self.request_json(found), 201)

    def show(self, token: str) -> Response:
        found = self._gated(token)
        if isinstance(found, Response):
            return found
        return common.json_response(self.request_json(found))

    def preview(self, token: str) -> Response:
        found = self._gated(token, owned=False)
        if isinstance(found, Response):
            return found
        return common.json_response({"url": self.link(found)})

    def destroy(self, token: str) -> Response:
        found = self._gated(token)
        if isinstance(found, Response):
            return found
        if not found.expired:  # a second DELETE answers 200 again, like pushes
            found.expire(self.fake.now())
        return common.json_response(self.request_json(found))

    def listing(self, expired: bool) -> Response:
        denied = self._gate()
        if denied:
            return denied
        page = self.fake.page(self.fake.params())
        if isinstance(page, Response):
            return page
        user = self.fake.user()
        now = self.fake.now()
        for found in self.requests.values():
            found.check_limits(now)
        mine = sorted((r for r in self.requests.values() if r.owner_id == user.id and r.expired == expired),
                      key=lambda r: (r.created_at, r.seq), reverse=True)
        return common.json_response([self.request_json(r)
                                     for r in mine[(page - 1) * model.PAGE_SIZE: page * model.PAGE_SIZE]])

    def fake_respond(self, token: str) -> Response:
        """The person's answer (a web form on the real server): a text push the requester owns."""
        spec = request.get_json(silent=True)
        if not isinstance(spec, dict) or not isinstance(spec.get("payload"), str) or not spec["payload"]:
            return common.json_response({"error": "expected {\"payload\": \"...\"}"}, 400)
        found = self.requests.get(token)
        if found is None:
            return rails.not_found()
        now = self.fake.now()
        found.check_limits(now)
        if found.expired:
            return common.json_response({"error": MSG_REQUEST_EXPIRED}, 422)
        self.fake.seq += 1
        owner = next(u for u in self.fake.users if u.id == found.owner_id)
        push = model.Push(
            url_token=self.fake._new_token(), kind="text", payload=spec["payload"],  # pylint: disable=protected-access
            passphrase=None, name=found.name, note=None, expire_after_days=model.DAYS_DEFAULT,
            expire_after_views=model.VIEWS_DEFAULT, expire_after_duration=model.DURATION_DEFAULT,
            deletable_by_viewer=self.fake.deletable_by_viewer_default, retrieval_step=found.retrieval_step,
            created_at=now, updated_at=now, seq=self.fake.seq, owner_id=owner.id, account_id=owner.account_id)
        self.fake.pushes[push.url_token] = push
        g.fake_auth = (None, False)  # the person is anonymous: the creation is not the owner's
        self.fake.log_event(push, "creation")
        found.responses.append(push.url_token)
        found.updated_at = now
        return common.json_response({"url_token": push.url_token}, 201)

    def _new_token(self) -> str:
        while True:
            token = self.fake._new_token()  # pylint: disable=protected-access
            if token not in self.requests:
                return token


def install(add, fake: PwpushApi) -> Requests:
    """Register the routes (hosted only: the caller decides) and return the controller."""
    controller = Requests(fake)
    add("/api/v2/requests", "v2_request_create", controller.create, ("POST",))
    add("/api/v2/requests/active", "v2_request_active", lambda: controller.listing(expired=False))
    add("/api/v2/requests/expired", "v2_request_expired", lambda: controller.listing(expired=True))
    add("/api/v2/requests/<tok:token>", "v2_request_show", controller.show)
    add("/api/v2/requests/<tok:token>", "v2_request_destroy", controller.destroy, ("DELETE",))
    add("/api/v2/requests/<tok:token>/preview", "v2_request_preview", controller.preview)
    add("/_fake/pwpush/requests/<tok:token>/respond", "fake_request_respond", controller.fake_respond,
        ("POST",), "none")
    return controller
