# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Transport shared by the service clients: one keep-alive session, timeouts,
TLS options and a retry policy that never re-sends a create that may be stored.

Every attempt is bounded: `timeout` is a deadline for the whole attempt (connect, headers and
body), enforced by a watchdog thread that cuts the connection when it passes, and an answer is
read as a stream that stops at a size cap. Nothing here knows a service's paths; each service's
client builds on it. What went wrong is worded by diagnosis.py.

A caller that must stop (the Terraform provider on Ctrl-C) calls HttpTransport.cancel(): the attempts in
flight are cut as at their deadline, the waits between attempts end, and every request fails with
ServiceError code CANCELLED instead of being sent.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import email.utils
import os
import random
import ssl
import threading
import time

from ansible_collections.oneshot.secrets.plugins.module_utils._core.errors import OptionError, ServiceError
from ansible_collections.oneshot.secrets.plugins.module_utils._core.options import TRANSPORT_OPTIONS
from ansible_collections.oneshot.secrets.plugins.module_utils._core.values import check_number, describe_range

try:
    import requests

    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
    _Session = requests.Session
except ImportError as exc:  # pragma: no cover - depends on the target's Python
    requests = None
    _Session = object
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

from ansible_collections.oneshot.secrets.plugins.module_utils._core.bounded import (
    MAX_JSON_BYTES,
    AttemptFailed,
    DeadlineAdapter,
    Watchdog,
    current_attempt,
    read_body,
    set_body,
)
from ansible_collections.oneshot.secrets.plugins.module_utils._core.diagnosis import classify

RETRYABLE_STATUS = frozenset((429, 500, 502, 503, 504))
INSECURE_WARNING = ("validate_certs is false: the server's TLS certificate is not checked, so anyone on the path can "
                    "read the secrets. Use ca_path for a private CA instead.")
MAX_RETRY_AFTER = 120.0
# ServiceError.code of a request ended or refused by HttpTransport.cancel().
CANCELLED = "cancelled"


def retry_after_seconds(response, now=None):
    """Seconds a 429/503 answer asks us to wait, or None when it does not say."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


def backoff_seconds(attempt, base=0.5, cap=30.0):
    """Exponential backoff with jitter: about base * 2**attempt, never above cap."""
    delay = min(cap, base * (2 ** attempt))
    return delay / 2.0 + random.uniform(0, delay / 2.0)


class _NoNetrcAuth(object):
    """Session-wide auth that changes nothing: its presence alone keeps requests from reading ~/.netrc."""

    def __call__(self, prepared_request):
        return prepared_request


class SessionWithoutNetrc(_Session):
    """trust_env for proxies and CA bundles, never for ~/.netrc: requests would replace the Authorization
    header (Bearer token, OTS Basic) by the netrc's Basic credentials and send those to the server."""

    def __init__(self):
        super(SessionWithoutNetrc, self).__init__()
        self.trust_env = True
        # requests consults netrc only when neither the request nor the session has auth.
        self.auth = _NoNetrcAuth()

    def rebuild_auth(self, prepared_request, response):
        """On a redirect: strip Authorization when the host changes (as requests does), add nothing from netrc."""
        headers = prepared_request.headers
        if "Authorization" in headers and self.should_strip_auth(response.request.url, prepared_request.url):
            del headers["Authorization"]


class HttpTransport:
    """A requests session with the retry rules every client in this collection follows.

    - 429 is retried for every method (the server refused the request, nothing was stored),
      waiting for Retry-After when the server sends it.
    - 5xx, timeouts and dropped connections (before or during the answer) are retried only for
      idempotent requests: a create (POST) that failed that way may have been stored, so it is
      reported instead.
    - A connection that could not be opened at all is retried for every method.
    - With a pacer (pacing.Pacer, for bulk runs), a 429 holds every thread of the client for its Retry-After and
      is sent again up to pacer.max_rate_limited times, not counted in `retries`; the pacer also spaces attempts.
    """

    def __init__(self, base_url, timeout=30, validate_certs=True, ca_path=None, retries=3,
                 headers=None, user_agent="oneshot.secrets", sleep=None, pool_size=10,
                 pacer=None, read_only=False):
        if not HAS_REQUESTS:
            raise ServiceError("The Python library 'requests' is required on the host that runs this plugin "
                               "(pip install requests): %s" % REQUESTS_IMPORT_ERROR)
        self.base_url = base_url.rstrip("/")
        # The transport's own options are checked here, so every door (module, lookup, Terraform) refuses alike.
        self.timeout = _positive_seconds(check_number("timeout", timeout, TRANSPORT_OPTIONS["timeout"]))
        self.retries = max(0, int(check_number("retries", retries, TRANSPORT_OPTIONS["retries"])))
        # Set by cancel(). The default wait between attempts is on it, so cancel() ends a wait at once.
        self._cancelled = threading.Event()
        self.sleep = sleep or self._cancelled.wait
        self._in_flight = set()  # the watches of the attempts running now, for cancel() to cut
        self._in_flight_lock = threading.Lock()
        # Check mode, enforced here for every door: only reads go out (a client refuses a read that spends a view).
        self.read_only = read_only
        # The one client-side rate limiter (pacing.Pacer), asked before every attempt (retries too) and shared by
        # the threads of a bulk run: keeps the attempts to a rate and, unless told not to, waits out every 429 for all.
        self.pacer = pacer
        self.session = SessionWithoutNetrc()
        self.watchdog = Watchdog()
        adapter = DeadlineAdapter(pool_connections=1, pool_maxsize=pool_size, max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["User-Agent"] = user_agent
        self.session.headers["Accept"] = "application/json"
        if headers:
            self.session.headers.update(headers)
        # ca_path wins over the default bundle; validate_certs=false turns checking off.
        if validate_certs and ca_path:
            _check_ca_path(ca_path)
        self.verify = (ca_path or True) if validate_certs else False
        self.session.verify = self.verify
        if not validate_certs:
            # The modules and lookups warn once in Ansible's own way; urllib3's per-request warning would go
            # straight to stderr.
            requests.packages.urllib3.disable_warnings(requests.packages.urllib3.exceptions.InsecureRequestWarning)

    def close(self):
        self.watchdog.close()
        self.session.close()

    def cancel(self):
        """End this transport's requests for good, from any thread: each attempt in flight is cut now as at its
        deadline, a wait between attempts ends, and every request fails with ServiceError code CANCELLED, sent or
        not (a create that was sent may have been stored). A connection still being opened ends at its timeout."""
        self._cancelled.set()
        with self._in_flight_lock:
            watches = list(self._in_flight)
        for watch in watches:
            watch.deadline = time.monotonic()
            watch.cut()
        # start() wakes the watchdog, which then cuts those attempts again until they end: a connection that was
        # being opened during the first cut had no socket to shut down yet.
        self.watchdog.finish(self.watchdog.start(0))

    @property
    def cancelled(self):
        return self._cancelled.is_set()

    def url_for(self, path):
        """base_url + path; a full http(s) URL (a download link the server gave) is used as it is."""
        if path.startswith(("http://", "https://")):
            return path
        return self.base_url + path

    def request(self, method, path, idempotent=None, allow_redirects=False, max_bytes=MAX_JSON_BYTES,
                read_success_body=True, sink=None, **kwargs):
        """Send one logical request, retrying under the rules above. Returns the response, its body read.

        Each attempt must be complete (connect, headers, body) within `timeout` seconds (kwargs may give
        another for one call); the waits between attempts come on top. At most `max_bytes` of the body are
        read (an answer announcing or sending more fails); with `sink`, the body is handed to sink(chunk)
        as it arrives instead of being kept (downloads). read_success_body=False closes a 2xx answer
        unread (an answer that echoes secrets), so its body never reaches this process.
        """
        if self.read_only and method.upper() not in ("GET", "HEAD"):
            # A door forgot its check mode: nothing is sent rather than something changed.
            raise ServiceError("%s %s was not sent: check mode changes nothing on the server." % (
                method.upper(), path), code="check_mode")
        if idempotent is None:
            idempotent = method.upper() in ("GET", "HEAD", "DELETE", "PUT", "OPTIONS")
        timeout = _positive_seconds(kwargs.pop("timeout", self.timeout))
        # Given per request: requests lets REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE override the session's own setting.
        kwargs.setdefault("verify", self.verify)
        started = time.monotonic()
        attempt = 0
        rate_limited = 0  # 429 answers waited out through the pacer (not counted in retries)
        delayed = False
        try:
            while True:
                if self.pacer is not None and self.pacer.wait():
                    delayed = True
                if self.cancelled:
                    raise self._cancelled_error(idempotent, in_flight=False, again=attempt + rate_limited > 0)
                try:
                    response = self._attempt(method, path, timeout, max_bytes, read_success_body, sink,
                                             allow_redirects, kwargs)
                except AttemptFailed as failure:
                    if self.cancelled:
                        raise self._cancelled_error(idempotent, in_flight=True)
                    # A sink may hold part of a body already: a download is not started again behind its back.
                    retry = attempt < self.retries and (
                        failure.kind in ("never_opened", "connect_timeout")
                        or (idempotent and failure.kind in ("deadline", "broken")
                            and not (sink is not None and failure.answered)))
                    if retry:
                        self.sleep(backoff_seconds(attempt))
                        attempt += 1
                        continue
                    # no_answer: the server at url gave no (usable) answer, whatever was asked of it.
                    error = ServiceError(self._failure_message(failure, idempotent, timeout, attempt + 1,
                                                               time.monotonic() - started), code="no_answer")
                    error.kind = failure.kind
                    raise error

                status = response.status_code
                wait = retry_after_seconds(response) if status in RETRYABLE_STATUS else None
                if status == 429 and self.pacer is not None and rate_limited < self.pacer.max_rate_limited:
                    # Refused, not processed: every thread of the client waits, then it is sent again (any method).
                    self.pacer.hold(min(backoff_seconds(rate_limited) if wait is None else wait, MAX_RETRY_AFTER))
                    rate_limited += 1
                    delayed = True
                    continue
                if status in RETRYABLE_STATUS and attempt < self.retries and (status == 429 or idempotent):
                    self.sleep(min(backoff_seconds(attempt) if wait is None else wait, MAX_RETRY_AFTER))
                    attempt += 1
                    continue
                return response
        finally:
            if delayed:
                self.pacer.count_paced()

    def _cancelled_error(self, idempotent, in_flight, again=False):
        if not in_flight:  # before an attempt: a create retried so far was refused, not stored
            message = "A request to %s was cancelled before it was sent%s." % (self.base_url, " again" if again else "")
        else:
            message = "A request to %s was cancelled before its answer came.%s" % (
                self.base_url, "" if idempotent else " It may have been stored by the server.")
        return ServiceError(message, code=CANCELLED)

    def _attempt(self, method, path, timeout, max_bytes, read_success_body, sink, allow_redirects, kwargs):
        """One attempt within its deadline: the response with its body read, or AttemptFailed."""
        watch = self.watchdog.start(timeout)
        with self._in_flight_lock:
            self._in_flight.add(watch)
        if self.cancelled:  # cancel() came after request() looked and before this attempt was in flight
            self._end_attempt(watch)
            raise AttemptFailed("deadline")
        current_attempt.watch = watch
        response = None
        try:
            try:
                response = self.session.request(method, self.url_for(path), allow_redirects=allow_redirects,
                                                timeout=timeout, stream=True, **kwargs)
            finally:
                current_attempt.watch = None
            if watch.expired:
                # Cut while the headers came: http.client takes the end of the stream for their end.
                raise AttemptFailed("deadline")
            success = 200 <= response.status_code < 300
            if success and not read_success_body:
                response.close()
                set_body(response, b"")
            elif success:
                read_body(response, watch, max_bytes, sink)
            else:
                # An error answer is kept for its message, never handed to a sink (a download's file).
                read_body(response, watch, MAX_JSON_BYTES)
            return response
        except requests.exceptions.RequestException as exc:
            failure = classify(exc, watch, self.base_url)
        except OSError as exc:
            if response is None and "certificate bundle" in str(exc):
                # requests checks the CA bundle (ca_path, REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE) itself.
                failure = AttemptFailed("other", "The CA bundle to verify %s with does not exist (check "
                                                 "REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE)." % self.base_url)
            else:
                failure = AttemptFailed("deadline" if watch.expired else "broken")
        except AttemptFailed as exc:
            failure = exc
        finally:
            self._end_attempt(watch)
        if response is not None:
            failure.answered = True  # the server did process the request: it answered
            response.close()
        raise failure

    def _end_attempt(self, watch):
        self.watchdog.finish(watch)
        with self._in_flight_lock:
            self._in_flight.discard(watch)

    def _failure_message(self, failure, idempotent, timeout, attempts, elapsed):
        url = self.base_url
        maybe_stored = "" if idempotent else (" The request may have been stored by the server; it was not sent "
                                              "again to avoid a duplicate.")
        if failure.kind == "never_opened":
            return "Could not connect to %s: is the url right and the server up?" % url
        if failure.kind == "connect_timeout":
            return "Timed out connecting to %s after %d attempt(s)." % (url, attempts)
        if failure.kind == "deadline":
            return "%s gave no complete answer within %s s (timeout), %d attempt(s) in %.1f s.%s" % (
                url, _seconds(timeout), attempts, elapsed, maybe_stored)
        if failure.kind == "broken":
            what = "during its answer" if failure.answered else "during the request"
            if idempotent:
                return "The connection to %s broke %s, %d attempt(s) in %.1f s." % (url, what, attempts, elapsed)
            return ("The connection to %s broke %s; it may have been stored by the server and was not sent again "
                    "to avoid a duplicate." % (url, what))
        if failure.kind == "too_big":
            return "%s%s" % (failure.message, maybe_stored)
        return failure.message


def _positive_seconds(value):
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = 0.0
    if not seconds > 0:
        raise OptionError("timeout", "timeout must be a number %s (got %r)." % (
            describe_range(TRANSPORT_OPTIONS["timeout"]), value))
    return seconds


def _seconds(value):
    """30.0 -> '30', 0.5 -> '0.5'."""
    return ("%.3f" % value).rstrip("0").rstrip(".")


def _check_ca_path(ca_path):
    """A missing or unreadable ca_path in one sentence, before requests' OSError text could say it."""
    if not os.path.exists(ca_path):
        raise ServiceError("ca_path %s does not exist: give the PEM file (or directory) of the CA that signed the "
                           "server's certificate." % ca_path)
    if not os.access(ca_path, os.R_OK):
        raise ServiceError("ca_path %s is not readable by this user." % ca_path)
    try:
        if os.path.isdir(ca_path):
            ssl.create_default_context(capath=ca_path)
        else:
            ssl.create_default_context(cafile=ca_path)
    except (ssl.SSLError, ValueError, IOError, OSError):
        raise ServiceError("ca_path %s holds no PEM certificate: give the CA bundle (-----BEGIN CERTIFICATE-----) "
                           "that signed the server's certificate." % ca_path)
