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

from ansible_collections.oneshot.secrets.plugins.module_utils._core.checks import service_url
from ansible_collections.oneshot.secrets.plugins.module_utils._core.diagnosis import json_or_none, unexpected_answer
from ansible_collections.oneshot.secrets.plugins.module_utils._core.errors import ServiceError, term
from ansible_collections.oneshot.secrets.plugins.module_utils._core.masking import mask_secrets, refuse_secret_in_link
from ansible_collections.oneshot.secrets.plugins.module_utils._core.options import DeclaredClient, default
from ansible_collections.oneshot.secrets.plugins.module_utils._core.pool import run_all
from ansible_collections.oneshot.secrets.plugins.module_utils._core.transport import HttpTransport
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.errors import OtsError
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.options import OTS_CONNECTION
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.spec import (
    generated_value_fits,
    key_from_reference,
    validate_generate_options,
    validate_secret_options,
)


DEFAULT_URL = default(OTS_CONNECTION, "url")
API = "/api/v1"
# Parallel creates of one run: the same bound as the pwpush bulk path.
MAX_CONCURRENCY = 8
NUMERIC_FIELDS = ("ttl", "metadata_ttl", "secret_ttl", "receipt_ttl", "created", "updated", "received", "burned")
# Fields that would reveal a secret; a receipt only shows `value` for a generated secret.
SECRET_FIELDS = ("value", "secret_value")

# The fixed text around the keys in the links a result carries (secret_url, metadata_url).
_LINK_PATHS = ("/secret/", "/private/")


_RECEIPT = "a receipt (a JSON object)"
_MAY_BE_STORED = "the secret may have been stored, so it was not sent again"
_DESTROYED = "the server may have destroyed the secret already"


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


class OtsClient(DeclaredClient):
    """One keep-alive session for every call of a module or lookup run."""

    OPTIONS = OTS_CONNECTION

    def __init__(self, url=DEFAULT_URL, username=None, api_token=None, transport=None, pacer=None, masked_results=True,
                 **options):
        """options: the transport's (timeout, validate_certs, ca_path, retries; declared defaults when not given)."""
        url = service_url(url, "an onetimesecret server", OtsError)
        # The door masks no_log values in its results (Ansible): secrets it could garble are refused.
        self.masked_results = masked_results
        if bool(username) != bool(api_token):
            raise OtsError("%s and %s go together: set both for an account, or neither to share anonymously." % (
                term("username"), term("api_token")), code="invalid_value", option="username")
        self.url = url
        self.authenticated = bool(username)
        # Every secret of this client's calls, masked in its messages (lookups have no no_log to do it).
        self._secrets = set([api_token]) if api_token else set()
        headers = {}
        if self.authenticated:
            pair = ("%s:%s" % (username, api_token)).encode("utf-8")
            headers["Authorization"] = "Basic %s" % base64.b64encode(pair).decode("ascii")
        self.http = transport or HttpTransport(self.url, headers=headers, user_agent="oneshot.secrets (ots)", pacer=pacer,
                                               **self.transport_settings(options))

    def close(self):
        self.http.close()

    # --- secrets ------------------------------------------------------------------------

    def share(self, secret, passphrase=None, ttl=None, recipient=None, share_domain=None):
        validate_secret_options(secret=secret, passphrase=passphrase, ttl=ttl, recipient=recipient,
                                authenticated=self.authenticated, masked_results=self.masked_results)
        self._refuse_in_links(secret=secret, passphrase=passphrase, share_domain=share_domain)
        form = self._form(secret=secret, passphrase=passphrase, ttl=ttl, recipient=recipient, share_domain=share_domain)
        receipt = self._call("POST", "/share", "share the secret", data=form, idempotent=False,
                             expected=_RECEIPT, if_lost=_MAY_BE_STORED)
        return self.describe(self._new_receipt(receipt, "share the secret"))

    def share_all(self, shares, concurrency=1):
        """share(**fields) for every dict of `shares`, `concurrency` at a time, over this client's session.

        Every share is validated before the first request. Returns (receipts in the order of shares, failures as
        [(index, OtsError)]): every share is tried, so the caller knows which secrets exist despite a failure.
        """
        if not 1 <= int(concurrency) <= MAX_CONCURRENCY:
            raise OtsError("concurrency must be between 1 and %d (got %s)." % (MAX_CONCURRENCY, concurrency))
        for fields in shares:
            validate_secret_options(authenticated=self.authenticated, masked_results=self.masked_results, **fields)
        return run_all(lambda index: self.share(**shares[index]), len(shares), int(concurrency), OtsError)

    def generate(self, passphrase=None, ttl=None, recipient=None, share_domain=None, length=None,
                 character_sets=None):
        """Generate a secret on the server; the result carries its `value`, which the caller asked for.

        `character_sets` goes in a JSON body: a form sends strings, and Ruby takes "false" for true, so a form
        cannot turn a set off. Servers before v0.24 do not read JSON bodies on API v1: the answer is checked,
        and a secret made without what was asked (passphrase, length, sets) is burned at once.
        """
        validate_secret_options(passphrase=passphrase, ttl=ttl, recipient=recipient, authenticated=self.authenticated,
                                masked_results=self.masked_results)
        self._refuse_in_links(passphrase=passphrase, share_domain=share_domain)
        sets = validate_generate_options(length=length, character_sets=character_sets)
        form = self._form(passphrase=passphrase, ttl=ttl, recipient=recipient, share_domain=share_domain,
                          length=length)
        if sets is None:
            receipt = self._call("POST", "/generate", "generate a secret", data=form, idempotent=False,
                                 expected=_RECEIPT, if_lost=_MAY_BE_STORED)
        else:
            body = dict(form, character_sets=sets)
            if length is not None:
                body["length"] = int(length)
            receipt = self._call("POST", "/generate", "generate a secret", json=body, idempotent=False,
                                 expected=_RECEIPT, if_lost=_MAY_BE_STORED)
        self._new_receipt(receipt, "generate a secret")
        value = receipt.get("value")
        if value is None:
            value = receipt.get("secret_value")
        if not isinstance(value, str) or not value:
            raise OtsError("Could not generate a secret: %s answered without the generated value (a string in value); "
                           "%s." % (self.url, _MAY_BE_STORED), status=200)
        if sets is not None and (not generated_value_fits(value, length, sets)
                                 or bool(receipt.get("passphrase_required")) != bool(passphrase)):
            self._burn_quietly(receipt.get("metadata_key"))
            raise OtsError("Could not generate a secret with character_sets: %s ignored the JSON request body "
                           "(onetimesecret before v0.24 reads only forms on API v1), so the secret did not have what "
                           "was asked; it was burned. Omit character_sets for this server." % self.url)
        described = self.describe(receipt)
        described["value"] = value
        return described

    def _burn_quietly(self, metadata_key):
        try:
            if metadata_key:
                self._call("POST", "/private/%s/burn" % metadata_key, "burn the secret", idempotent=True)
        except OtsError:
            pass  # the error raised next says what happened; the secret expires on its own

    def retrieve(self, reference, passphrase=None):
        """Reveal a secret. This destroys it on the server: never sent twice."""
        key = key_from_reference(reference)
        if passphrase:
            self._secrets.add(passphrase)
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
            raise OtsError("Listing recent secrets needs an account: set %s and %s." % (term("username"), term("api_token")),
                           code="account_required", option="username")
        body = self._call("GET", "/private/recent", "list recent secrets", expected="a JSON list of receipts",
                          shape=list)
        return [self.describe(receipt) for receipt in body]

    def status(self):
        path = "/authcheck" if self.authenticated else "/status"
        return self._call("GET", path, "check the service status", expected="a JSON object")

    def _refuse_in_links(self, share_domain=None, **secrets):
        """Refuse a secret that Ansible's masking would find in the links of the result; remember it for messages."""
        bases = [self.url]
        if share_domain:
            bases.append(share_domain if share_domain.startswith(("http://", "https://")) else "https://%s" % share_domain)
        for option, value in secrets.items():
            if value:
                self._secrets.add(value)
                refuse_secret_in_link(option, value, [base.rstrip("/") + path for base in bases for path in _LINK_PATHS],
                                      error=OtsError, masked_results=self.masked_results)

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
        # The server's own receipt link carries its public host and scheme and the current /receipt/ path;
        # servers before v0.24 send none, and their receipt page is /private/KEY.
        server_link = clean.get("metadata_url") or clean.get("receipt_url")
        if not isinstance(server_link, str):
            server_link = None
        if _is_key(clean.get("metadata_key")) and not re.match(r"^https?://", server_link or ""):
            clean["metadata_url"] = "%s/private/%s" % (self.url, clean["metadata_key"])
        elif server_link:
            clean["metadata_url"] = server_link
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

    def _call(self, method, path, action, data=None, idempotent=None, json=None, expected=None, shape=dict,
              if_lost=""):
        """The JSON answer of a 200, of the shape expected; any other answer raises one sentence.

        if_lost says what became of the secret when a 200 cannot be used (stored, destroyed).
        """
        try:
            if json is not None:
                response = self.http.request(method, API + path, json=json, idempotent=idempotent)
            else:
                response = self.http.request(method, API + path, data=data, idempotent=idempotent)
        except ServiceError as exc:
            raise OtsError.rewording(exc, "Could not %s: %s" % (action, exc.message))
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
        # The server's own words may echo what it was sent: quoted only with every secret of the call masked.
        shown = mask_secrets(message, tuple(self._secrets)) if message is not None else None
        if message == "Not authorized" or intended == "401":
            text = ("authentication failed: %s or %s is not valid for %s (the v1 API answers 404 'Not authorized'). "
                    "Check them and %s." % (term("username"), term("api_token"), self.url, term("url")))
        elif message == "Unknown secret":
            text = ("no such secret: it was already read, burned or expired, or the passphrase is wrong "
                    "(the v1 API answers all of these the same way)")
        elif message == "Double check that passphrase":
            text = "wrong or missing passphrase: a secret that has one needs it to be burned (option passphrase)"
        elif message and message.startswith("Rate limit exceeded") and status != 429:
            # The 20-minute limit answers 404 (intended 400); a 429 is a short throttle the transport already retried.
            text = "rate limited by %s: %s (the limit is per 20 minutes; retrying now does not help)" % (self.url, shown)
        elif message == "An unexpected error occurred :[":
            text = "the server refused (too many wrong passphrases lock a secret for 30 minutes)"
        elif status == 429:
            text = "rate limited by %s (HTTP 429) after %d retries" % (self.url, self.http.retries)
        elif message:
            text = "%s (HTTP %d%s)" % (shown, status, ", intended %s" % intended if intended else "")
        else:
            text = "HTTP %d from %s" % (status, self.url)
        concerns = dict(code="bad_credentials", option="api_token") if term("api_token") in text else {}
        error = OtsError("Could not %s: %s." % (action, text.rstrip(".")), status=status, body=body, **concerns)
        error.body_message = message
        return error
