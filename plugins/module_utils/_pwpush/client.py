# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PwpushClient: Password Pusher API v2 (hosted pwpush.com and the open-source edition) and the older API v1.

It chooses the expiry field the server honours, validates pushes before any request (spec.py) and turns
every failure into one sentence without a secret in it (errors.py).
For the collection's own use: not a public API, it may change in any release.

The package _pwpush holds one concern per module (its __init__.py stays empty: ansible-test 2.17 wants that):
- client: PwpushClient (connection, server version, creates) and the connection options;
- existing: its calls on pushes that exist (preview, retrieve, expire, audit, notify, lists, reuse);
- spec: PushSpec, what to push, validated before any request;
- durations: the hosted edition's expiry enum;
- errors: PwpushError and the wording of a failed answer (by operation and HTTP status);
- bulk: many creates over one client; answers: reading the server's answers.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible_collections.oneshot.secrets.plugins.module_utils._core.checks import service_url
from ansible_collections.oneshot.secrets.plugins.module_utils._core.diagnosis import json_or_none, unexpected_answer
from ansible_collections.oneshot.secrets.plugins.module_utils._core.errors import ServiceError, term
from ansible_collections.oneshot.secrets.plugins.module_utils._core.masking import refuse_secret_in_link
from ansible_collections.oneshot.secrets.plugins.module_utils._core.options import DeclaredClient, default
from ansible_collections.oneshot.secrets.plugins.module_utils._core.transport import HttpTransport
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.answers import is_token, json_object
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.bulk import MAX_CONCURRENCY, create_all
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.errors import (
    CREATE,
    CREATE_FILES,
    VERSION,
    VERSION_V1,
    PwpushError,
    raise_for,
)
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.existing import (
    BULK_AGENT,
    KIND_AGENT,
    USER_AGENT,
    ExistingPushes,
)
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.options import PWPUSH_CONNECTION
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.reuse import BULK_NOTE
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.spec import is_http_url, redact

DEFAULT_URL = default(PWPUSH_CONNECTION, "url")

_V1_PREFIX = {"text": "p", "qr": "p", "file": "f", "url": "r"}
_V1_PARAM = {"text": "password", "qr": "password", "file": "file_push", "url": "url"}
# The fixed text around the url_token in the links a result carries (url, html_url, json_url).
_LINK_PATHS = ("/p/", "/f/", "/r/", "/api/v2/pushes/")
_LINK_SUFFIXES = ("/r", ".json", "")
# Mail notifications (notify_emails_to on create, the notify_emails route) came with 2.9.2: older API v2
# servers drop the option without a word and answer 404 to the route.
NOTIFY_SINCE = (2, 9, 2)


class PwpushClient(ExistingPushes, DeclaredClient):
    """One client, one keep-alive session, shared by every call of a module or lookup run."""

    OPTIONS = PWPUSH_CONNECTION

    def __init__(self, url=DEFAULT_URL, token=None, email=None, api_version="auto", transport=None, pacer=None,
                 masked_results=True, **options):
        """options: the transport's (timeout, validate_certs, ca_path, retries; declared defaults when not given)."""
        self.url = service_url(url, "a Password Pusher server", PwpushError)
        # The door masks no_log values in its results (Ansible): secrets it could garble are refused.
        self.masked_results = masked_results
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
        self.http = transport or HttpTransport(self.url, headers=headers, user_agent=USER_AGENT, pacer=pacer,
                                               **self.transport_settings(options))

    def close(self):
        self.http.close()

    # --- version and capabilities -------------------------------------------------------

    def version_info(self):
        """The server's version answer (v2) or a synthetic one for API v1 servers. Cached."""
        if self._version_info is not None:
            return self._version_info
        if self._api in (None, "v2"):
            response = self.send("GET", "/api/v2/version", operation=VERSION)
            if response.status_code == 200:
                body = json_or_none(response)
                if not isinstance(body, dict):
                    raise PwpushError("Could not read the server version: %s: is url a Password Pusher server?" % (
                        unexpected_answer(response, "a JSON object")))
                self._api = self._api or "v2"
                self._version_info = body
                return body
            if response.status_code != 404 or self._api == "v2":
                self.raise_for_answer(response, VERSION)
            self._api = "v1"
        response = self.send("GET", "/api/v1/version.json", operation=VERSION)
        if response.status_code == 404:
            raise PwpushError("%s is not a Password Pusher server: neither /api/v2/version nor /api/v1/version.json "
                              "exists there. Check %s." % (self.url, term("url")), status=404, code="not_the_service", option="url")
        if response.status_code != 200:
            self.raise_for_answer(response, VERSION_V1)
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

    def require_notify_support(self):
        """Refuse notify_emails_to, naming the server's release, where the server would drop or 404 it."""
        if self.api != "v2":
            raise PwpushError("notify_emails_to needs a server with API v2; this one only has API v1.",
                              option="notify_emails_to")
        release = self.version_info().get("application_version")
        match = re.match(r"(\d+)\.(\d+)\.(\d+)", release) if isinstance(release, str) else None
        # Only the open-source numbering is known; the hosted edition has always had notifications.
        if self.edition == "oss" and match and tuple(int(part) for part in match.groups()) < NOTIFY_SINCE:
            raise PwpushError(
                "notify_emails_to needs Password Pusher %s or later; %s runs %s, which has no email notifications "
                "(it would drop the option without a word). Remove notify_emails_to or upgrade the server." % (
                    ".".join(str(part) for part in NOTIFY_SINCE), self.url, release), option="notify_emails_to")

    def instance_info(self):
        info = dict(self.version_info())
        return dict(
            url=self.url,
            api_version=self.api,
            server_api_version=info.get("api_version"),
            application_version=info.get("application_version"),
            edition=self.edition,
            features=json_object(info.get("features")),
            expiry_field=self.expiry_field,
        )

    # --- pushes -------------------------------------------------------------------------

    def prepare(self, spec):
        """Validate a PushSpec against this server (asks its version once); returns the fields to send."""
        spec.validate(has_token=bool(self.token), masked_results=self.masked_results)
        self._secrets.update(value for value in (spec.payload, spec.passphrase) if value)
        for option in ("payload", "passphrase"):
            refuse_secret_in_link(option, getattr(spec, option), [self.url + path for path in _LINK_PATHS],
                                  _LINK_SUFFIXES, PwpushError, self.masked_results)
        self._check_kind_enabled(spec.kind)
        if spec.notify_emails_to:
            self.require_notify_support()
        fields = spec.push_fields(self.expiry_field, self.api)
        if self.api == "v1" and spec.kind == "qr":
            fields["kind"] = "qr"  # 2.2.x permits password[kind] on /p.json (text is its default)
        return fields

    def create_push(self, spec):
        """Create a push from a PushSpec; returns the push without secrets, with its share link as url."""
        fields = self.prepare(spec)
        if self.api == "v2":
            path, param = "/api/v2/pushes", "push"
        else:
            path, param = "/%s.json" % _V1_PREFIX[spec.kind], _V1_PARAM[spec.kind]
        if spec.kind == "file":
            response = self._post_files(path, param, fields, spec)
        else:
            body = {param: fields}
            if spec.account_id is not None:
                body["account_id"] = spec.account_id
            headers = {"User-Agent": BULK_AGENT} if spec.note == BULK_NOTE and spec.kind == "text" and not (
                spec.passphrase) else self._kind_header(spec.kind)
            response = self.send("POST", path, json=body, headers=headers, operation=CREATE)
        if response.status_code not in (200, 201):
            self.raise_for_answer(response, CREATE)
        push = json_or_none(response)
        if not isinstance(push, dict) or not is_token(push.get("url_token")):
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
        return create_all(self.create_push, specs, int(concurrency), select)

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
            return self.send("POST", path, data=data, files=files, headers=self._kind_header("file"),
                             operation=CREATE_FILES)
        finally:
            for handle in handles:
                handle.close()

    def _check_kind_enabled(self, kind):
        features = json_object(json_object(self.version_info().get("features")).get("pushes"))
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
        if not (isinstance(share, str) and is_http_url(share)):
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

    @staticmethod
    def _kind_header(kind):
        return {"User-Agent": KIND_AGENT % kind}

    # --- plumbing -----------------------------------------------------------------------

    def keep_secret(self, value):
        """Mask value in every message of this client (a passphrase the server may echo)."""
        if value:
            self._secrets.add(value)

    def require_token(self, what):
        if not self.token:
            raise PwpushError("An API token is needed to %s: set %s." % (what, term("token")), code="token_required", option="token")

    def send(self, method, path, operation, **kwargs):
        try:
            return self.http.request(method, path, **kwargs)
        except ServiceError as exc:
            raise PwpushError.rewording(exc, "Could not %s: %s" % (operation.text, exc.message))

    def raise_for_answer(self, response, operation):
        raise_for(response, operation, self.url, self._secrets, self.http.retries)
