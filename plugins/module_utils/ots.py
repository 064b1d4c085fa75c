# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""onetimesecret (OTS) API v1 client shared by the ots modules and lookups.

The v1 API answers almost every error with HTTP 404 and puts the intended status in the
X-OTS-Intended-Status header; this client turns those into one clear sentence, returns
numbers as numbers (old servers send strings) and never re-sends a request that may have
stored or revealed a secret.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import datetime
import re

from ansible.module_utils.basic import env_fallback

from ansible_collections.oneshot.secrets.plugins.module_utils._http import (
    HttpTransport,
    ServiceError,
    json_or_none,
    run_module_action,
    unexpected_answer,
)

DEFAULT_URL = "https://us.onetimesecret.com"
API = "/api/v1"
TTL_MIN = 60
TTL_MAX_ANONYMOUS = 7 * 24 * 3600
TTL_MAX_ACCOUNT = 30 * 24 * 3600
SECRET_MAX_BYTES = 10000
PASSPHRASE_MAX = 128
GENERATE_MAX_LENGTH = 128
KEY_MIN_LENGTH = 20
NUMERIC_FIELDS = ("ttl", "metadata_ttl", "secret_ttl", "receipt_ttl", "created", "updated", "received", "burned")
# Fields that would reveal a secret; a receipt only shows `value` for a generated secret.
SECRET_FIELDS = ("value", "secret_value")

_KEY_IN_URL = re.compile(r"/(?:secret|private|receipt|metadata)/([A-Za-z0-9]+)/?(?:[?#].*)?$")
_BARE_KEY = re.compile(r"^[A-Za-z0-9]+$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


_RECEIPT = "a receipt (a JSON object)"
_MAY_BE_STORED = "the secret may have been stored, so it was not sent again"
_DESTROYED = "the server may have destroyed the secret already"


class OtsError(ServiceError):
    """An onetimesecret failure, phrased for the user."""

    body_message = None  # the server's own message, when it sent one


def connection_argument_spec():
    """Connection options of every ots module (documented in doc_fragments/ots.py)."""
    return dict(
        url=dict(type="str", default=DEFAULT_URL, fallback=(env_fallback, ["OTS_URL"])),
        username=dict(type="str", fallback=(env_fallback, ["OTS_USERNAME"])),
        api_token=dict(type="str", no_log=True, fallback=(env_fallback, ["OTS_TOKEN"])),
        timeout=dict(type="float", default=30.0),
        validate_certs=dict(type="bool", default=True, fallback=(env_fallback, ["OTS_VALIDATE_CERTS"])),
        ca_path=dict(type="path", fallback=(env_fallback, ["OTS_CA_PATH"])),
        retries=dict(type="int", default=3),
    )


CONNECTION_OPTIONS = tuple(connection_argument_spec())


def key_from_reference(reference, what="secret_key"):
    """The key from a bare key or a link (/secret/KEY, /private/KEY, /receipt/KEY)."""
    text = str(reference or "").strip()
    if not text:
        raise OtsError("%s is empty: give the key or its link." % what)
    if _BARE_KEY.match(text):
        key = text
    else:
        match = _KEY_IN_URL.search(text)
        if not match or not text.startswith(("http://", "https://")):
            raise OtsError("%s %r is neither a key nor an onetimesecret link (https://host/secret/KEY)." % (what, text))
        key = match.group(1)
    if len(key) < KEY_MIN_LENGTH:
        raise OtsError("%s %r is too short to be an onetimesecret key (at least %d characters)." % (what, key, KEY_MIN_LENGTH))
    return key


def validate_secret_options(secret=None, passphrase=None, ttl=None, recipient=None, authenticated=False, length=None):
    """Refuse what the server would reject or silently change, before any request."""
    if secret is not None:
        if secret == "":
            raise OtsError("secret must not be empty (omit it to generate one).")
        if len(secret.encode("utf-8")) > SECRET_MAX_BYTES:
            raise OtsError("secret is larger than %d bytes, the most onetimesecret stores." % SECRET_MAX_BYTES)
    if passphrase is not None:
        if passphrase == "":
            raise OtsError("passphrase must not be empty when given (omit it for no passphrase).")
        if len(passphrase) > PASSPHRASE_MAX:
            raise OtsError("passphrase must be at most %d characters." % PASSPHRASE_MAX)
    if ttl is not None:
        maximum = TTL_MAX_ACCOUNT if authenticated else TTL_MAX_ANONYMOUS
        if not TTL_MIN <= int(ttl) <= maximum:
            raise OtsError("ttl must be between %d and %d seconds%s (got %s); the server would silently clamp it." % (
                TTL_MIN, maximum, "" if authenticated else " for anonymous use (up to 30 days with an account)", ttl))
    if recipient is not None:
        if not authenticated:
            raise OtsError("recipient needs an account: set username and api_token (OTS_USERNAME, OTS_TOKEN).")
        if not _EMAIL.match(recipient):
            raise OtsError("recipient %r is not an email address." % recipient)
    if length is not None and not 1 <= int(length) <= GENERATE_MAX_LENGTH:
        raise OtsError("length must be between 1 and %d." % GENERATE_MAX_LENGTH)


def _is_key(value):
    return isinstance(value, str) and bool(value)


def _as_int(value):
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str) and re.match(r"^-?\d+$", value.strip()):
        return int(value.strip())
    return value


class OtsClient:
    """One keep-alive session for every call of a module or lookup run."""

    def __init__(self, url=DEFAULT_URL, username=None, api_token=None, timeout=30, validate_certs=True,
                 ca_path=None, retries=3, transport=None):
        if not url or not re.match(r"^https?://[^\s/?#]+", url, re.IGNORECASE):
            raise OtsError("url must be the http(s) address of an onetimesecret server (got %r)." % url)
        if bool(username) != bool(api_token):
            raise OtsError("username and api_token go together: set both for an account, or neither to share "
                           "anonymously.")
        self.url = url.rstrip("/")
        self.authenticated = bool(username)
        headers = {}
        if self.authenticated:
            pair = ("%s:%s" % (username, api_token)).encode("utf-8")
            headers["Authorization"] = "Basic %s" % base64.b64encode(pair).decode("ascii")
        self.http = transport or HttpTransport(self.url, timeout=timeout, validate_certs=validate_certs,
                                               ca_path=ca_path, retries=retries, headers=headers,
                                               user_agent="oneshot.secrets (ots)")

    @classmethod
    def from_options(cls, get_option):
        return cls(**dict((name, get_option(name)) for name in CONNECTION_OPTIONS))

    def close(self):
        self.http.close()

    # --- secrets ------------------------------------------------------------------------

    def share(self, secret, passphrase=None, ttl=None, recipient=None, share_domain=None):
        validate_secret_options(secret=secret, passphrase=passphrase, ttl=ttl, recipient=recipient,
                                authenticated=self.authenticated)
        form = self._form(secret=secret, passphrase=passphrase, ttl=ttl, recipient=recipient, share_domain=share_domain)
        receipt = self._call("POST", "/share", "share the secret", data=form, idempotent=False,
                             expected=_RECEIPT, if_lost=_MAY_BE_STORED)
        return self.describe(self._new_receipt(receipt, "share the secret"))

    def generate(self, passphrase=None, ttl=None, recipient=None, share_domain=None):
        """Generate a secret on the server; the result carries its `value`, which the caller asked for."""
        validate_secret_options(passphrase=passphrase, ttl=ttl, recipient=recipient, authenticated=self.authenticated)
        form = self._form(passphrase=passphrase, ttl=ttl, recipient=recipient, share_domain=share_domain)
        receipt = self._call("POST", "/generate", "generate a secret", data=form, idempotent=False,
                             expected=_RECEIPT, if_lost=_MAY_BE_STORED)
        self._new_receipt(receipt, "generate a secret")
        value = receipt.get("value")
        if value is None:
            value = receipt.get("secret_value")
        if not isinstance(value, str) or not value:
            raise OtsError("Could not generate a secret: %s answered without the generated value (a string in value); "
                           "%s." % (self.url, _MAY_BE_STORED), status=200)
        described = self.describe(receipt)
        described["value"] = value
        return described

    def retrieve(self, reference, passphrase=None):
        """Reveal a secret. This destroys it on the server: never sent twice."""
        key = key_from_reference(reference)
        form = self._form(passphrase=passphrase)
        body = self._call("POST", "/secret/%s" % key, "retrieve the secret", data=form, idempotent=False,
                          expected="the secret (a JSON object with its value)", if_lost=_DESTROYED)
        value = body.get("value")
        if not isinstance(value, str):
            raise OtsError("Could not retrieve the secret: %s answered without its value (a string); %s." % (
                self.url, _DESTROYED), status=200)
        share_domain = body.get("share_domain")
        return dict(secret_key=key, value=value, share_domain=share_domain if isinstance(share_domain, str) else None)

    def metadata(self, reference):
        key = key_from_reference(reference, what="metadata_key")
        return self.describe(self._call("GET", "/private/%s" % key, "read the receipt", expected=_RECEIPT))

    def burn(self, reference, passphrase=None):
        """Burn a secret. Returns (changed, receipt-or-None): already burned, read or gone is no change."""
        key = key_from_reference(reference, what="metadata_key")
        try:
            receipt = self.metadata(key)
        except OtsError as exc:
            if exc.status == 404 and exc.body_message in ("Unknown secret", "Not Found"):
                return False, None
            raise
        if receipt.get("state") != "new" and receipt.get("state") != "viewed":
            return False, receipt
        body = self._call("POST", "/private/%s/burn" % key, "burn the secret", data=self._form(passphrase=passphrase),
                          idempotent=True, expected="a JSON object (the burned receipt in state)")
        return True, self.describe(body.get("state") if isinstance(body.get("state"), dict) else receipt)

    def recent(self):
        if not self.authenticated:
            raise OtsError("Listing recent secrets needs an account: set username and api_token.")
        body = self._call("GET", "/private/recent", "list recent secrets", expected="a JSON list of receipts",
                          shape=list)
        return [self.describe(receipt) for receipt in body]

    def status(self):
        path = "/authcheck" if self.authenticated else "/status"
        return self._call("GET", path, "check the service status", expected="a JSON object")

    # --- shapes -------------------------------------------------------------------------

    def _new_receipt(self, receipt, action):
        """The receipt of a new secret, which must name it: without its keys there is no link to give."""
        for key in ("secret_key", "metadata_key"):
            if not _is_key(receipt.get(key)):
                raise OtsError("Could not %s: %s answered a receipt without %s (a string); %s." % (
                    action, self.url, key, _MAY_BE_STORED), status=200)
        return receipt

    def describe(self, receipt):
        """A receipt with numbers as numbers, links, expires_at, and never a secret value."""
        if not isinstance(receipt, dict):
            raise OtsError("%s answered a receipt that is not a JSON object." % self.url)
        clean = dict((k, _as_int(v) if k in NUMERIC_FIELDS else v)
                     for k, v in receipt.items() if k not in SECRET_FIELDS)
        secret_key = clean.get("secret_key") if _is_key(clean.get("secret_key")) else None
        share_domain = clean.get("share_domain") if isinstance(clean.get("share_domain"), str) else ""
        if share_domain:
            base = share_domain if share_domain.startswith(("http://", "https://")) else "https://%s" % share_domain
        else:
            base = self.url
        clean["secret_url"] = "%s/secret/%s" % (base.rstrip("/"), secret_key) if secret_key else None
        if _is_key(clean.get("metadata_key")):
            clean["metadata_url"] = "%s/private/%s" % (self.url, clean["metadata_key"])
        created, ttl = clean.get("created"), clean.get("ttl")
        if isinstance(created, int) and isinstance(ttl, int) and not isinstance(created, bool):
            try:
                expires = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=created + ttl)
                clean["expires_at"] = expires.strftime("%Y-%m-%dT%H:%M:%SZ")
            except (OverflowError, ValueError):
                pass  # a date past year 9999 is no date: left out rather than made up
        return clean

    # --- plumbing -----------------------------------------------------------------------

    @staticmethod
    def _form(**fields):
        return dict((k, str(v)) for k, v in fields.items() if v is not None and v != "")

    def _call(self, method, path, action, data=None, idempotent=None, expected=None, shape=dict, if_lost=""):
        """The JSON answer of a 200, of the shape expected; any other answer raises one sentence.

        if_lost says what became of the secret when a 200 cannot be used (stored, destroyed).
        """
        try:
            response = self.http.request(method, API + path, data=data, idempotent=idempotent)
        except ServiceError as exc:
            raise OtsError("Could not %s: %s" % (action, exc.message))
        body = json_or_none(response)
        if response.status_code == 200 and isinstance(body, shape):
            return body
        if response.status_code == 200:
            consequence = "; " + if_lost if if_lost else ""
            raise OtsError("Could not %s: %s%s." % (action, unexpected_answer(response, expected or "a JSON object"),
                                                    consequence), status=200)
        raise self._error(response, body, action)

    def _error(self, response, body, action):
        status = response.status_code
        intended = response.headers.get("X-OTS-Intended-Status")
        message = body.get("message") if isinstance(body, dict) else None
        if message is None and isinstance(body, dict):
            message = body.get("error")
        if message == "Not authorized" or intended == "401":
            text = ("authentication failed: username or api_token is not valid for %s (the v1 API answers 404 "
                    "'Not authorized'). Check OTS_USERNAME/OTS_TOKEN and url." % self.url)
        elif message == "Unknown secret":
            text = ("no such secret: it was already read, burned or expired, or the passphrase is wrong "
                    "(the v1 API answers all of these the same way)")
        elif message == "Double check that passphrase":
            text = "wrong or missing passphrase: a secret that has one needs it to be burned (option passphrase)"
        elif message and message.startswith("Rate limit exceeded"):
            text = "rate limited by %s: %s (the limit is per 20 minutes; retrying now does not help)" % (self.url, message)
        elif message == "An unexpected error occurred :[":
            text = "the server refused (too many wrong passphrases lock a secret for 30 minutes)"
        elif status == 429:
            text = "rate limited by %s (HTTP 429) after %d retries" % (self.url, self.http.retries)
        elif message:
            text = "%s (HTTP %d%s)" % (message, status, ", intended %s" % intended if intended else "")
        else:
            text = "HTTP %d from %s" % (status, self.url)
        error = OtsError("Could not %s: %s." % (action, text.rstrip(".")), status=status, body=body)
        error.body_message = message
        return error


def run_module(module, action):
    """Run action(client) for an AnsibleModule and return its result; errors become fail_json."""
    return run_module_action(module, OtsClient.from_options, action)
