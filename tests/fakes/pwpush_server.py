"""A local fake of the Password Pusher (pwpush) HTTP API, for tests and the demo.

Modelled on the Password Pusher source at v2.11.4 (app/controllers/api, app/models/push.rb,
app/views/pushes/*.json.jbuilder, config/initializers/rack_attack.rb) and the pwpush.com
API pages. It reproduces the awkward parts on purpose: empty 401 bodies, silently replaced
out-of-range limits, the broken json_url of retrieval-step pushes, the last view that still
says expired=false, the plain-text passphrase in responses. A fake kinder than the real
server would hide client bugs.

Modes:
  hosted  pwpush.com (commercial edition): API v2 with expire_after_duration, accounts
  oss     the open-source edition 2.11.4: API v2 with expire_after_days
  v1      a server from before API v2 (2.2.x, API 1.5): only the .json v1 endpoints
  v2-legacy  an open-source 2.3-2.8 server: API v2 without audit logs or notifications (pwpush_legacy.py)

Run it with ``tests/fakes/serve pwpush --port 0 --token T``; see ``main()`` for options.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import hmac
import json
import math
import mimetypes
import os
import re
import secrets
import sys
import threading
from dataclasses import dataclass, field
from typing import Callable

from flask import Flask, Response, g, redirect, request
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BaseConverter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402  pylint: disable=wrong-import-position
import fake_cli  # noqa: E402  pylint: disable=wrong-import-position
import pwpush_blobs  # noqa: E402  pylint: disable=wrong-import-position
import pwpush_legacy  # noqa: E402  pylint: disable=wrong-import-position

# Run as a script this module is __main__: pwpush_requests' `import pwpush_server` must get this one.
sys.modules.setdefault("pwpush_server", sys.modules[__name__])
import pwpush_requests  # noqa: E402  pylint: disable=wrong-import-position,cyclic-import

MODES = ("hosted", "oss", "v1", "v2-legacy")
APPLICATION_VERSION = {"hosted": "2.11.4", "oss": "2.11.4", "v1": "2.2.2", "v2-legacy": pwpush_legacy.DEFAULT_VERSION}
KINDS = ("text", "file", "url", "qr")  # Push.kind enum, in its integer order

# pwpush.com's expire_after_duration enum (0-17). The CLI's days->enum table
# (1->6 ... 7->12, 14->13, 21->14, 30->15, 60->16, 90->17) pins 6-17; 0-5 are sub-day.
DURATIONS = tuple(dt.timedelta(**spec) for spec in (
    {"minutes": 15}, {"minutes": 30}, {"minutes": 45}, {"hours": 1}, {"hours": 6}, {"hours": 12},
    {"days": 1}, {"days": 2}, {"days": 3}, {"days": 4}, {"days": 5}, {"days": 6},
    {"days": 7}, {"days": 14}, {"days": 21}, {"days": 30}, {"days": 60}, {"days": 90}))
DURATION_DEFAULT = 12  # 7 days
DURATION_BY_DAYS = {1: 6, 2: 7, 3: 8, 4: 9, 5: 10, 6: 11, 7: 12, 14: 13, 21: 14, 30: 15, 60: 16, 90: 17}

DAYS_MIN, DAYS_MAX, DAYS_DEFAULT = 1, 90, 7
VIEWS_MIN, VIEWS_MAX, VIEWS_DEFAULT = 1, 100, 5
MAX_TEXT_PAYLOAD = 1024 * 1024  # characters, as Ruby's String#length counts them
MAX_QR_PAYLOAD = 1024
MAX_FILES = 10
PAGE_SIZE, MAX_PAGE = 50, 200
MAX_AUDIT_LOGS = 2000  # AuditLog::MAX_AUDIT_LOGS_PER_PUSH_OR_PULL
PASSPHRASE_ATTEMPTS, PASSPHRASE_WINDOW = 5, 60  # Rails rate_limit on show, per push
NOTIFY_REQUESTS, NOTIFY_WINDOW = 5, 60  # Rails rate_limit on notify_emails, per user
MAX_NOTIFY_BY_EMAILS = 5  # Pwpush::NotifiableByEmail: per push (all notifications together) and per request
NOTIFY_DAILY_LIMIT = 500  # config/settings.yml notify_by_email.daily_limit: recipients per user per day
# MultipleEmailsValidator::EMAIL_REGEX (Ruby's \w is ASCII-only)
EMAIL_REGEX = re.compile(r"\A([\w.%+-]+)@([\w-]+\.)+(\w{2,})\Z", re.IGNORECASE | re.ASCII)
TRUTHY = ("on", "yes", "checked", "true", "1")  # SetPushAttributes' positive checkbox values
LOCALES = ("ca", "cs", "cy", "da", "de", "en", "en-GB", "es", "eu", "fi", "fr", "ga", "hi", "hu", "id",
           "is", "it", "ja", "ko", "lv", "nl", "no", "pl", "pt-BR", "pt-PT", "ro", "ru", "sr", "sk",
           "sv", "th", "uk", "ur", "zh-CN")

# Push columns and virtual attributes: what Rails' ParamsWrapper lifts from an unwrapped
# JSON body into params["push"].
WRAPPED_KEYS = frozenset((
    "id", "url_token", "kind", "name", "note", "passphrase", "payload", "expire_after_days",
    "expire_after_views", "expired", "expired_on", "deletable_by_viewer", "retrieval_step",
    "created_at", "updated_at", "user_id", "payload_ciphertext", "note_ciphertext", "passphrase_ciphertext"))

MSG_SIGN_IN = "You need to sign in or sign up before continuing."
MSG_BAD_PASSPHRASE = "That passphrase is incorrect."
MSG_PASSPHRASE_HOW = ("This push requires a passphrase. Please provide it using the 'passphrase' "
                      "parameter (e.g. ?passphrase=mysecret)")
MSG_PASSPHRASE_LIMIT = "Too many passphrase attempts. Please try again in a minute."
MSG_NOT_DELETABLE = "That push is not deletable by viewers."
MSG_NOT_YOURS = "That push doesn't belong to you."
MSG_NOT_YOUR_ACCOUNT = "That account doesn't belong to you."
MSG_BAD_PAGE = "Invalid page parameter"
MSG_NOTIFY_LIMIT = "Too many email notification requests. Please try again in a minute."
JSON_MIME_TYPES = ("application/json", "text/x-json", "application/jsonrequest")


# --------------------------------------------------------------------------- Ruby/Rails semantics


def blank(value) -> bool:
    """Ruby's blank?: nil, false, whitespace-only strings and empty collections."""
    if value is None or value is False:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, dict)):
        return not value
    return False


def present(value) -> bool:
    return not blank(value)


def ruby_str(value) -> str | None:
    """A permitted scalar as a Rails string attribute stores it."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, FileStorage):
        return value.filename or ""
    return str(value)


def ruby_int(value) -> int | None:
    """ActiveModel integer casting: '12abc' -> 12, 'abc' -> 0, '' -> nil, 7.9 -> 7."""
    if value is None or isinstance(value, FileStorage):
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) else None
    text = str(value)
    if not text.strip():
        return None
    match = re.match(r"\s*([+-]?\d+(?:_\d+)*)", text)
    return int(match.group(1).replace("_", "")) if match else 0


def ruby_integer(text: str) -> int:
    """Kernel#Integer for the page parameter: strict, but accepts 0x/0b/0o/0 prefixes and _."""
    text = text.strip()
    try:
        return int(text, 0)
    except ValueError:
        if re.fullmatch(r"[+-]?0[0-7_]+", text):
            return int(text.replace("_", ""), 8)
        raise


def truthy(value) -> bool:
    return (ruby_str(value) or "").lower() in TRUTHY


def is_permitted_scalar(value) -> bool:
    return value is None or isinstance(value, (str, int, float, bool, FileStorage))


def permit(raw: dict, scalars: tuple[str, ...], arrays: tuple[str, ...] = ()) -> dict:
    """ActionController::Parameters#permit: unlisted keys and non-scalar values are dropped."""
    out = {}
    for key, value in raw.items():
        if key in scalars and is_permitted_scalar(value):
            out[key] = value
        elif key in arrays and isinstance(value, list) and all(is_permitted_scalar(v) for v in value):
            out[key] = value
    return out


class ParamsError(ValueError):
    """Unparseable or conflicting request parameters: Rails answers 400 Bad Request."""


def add_nested(target: dict, key: str, value) -> None:
    """Rack's nested parameter parsing: 'push[files][]' -> {'push': {'files': [...]}}."""
    match = re.match(r"^([^\[]*)((?:\[[^\]]*\])*)", key)
    parts = [match.group(1)] + re.findall(r"\[([^\]]*)\]", match.group(2))
    if not parts[0]:
        return
    node = target
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if index + 1 < len(parts) and parts[index + 1] == "" and index + 2 == len(parts):
            items = node.setdefault(part, [])
            if not isinstance(items, list):
                raise ParamsError(key)
            items.append(value)
            return
        if part == "":
            raise ParamsError(key)  # 'a[][b]' style arrays of hashes: not needed by any client
        if last:
            node[part] = value
            return
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise ParamsError(key)
        node = child


def rails_time(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (moment.microsecond // 1000)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class User:
    id: int
    email: str
    token: str
    account_id: int
    account_name: str
    admin: bool = False


@dataclass
class AuditLog:
    kind: str
    ip: str
    user_agent: str
    referrer: str
    created_at: dt.datetime
    user_id: int | None = None
    notify: dict | None = None


@dataclass
class StoredFile:
    """An uploaded file (Active Storage blob), served back by pwpush_blobs."""
    filename: str
    content_type: str
    size: int
    blob_id: str
    content: bytes = b""


@dataclass
class Push:  # pylint: disable=too-many-instance-attributes
    url_token: str
    kind: str
    payload: str | None
    passphrase: str | None
    name: str | None
    note: str | None
    expire_after_days: int
    expire_after_views: int
    expire_after_duration: int | None  # hosted only
    deletable_by_viewer: bool | None  # nil for URL pushes
    retrieval_step: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    seq: int
    owner_id: int | None = None
    account_id: int | None = None
    expired: bool = False
    expired_on: dt.datetime | None = None
    files: list = field(default_factory=list)
    audit_logs: list = field(default_factory=list)
    notify_emails_to: str | None = None
    notify_emails_to_locale: str | None = None
    cookie_secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))

    def lifetime(self) -> dt.timedelta:
        if self.expire_after_duration is not None:
            return DURATIONS[self.expire_after_duration]
        return dt.timedelta(days=self.expire_after_days)

    def view_count(self) -> int:
        # Failed views (GETs of an expired push) count too, as in Push#view_count.
        return sum(1 for log in self.audit_logs if log.kind in ("view", "failed_view"))

    def views_remaining(self) -> int:
        return max(self.expire_after_views - self.view_count(), 0)

    def days_remaining(self, now: dt.datetime) -> int:
        """Push#days_remaining: from expire_after_days, also next to a hosted duration (whose
        expire_after_days is the stored column, not the duration in days)."""
        days_old = int((now - self.created_at).total_seconds() // 86400)
        return max(self.expire_after_days - days_old, 0)

    def limits_reached(self, now: dt.datetime) -> bool:
        return now >= self.created_at + self.lifetime() or self.views_remaining() <= 0

    def deleted(self) -> bool:
        return any(log.kind == "expire" for log in self.audit_logs)

    def owned_by(self, user: User | None) -> bool:
        return self.owner_id is not None and user is not None and user.id == self.owner_id

    def deletable_by(self, user: User | None) -> bool:
        return self.owned_by(user) or self.deletable_by_viewer is True

    def expire(self, now: dt.datetime) -> None:
        """Push#expire!: drop the secret content and files, keep the record."""
        self.payload = None
        self.passphrase = None
        self.files = []
        self.expired = True
        self.expired_on = now
        self.updated_at = now

    def check_limits(self, now: dt.datetime) -> None:
        if not self.expired and self.limits_reached(now):
            self.expire(now)


class TokenConverter(BaseConverter):  # pylint: disable=too-few-public-methods
    """A Rails path segment: anything but '/' and '.' (the dot starts the format)."""
    regex = r"[^/.]+"


# --------------------------------------------------------------------------- the fake


class PwpushFake:  # pylint: disable=too-many-instance-attributes,too-many-public-methods
    """State and request handlers. Every handler runs under one lock: requests are short."""

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

    # ----------------------------------------------------------------- endpoints: versions

    def version_v2(self) -> Response:
        if self.legacy:
            return common.json_response(pwpush_legacy.version_answer(self.application_version, self.anonymous))
        features = {
            "anonymous_access": self.anonymous,
            "api_token_authentication": True,
            "accounts": {"enabled": self.hosted},
            "pushes": {
                "enabled": True,
                "email_auto_dispatch": self.notify_available,
                "file_attachments": {"enabled": True, "requires_authentication": True},
                "url_pushes": {"enabled": True},
                "qr_code_pushes": {"enabled": True},
            },
            # Requests are a Pro feature: the open-source source says false (pwpush_requests.py).
            "requests": {"enabled": self.hosted, "email_auto_dispatch": self.notify_available},
        }
        return common.json_response({
            "application_version": self.application_version, "api_version": "2.1",
            "edition": "commercial" if self.hosted else "oss", "features": features})

    def version_v1(self) -> Response:
        return common.json_response({
            "application_version": self.application_version, "api_version": "1.5",
            "edition": "commercial" if self.hosted else "oss"})

    def accounts(self) -> Response:
        denied = self.gate("other", "accounts")  # not the pushes controller: token required
        if denied:
            return denied
        user = self.user()
        return common.json_response([{"id": user.account_id, "name": user.account_name, "role": "owner"}])

    # ----------------------------------------------------------------- endpoints: pushes

    def create(self, api: str, resource: str = "p") -> Response:
        """POST /api/v2/pushes and POST /p.json, /f.json, /r.json (one code path, as in Rails)."""
        denied = self.gate(api, "create")
        if denied:
            return denied
        user = self.user()
        params = self.params(wrap=True)
        g.fake_params = params
        permitted = self._permitted(params, api, resource)
        if isinstance(permitted, Response):
            return permitted

        needs_login = (not self.anonymous or request.path.startswith("/f")
                       or ((api == "v2" or "/p.json" in request.path) and "files" in permitted)
                       or permitted.get("kind") == "file")
        if needs_login and user is None:
            return devise_unauthorized()

        files = [f for f in permitted.get("files", [])
                 if f != "" and not (isinstance(f, FileStorage) and not f.filename)]
        if any(isinstance(f, str) for f in files):
            return rails_error(500)  # Active Storage reads strings as signed blob ids: InvalidSignature

        kind = self._kind(permitted, resource)
        if kind not in KINDS:
            # Real servers answer 500 here: SetPushAttributes calls settings_for_kind, nil
            # for an unknown kind, before validation could report it.
            return rails_error(500)

        account_id = None
        if self.hosted and user is not None:
            if params.get("account_id") is not None and ruby_int(params.get("account_id")) != user.account_id:
                return common.json_response({"error": MSG_NOT_YOUR_ACCOUNT}, 403)
            account_id = user.account_id

        errors: dict[str, list[str]] = {}
        notify_to = ruby_str(permitted.get("notify_emails_to"))
        notify_locale = ruby_str(permitted.get("notify_emails_to_locale"))
        self._check_notify(errors, user, notify_to, notify_locale, expired=False, already_sent=0)
        payload = ruby_str(permitted.get("payload"))
        self._check_payload(errors, kind, payload, files)
        if errors:
            return common.json_response(errors, 422)

        now = self.now()
        unset = None if self.hosted else ""  # OSS fills name/note/passphrase with ''
        duration, days, views = self._limits(permitted, api)
        if kind == "url":
            deletable = None  # URL pushes can never be deleted by viewers
        elif "deletable_by_viewer" in permitted:
            deletable = truthy(permitted["deletable_by_viewer"])
        else:
            deletable = self.deletable_by_viewer_default
        retrieval_step = (truthy(permitted["retrieval_step"]) if "retrieval_step" in permitted
                          else self.retrieval_step_default)

        self.seq += 1
        push = Push(
            url_token=self._new_token(), kind=kind, payload=payload,
            passphrase=ruby_str(permitted.get("passphrase")) or unset,
            name=ruby_str(permitted.get("name")) or unset, note=ruby_str(permitted.get("note")) or unset,
            expire_after_days=days, expire_after_views=views, expire_after_duration=duration,
            deletable_by_viewer=deletable, retrieval_step=retrieval_step, created_at=now, updated_at=now,
            seq=self.seq, owner_id=user.id if user else None, account_id=account_id,
            files=[self._store_file(f) for f in files] if kind == "file" else [],
            notify_emails_to=notify_to, notify_emails_to_locale=notify_locale)
        self.pushes[push.url_token] = push
        self.log_event(push, "creation")
        if present(notify_to):
            self.log_event(push, "creation_email_send", self._notify_record(user, notify_to, notify_locale))
        return common.json_response(self.push_json(push, "create"), 201)

    def _permitted(self, params: dict, api: str, resource: str) -> dict | Response:
        """params.require(key).permit(...) as each endpoint spells it."""
        key = "push" if api == "v2" else {"p": "password", "f": "file_push", "r": "url"}[resource]
        raw = params.get(key)
        if blank(raw) and raw is not False:
            return common.json_response(
                {"error": "param is missing or the value is empty or invalid: %s" % key}, 400)
        if not isinstance(raw, dict):
            return rails_error(500)  # Rails calls .permit on a String: NoMethodError
        base = ("name", "expire_after_days", "expire_after_views", "retrieval_step", "payload", "note", "passphrase")
        if api == "v2":
            extra = ("kind", "deletable_by_viewer")
            extra += () if self.legacy else ("notify_emails_to", "notify_emails_to_locale")  # dropped silently
            extra += ("expire_after_duration",) if self.hosted else ()
            permitted = permit(raw, base + extra, ("files",))
            if blank(permitted.get("kind")) and present(permitted.get("files")):
                permitted["kind"] = "file"  # v2: attached files imply a file push
            return permitted
        if resource == "p":
            return permit(raw, base + ("kind", "deletable_by_viewer"), ("files",))
        if resource == "f":
            return permit(raw, base + ("deletable_by_viewer",), ("files",))
        return permit(raw, base)

    def _limits(self, permitted: dict, api: str) -> tuple[int | None, int, int]:
        """(duration, days, views); out-of-range or unusable values silently become defaults.

        The hosted edition reads expire_after_duration and ignores expire_after_days on API v2
        (its v1 endpoints map the days that have an enum value); OSS is the other way round. The hosted
        answer's expire_after_days is the column as given or defaulted (7), not the duration in days: its API
        page shows duration 7 (2 days) next to expire_after_days 7."""
        days = ruby_int(permitted.get("expire_after_days"))
        if days is None or not DAYS_MIN <= days <= DAYS_MAX:
            days = DAYS_DEFAULT
        duration = None
        if self.hosted:
            if api == "v2":
                duration = ruby_int(permitted.get("expire_after_duration"))
            else:
                duration = DURATION_BY_DAYS.get(ruby_int(permitted.get("expire_after_days")))
            if duration is None or not 0 <= duration < len(DURATIONS):
                duration = DURATION_DEFAULT
        views = ruby_int(permitted.get("expire_after_views"))
        if views is None or not VIEWS_MIN <= views <= VIEWS_MAX:
            views = VIEWS_DEFAULT
        return duration, days, views

    @staticmethod
    def _kind(permitted: dict, resource: str) -> str:
        value = permitted.get("kind")
        if present(value):
            if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(KINDS):
                return KINDS[value]  # Rails enums also take the integer
            return ruby_str(value)
        if "/f.json" in request.path or resource == "f":
            return "file"
        if "/r.json" in request.path:
            return "url"
        if "/p.json" in request.path and "files" in permitted:
            return "file"
        return "text"

    def _check_notify(self, errors: dict, user: User | None, to: str | None, locale: str | None,
                      expired: bool, already_sent: int) -> None:
        """Pwpush::NotifiableByEmail's validations, in their order: the address list
        (MultipleEmailsValidator), the locale, availability and ownership, the day's cap
        (User#email_limit_reached?), the push's cap (validate_notify_by_email_limit)."""
        if present(to):
            check_email_list(errors, to)
        if present(locale) and locale not in LOCALES:
            errors.setdefault("notify_emails_to_locale", []).append("is not included in the list")
        if blank(to) and blank(locale):
            return
        if not self.notify_available:
            reasons = ("are not available", "is not available")
            errors_base = ["Notify by email feature is not enabled"]
        elif expired:
            reasons = ("are not available for expired pushes", "is not available for expired pushes")
            errors_base = []
        elif user is None:
            reasons = ("are not allowed for unknown users", "is not allowed for unknown users")
            errors_base = []
        else:
            if self.sent_today(user) >= NOTIFY_DAILY_LIMIT:
                errors.setdefault("base", []).append("The maximum number of emails has been reached for today")
            if present(to) and already_sent and len(ruby_split(to, ",")) > MAX_NOTIFY_BY_EMAILS - already_sent:
                errors.setdefault("base", []).append(
                    "You can notify up to %d email(s) and you have already sent emails to %d recipients"
                    % (MAX_NOTIFY_BY_EMAILS, already_sent))
            return
        if present(to):
            errors.setdefault("notify_emails_to", []).append(reasons[0])
        if present(locale):
            errors.setdefault("notify_emails_to_locale", []).append(reasons[1])
        if errors_base:
            errors.setdefault("base", []).extend(errors_base)

    def sent_today(self, user: User) -> int:
        day, count = self.emails_sent.get(user.id, (None, 0))
        return count if day == self.now().date() else 0

    @staticmethod
    def _check_payload(errors: dict, kind: str, payload: str | None, files: list) -> None:
        """Push's per-kind validations, with the real messages."""
        if kind == "text":
            if blank(payload):
                errors.setdefault("payload", []).append("Payload is required.")
            elif len(payload) > MAX_TEXT_PAYLOAD:
                errors.setdefault("payload", []).append(
                    "The payload is too large.  You can only push up to %d bytes." % MAX_TEXT_PAYLOAD)
        elif kind == "url":
            if blank(payload):
                errors.setdefault("payload", []).append("Payload is required.")
            elif not valid_url(payload):
                errors.setdefault("payload", []).append("must be a valid HTTP or HTTPS URL.")
        elif kind == "qr":
            if blank(payload):
                errors.setdefault("payload", []).append("Payload is required.")
            elif len(payload) > MAX_QR_PAYLOAD:
                errors.setdefault("payload", []).append(
                    "The QR code payload is too large.  You can only push up to %d bytes." % MAX_QR_PAYLOAD)
        elif kind == "file" and len(files) > MAX_FILES:
            errors.setdefault("files", []).append("You can only attach up to %d files per push." % MAX_FILES)

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

    def show(self, api: str, token: str) -> Response:
        denied = self.gate(api, "show")
        if denied:
            return denied
        params = self.params()
        g.fake_params = params
        passphrase = params.get("passphrase")
        # Callback order: Api::V1::PushesController runs before_action :set_push (404) before its
        # rate_limit; Api::V2 declares before_action :set_push again, which moves it after the
        # inherited rate_limit, so v2 throttles even an unknown token.
        push = self.find(token)
        if api == "v1" and push is None:
            return not_found()
        if present(passphrase) and self.passphrase_throttled(token):
            return common.json_response({"error": MSG_PASSPHRASE_LIMIT}, 429)
        if push is None:
            return not_found()
        push.check_limits(self.now())
        if present(push.passphrase) and not push.expired:
            if not hmac.compare_digest(push.passphrase.encode(), (ruby_str(passphrase) or "").encode()):
                self.log_event(push, "failed_passphrase")
                return common.json_response(
                    {"error": MSG_BAD_PASSPHRASE, "message": MSG_PASSPHRASE_HOW, "status": "unauthorized"}, 401)
        expire_after = self.claim_view(push)
        response = common.json_response(self.push_json(push, "show"), 200, {"Cache-Control": "no-cache"})
        if expire_after:
            push.expire(self.now())  # after rendering: the last view still says expired=false
        return response

    def preview(self, api: str, token: str) -> Response:
        denied = self.gate(api, "preview")
        if denied:
            return denied
        g.fake_params = self.params()
        push = self.find(token)
        if push is None:
            return not_found()
        return common.json_response({"url": self.secret_url(push)})

    def audit(self, api: str, token: str) -> Response:
        denied = self.gate(api, "audit")
        if denied:
            return denied
        push = self.find(token)
        if push is None:
            return not_found()
        if not push.owned_by(self.user()):
            return common.json_response({"error": MSG_NOT_YOURS}, 403)
        page = self.page(self.params())
        if isinstance(page, Response):
            return page
        # The association is ordered created_at ASC and the controller's extra
        # order(created_at: :desc) only breaks ties, so the oldest entry comes first.
        logs = push.audit_logs[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
        v2_logs = api == "v2" and not self.legacy  # 2.3-2.8 answer API v1's {"views": [...]} on both APIs
        return common.json_response(self.audit_json_v2(logs) if v2_logs else self.audit_json_v1(logs))

    def destroy(self, api: str, token: str) -> Response:
        denied = self.gate(api, "destroy")
        if denied:
            return denied
        g.fake_params = self.params()
        push = self.find(token)
        if push is None:
            return not_found()
        if not push.deletable_by(self.user()):
            return common.json_response({"error": MSG_NOT_DELETABLE}, 401)
        # Api::V1::PushesController#destroy (inherited by v2, unchanged since 2.0) answers 200 with the
        # push again for an expired one; only 1.x servers answered 422 "That push is already expired.".
        if not push.expired:  # deleting twice answers 200 again, without a second audit entry
            push.expire(self.now())
            self.log_event(push, "expire")
        return common.json_response(self.push_json(push, "destroy"))

    def listing(self, api: str, expired: bool) -> Response:
        action = "expired" if expired else "active"
        denied = self.gate(api, action)
        if denied:
            return denied
        params = self.params()
        g.fake_params = params
        page = self.page(params)
        if isinstance(page, Response):
            return page
        user = self.user()
        # Pushes past their days stay "active" here until a view or the 2-hourly
        # ExpirePushesJob notices (POST /_fake/pwpush/run-jobs runs it).
        mine = sorted((p for p in self.pushes.values() if p.owner_id == user.id and p.expired == expired),
                      key=lambda p: (p.created_at, p.seq), reverse=True)
        return common.json_response([self.push_json(p, action)
                                     for p in mine[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]])

    def notify_emails(self, token: str) -> Response:
        denied = self.gate("v2", "notify_emails")
        if denied:
            return denied
        user = self.user()
        # Api::V2::PushesController declares before_action :set_push (404) before its rate_limit on
        # notify_emails, so an unknown token is a 404 and takes nothing from the user's 5 a minute.
        push = self.find(token)
        if push is None:
            return not_found()
        if self.counters.hit("notify:%d" % user.id, self.now().timestamp(), NOTIFY_WINDOW) > NOTIFY_REQUESTS:
            return common.json_response({"error": MSG_NOTIFY_LIMIT}, 429)
        if not push.owned_by(user):
            return common.json_response({"error": MSG_NOT_YOURS}, 403)
        params = self.params()
        to = ruby_str(params.get("notify_emails_to")) if is_permitted_scalar(params.get("notify_emails_to")) else None
        locale = ruby_str(params.get("notify_emails_to_locale")) if is_permitted_scalar(
            params.get("notify_emails_to_locale")) else None
        errors: dict[str, list[str]] = {}
        if blank(to):
            errors["notify_emails_to"] = ["can't be blank"]
        already_sent = sum(len(ruby_split(log.notify["recipients"], ",")) for log in push.audit_logs
                           if log.kind == "creation_email_send" and log.notify)
        self._check_notify(errors, user, to, locale, expired=push.expired, already_sent=already_sent)
        if errors:
            return common.json_response(errors, 422)
        self.log_event(push, "creation_email_send", self._notify_record(user, to, locale))
        return common.json_response({"message": "Recipient(s) are added to the queue to be sent."}, 201)

    # ----------------------------------------------------------------- the web pages (minimal)

    def page_show(self, token: str) -> Response:
        """GET /p/<token>: the recipient's page. Counts a view like the JSON API."""
        params = self.params()
        passphrase = params.get("passphrase")
        push = self.find(token)
        if push is None:
            return html_page("This secret link has expired", "<p>This secret link has expired.</p>")
        if present(passphrase) and self.passphrase_throttled(token):
            return redirect("/p/%s/passphrase" % token)
        push.check_limits(self.now())
        if present(push.passphrase) and not push.expired:
            given = (ruby_str(passphrase) or "").encode()
            cookie = request.cookies.get(token + "-p", "").encode()
            if not (hmac.compare_digest(push.passphrase.encode(), given)
                    or hmac.compare_digest(push.cookie_secret.encode(), cookie)):
                return redirect("/p/%s/passphrase" % token)
        expire_after = self.claim_view(push)
        if push.expired:
            return html_page("This secret link has expired", "<p>This secret link has expired.</p>")
        if push.kind == "url":
            response = redirect(push.payload, 303)
        else:
            response = html_page("Your secret", '<pre id="payload">%s</pre>' % html.escape(push.payload or ""))
        response.headers["Cache-Control"] = "no-cache"
        response.delete_cookie(token + "-p")
        if expire_after:
            push.expire(self.now())
        return response

    def page_preliminary(self, token: str) -> Response:
        """GET /p/<token>/r: the retrieval step; no view is counted unless the push expired."""
        push = self.find(token)
        if push is not None:
            push.check_limits(self.now())
            if push.expired:
                self.log_event(push, "failed_view")
        if push is None or push.expired:
            return html_page("This secret link has expired", "<p>This secret link has expired.</p>")
        url = self.secret_url(push, with_retrieval_step=False)
        return html_page("Click to reveal", '<a id="reveal" href="%s">Click here to reveal</a>' % html.escape(url))

    def page_passphrase(self, token: str) -> Response:
        push = self.find(token)
        if push is None:
            return html_page("This secret link has expired", "<p>This secret link has expired.</p>")
        return html_page("Passphrase required", (
            '<form method="post" action="/p/%s/access">'
            '<input type="hidden" name="authenticity_token" value="%s">'
            '<input type="password" name="passphrase"><button type="submit">Unlock</button></form>'
        ) % (html.escape(token), self.csrf_token))

    def page_access(self, token: str) -> Response:
        """POST /p/<token>/access: the passphrase form; a right answer sets a short cookie."""
        params = self.params()
        if not hmac.compare_digest(str(params.get("authenticity_token", "")).encode(), self.csrf_token.encode()):
            return html_page("Unprocessable", "<p>The change you wanted was rejected.</p>", 422)
        push = self.find(token)
        if push is None:
            return html_page("This secret link has expired", "<p>This secret link has expired.</p>")
        if self.passphrase_throttled(token):
            return redirect("/p/%s/passphrase" % token)
        if push.passphrase is not None and hmac.compare_digest(
                push.passphrase.encode(), (ruby_str(params.get("passphrase")) or "").encode()):
            response = redirect("/p/%s" % token)
            response.set_cookie(token + "-p", push.cookie_secret, max_age=180, httponly=True, samesite="Lax")
            return response
        self.log_event(push, "failed_passphrase")
        return redirect("/p/%s/passphrase" % token)

    # ----------------------------------------------------------------- hidden test helpers

    def fake_pushes(self) -> Response:
        """GET /_fake/pwpush/pushes: what the server holds, without any secret content."""
        emails = {user.id: user.email for user in self.users}
        return common.json_response([{
            "url_token": p.url_token, "name": p.name, "kind": p.kind, "owner": emails.get(p.owner_id),
            "expired": p.expired, "views_remaining": p.views_remaining(), "view_count": p.view_count(),
            "has_passphrase": present(p.passphrase), "expire_after_days": p.expire_after_days,
            "expire_after_duration": p.expire_after_duration, "expire_after_views": p.expire_after_views,
            "deletable_by_viewer": p.deletable_by_viewer, "retrieval_step": p.retrieval_step,
            "created_at": rails_time(p.created_at),
            "files": [{"filename": f.filename, "content_type": f.content_type, "size": f.size} for f in p.files],
        } for p in sorted(self.pushes.values(), key=lambda p: p.seq)])

    def fake_age(self) -> Response:
        """POST /_fake/pwpush/age {"url_token", "days", "hours", "minutes"}: move created_at back."""
        spec = request.get_json(silent=True)
        if not isinstance(spec, dict):
            return common.json_response({"error": "expected a JSON object"}, 400)
        push = self.find(str(spec.get("url_token", "")))
        if push is None:
            return not_found()
        try:
            delta = dt.timedelta(days=float(spec.get("days", 0)), hours=float(spec.get("hours", 0)),
                                 minutes=float(spec.get("minutes", 0)))
        except (TypeError, ValueError):
            return common.json_response({"error": "days/hours/minutes must be numbers"}, 400)
        push.created_at -= delta
        return common.json_response({"url_token": push.url_token, "created_at": rails_time(push.created_at)})

    def fake_run_jobs(self) -> Response:
        """POST /_fake/pwpush/run-jobs: ExpirePushesJob, then CleanUpPushesJob (which deletes
        expired anonymous pushes, so their links answer 404 from then on)."""
        now = self.now()
        expired = 0
        for push in self.pushes.values():
            if not push.expired and push.limits_reached(now):
                push.expire(now)
                expired += 1
        doomed = [t for t, p in self.pushes.items() if p.expired and p.owner_id is None]
        for token in doomed:
            del self.pushes[token]
        return common.json_response({"expired": expired, "deleted": len(doomed)})


# --------------------------------------------------------------------------- module helpers


def valid_url(text: str) -> bool:
    """Push#valid_url?: Addressable parses leniently; only the scheme matters."""
    match = re.match(r"^([^:/?#]+):", text)
    if not match:
        return False
    scheme = match.group(1)
    return bool(re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme)) and scheme.lower() in ("http", "https")


def ruby_split(text: str, separator: str) -> list[str]:
    """Ruby's String#split: trailing empty fields are dropped."""
    parts = text.split(separator)
    while parts and parts[-1] == "":
        parts.pop()
    return parts


def check_email_list(errors: dict, value: str) -> None:
    """MultipleEmailsValidator#validate_each (max_emails 5)."""
    emails = [e.strip() for e in ruby_split(value, ",")]
    messages = errors.setdefault("notify_emails_to", [])
    if value.endswith(",") or any(not e for e in emails):
        messages.append("has commas used in the wrong way")
        return
    if len({e.lower() for e in emails}) != len(emails):
        messages.append("contains duplicate emails")
    if len(emails) > MAX_NOTIFY_BY_EMAILS:
        messages.append("contains more than %d email(s)" % MAX_NOTIFY_BY_EMAILS)
    if not all(EMAIL_REGEX.match(e) for e in emails):
        messages.append("contains invalid email(s)")
    if not messages:
        del errors["notify_emails_to"]


def not_found() -> Response:
    return common.json_response({"error": "not-found"}, 404)


def devise_unauthorized() -> Response:
    """Devise's authenticate_user! failure for a JSON request."""
    return common.json_response({"error": MSG_SIGN_IN}, 401)


def wants_json() -> bool:
    """Rails' format for error pages: the route's default, the .json extension, or an
    Accept header that is not browser-like."""
    if request.url_rule is not None and request.url_rule.endpoint.startswith(("v1_", "v2_")):
        return True
    if request.path.endswith(".json"):
        return True
    accept = request.headers.get("Accept", "")
    if not accept or re.search(r",\s*\*/\*|\*/\*\s*,", accept):
        return False
    return accept.split(",")[0].split(";")[0].strip() == "application/json"


def rails_error(status: int) -> Response:
    """ActionDispatch::PublicExceptions: JSON for JSON requests, the static page otherwise."""
    reason = {400: "Bad Request", 404: "Not Found", 422: "Unprocessable Content", 500: "Internal Server Error"}
    if wants_json():
        return common.json_response({"status": status, "error": reason.get(status, "Error")}, status)
    text = {404: "The page you were looking for doesn't exist.",
            400: "The server cannot process the request due to a client error.",
            500: "We're sorry, but something went wrong."}.get(status, "Error")
    return html_page(text, "<h1>%s</h1>" % text, status)


def html_page(title: str, body: str, status: int = 200) -> Response:
    return Response("<!DOCTYPE html><html><head><title>%s</title></head><body>%s</body></html>\n"
                    % (html.escape(title), body), status=status, content_type="text/html; charset=utf-8")


class _NormalizePath:  # pylint: disable=too-few-public-methods
    """Rails ignores a trailing slash and repeated slashes when routing."""

    def __init__(self, app) -> None:
        self.app = app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "/")
        normalized = re.sub(r"/{2,}", "/", path).rstrip("/") or "/"
        environ["PATH_INFO"] = normalized
        return self.app(environ, start_response)


# --------------------------------------------------------------------------- app factory


def create_app(  # pylint: disable=too-many-arguments,too-many-locals,too-many-statements
        mode: str = "hosted", tokens: tuple[str, ...] | list[str] = ("pwpush-fake-token",),
        emails: tuple[str, ...] | list[str] | None = None, *, anonymous: bool = True,
        retrieval_step_default: bool = True, deletable_by_viewer_default: bool = True,
        rate_limit_per_minute: int = 120, rate_limit_per_second: int = 60,
        base_url: str | None = None, admin_token: str | None = None, legacy_version: str | None = None,
        clock: Callable[[], dt.datetime] = utc_now) -> Flask:
    """Build the fake. ``tokens[0]`` belongs to user 1 (``emails[0]``, default
    owner@example.com), ``tokens[1]`` if given to user 2 (other@example.com);
    ``admin_token`` to an administrator (admin@example.com, user 9, account 1009);
    ``legacy_version`` the release a v2-legacy server says it is (2.3.0-2.8.x, default 2.5.3)."""
    emails = list(emails or ())
    default_emails = ["owner@example.com", "other@example.com"]
    users = [User(i + 1, (emails[i] if i < len(emails) and emails[i] else default_emails[min(i, 1)]),
                  token, 1000 + i + 1, "Account %d" % (i + 1))
             for i, token in enumerate(tokens) if token]
    if not users:
        raise ValueError("at least one API token is needed")
    if admin_token:
        users.append(User(9, "admin@example.com", admin_token, 1009, "Admin account", admin=True))
    if len({u.token for u in users}) != len(users):
        raise ValueError("the tokens must differ")
    fake = PwpushFake(mode, users, anonymous=anonymous, retrieval_step_default=retrieval_step_default,
                      deletable_by_viewer_default=deletable_by_viewer_default, base_url=base_url, clock=clock)
    if legacy_version is not None:
        if mode != "v2-legacy":
            raise ValueError("--legacy-version goes with --mode v2-legacy")
        pwpush_legacy.parse_version(legacy_version)
        fake.application_version = legacy_version

    app = Flask("pwpush_fake")
    app.config.update(MAX_CONTENT_LENGTH=None, MAX_FORM_MEMORY_SIZE=256 * 1024 * 1024, MAX_FORM_PARTS=10000)
    app.url_map.converters["tok"] = TokenConverter
    app.url_map.strict_slashes = False
    app.extensions["pwpush_fake"] = fake
    app.wsgi_app = _NormalizePath(app.wsgi_app)

    def add(rule: str, endpoint: str, view, methods=("GET",), json_suffix: str = "both") -> None:
        """Register a route; 'both' adds the .json twin, 'only' registers just the .json form."""
        def locked(**kwargs):
            with fake.lock:
                return view(**kwargs)
        rules = {"both": [rule, rule + ".json"], "only": [rule + ".json"], "none": [rule]}[json_suffix]
        for index, path in enumerate(rules):
            app.add_url_rule(path, "%s_%d" % (endpoint, index), locked, methods=list(methods),
                             provide_automatic_options=False)

    if mode != "v1":
        add("/api/v2/version", "v2_version", fake.version_v2)
        add("/api/v2/pushes", "v2_create", lambda: fake.create("v2"), ("POST",))
        add("/api/v2/pushes/active", "v2_active", lambda: fake.listing("v2", expired=False))
        add("/api/v2/pushes/expired", "v2_expired", lambda: fake.listing("v2", expired=True))
        add("/api/v2/pushes/<tok:token>", "v2_show", lambda token: fake.show("v2", token))
        add("/api/v2/pushes/<tok:token>", "v2_destroy", lambda token: fake.destroy("v2", token), ("DELETE",))
        add("/api/v2/pushes/<tok:token>/preview", "v2_preview", lambda token: fake.preview("v2", token))
        add("/api/v2/pushes/<tok:token>/audit", "v2_audit", lambda token: fake.audit("v2", token))
        if mode != "v2-legacy":
            add("/api/v2/pushes/<tok:token>/notify_emails", "v2_notify", fake.notify_emails, ("POST",))
        if mode == "hosted":
            add("/api/v2/accounts", "v2_accounts", fake.accounts)
            fake.requests = pwpush_requests.install(add, fake)

    # API v1: every mode serves it; 2.3+ also answers without the .json on /api/v1/version.
    add("/api/v1/version", "v1_version", fake.version_v1, json_suffix="only" if mode == "v1" else "both")
    for res in ("p", "f", "r"):
        add("/" + res, "v1_create_" + res, lambda res=res: fake.create("v1", res), ("POST",), "only")
        add("/%s/active" % res, "v1_active_" + res, lambda: fake.listing("v1", expired=False), json_suffix="only")
        add("/%s/expired" % res, "v1_expired_" + res, lambda: fake.listing("v1", expired=True), json_suffix="only")
        add("/%s/<tok:token>" % res, "v1_show_" + res, lambda token: fake.show("v1", token), json_suffix="only")
        add("/%s/<tok:token>" % res, "v1_destroy_" + res, lambda token: fake.destroy("v1", token), ("DELETE",),
            "only")
        add("/%s/<tok:token>/preview" % res, "v1_preview_" + res, lambda token: fake.preview("v1", token),
            json_suffix="only")
        add("/%s/<tok:token>/audit" % res, "v1_audit_" + res, lambda token: fake.audit("v1", token),
            json_suffix="only")

    # The recipient's web pages, enough to open an html_url in a browser.
    add("/p/<tok:token>", "web_show", fake.page_show, json_suffix="none")
    add("/p/<tok:token>/r", "web_preliminary", fake.page_preliminary, json_suffix="none")
    add("/p/<tok:token>/passphrase", "web_passphrase", fake.page_passphrase, json_suffix="none")
    add("/p/<tok:token>/access", "web_access", fake.page_access, ("POST",), "none")
    for res in ("f", "r"):
        add("/%s/<tok:token>" % res, "web_legacy_" + res,
            lambda token: redirect(_with_query("/p/%s" % token), 301), json_suffix="none")
        add("/%s/<tok:token>/r" % res, "web_legacy_r_" + res,
            lambda token: redirect(_with_query("/p/%s/r" % token), 301), json_suffix="none")

    app.add_url_rule("/up", "up", lambda: Response(
        "<html style='background:green;width:100%;height:100vh'></html>", content_type="text/html"))

    # Active Storage (routes_prefix /pfb): a file push's attachments, no authentication (pwpush_blobs.py).
    add("/pfb/blobs/redirect/<signed_id>/<path:filename>", "blob_redirect", fake.blob_redirect, json_suffix="none")
    add("/pfb/disk/<encoded_key>/<path:filename>", "blob_disk", fake.blob_disk, json_suffix="none")

    add("/_fake/pwpush/pushes", "fake_pushes", fake.fake_pushes, json_suffix="none")
    add("/_fake/pwpush/age", "fake_age", fake.fake_age, ("POST",), "none")
    add("/_fake/pwpush/run-jobs", "fake_run_jobs", fake.fake_run_jobs, ("POST",), "none")

    limiter = common.RateLimiter(rate_limit_per_minute, rate_limit_per_second, exempt=lambda path: path == "/up")
    common.install_harness(app, name="pwpush", reset=fake.reset, rate_limiter=limiter,
                           secret_view_args=("token", "signed_id", "encoded_key"))
    log = app.logger

    @app.errorhandler(ParamsError)
    def _bad_params(_exc):
        return rails_error(400)

    @app.errorhandler(HTTPException)
    def _http_error(exc):
        if exc.code in (404, 405):  # Rails has no 405: an unknown method/path pair is a 404
            return rails_error(404)
        if exc.code == 400:
            return rails_error(400)
        return exc

    @app.errorhandler(Exception)
    def _crash(exc):
        common.log_exception_safely(log, exc)
        return rails_error(500)

    return app


def _with_query(path: str) -> str:
    query = request.query_string.decode("latin-1")
    return path + ("?" + query if query else "")


# --------------------------------------------------------------------------- command line


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--mode", choices=MODES, default="hosted")
    parser.add_argument("--token", required=True, help="API token of user 1")
    parser.add_argument("--other-token", help="API token of user 2")
    parser.add_argument("--email", default="owner@example.com")
    parser.add_argument("--other-email", default="other@example.com")
    parser.add_argument("--rate-limit-per-minute", type=int, default=120, help="per IP; 0 disables")
    parser.add_argument("--rate-limit-per-second", type=int, default=60, help="per IP; 0 disables")
    parser.add_argument("--no-anonymous", action="store_true", help="creation and retrieval need a token")
    parser.add_argument("--admin-token", help="API token of an administrator (admin_view, no view counted)")
    parser.add_argument("--retrieval-step-default", type=fake_cli.parse_bool, default=True, metavar="true|false",
                        help="config/settings.yml retrieval_step_default (true, as shipped)")
    parser.add_argument("--deletable-by-viewer-default", type=fake_cli.parse_bool, default=True,
                        metavar="true|false")
    parser.add_argument("--base-url", help="like PWP__OVERRIDE_BASE_URL: push links use this base")
    parser.add_argument("--legacy-version", help="with --mode v2-legacy: the release it stands for, 2.3.0-2.8.x "
                        "(default %s): before 2.5.4 API 2.0 without features" % pwpush_legacy.DEFAULT_VERSION)


def app_from_args(args: argparse.Namespace) -> Flask:
    tokens = [args.token] + ([args.other_token] if args.other_token else [])
    return create_app(args.mode, tokens, [args.email, args.other_email], anonymous=not args.no_anonymous,
                      retrieval_step_default=args.retrieval_step_default,
                      deletable_by_viewer_default=args.deletable_by_viewer_default,
                      rate_limit_per_minute=args.rate_limit_per_minute,
                      rate_limit_per_second=args.rate_limit_per_second, base_url=args.base_url,
                      admin_token=args.admin_token, legacy_version=args.legacy_version)


def main(argv: list[str] | None = None) -> int:
    return fake_cli.serve_main("pwpush", "Fake Password Pusher server for tests.", add_options, app_from_args, argv)


if __name__ == "__main__":
    sys.exit(main())
