"""Password Pusher's data as the fake keeps it: limits and messages of the releases it copies, users, pushes,
their audit logs (views) and expiry (app/models/push.rb)."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass, field

import pwpush_legacy

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
LOCALES = ("ca", "cs", "cy", "da", "de", "en", "en-GB", "es", "eu", "fi", "fr", "ga", "hi", "hu", "id",
           "is", "it", "ja", "ko", "lv", "nl", "no", "pl", "pt-BR", "pt-PT", "ro", "ru", "sr", "sk",
           "sv", "th", "uk", "ur", "zh-CN")

# Push columns and virtual attributes: what Rails' ParamsWrapper lifts from an unwrapped
# JSON body into params["push"].
WRAPPED_KEYS = frozenset((
    "id", "url_token", "kind", "name", "note", "passphrase", "payload", "expire_after_days",
    "expire_after_views", "expired", "expired_on", "deletable_by_viewer", "retrieval_step",
    "created_at", "updated_at", "user_id", "payload_ciphertext", "note_ciphertext", "passphrase_ciphertext"))

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
