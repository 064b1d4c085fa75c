# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PushSpec: what the user asked to push, checked against the server's own rules before any request.

For the collection's own use: not a public API, it may change in any release.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible_collections.oneshot.secrets.plugins.module_utils._core.errors import term
from ansible_collections.oneshot.secrets.plugins.module_utils._core.masking import (
    refuse_secret_in_fields,
    refuse_short_secret,
)
from ansible_collections.oneshot.secrets.plugins.module_utils._core.options import names
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.durations import (
    DAYS_TO_DURATION,
    DURATION_DAYS,
    parse_duration,
)
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.errors import PwpushError
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.options import PWPUSH_PUSH, PWPUSH_PUSH_OWNER

KINDS = ("text", "url", "qr", "file")
MAX_TEXT_BYTES = 1024 * 1024
MAX_QR_CHARS = 1024
MAX_FILES = 10

# Keys of a push that must never reach a result: the create answer echoes the passphrase.
SECRET_KEYS = ("payload", "passphrase")

# app/validators/multiple_emails_validator.rb: at most 5 addresses, each matching this (Ruby's \w is ASCII-only).
MAX_NOTIFY_EMAILS = 5
_NOTIFY_EMAIL = re.compile(r"^([A-Za-z0-9_.%+-]+)@([A-Za-z0-9_-]+\.)+([A-Za-z0-9_]{2,})$")
_TOKEN_IN_URL = re.compile(r"/(p|f|r)/([A-Za-z0-9_\-]+?)(?:\.json)?(?:/r|/preview)?/?(?:[?#].*)?$")
_BARE_TOKEN = re.compile(r"^[A-Za-z0-9_\-]{4,}$")


def token_from_reference(reference):
    """The url_token of a push from its token or any of its links (/p/T, /p/T/r, /en/p/T.json, ...)."""
    if reference is None or not str(reference).strip():
        raise PwpushError("url_token is empty: give the push's token or its link.")
    text = str(reference).strip()
    if _BARE_TOKEN.match(text):
        return text
    match = _TOKEN_IN_URL.search(text)
    if match and text.startswith(("http://", "https://", "/")):
        return match.group(2)
    raise PwpushError("url_token %r is neither a push token nor a Password Pusher link (https://host/p/TOKEN)." % text)


def kind_from_reference(reference):
    """v1 servers keep file and URL pushes under /f/ and /r/: read the kind from a link."""
    match = _TOKEN_IN_URL.search(str(reference or ""))
    if match:
        return {"f": "file", "r": "url"}.get(match.group(1), "text")
    return "text"


def redact(push):
    """A push as a result may show it: without payload or passphrase."""
    if not isinstance(push, dict):
        return push
    clean = dict((k, v) for k, v in push.items() if k not in SECRET_KEYS)
    if "passphrase" in push:
        clean["passphrase_protected"] = bool(push.get("passphrase"))
    return clean


def check_notify_emails(value, option="notify_emails_to"):
    """The server's MultipleEmailsValidator, before any request: a comma-separated list of 1-5 distinct addresses.

    The server answers 422 for each of these; checking here names the option and sends nothing.
    """
    text = value if isinstance(value, str) else ",".join(value or [])
    emails = [email.strip() for email in text.split(",")]
    if not text.strip():
        raise PwpushError("%s is empty: give 1 to %d email addresses." % (option, MAX_NOTIFY_EMAILS))
    if any(not email for email in emails):
        raise PwpushError("%s has an empty address (a comma too many, or a blank entry)." % option)
    if len(set(email.lower() for email in emails)) != len(emails):
        raise PwpushError("%s names an address twice (compared without case)." % option)
    if len(emails) > MAX_NOTIFY_EMAILS:
        raise PwpushError("%s has %d addresses; the server takes at most %d per push." % (
            option, len(emails), MAX_NOTIFY_EMAILS))
    bad = [email for email in emails if not _NOTIFY_EMAIL.match(email)]
    if bad:
        raise PwpushError("%s: %s is not an email address the server accepts." % (option, bad[0]))
    return ",".join(emails)


def is_http_url(value):
    return bool(re.match(r"^https?://[^\s/?#]+[^\s]*\Z", value or "", re.IGNORECASE))


class PushSpec:
    """What the user asked to push, validated before any request."""

    # The push options the module and the lookup share (declared in _pwpush/options.py), read by from_options.
    OPTIONS = names(PWPUSH_PUSH, PWPUSH_PUSH_OWNER)
    FIELDS = ("payload", "files") + OPTIONS + ("notify_emails_to", "notify_emails_to_locale")

    def __init__(self, **kwargs):
        unknown = set(kwargs) - set(self.FIELDS)
        if unknown:
            raise PwpushError("Unknown push option(s): %s." % ", ".join(sorted(unknown)))
        for field in self.FIELDS:
            setattr(self, field, kwargs.get(field))
        self.kind = self.kind or ("file" if self.files else "text")
        self.files = list(self.files or [])

    @classmethod
    def options(cls, get_option):
        """The shared push options from a module's params.get or a plugin's get_option, for PushSpec or PayloadSpecs."""
        return dict((name, get_option(name)) for name in cls.OPTIONS)

    @classmethod
    def from_options(cls, get_option, **fields):
        """A PushSpec of the shared push options and `fields`, what only one plugin has (payload, files, ...)."""
        return cls(**dict(cls.options(get_option), **fields))

    def validate(self, has_token, masked_results=True):
        """Raise PwpushError naming the option for anything the server would reject or silently change.

        masked_results: the door masks no_log values in its results (Ansible), so short secrets are refused.
        """
        if self.kind not in KINDS:
            raise PwpushError("kind must be one of %s (got %r)." % (", ".join(KINDS), self.kind))
        if self.kind == "file":
            if not self.files:
                raise PwpushError("kind=file needs files: a list of 1 to %d paths." % MAX_FILES)
            if not has_token:
                raise PwpushError("File pushes need an API token: set %s." % term("token"), code="token_required", option="token")
        else:
            if self.files:
                raise PwpushError("files can only be given with kind=file (kind is %s)." % self.kind)
            if self.payload is None or self.payload == "":
                raise PwpushError("payload is required and must not be empty for kind=%s." % self.kind)
        if len(self.files) > MAX_FILES:
            raise PwpushError("files: at most %d files per push (got %d)." % (MAX_FILES, len(self.files)))
        for path in self.files:
            if not os.path.isfile(path):
                raise PwpushError("files: %s does not exist or is not a regular file." % path)
            if not os.access(path, os.R_OK):
                raise PwpushError("files: %s is not readable." % path)
        payload = self.payload or ""
        if self.kind == "text" and len(payload.encode("utf-8")) > MAX_TEXT_BYTES:
            raise PwpushError("payload is larger than the server's limit of 1 MiB for text pushes.")
        if self.kind == "qr" and len(payload) > MAX_QR_CHARS:
            raise PwpushError("payload is %d characters; QR pushes take at most %d." % (len(payload), MAX_QR_CHARS))
        if self.kind == "url" and not is_http_url(payload):
            raise PwpushError("payload must be an http:// or https:// URL for kind=url.")
        if self.expire_after_days is not None and self.expire_after_duration is not None:
            raise PwpushError("expire_after_days and expire_after_duration are mutually exclusive: give one.")
        if self.expire_after_days is not None and not 1 <= int(self.expire_after_days) <= 90:
            raise PwpushError("expire_after_days must be between 1 and 90 (got %s)." % self.expire_after_days)
        if self.expire_after_views is not None and not 1 <= int(self.expire_after_views) <= 100:
            raise PwpushError("expire_after_views must be between 1 and 100 (got %s)." % self.expire_after_views)
        self.expire_after_duration = parse_duration(self.expire_after_duration)
        if self.passphrase is not None and self.passphrase == "":
            raise PwpushError("passphrase must not be empty when given (omit it for no passphrase).")
        if self.notify_emails_to_locale and not self.notify_emails_to:
            raise PwpushError("notify_emails_to_locale needs notify_emails_to.")
        refuse_short_secret("payload", self.payload, PwpushError, masked_results)
        refuse_short_secret("passphrase", self.passphrase, PwpushError, masked_results)
        # name and note come back in the result: a secret inside them would mask them.
        refuse_secret_in_fields(dict(payload=self.payload, passphrase=self.passphrase),
                                dict(name=self.name, note=self.note), PwpushError, masked_results)
        if self.notify_emails_to:
            self.notify_emails_to = check_notify_emails(self.notify_emails_to)
        return self

    def push_fields(self, expiry_field, api):
        """The fields to send, with expiry in the one field the server honours."""
        fields = {}
        for key in ("payload", "passphrase", "expire_after_views", "name", "note",
                    "deletable_by_viewer", "retrieval_step"):
            value = getattr(self, key)
            if value is not None:
                fields[key] = value
        if api == "v2":
            fields["kind"] = self.kind
            for key in ("notify_emails_to", "notify_emails_to_locale"):
                if getattr(self, key):
                    fields[key] = getattr(self, key)
        elif self.notify_emails_to or self.account_id is not None:
            raise PwpushError("notify_emails_to and account_id need a server with API v2; this one only has API v1.")
        days, duration = self.expire_after_days, self.expire_after_duration
        if expiry_field == "expire_after_days":
            if duration is not None:
                days = DURATION_DAYS[duration]
                if days is None:
                    raise PwpushError(
                        "expire_after_duration=%d is shorter than a day, but this server (open-source edition or "
                        "API v1) only expires after whole days: use expire_after_days." % duration)
            if days is not None:
                fields["expire_after_days"] = int(days)
        else:
            if days is not None:
                if int(days) not in DAYS_TO_DURATION:
                    raise PwpushError(
                        "This server (hosted edition) only takes expire_after_duration; expire_after_days=%s has no "
                        "equivalent (use one of %s days, or expire_after_duration)." % (
                            days, ", ".join(str(d) for d in sorted(DAYS_TO_DURATION))))
                duration = DAYS_TO_DURATION[int(days)]
            if duration is not None:
                fields["expire_after_duration"] = duration
        return fields


class PayloadSpecs:
    """The PushSpecs of many payloads that share their options, each built when it is asked for.

    A sequence for PwpushClient.create_pushes: a lookup of thousands of terms keeps its terms, not a spec per term.
    """

    def __init__(self, payloads, **options):
        PushSpec(**options)  # unknown options fail here, before any payload
        self.payloads = payloads
        self.options = options

    def __len__(self):
        return len(self.payloads)

    def __getitem__(self, index):
        return PushSpec(payload=self.payloads[index], **self.options)

    def __iter__(self):
        for payload in self.payloads:
            yield PushSpec(payload=payload, **self.options)
