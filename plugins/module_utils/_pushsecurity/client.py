# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Push Security REST API v1 client: the stolen-credentials control.

Keeps to the API's rate limit on its own (10 requests a second, burst 10) so large
submissions do not lean on 429 answers, and backs off with jitter when they come anyway.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.oneshot.secrets.plugins.module_utils._core.checks import service_url
from ansible_collections.oneshot.secrets.plugins.module_utils._core.diagnosis import describe_body, json_or_none
from ansible_collections.oneshot.secrets.plugins.module_utils._core.errors import ServiceError, term
from ansible_collections.oneshot.secrets.plugins.module_utils._core.masking import mask_secrets
from ansible_collections.oneshot.secrets.plugins.module_utils._core.options import DeclaredClient, default
from ansible_collections.oneshot.secrets.plugins.module_utils._core.pacing import Pacer
from ansible_collections.oneshot.secrets.plugins.module_utils._core.transport import HttpTransport
from ansible_collections.oneshot.secrets.plugins.module_utils._pushsecurity.errors import PushSecurityError
from ansible_collections.oneshot.secrets.plugins.module_utils._pushsecurity.options import PUSHSECURITY_CONNECTION
from ansible_collections.oneshot.secrets.plugins.module_utils._pushsecurity.spec import (
    passwords_of,
    validate_credentials,
)


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


class PushSecurityClient(DeclaredClient):
    """The stolen-credentials control over one session, paced to the API's rate limit."""

    OPTIONS = PUSHSECURITY_CONNECTION

    def __init__(self, url=DEFAULT_URL, api_key=None, rate=RATE_PER_SECOND, burst=BURST, transport=None, **options):
        """options: the transport's (timeout, validate_certs, ca_path, retries; declared defaults when not given)."""
        self.url = service_url(url, "the Push Security API", PushSecurityError)
        if not api_key:
            raise PushSecurityError("api_key is required (a Full access key for writes): set %s." % term("api_key"),
                                    code="invalid_value", option="api_key")
        # Masked in every message: the API key, and the passwords of the call (not no_log in the module).
        self._secrets = [api_key]
        # The core's one limiter, as a token bucket; 429 answers are left to the transport's retries.
        self.limiter = Pacer(rate, burst=burst - BURST_RESERVE, max_rate_limited=0)
        self.http = transport or HttpTransport(self.url, headers={"x-api-key": api_key},
                                               user_agent="oneshot.secrets (pushsecurity)", pacer=self.limiter,
                                               **self.transport_settings(options))

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
