"""The Password Pusher fake's state and what every route shares: authentication (Api::BaseController),
params, links (ApplicationHelper#secret_url), the push JSON (jbuilder views), views and the throttles."""

from __future__ import annotations

import datetime as dt
import json
import math
import mimetypes
import re
import secrets
import threading
from typing import Callable

from flask import Response, g, request
from werkzeug.datastructures import FileStorage

import common
import pwpush_blobs
from pwpush_model import (
    APPLICATION_VERSION, AuditLog, JSON_MIME_TYPES, LOCALES, MAX_AUDIT_LOGS, MAX_PAGE, MODES, MSG_BAD_PAGE,
    PASSPHRASE_ATTEMPTS, PASSPHRASE_WINDOW, Push, StoredFile, User, WRAPPED_KEYS)
from pwpush_rails import ParamsError, add_nested, present, rails_time, ruby_integer, ruby_split


class PwpushCore:  # pylint: disable=too-many-instance-attributes
    """State and request helpers. Every handler runs under one lock: requests are short."""

    def __init__(self, mode: str, users: list[User], *, anonymous: bool, retrieval_step_default: bool,
                 deletable_by_viewer_default: bool, base_url: str | None,
                 clock: Callable[[], dt.datetime]) -> None:
        if mode not in MODES:
            raise ValueError("mode must be one of %s" % (MODES,))
        self.mode = mode
        self.hosted = mode == "hosted"
        self.legacy = mode == "v2-legacy"  # pwpush_legacy.py
        self.application_version = APPLICATION_VERSION[mode]
        self.users = users
        self.users_by_token = {user.token: user for user in users}
        self.anonymous = anonymous
        self.retrieval_step_default = retrieval_step_default
        self.deletable_by_viewer_default = deletable_by_viewer_default
        self.override_base_url = base_url.rstrip("/") if base_url else None
        self.now = clock
        # Only pwpush.com has email notifications configured; a stock OSS install has no SMTP.
        self.notify_available = self.hosted
        # The per-push passphrase rate limit came with 2.9.2: 2.2.x and 2.3-2.8 servers have none.
        self.passphrase_limit = mode not in ("v1", "v2-legacy")
        self.csrf_token = secrets.token_urlsafe(32)
        self.lock = threading.RLock()
        self.pushes: dict[str, Push] = {}
        self.requests = None  # pwpush_requests.Requests where the edition serves requests (hosted)
        self.counters = common.FirstHitWindow()
        self.seq = 0
        self.emails_sent: dict[int, tuple[dt.date, int]] = {}  # User#email_sent_count(_reset_at)
        self.blob_links = pwpush_blobs.BlobLinks(clock)

    def reset(self) -> None:
        with self.lock:
            if self.requests is not None:
                self.requests.reset()
            self.pushes.clear()
            self.counters.clear()
            self.emails_sent.clear()
            self.blob_links.clear()
            self.seq = 0

    # ----------------------------------------------------------------- request helpers

    def auth(self) -> tuple[User | None, bool]:
        """Api::BaseController: the user from the token, and whether a token was sent at all.

        X-User-Token wins when X-User-Email is also present; the email itself is not checked.
        Otherwise the last word of Authorization is the token ('Bearer T' or just 'T').
        """
        if "fake_auth" not in g:
            headers = request.headers
            if "X-User-Email" in headers and "X-User-Token" in headers:
                token = headers["X-User-Token"]
            else:
                words = headers.get("Authorization", "").split()
                token = words[-1] if words else ""
            user = self.users_by_token.get(token) if token.strip() else None
            g.fake_auth = (user, "Authorization" in headers or "X-User-Token" in headers)
        return g.fake_auth

    def user(self) -> User | None:
        return self.auth()[0]

    def gate(self, api: str, action: str) -> Response | None:
        """Api::BaseController#require_api_authentication, in the same order.

        ``api`` is "v2" (the v2 pushes controller), "v1" (/p, /f, /r) or "other"."""
        user, token_sent = self.auth()
        if user is not None or action == "version":
            return None  # version endpoints are public, even with a bad token
        if token_sent:
            return common.empty_response(401)  # a bad token: 401 with an empty body
        if not self.anonymous:
            return common.empty_response(401)
        if api == "v2":
            restricted = ("audit", "active", "expired", "notify_emails")
        elif api == "other":
            return common.empty_response(401)
        elif request.path.startswith("/p"):
            restricted = ("audit", "active", "expired")
        elif request.path.startswith(("/f", "/r")):
            restricted = ("create", "audit", "active", "expired")
        else:
            return common.empty_response(401)
        return common.empty_response(401) if action in restricted else None

    def params(self, wrap: bool = False) -> dict:
        """Rails params: body (JSON or form) merged with the query string, query winning."""
        body: dict = {}
        mimetype = request.mimetype
        if mimetype in JSON_MIME_TYPES:
            raw = request.get_data(cache=True)
            if raw.strip():
                try:
                    data = json.loads(raw)
                except ValueError as exc:
                    raise ParamsError("invalid JSON") from exc
                body = data if isinstance(data, dict) else {"_json": data}
        elif mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            for key, value in request.form.items(multi=True):
                add_nested(body, key, value)
            for key, value in request.files.items(multi=True):
                add_nested(body, key, value)
        query: dict = {}
        for key, value in request.args.items(multi=True):
            add_nested(query, key, value)
        if wrap and mimetype in JSON_MIME_TYPES and "push" not in body and "push" not in query:
            # ParamsWrapper: an unwrapped JSON body is lifted into params["push"].
            body["push"] = {k: v for k, v in body.items() if k in WRAPPED_KEYS}
        return {**body, **query}

    def base_url(self) -> str:
        """The base of the push links (ApplicationHelper#secret_url): PWP__OVERRIDE_BASE_URL when set."""
        return self.override_base_url or self.request_base_url()

    @staticmethod
    def request_base_url() -> str:
        """Scheme and host the way Rails builds links behind a proxy (url_for, rails_blob_url: the attachment
        links and their redirect, which PWP__OVERRIDE_BASE_URL does not change)."""
        environ = request.environ
        scheme = environ.get("wsgi.url_scheme", "http")
        if environ.get("HTTP_X_FORWARDED_SSL") == "on":
            scheme = "https"
        else:
            forwarded = re.findall(r"proto=\"?([a-zA-Z]+)", environ.get("HTTP_FORWARDED", ""))
            candidates = forwarded or [p.strip() for p in environ.get("HTTP_X_FORWARDED_PROTO", "").split(",")]
            allowed = [c.lower() for c in candidates if c.lower() in ("http", "https")]
            if allowed:
                scheme = allowed[-1]
        host = environ.get("HTTP_X_FORWARDED_HOST", "").strip()
        host = re.split(r",\s?", host)[-1] if host else environ.get("HTTP_HOST", "")
        if not host:
            host = "%s:%s" % (environ.get("SERVER_NAME", "localhost"), environ.get("SERVER_PORT", "80"))
        standard_port = ":443" if scheme == "https" else ":80"
        if host.endswith(standard_port):
            host = host[: -len(standard_port)]
        return "%s://%s" % (scheme, host)

    def secret_url(self, push: Push, with_retrieval_step: bool = True, locale: str | None = None) -> str:
        """ApplicationHelper#secret_url. Every kind lives under /p/ since 1.5."""
        url = "%s/p/%s" % (self.base_url(), push.url_token)
        if push.retrieval_step and with_retrieval_step:
            url += "/r"
        push_locale = g.get("fake_params", {}).get("push_locale")
        if isinstance(push_locale, str) and push_locale in LOCALES:
            url += "?locale=" + push_locale
        elif locale in LOCALES:
            url += "?locale=" + locale
        return url

    def request_meta(self) -> tuple[str, str, str]:
        """ip, user agent, referrer as LogEvents stores them (missing headers become '')."""
        return (common.client_ip(request.environ), request.headers.get("User-Agent", "")[:255],
                request.headers.get("Referer", "")[:255])

    def log_event(self, push: Push, kind: str, notify: dict | None = None) -> bool:
        if len(push.audit_logs) >= MAX_AUDIT_LOGS:
            return False
        ip, agent, referrer = self.request_meta()
        user = self.user()
        push.audit_logs.append(AuditLog(kind, ip, agent, referrer, self.now(),
                                        user.id if user else None, notify))
        return True

    def find(self, token: str) -> Push | None:
        return self.pushes.get(token)

    def page(self, params: dict) -> int | Response:
        """Api::V1::PushesController#validate_page_parameter: page 0 and below become 1."""
        raw = params.get("page")
        if raw is None or raw is False:
            raw = 1  # params[:page] || 1
        try:
            if isinstance(raw, float) and math.isfinite(raw):
                raw = int(raw)  # Integer(2.5) truncates
            if isinstance(raw, bool) or not isinstance(raw, (str, int)):
                raise TypeError(raw)
            page = max(raw if isinstance(raw, int) else ruby_integer(raw), 1)
        except (TypeError, ValueError):
            return common.json_response({"error": MSG_BAD_PAGE}, 400)
        if page > MAX_PAGE:
            return common.json_response({"error": MSG_BAD_PAGE}, 400)
        return page

    # ----------------------------------------------------------------- serializers

    def push_json(self, push: Push, action: str) -> dict:
        """app/views/pushes/_push.json.jbuilder, plus the hosted edition's extra keys."""
        now = self.now()
        out: dict = {}
        if self.hosted:
            out["expire_after_duration"] = push.expire_after_duration
        out.update({
            "expire_after_views": push.expire_after_views,
            "expired": push.expired,
            "url_token": push.url_token,
            "deletable_by_viewer": push.deletable_by_viewer,
            "retrieval_step": push.retrieval_step,
            "expired_on": rails_time(push.expired_on),
            "passphrase": push.passphrase,  # in plain text, as the real server sends it
            "created_at": rails_time(push.created_at),
            "updated_at": rails_time(push.updated_at),
            "expire_after_days": push.expire_after_days,
            # pwpush.com's API page shows an expired push with days_remaining null and views_remaining 0;
            # the open-source Push#days_remaining/views_remaining count on (integers, never null).
            "days_remaining": None if self.hosted and push.expired else push.days_remaining(now),
            "views_remaining": 0 if self.hosted and push.expired else push.views_remaining(),
            "deleted": push.deleted(),
        })
        url = self.secret_url(push)
        out["json_url"] = url + ".json"  # with a retrieval step: .../r.json, a path that 404s
        out["html_url"] = url
        if self.hosted:
            out["account_id"] = push.account_id
        if action in ("create", "active", "expired") or (self.hosted and action == "destroy"):
            out["note"] = push.note
            out["name"] = push.name
        if action == "create" and present(push.notify_emails_to):
            out["notify_emails_to"] = push.notify_emails_to
            out["notify_emails_to_locale"] = push.notify_emails_to_locale
        if action == "show":
            out["payload"] = push.payload
            out["files"] = [self.blob_links.file_json(self.request_base_url(), f) for f in push.files]
        return out

    @staticmethod
    def audit_json_v2(logs: list) -> dict:
        """app/views/pushes/audit.json.jbuilder."""
        rows = []
        for log in logs:
            row = {"ip": log.ip, "user_agent": log.user_agent, "referrer": log.referrer, "kind": log.kind,
                   "created_at": rails_time(log.created_at), "updated_at": rails_time(log.created_at)}
            if log.kind == "creation_email_send" and log.notify:
                row["notify_by_email"] = log.notify
            rows.append(row)
        return {"logs": rows}

    @staticmethod
    def audit_json_v1(logs: list) -> dict:
        """API v1: the AuditLog records' own to_json (ids removed), under "views"."""
        return {"views": [{"kind": log.kind, "ip": log.ip, "user_agent": log.user_agent,
                           "referrer": log.referrer, "created_at": rails_time(log.created_at),
                           "updated_at": rails_time(log.created_at)} for log in logs]}

    def sent_today(self, user: User) -> int:
        day, count = self.emails_sent.get(user.id, (None, 0))
        return count if day == self.now().date() else 0

    def _new_token(self) -> str:
        while True:
            # SecureRandom.urlsafe_base64(rand(8..14)).downcase: 11 to 19 characters
            token = secrets.token_urlsafe(secrets.choice(range(8, 15))).lower()
            if token not in self.pushes:
                return token

    @staticmethod
    def _store_file(upload: FileStorage) -> StoredFile:
        stream = upload.stream
        stream.seek(0)
        content = stream.read()
        content_type = (upload.mimetype if upload.mimetype and upload.mimetype != "application/octet-stream"
                        else mimetypes.guess_type(upload.filename)[0]) or "application/octet-stream"
        return StoredFile(upload.filename, content_type, len(content), secrets.token_urlsafe(16), content)

    def attached(self, stored: StoredFile) -> bool:
        """Whether a blob still belongs to a push (Push#expire! purges the files)."""
        return any(stored is f for push in self.pushes.values() for f in push.files)

    def blob_redirect(self, signed_id: str, filename: str) -> Response:  # pylint: disable=unused-argument
        return self.blob_links.redirect_view(self.request_base_url(), signed_id, self.attached)

    def blob_disk(self, encoded_key: str, filename: str) -> Response:  # pylint: disable=unused-argument
        return self.blob_links.disk_view(encoded_key, self.attached)

    def _notify_record(self, user: User, to: str, locale: str | None) -> dict:
        """A NotifyByEmail record; its after_create adds its recipients to the user's count of the day."""
        count = len(ruby_split(to, ","))
        self.emails_sent[user.id] = (self.now().date(), self.sent_today(user) + count)
        return {"recipients": to, "locale": locale or "en", "status": "pending",
                "successful_sends": None, "proceed_at": None}

    def passphrase_throttled(self, token: str) -> bool:
        """Rails rate_limit (5 a minute per push) on every show that carries a passphrase,
        right or wrong: the counter is shared by the JSON API and the web page."""
        if not self.passphrase_limit:
            return False
        key = "passphrase_attempts:per-push:" + token
        return self.counters.hit(key, self.now().timestamp(), PASSPHRASE_WINDOW) > PASSPHRASE_ATTEMPTS

    def claim_view(self, push: Push) -> bool:
        """Push#claim_view!: log the view; True when the push must expire after the response."""
        now = self.now()
        if not push.expired and push.limits_reached(now):
            push.expire(now)
        if push.expired:
            self.log_event(push, "failed_view")
            return False
        user = self.user()
        kind = "admin_view" if user is not None and user.admin else "owner_view" if push.owned_by(user) else "view"
        if not self.log_event(push, kind) and kind == "view":
            push.expire(now)  # audit log full: fail closed
            return False
        # File pushes stay readable after the last view so the viewer can download them.
        return kind == "view" and push.views_remaining() <= 0 and not push.files
