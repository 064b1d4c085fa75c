# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PwpushClient: Password Pusher API v2 (hosted pwpush.com and the open-source edition) and the older API v1.

It chooses the expiry field the server honours, validates pushes before any request (spec.py) and turns
every failure into one sentence without a secret in it (errors.py).
For the collection's own use: not a public API, it may change in any release.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible.module_utils.basic import env_fallback

from ansible_collections.oneshot.secrets.plugins.module_utils._http import (
    HttpTransport,
    ServiceError,
    json_or_none,
    run_module_action,
    unexpected_answer,
)
from ansible_collections.oneshot.secrets.plugins.module_utils._guards import refuse_secret_in_link, service_url
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.answers import (
    expired_before_request,
    is_token,
    json_object,
    v1_audit_to_logs,
)
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.bulk import MAX_CONCURRENCY, create_all
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.errors import (
    ACCOUNTS,
    AUDIT,
    CREATE,
    CREATE_FILES,
    EXPIRE,
    LIST_PUSHES,
    NOTIFY,
    PREVIEW,
    RETRIEVE,
    VERSION,
    VERSION_V1,
    PwpushError,
    error_text,
    raise_for,
)
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.spec import (
    KINDS,
    check_notify_emails,
    is_http_url,
    kind_from_reference,
    redact,
    token_from_reference,
)

DEFAULT_URL = "https://pwpush.com"
LIST_PAGE_SIZE = 50
LIST_MAX_PAGE = 200

# The User-Agent of a create names the kind: the push's audit log keeps it in its "creation" entry, and that is the
# only place the server remembers a push's kind where its owner can read it without counting a view (the lists and
# the push JSON carry no kind). reuse_existing reads it back.
USER_AGENT = "oneshot.secrets (pwpush)"
_KIND_AGENT = USER_AGENT[:-1] + "; kind=%s)"
_KIND_IN_AGENT = re.compile(r"^oneshot\.secrets \(pwpush; kind=(text|url|qr|file)\)")

_V1_PREFIX = {"text": "p", "qr": "p", "file": "f", "url": "r"}
_V1_PARAM = {"text": "password", "qr": "password", "file": "file_push", "url": "url"}
# The fixed text around the url_token in the links a result carries (url, html_url, json_url).
_LINK_PATHS = ("/p/", "/f/", "/r/", "/api/v2/pushes/")
_LINK_SUFFIXES = ("/r", ".json", "")


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
            response = self._send("GET", "/api/v2/version", operation=VERSION)
            if response.status_code == 200:
                body = json_or_none(response)
                if not isinstance(body, dict):
                    raise PwpushError("Could not read the server version: %s: is url a Password Pusher server?" % (
                        unexpected_answer(response, "a JSON object")))
                self._api = self._api or "v2"
                self._version_info = body
                return body
            if response.status_code != 404 or self._api == "v2":
                self._raise_for(response, VERSION)
            self._api = "v1"
        response = self._send("GET", "/api/v1/version.json", operation=VERSION)
        if response.status_code == 404:
            raise PwpushError("%s is not a Password Pusher server: neither /api/v2/version nor /api/v1/version.json "
                              "exists there. Check url." % self.url, status=404)
        if response.status_code != 200:
            self._raise_for(response, VERSION_V1)
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
            features=json_object(info.get("features")),
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
                                  operation=CREATE)
        if response.status_code not in (200, 201):
            self._raise_for(response, CREATE)
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
            return self._send("POST", path, data=data, files=files, headers=self._kind_header("file"),
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

    def preview(self, reference):
        token = token_from_reference(reference)
        response = self._send("GET", self._push_path(token, "/preview"), operation=PREVIEW)
        if response.status_code != 200:
            self._raise_for(response, PREVIEW)
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
        response = self._send("GET", self._push_path(token, kind=kind_from_reference(reference)), params=params,
                              operation=RETRIEVE)
        if response.status_code != 200:
            self._raise_for(response, RETRIEVE)
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
                                  operation=AUDIT)
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
        response = self._send("DELETE", self._push_path(token, kind=kind_from_reference(reference)),
                              operation=EXPIRE)
        if response.status_code == 200:
            push = json_or_none(response)
            if not isinstance(push, dict):
                raise PwpushError("Could not expire the push: %s; it may have been expired." % unexpected_answer(
                    response, "the expired push (a JSON object)"), status=200)
            # Without the owner's token the audit log is closed: tell a second expiry apart by time.
            return not expired_before_request(push, response), redact(push)
        if response.status_code == 404:
            return False, None
        # Servers before 2.0 (API v1.4, e.g. 1.50's passwords_controller.rb#destroy) refused a second expiry with
        # 422 "That push is already expired."; later ones answer 200 (above).
        if response.status_code == 422 and "expired" in error_text(response).lower():
            return False, None
        self._raise_for(response, EXPIRE)

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
                                  operation=AUDIT)
            if response.status_code != 200:
                self._raise_for(response, AUDIT)
            body = json_object(json_or_none(response))
            v1_views = "logs" not in body
            batch = (body.get("views") or []) if v1_views else body["logs"]
            if not body or not isinstance(batch, list) or not all(isinstance(entry, dict) for entry in batch):
                raise PwpushError("Could not read the audit log: %s." % unexpected_answer(
                    response, "a JSON object with its log entries (a list of objects) in logs (views for API v1)"),
                    status=response.status_code)
            if v1_views:
                batch = v1_audit_to_logs(batch)
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
                              operation=NOTIFY)
        if response.status_code not in (200, 201):
            self._raise_for(response, NOTIFY)
        return dict(url_token=token, notify_emails_to=addresses.split(","),
                    message=(json_or_none(response) or {}).get("message"))

    def list_accounts(self):
        """The accounts the token's user can push to (GET /api/v2/accounts: hosted edition only)."""
        self._require_token("list accounts")
        if self.api != "v2":
            raise PwpushError("Accounts need a server with API v2; this one only has API v1.")
        response = self._send("GET", "/api/v2/accounts", operation=ACCOUNTS)
        if response.status_code == 404:
            raise PwpushError("Could not list accounts: %s has no accounts API (HTTP 404); only the hosted edition "
                              "(pwpush.com) has accounts." % self.url, status=404)
        if response.status_code != 200:
            self._raise_for(response, ACCOUNTS)
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
            response = self._send("GET", path, params={"page": page}, operation=LIST_PUSHES[which])
            if response.status_code != 200:
                self._raise_for(response, LIST_PUSHES[which])
            batch = json_or_none(response)
            if not isinstance(batch, list) or not all(isinstance(push, dict) and is_token(push.get("url_token"))
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

    def _send(self, method, path, operation, **kwargs):
        try:
            return self.http.request(method, path, **kwargs)
        except ServiceError as exc:
            raise PwpushError("Could not %s: %s" % (operation.text, exc.message))

    def _raise_for(self, response, operation):
        raise_for(response, operation, self.url, self._secrets, self.http.retries)


def run_module(module, action):
    """Run action(client) for an AnsibleModule and return its result; errors become fail_json."""
    return run_module_action(module, PwpushClient.from_options, action)
