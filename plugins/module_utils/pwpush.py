# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Password Pusher client shared by the pwpush modules and lookups.

It speaks API v2 (hosted pwpush.com and the open-source edition) and the older API v1,
chooses the expiry field the server honours, validates pushes before any request and
turns every failure into one sentence without a secret in it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import email.utils
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor

from ansible.module_utils.basic import env_fallback

from ansible_collections.oneshot.secrets.plugins.module_utils._http import (
    HttpTransport,
    ServiceError,
    json_or_none,
    run_module_action,
    unexpected_answer,
)
from ansible_collections.oneshot.secrets.plugins.module_utils._guards import (
    mask_secrets,
    refuse_secret_in_link,
    refuse_short_secret,
    service_url,
)

DEFAULT_URL = "https://pwpush.com"
KINDS = ("text", "url", "qr", "file")
LIST_PAGE_SIZE = 50
LIST_MAX_PAGE = 200
MAX_TEXT_BYTES = 1024 * 1024
MAX_QR_CHARS = 1024
MAX_FILES = 10
# Parallel creates stay well under the server's burst limit (Rack::Attack: 60 requests a second per IP).
MAX_CONCURRENCY = 8

# The hosted edition's expire_after_duration enum. 6-17 are whole days (the official CLI maps
# the same days); 0-5 are the shorter choices of the hosted form.
DURATIONS = (
    (0, "15 minutes", None),
    (1, "30 minutes", None),
    (2, "45 minutes", None),
    (3, "1 hour", None),
    (4, "6 hours", None),
    (5, "12 hours", None),
    (6, "1 day", 1),
    (7, "2 days", 2),
    (8, "3 days", 3),
    (9, "4 days", 4),
    (10, "5 days", 5),
    (11, "6 days", 6),
    (12, "1 week", 7),
    (13, "2 weeks", 14),
    (14, "3 weeks", 21),
    (15, "1 month", 30),
    (16, "2 months", 60),
    (17, "3 months", 90),
)
DURATION_DAYS = dict((code, days) for code, _name, days in DURATIONS)
DAYS_TO_DURATION = dict((days, code) for code, _name, days in DURATIONS if days)
_DURATION_ALIASES = {"7 days": 12, "14 days": 13, "21 days": 14, "30 days": 15, "60 days": 16,
                     "90 days": 17, "1 month": 15, "1 week": 12}

# The User-Agent of a create names the kind: the push's audit log keeps it in its "creation" entry, and that is the
# only place the server remembers a push's kind where its owner can read it without counting a view (the lists and
# the push JSON carry no kind). reuse_existing reads it back.
USER_AGENT = "oneshot.secrets (pwpush)"
_KIND_AGENT = USER_AGENT[:-1] + "; kind=%s)"
_KIND_IN_AGENT = re.compile(r"^oneshot\.secrets \(pwpush; kind=(text|url|qr|file)\)")

# Keys of a push that must never reach a result: the create answer echoes the passphrase.
SECRET_KEYS = ("payload", "passphrase")

# app/validators/multiple_emails_validator.rb: at most 5 addresses, each matching this (Ruby's \w is ASCII-only).
MAX_NOTIFY_EMAILS = 5
_NOTIFY_EMAIL = re.compile(r"^([A-Za-z0-9_.%+-]+)@([A-Za-z0-9_-]+\.)+([A-Za-z0-9_]{2,})$")
_TOKEN_IN_URL = re.compile(r"/(p|f|r)/([A-Za-z0-9_\-]+?)(?:\.json)?(?:/r|/preview)?/?(?:[?#].*)?$")
_BARE_TOKEN = re.compile(r"^[A-Za-z0-9_\-]{4,}$")
_V1_PREFIX = {"text": "p", "qr": "p", "file": "f", "url": "r"}
_V1_PARAM = {"text": "password", "qr": "password", "file": "file_push", "url": "url"}
# The fixed text around the url_token in the links a result carries (url, html_url, json_url).
_LINK_PATHS = ("/p/", "/f/", "/r/", "/api/v2/pushes/")
_LINK_SUFFIXES = ("/r", ".json", "")


class PwpushError(ServiceError):
    """A Password Pusher failure, phrased for the user."""


def connection_argument_spec():
    """Connection options of every pwpush module (documented in doc_fragments/pwpush.py)."""
    return dict(
        url=dict(type="str", default=DEFAULT_URL, fallback=(env_fallback, ["PWPUSH_URL"])),
        token=dict(type="str", no_log=True, fallback=(env_fallback, ["PWPUSH_TOKEN"])),
        email=dict(type="str", fallback=(env_fallback, ["PWPUSH_EMAIL"])),
        api_version=dict(type="str", default="auto", choices=["auto", "v2", "v1"],
                         fallback=(env_fallback, ["PWPUSH_API_VERSION"])),
        timeout=dict(type="float", default=30.0),
        validate_certs=dict(type="bool", default=True, fallback=(env_fallback, ["PWPUSH_VALIDATE_CERTS"])),
        ca_path=dict(type="path", fallback=(env_fallback, ["PWPUSH_CA_PATH"])),
        retries=dict(type="int", default=3),
    )


CONNECTION_OPTIONS = tuple(connection_argument_spec())


def parse_duration(value):
    """An expire_after_duration code (0-17) from an int, a digit string or a name like '1 hour'."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise PwpushError("expire_after_duration must be a number 0-17 or a name such as '1 hour'.")
    text = str(value).strip().lower()
    if re.match(r"^\d+$", text):
        code = int(text)
        if code in DURATION_DAYS:
            return code
        raise PwpushError("expire_after_duration must be between 0 and 17 (got %s)." % text)
    text = re.sub(r"\s+", " ", text)
    for code, name, _days in DURATIONS:
        if text in (name, name.rstrip("s")):
            return code
    if text in _DURATION_ALIASES:
        return _DURATION_ALIASES[text]
    raise PwpushError("expire_after_duration %r is not one of: %s." % (
        str(value), ", ".join("%d (%s)" % (code, name) for code, name, _days in DURATIONS)))


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


def _is_http_url(value):
    return bool(re.match(r"^https?://[^\s/?#]+[^\s]*\Z", value or "", re.IGNORECASE))


class PushSpec:
    """What the user asked to push, validated before any request."""

    FIELDS = ("kind", "payload", "files", "passphrase", "expire_after_days", "expire_after_duration",
              "expire_after_views", "name", "note", "deletable_by_viewer", "retrieval_step",
              "notify_emails_to", "notify_emails_to_locale", "account_id")

    def __init__(self, **kwargs):
        unknown = set(kwargs) - set(self.FIELDS)
        if unknown:
            raise PwpushError("Unknown push option(s): %s." % ", ".join(sorted(unknown)))
        for field in self.FIELDS:
            setattr(self, field, kwargs.get(field))
        self.kind = self.kind or ("file" if self.files else "text")
        self.files = list(self.files or [])

    def validate(self, has_token):
        """Raise PwpushError naming the option for anything the server would reject or silently change."""
        if self.kind not in KINDS:
            raise PwpushError("kind must be one of %s (got %r)." % (", ".join(KINDS), self.kind))
        if self.kind == "file":
            if not self.files:
                raise PwpushError("kind=file needs files: a list of 1 to %d paths." % MAX_FILES)
            if not has_token:
                raise PwpushError("File pushes need an API token: set token (or PWPUSH_TOKEN).")
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
        if self.kind == "url" and not _is_http_url(payload):
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
        refuse_short_secret("payload", self.payload, PwpushError)
        refuse_short_secret("passphrase", self.passphrase, PwpushError)
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


class PwpushClient:
    """One client, one keep-alive session, shared by every call of a module or lookup run."""

    def __init__(self, url=DEFAULT_URL, token=None, email=None, api_version="auto", timeout=30,
                 validate_certs=True, ca_path=None, retries=3, transport=None):
        self.url = service_url(url, "a Password Pusher server", PwpushError)
        self.token = token or None
        # Every secret of this client's calls, masked in its messages (lookups have no no_log to do it).
        self._secrets = set([self.token]) if self.token else set()
        self.email = email or None
        if api_version not in ("auto", "v1", "v2"):
            raise PwpushError("api_version must be auto, v2 or v1 (got %r)." % api_version)
        self._api = None if api_version == "auto" else api_version
        self._version_info = None
        headers = {}
        if self.token:
            headers["Authorization"] = "Bearer %s" % self.token
            if self.email:
                headers["X-User-Email"] = self.email
                headers["X-User-Token"] = self.token
        self.http = transport or HttpTransport(self.url, timeout=timeout, validate_certs=validate_certs,
                                               ca_path=ca_path, retries=retries, headers=headers,
                                               user_agent=USER_AGENT)

    @classmethod
    def from_options(cls, get_option):
        """Build a client from a module's params.get or a plugin's get_option."""
        return cls(**dict((name, get_option(name)) for name in CONNECTION_OPTIONS))

    def close(self):
        self.http.close()

    # --- version and capabilities -------------------------------------------------------

    def version_info(self):
        """The server's version answer (v2) or a synthetic one for API v1 servers. Cached."""
        if self._version_info is not None:
            return self._version_info
        if self._api in (None, "v2"):
            response = self._send("GET", "/api/v2/version", action="read the server version")
            if response.status_code == 200:
                body = json_or_none(response)
                if not isinstance(body, dict):
                    raise PwpushError("Could not read the server version: %s: is url a Password Pusher server?" % (
                        unexpected_answer(response, "a JSON object")))
                self._api = self._api or "v2"
                self._version_info = body
                return body
            if response.status_code != 404 or self._api == "v2":
                self._raise_for(response, "read the server version")
            self._api = "v1"
        response = self._send("GET", "/api/v1/version.json", action="read the server version")
        if response.status_code == 404:
            raise PwpushError("%s is not a Password Pusher server: neither /api/v2/version nor /api/v1/version.json "
                              "exists there. Check url." % self.url, status=404)
        if response.status_code != 200:
            self._raise_for(response, "read the server version (API v1)")
        body = json_or_none(response)
        if not isinstance(body, dict):
            raise PwpushError("Could not read the server version (API v1): %s: is url a Password Pusher server?" % (
                unexpected_answer(response, "a JSON object")))
        body.setdefault("edition", "oss")
        body.setdefault("features", {})
        self._version_info = body
        return body

    @property
    def api(self):
        if self._api is None:
            self.version_info()
        return self._api

    @property
    def edition(self):
        edition = self.version_info().get("edition")
        return edition if isinstance(edition, str) and edition else "oss"

    @property
    def expiry_field(self):
        """Hosted editions honour expire_after_duration; the open-source edition and API v1 honour days."""
        if self.api == "v1" or self.edition == "oss":
            return "expire_after_days"
        return "expire_after_duration"

    def instance_info(self):
        info = dict(self.version_info())
        return dict(
            url=self.url,
            api_version=self.api,
            server_api_version=info.get("api_version"),
            application_version=info.get("application_version"),
            edition=self.edition,
            features=_object(info.get("features")),
            expiry_field=self.expiry_field,
        )

    # --- pushes -------------------------------------------------------------------------

    def prepare(self, spec):
        """Validate a PushSpec against this server (asks its version once); returns the fields to send."""
        spec.validate(has_token=bool(self.token))
        self._secrets.update(value for value in (spec.payload, spec.passphrase) if value)
        for option in ("payload", "passphrase"):
            refuse_secret_in_link(option, getattr(spec, option), [self.url + path for path in _LINK_PATHS],
                                  _LINK_SUFFIXES, PwpushError)
        self._check_kind_enabled(spec.kind)
        return spec.push_fields(self.expiry_field, self.api)

    def create_push(self, spec):
        """Create a push from a PushSpec; returns the push without secrets, with its share link as url."""
        fields = self.prepare(spec)
        if self.api == "v2":
            path, param = "/api/v2/pushes", "push"
        else:
            if spec.kind == "qr":
                raise PwpushError("kind=qr needs a server with API v2; this one only has API v1.")
            path, param = "/%s.json" % _V1_PREFIX[spec.kind], _V1_PARAM[spec.kind]
        if spec.kind == "file":
            response = self._post_files(path, param, fields, spec)
        else:
            body = {param: fields}
            if spec.account_id is not None:
                body["account_id"] = spec.account_id
            response = self._send("POST", path, json=body, headers=self._kind_header(spec.kind),
                                  action="create the push")
        if response.status_code not in (200, 201):
            self._raise_for(response, "create the push")
        push = json_or_none(response)
        if not isinstance(push, dict) or not _is_token(push.get("url_token")):
            expected = "the new push (a JSON object with its url_token)"
            if isinstance(push, dict):
                raise PwpushError("Could not create the push: the server answered HTTP %d without a url_token; the push "
                                  "may have been stored, check the server's list before running again." % (
                                      response.status_code), status=response.status_code)
            raise PwpushError("Could not create the push: %s; the push may have been stored, check the server's list "
                              "before running again." % unexpected_answer(response, expected),
                              status=response.status_code)
        return self.describe(push)

    def create_pushes(self, specs, concurrency=1, select=None):
        """Create many pushes over this client's pooled connections, `concurrency` at a time.

        Every spec is validated before the first create. Results keep the order of specs; `select`
        keeps only part of each push (a lookup needs just the link). `specs` is any sequence: with
        PayloadSpecs each spec is built when its turn comes, and `concurrency` workers take the next
        index in turn, so nothing is held per push but its result (no spec, future or answer).
        """
        if not 1 <= int(concurrency) <= MAX_CONCURRENCY:
            raise PwpushError("concurrency must be between 1 and %d (got %s)." % (MAX_CONCURRENCY, concurrency))
        for spec in specs:
            self.prepare(spec)
        count = len(specs)

        def create(index):
            push = self.create_push(specs[index])
            return select(push) if select else push

        if concurrency == 1 or count < 2:
            return [create(index) for index in range(count)]
        results = [None] * count
        failures = []  # (index, PwpushError): every push is still tried, the first failure in order is reported
        indexes = iter(range(count))
        lock = threading.Lock()

        def work():
            while True:
                with lock:
                    index = next(indexes, None)
                if index is None:
                    return
                try:
                    results[index] = create(index)
                except PwpushError as exc:
                    with lock:
                        failures.append((index, exc))

        with ThreadPoolExecutor(max_workers=int(concurrency)) as pool:
            workers = [pool.submit(work) for _worker in range(min(int(concurrency), count))]
            for worker in workers:
                worker.result()  # anything but a PwpushError is a bug: raise it as it is
        if failures:
            failure = min(failures, key=lambda failed: failed[0])[1]
            raise PwpushError("%s (%d of %d pushes were created before the failure; they expire on their own)" % (
                failure.message.rstrip("."), count - len(failures), count), status=failure.status)
        return results

    def _post_files(self, path, param, fields, spec):
        data = []
        for key, value in fields.items():
            if isinstance(value, bool):
                value = "true" if value else "false"
            data.append(("%s[%s]" % (param, key), str(value)))
        if spec.account_id is not None:
            data.append(("account_id", str(spec.account_id)))
        handles = []
        try:
            files = []
            for file_path in spec.files:
                handle = open(file_path, "rb")
                handles.append(handle)
                files.append(("%s[files][]" % param, (os.path.basename(file_path), handle, "application/octet-stream")))
            return self._send("POST", path, data=data, files=files, headers=self._kind_header("file"),
                              action="create the file push")
        finally:
            for handle in handles:
                handle.close()

    def _check_kind_enabled(self, kind):
        features = _object(_object(self.version_info().get("features")).get("pushes"))
        feature_key = {"file": "file_attachments", "url": "url_pushes", "qr": "qr_code_pushes"}.get(kind)
        feature = features.get(feature_key) if feature_key else None
        if isinstance(feature, dict) and feature.get("enabled") is False:
            raise PwpushError("kind=%s is disabled on %s (its version answer says %s is off)." % (kind, self.url, feature_key))

    def describe(self, push):
        """A push without secrets, plus the link to give a person and a json_url that exists."""
        clean = redact(push)
        token = push["url_token"]
        # The server's html_url carries the public scheme and host (right behind a proxy).
        share = push.get("html_url")
        if not (isinstance(share, str) and _is_http_url(share)):
            share = "%s/p/%s" % (self.url, token)
        if push.get("retrieval_step") and not share.endswith("/r"):
            share += "/r"
        clean["url"] = share
        # The server's json_url is wrong with retrieval_step (/p/T/r.json does not exist): rebuild it.
        clean["json_url"] = self.http.url_for(self._push_path(token))
        return clean

    def _push_path(self, token, suffix="", kind=None):
        if self.api == "v2":
            return "/api/v2/pushes/%s%s" % (token, suffix)
        prefix = _V1_PREFIX.get(kind or "text", "p")
        if suffix:
            return "/%s/%s%s.json" % (prefix, token, suffix)
        return "/%s/%s.json" % (prefix, token)

    def preview(self, reference):
        token = token_from_reference(reference)
        response = self._send("GET", self._push_path(token, "/preview"), action="preview the push")
        if response.status_code != 200:
            self._raise_for(response, "preview the push")
        body = json_or_none(response)
        if not isinstance(body, dict) or not isinstance(body.get("url"), str):
            raise PwpushError("Could not preview the push: %s." % unexpected_answer(
                response, "its preview (a JSON object with its url)"), status=response.status_code)
        return dict(url_token=token, url=body["url"])

    def retrieve(self, reference, passphrase=None):
        """The push with its payload. Counts a view (unless the token is the owner's)."""
        token = token_from_reference(reference)
        params = {"passphrase": passphrase} if passphrase else None
        if passphrase:
            self._secrets.add(passphrase)
        response = self._send("GET", self._push_path(token, kind=_kind_from_reference(reference)), params=params,
                              action="retrieve the push")
        if response.status_code != 200:
            self._raise_for(response, "retrieve the push")
        push = json_or_none(response)
        if not isinstance(push, dict):
            raise PwpushError("Could not retrieve the push: %s (this may have counted a view)." % unexpected_answer(
                response, "the push (a JSON object)"), status=response.status_code)
        return push

    def retrieval_counted_a_view(self, reference, push):
        """Whether retrieve() may have counted a view: not for an expired push, not for the owner's token.

        Only the owner may read the push's audit log (Api::V2::PushesController#audit checks owned_by? alone),
        so one read-only request tells. An administrator's retrieval logs admin_view and counts no view, but an
        administrator is refused the audit log (403) like anybody else: that, and any other reason the log
        cannot be read, is taken as a counted view (the safe side).
        """
        if push.get("expired"):
            return False
        if not self.token:
            return True
        token = token_from_reference(reference)
        try:
            response = self._send("GET", self._push_path(token, "/audit"), params={"page": 1},
                                  action="read the audit log")
        except PwpushError:
            return True
        return response.status_code != 200

    def expire(self, reference):
        """Expire a push now. Returns (changed, push-or-None): already expired or gone is not a change."""
        token = token_from_reference(reference)
        # Both APIs answer 200 with the push again for an already expired one (Api::V1::PushesController#destroy,
        # which v2 inherits): the owner's audit log tells, without a write.
        if self.token and self._manually_expired(token):
            return False, None
        response = self._send("DELETE", self._push_path(token, kind=_kind_from_reference(reference)),
                              action="expire the push")
        if response.status_code == 200:
            push = json_or_none(response)
            if not isinstance(push, dict):
                raise PwpushError("Could not expire the push: %s; it may have been expired." % unexpected_answer(
                    response, "the expired push (a JSON object)"), status=200)
            # Without the owner's token the audit log is closed: tell a second expiry apart by time.
            return not _expired_before_request(push, response), redact(push)
        if response.status_code == 404:
            return False, None
        # Servers before 2.0 (API v1.4, e.g. 1.50's passwords_controller.rb#destroy) refused a second expiry with
        # 422 "That push is already expired."; later ones answer 200 (above).
        if response.status_code == 422 and "expired" in _error_text(response).lower():
            return False, None
        self._raise_for(response, "expire the push")

    def _manually_expired(self, token):
        """For the owner: whether the audit log already records an expiry (read-only, counts no view)."""
        try:
            return any(entry.get("kind") == "expire" for entry in self.audit(token))
        except PwpushError as exc:
            if exc.status in (401, 403, 404):
                return False  # not the owner (or gone): the DELETE answer decides
            raise

    def audit(self, reference, max_pages=LIST_MAX_PAGE):
        """Every audit log entry of a push (owner only), across pages."""
        self._require_token("audit a push")
        token = token_from_reference(reference)
        entries = []
        for page in range(1, max_pages + 1):
            response = self._send("GET", self._push_path(token, "/audit"), params={"page": page},
                                  action="read the audit log")
            if response.status_code != 200:
                self._raise_for(response, "read the audit log")
            body = _object(json_or_none(response))
            v1_views = "logs" not in body
            batch = (body.get("views") or []) if v1_views else body["logs"]
            if not body or not isinstance(batch, list) or not all(isinstance(entry, dict) for entry in batch):
                raise PwpushError("Could not read the audit log: %s." % unexpected_answer(
                    response, "a JSON object with its log entries (a list of objects) in logs (views for API v1)"),
                    status=response.status_code)
            if v1_views:
                batch = _v1_audit_to_logs(batch)
            entries.extend(batch)
            if self.api == "v1" or len(batch) < LIST_PAGE_SIZE:
                break
        return entries

    def notify_emails(self, reference, emails, locale=None):
        """Have the server mail the link of an existing push (owner only, API v2; 5 requests a minute per user)."""
        self._require_token("send a push's link by email")
        addresses = check_notify_emails(emails)
        if self.api != "v2":
            raise PwpushError("notify_emails_to needs a server with API v2; this one only has API v1.")
        token = token_from_reference(reference)
        body = {"notify_emails_to": addresses}
        if locale:
            body["notify_emails_to_locale"] = locale
        response = self._send("POST", self._push_path(token, "/notify_emails"), json=body, idempotent=False,
                              action="send the push's link by email")
        if response.status_code not in (200, 201):
            self._raise_for(response, "send the push's link by email")
        return dict(url_token=token, notify_emails_to=addresses.split(","),
                    message=(json_or_none(response) or {}).get("message"))

    def list_accounts(self):
        """The accounts the token's user can push to (GET /api/v2/accounts: hosted edition only)."""
        self._require_token("list accounts")
        if self.api != "v2":
            raise PwpushError("Accounts need a server with API v2; this one only has API v1.")
        response = self._send("GET", "/api/v2/accounts", action="list accounts")
        if response.status_code == 404:
            raise PwpushError("Could not list accounts: %s has no accounts API (HTTP 404); only the hosted edition "
                              "(pwpush.com) has accounts." % self.url, status=404)
        if response.status_code != 200:
            self._raise_for(response, "list accounts")
        accounts = json_or_none(response)
        if isinstance(accounts, dict) and isinstance(accounts.get("accounts"), list):
            accounts = accounts["accounts"]
        if not isinstance(accounts, list):
            raise PwpushError("The server answered the account list with something other than a JSON list.")
        return accounts

    def iter_pushes(self, which="active"):
        """Yield the caller's active or expired pushes, page by page, without secrets."""
        if which not in ("active", "expired"):
            raise PwpushError("list must be active or expired (got %r)." % which)
        self._require_token("list pushes")
        for page in range(1, LIST_MAX_PAGE + 1):
            if self.api == "v2":
                path = "/api/v2/pushes/%s" % which
            else:
                path = "/p/%s.json" % which
            response = self._send("GET", path, params={"page": page}, action="list %s pushes" % which)
            if response.status_code != 200:
                self._raise_for(response, "list %s pushes" % which)
            batch = json_or_none(response)
            if not isinstance(batch, list) or not all(isinstance(push, dict) and _is_token(push.get("url_token"))
                                                      for push in batch):
                raise PwpushError("Could not list %s pushes: %s." % (which, unexpected_answer(
                    response, "a JSON list of pushes (objects with a url_token)")), status=response.status_code)
            for push in batch:
                yield self.describe(push)
            if len(batch) < LIST_PAGE_SIZE:
                return

    def list_pushes(self, which="active", limit=None):
        pushes = []
        for push in self.iter_pushes(which):
            if limit is not None and len(pushes) >= limit:
                break
            pushes.append(push)
        return pushes

    @staticmethod
    def _kind_header(kind):
        return {"User-Agent": _KIND_AGENT % kind}

    def find_active_by_name(self, name, kind):
        """The newest active push of that name whose kind is known to be `kind`, or None.

        The lists carry no kind. A URL push is the only kind whose deletable_by_viewer is null (the server's
        SetPushAttributes#assign_deletable_by_viewer), which rules out most wrong candidates at no cost; text, QR
        and file pushes look alike there, so a candidate's kind is read from the creation entry of its audit log
        (the User-Agent this client sent, see _KIND_AGENT). A push whose kind cannot be told this way (made by
        the web UI, another client or an older release of this collection) is never reused.
        """
        if kind not in KINDS:
            raise PwpushError("kind must be one of %s (got %r)." % (", ".join(KINDS), kind))
        for push in self.iter_pushes("active"):
            if push.get("name") != name or push.get("expired"):
                continue
            if (push.get("deletable_by_viewer") is None) != (kind == "url"):
                continue
            if self.created_kind(push["url_token"]) == kind:
                return push
        return None

    def created_kind(self, token):
        """The kind this collection named when it created the push (from the audit log), or None if unknown."""
        try:
            entries = self.audit(token)
        except PwpushError as exc:
            if exc.status in (403, 404):
                return None
            raise
        for entry in entries:
            if entry.get("kind") == "creation":
                match = _KIND_IN_AGENT.match(entry.get("user_agent") or "")
                return match.group(1) if match else None
        return None

    # --- plumbing -----------------------------------------------------------------------

    def _require_token(self, what):
        if not self.token:
            raise PwpushError("An API token is needed to %s: set token (or PWPUSH_TOKEN)." % what)

    def _send(self, method, path, action, **kwargs):
        try:
            return self.http.request(method, path, **kwargs)
        except ServiceError as exc:
            raise PwpushError("Could not %s: %s" % (action, exc.message))

    def _raise_for(self, response, action):
        status = response.status_code
        body = json_or_none(response)
        secrets = tuple(self._secrets)
        detail = mask_secrets(_error_text(response), secrets, limit=200)
        if status == 401 and not response.content:
            message = ("authentication failed (HTTP 401 with an empty body): the token or email is not valid for %s. "
                       "Check token/PWPUSH_TOKEN and url." % self.url)
        elif status == 401 and action.startswith("retrieve"):
            message = "wrong or missing passphrase (HTTP 401: %s)" % detail
        elif status == 401 and action.startswith("expire"):
            message = "not allowed (HTTP 401: %s): only the owner can expire it unless deletable_by_viewer is on" % detail
        elif status == 401:
            message = "authentication required (HTTP 401: %s): set token (or PWPUSH_TOKEN)" % detail
        elif status == 403:
            message = "forbidden (HTTP 403: %s): the push does not belong to this token's user" % detail
        elif status == 404:
            message = "push not found (HTTP 404): the token is wrong, or the push was deleted"
            if action == "read the server version":
                message = ("HTTP 404 from %s/api/v2/version: this server has no API v2 (it is older than 2.3); "
                           "use api_version auto or v1" % self.url)
        elif status == 422:
            what = "the request" if action.startswith("send") else "the push"
            message = "the server rejected %s (HTTP 422): %s" % (what, mask_secrets(_field_errors(body, detail), secrets))
        elif status == 429:
            message = "rate limited by %s (HTTP 429) after %d retries: %s" % (self.url, self.http.retries, detail or "slow down")
        elif status == 400:
            message = "bad request (HTTP 400): %s" % detail
        elif 300 <= status < 400:
            location = mask_secrets(response.headers.get("Location", "?"), secrets)
            message = ("HTTP %d redirect to %s: point url at the server itself (a fresh instance redirects to "
                       "/first_run until its first admin exists)" % (status, location))
        else:
            message = "HTTP %d from %s: %s" % (status, self.url, detail or "no details")
        raise PwpushError("Could not %s: %s." % (action, message.rstrip(".")), status=status, body=body)


def _expired_before_request(push, response, slack_seconds=1.0):
    """True when expired_on is clearly older than the server's Date header (whole seconds, hence the slack)."""
    expired_on = push.get("expired_on")
    date = response.headers.get("Date")
    if not expired_on or not date:
        return False
    try:
        expired_at = datetime.datetime.strptime(expired_on[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
        answered_at = email.utils.parsedate_to_datetime(date)
    except (TypeError, ValueError):
        return False
    return (answered_at - expired_at).total_seconds() > slack_seconds


def _object(value):
    """value when it is a JSON object, else an empty one (a server's optional part of the wrong shape)."""
    return value if isinstance(value, dict) else {}


def _is_token(value):
    return isinstance(value, str) and bool(value)


def _kind_from_reference(reference):
    """v1 servers keep file and URL pushes under /f/ and /r/: read the kind from a link."""
    match = _TOKEN_IN_URL.search(str(reference or ""))
    if match:
        return {"f": "file", "r": "url"}.get(match.group(1), "text")
    return "text"


def _v1_audit_to_logs(views):
    kinds = {0: "view", 1: "expire"}
    logs = []
    for view in views:
        entry = dict(view)
        kind = kinds.get(view.get("kind"), str(view.get("kind")))
        if kind == "view" and view.get("successful") is False:
            kind = "failed_view"
        entry["kind"] = kind
        logs.append(entry)
    return logs


def _error_text(response):
    body = json_or_none(response)
    if isinstance(body, dict):
        for key in ("error", "message", "errors"):
            if key in body:
                return str(body[key])
        return _field_errors(body, "")
    text = (response.text or "").strip()
    if text.startswith("<"):
        return "an HTML error page (%s)" % (response.headers.get("Content-Type") or "text/html")
    return text  # cut to 200 characters by _raise_for once the secrets are masked


def _field_errors(body, fallback):
    """422 bodies are keyed by field; name them after our options."""
    if not isinstance(body, dict):
        return fallback or "no details"
    names = {"payload": "payload", "files": "files", "kind": "kind", "expire_after_days": "expire_after_days",
             "expire_after_views": "expire_after_views", "expire_after_duration": "expire_after_duration"}
    parts = []
    for field, errors in sorted(body.items()):
        if isinstance(errors, list):
            errors = "; ".join(str(e) for e in errors)
        parts.append("%s: %s" % (names.get(field, field), errors))
    return ", ".join(parts) or fallback or "no details"


def run_module(module, action):
    """Run action(client) for an AnsibleModule and return its result; errors become fail_json."""
    return run_module_action(module, PwpushClient.from_options, action)
