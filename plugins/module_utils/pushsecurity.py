# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Push Security REST API v1 client: the stolen-credentials control.

Keeps to the API's rate limit on its own (10 requests a second, burst 10) so large
submissions do not lean on 429 answers, and backs off with jitter when they come anyway.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re
import threading
import time

from ansible_collections.oneshot.secrets.plugins.module_utils._options import PUSHSECURITY_CONNECTION, argument_spec, default, names
from ansible_collections.oneshot.secrets.plugins.module_utils._http import (
    HttpTransport,
    ServiceError,
    describe_body,
    json_or_none,
    run_module_action,
)
from ansible_collections.oneshot.secrets.plugins.module_utils._guards import is_email, mask_secrets, service_url
from ansible_collections.oneshot.secrets.plugins.module_utils.csv_rows import CsvError, rows_from_csv

DEFAULT_URL = default(PUSHSECURITY_CONNECTION, "url")
STOLEN_CREDENTIALS_PATH = "/v1/controls/stolenCredentials"
MAX_BATCH = 500
# The API allows 10 requests a second with a burst of 10. The client paces itself 5% below that and keeps
# half a request of the burst in reserve, so network jitter between its clock and the API's does not turn
# the request after the burst into a 429 (each request opens a connection: success answers are closed unread).
RATE_PER_SECOND = 9.5
BURST = 10
# Half a request of the burst kept in reserve: a request right after the first burst met a 429 now and then.
BURST_RESERVE = 0.5


class PushSecurityError(ServiceError):
    """A Push Security failure, phrased for the user."""

    OPTIONS = PUSHSECURITY_CONNECTION


def connection_argument_spec():
    """Connection options of every Push Security module (declared in _options.py, documented in doc_fragments/pushsecurity.py)."""
    return argument_spec(PUSHSECURITY_CONNECTION)


CONNECTION_OPTIONS = names(PUSHSECURITY_CONNECTION)


class TokenBucket:
    """Client-side limiter: at most `rate` requests a second on average, `burst` at once."""

    def __init__(self, rate=RATE_PER_SECOND, burst=BURST, clock=time.monotonic, sleep=time.sleep):
        self.rate = float(rate)
        self.capacity = float(burst)
        self.tokens = float(burst)
        self.clock = clock
        self.sleep = sleep
        self.updated = clock()
        self.lock = threading.Lock()

    def acquire(self):
        with self.lock:
            while True:
                now = self.clock()
                self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
                self.updated = now
                if self.tokens >= 1 - 1e-9:  # float rounding must not leave us a hair short forever
                    self.tokens = max(0.0, self.tokens - 1)
                    return
                self.sleep(max((1 - self.tokens) / self.rate, 0.001))


def passwords_of(credentials):
    """Every password string among the items, to mask in messages (the module keeps them out of no_log_values)."""
    if not isinstance(credentials, list):
        return []
    return [item["password"] for item in credentials
            if isinstance(item, dict) and isinstance(item.get("password"), str) and item["password"]]


def validate_credentials(credentials, name="credentials"):
    """Check every item before anything is sent; messages name the item, never its password.

    An email that fails the check is not quoted: an `email:password` cell would put a password there.
    Whatever else a message quotes is masked with every password of the list.
    """
    if not isinstance(credentials, list):
        raise PushSecurityError("%s must be a list of {email, password, metadata} items." % name)
    allowed = frozenset(("email", "password", "metadata"))

    def refuse(message):
        raise PushSecurityError(mask_secrets(message, passwords_of(credentials)))

    for index, item in enumerate(credentials):
        where = "%s[%d]" % (name, index)
        if not isinstance(item, dict):
            refuse("%s must be a dict with email and password." % where)
        unknown = set(item) - allowed
        if unknown:
            refuse("%s has unknown keys: %s (allowed: email, password, metadata)." % (
                where, ", ".join(sorted(unknown))))
        email = item.get("email")
        if not is_email(email):
            hint = ""
            if isinstance(email, str) and ":" in email:
                hint = " (it holds a ':' - an email:password row goes in two columns, email and password)"
            refuse("%s.email is not an email address%s; the value is not shown, it may hold a password." % (where, hint))
        password = item.get("password")
        if not isinstance(password, str) or password == "":
            refuse("%s.password (for %s) must be a non-empty string." % (where, email))
        metadata = item.get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            refuse("%s.metadata (for %s) must be a dict or null." % (where, email))


def load_credentials_file(path):
    """Read a threat-intel export: a JSON list of {email, password, metadata} items, or CSV with a header
    naming email and password (other columns become each item's metadata). JSON when the first non-blank
    character is '[' or '{'. Errors name the file and the line, never a cell."""
    try:
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8-sig")
    except (IOError, OSError) as exc:
        raise PushSecurityError("src: cannot read %s: %s." % (path, exc.strerror or exc))
    except UnicodeDecodeError as exc:
        raise PushSecurityError("src: %s is not UTF-8 text (byte %d)." % (path, exc.start))
    if text.lstrip()[:1] in ("[", "{"):
        try:
            items = json.loads(text)
        except ValueError as exc:
            # json's message gives the position only ("Expecting ',' delimiter: line 3 column 5 (char 40)").
            raise PushSecurityError("src: %s is not a valid JSON list: %s." % (path, exc))
    else:
        try:
            items = rows_from_csv(text, keep=("email", "password"), rest_into="metadata",
                                  required=("email", "password"))
        except CsvError as exc:
            raise PushSecurityError("src: %s: %s." % (path, exc))
        for item in items:
            if not item["metadata"]:
                del item["metadata"]
    validate_credentials(items, name="src")
    return items


def passwords_shown_in(texts, passwords):
    """The passwords that occur inside any of texts (e.g. the returned emails), to keep masking those.

    Linear in the number of texts: every substring of each text whose length is that of some password is
    looked up in a set, instead of searching every text for every password.
    """
    lengths = sorted(set(len(password) for password in passwords))
    wanted = set(passwords)
    shown = set()
    for text in texts:
        size = len(text)
        for length in lengths:
            if length > size:
                break
            for start in range(size - length + 1):
                piece = text[start:start + length]
                if piece in wanted:
                    shown.add(piece)
    return shown


class PushSecurityClient:
    def __init__(self, url=DEFAULT_URL, api_key=None, timeout=30, validate_certs=True, ca_path=None, retries=5,
                 rate=RATE_PER_SECOND, burst=BURST, transport=None):
        self.url = service_url(url, "the Push Security API", PushSecurityError)
        if not api_key:
            raise PushSecurityError("api_key is required (a Full access key for writes): set {api_key}.",
                                    code="invalid_value", option="api_key")
        # Masked in every message: the API key, and the passwords of the call (not no_log in the module).
        self._secrets = [api_key]
        self.limiter = TokenBucket(rate, burst - BURST_RESERVE)
        self.http = transport or HttpTransport(self.url, timeout=timeout, validate_certs=validate_certs,
                                               ca_path=ca_path, retries=retries, headers={"x-api-key": api_key},
                                               user_agent="oneshot.secrets (pushsecurity)",
                                               before_request=self.limiter.acquire)

    @classmethod
    def from_options(cls, get_option):
        return cls(**dict((name, get_option(name)) for name in CONNECTION_OPTIONS))

    def close(self):
        self.http.close()

    def add_stolen_credentials(self, credentials, batch_size=MAX_BATCH, dry_run=False, name="credentials"):
        """Send credentials in batches of at most 500. Returns counts and emails, never a password.

        The one place where the items and batch_size are checked: every item before the first batch is sent,
        and before anything is counted with dry_run=True (check mode), which sends nothing. `name` is the
        option the items came from, for the messages (credentials[3], src[3]).
        """
        validate_credentials(credentials, name=name)
        if not isinstance(batch_size, int) or not 1 <= batch_size <= MAX_BATCH:
            raise PushSecurityError("batch_size must be between 1 and %d (the API's limit), got %s." % (
                MAX_BATCH, batch_size))
        batches = [credentials[start:start + batch_size] for start in range(0, len(credentials), batch_size)]
        if dry_run:
            return dict(submitted=len(credentials), batches=len(batches),
                        emails=[item["email"] for item in credentials])
        self._secrets = self._secrets[:1] + passwords_of(credentials)
        submitted = 0
        for number, batch in enumerate(batches, 1):
            body = [dict(email=item["email"], password=item["password"], metadata=item.get("metadata"))
                    for item in batch]
            try:
                self._call("POST", "add stolen credentials", json=body, idempotent=False)
            except PushSecurityError as exc:
                if len(batches) == 1:
                    raise
                raise PushSecurityError("%s Batch %d of %d failed; %d credential(s) in %d earlier batch(es) were "
                                        "submitted." % (exc.message, number, len(batches), submitted, number - 1),
                                        status=exc.status)
            submitted += len(batch)
        return dict(submitted=submitted, batches=len(batches), emails=[item["email"] for item in credentials])

    def delete_all_stolen_credentials(self):
        self._call("DELETE", "delete all stolen credentials", idempotent=True)

    def _call(self, method, action, **kwargs):
        try:
            # A success body is never read (its connection is closed unread): the API echoes every submitted
            # password in it.
            response = self.http.request(method, STOLEN_CREDENTIALS_PATH, read_success_body=False, **kwargs)
        except ServiceError as exc:
            raise PushSecurityError.rewording(exc, "Could not %s: %s" % (action, exc.message))
        if not 200 <= response.status_code < 300:
            raise self._error(response, action)

    def _error(self, response, action):
        status = response.status_code
        body = json_or_none(response)
        detail = ""
        if isinstance(body, dict):
            detail = str(body.get("message") or body.get("error") or body.get("detail") or "")
        elif body is None and response.content.strip()[:1] in (b"<", b"[", b"{"):
            detail = describe_body(response)  # a proxy's HTML page or broken JSON: named, not quoted
        elif response.text:
            detail = response.text.strip()
        # A 400 answer may echo submitted items in any quoting: mask every password of the call, then cut.
        detail = mask_secrets(_without_passwords(detail), self._secrets, limit=200)
        if status == 401:
            text = "the API key is not valid (HTTP 401); check api_key / PUSHSECURITY_API_KEY"
        elif status == 403:
            text = ("the API key may not do this (HTTP 403): writes need a Full access key, this one looks "
                    "Read only")
        elif status == 400:
            text = "the API rejected the request (HTTP 400): %s" % (detail or "bad request")
        elif status == 429:
            text = "rate limited (HTTP 429) after %d retries" % self.http.retries
        else:
            text = "HTTP %d from %s%s" % (status, self.url, ": %s" % detail if detail else "")
        # Only the API's own message is quoted: a 400 answer could echo a submitted item.
        return PushSecurityError("Could not %s: %s." % (action, text), status=status)


def _without_passwords(text):
    """Mask "password": "..." and 'password': '...' values, escaped quotes included, whoever's they are."""
    text = re.sub(r'("password"\s*:\s*")(?:[^"\\]|\\.)*(")', r"\1********\2", text)
    return re.sub(r"('password'\s*:\s*')(?:[^'\\]|\\.)*(')", r"\1********\2", text)


def run_module(module, action):
    """Run action(client) for an AnsibleModule and return its result; errors become fail_json."""
    return run_module_action(module, PushSecurityClient.from_options, action)
