# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Transport shared by the service clients: one keep-alive session, timeouts,
TLS options and a retry policy that never re-sends a create that may be stored.

Nothing here knows a service's paths; each client in this folder builds on it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import email.utils
import random
import time

try:
    import requests
    from requests.adapters import HTTPAdapter

    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
    _Session = requests.Session
except ImportError as exc:  # pragma: no cover - depends on the target's Python
    requests = None
    HTTPAdapter = object
    _Session = object
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

RETRYABLE_STATUS = frozenset((429, 500, 502, 503, 504))
INSECURE_WARNING = ("validate_certs is false: the server's TLS certificate is not checked, so anyone on the path can "
                    "read the secrets. Use ca_path for a private CA instead.")
MAX_RETRY_AFTER = 120.0


class ServiceError(Exception):
    """A failure worth one clear sentence to the user; never carries a secret."""

    def __init__(self, message, status=None, body=None):
        super(ServiceError, self).__init__(message)
        self.message = message
        self.status = status
        self.body = body


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
    - 5xx, read timeouts and dropped connections are retried only for idempotent requests:
      a create (POST) that failed that way may have been stored, so it is reported instead.
    - A connection that could not be opened at all is retried for every method.
    """

    def __init__(self, base_url, timeout=30, validate_certs=True, ca_path=None, retries=3,
                 headers=None, user_agent="oneshot.secrets", sleep=time.sleep, pool_size=10, before_request=None):
        if not HAS_REQUESTS:
            raise ServiceError("The Python library 'requests' is required on the host that runs this plugin "
                               "(pip install requests): %s" % REQUESTS_IMPORT_ERROR)
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retries = max(0, int(retries))
        self.sleep = sleep
        # Called before every attempt (retries too): a client-side rate limiter hooks in here.
        self.before_request = before_request
        self.session = SessionWithoutNetrc()
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=pool_size, max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["User-Agent"] = user_agent
        self.session.headers["Accept"] = "application/json"
        if headers:
            self.session.headers.update(headers)
        # ca_path wins over the default bundle; validate_certs=false turns checking off.
        self.verify = (ca_path or True) if validate_certs else False
        self.session.verify = self.verify
        if not validate_certs:
            # The modules and lookups warn once in Ansible's own way; urllib3's per-request warning would go
            # straight to stderr.
            requests.packages.urllib3.disable_warnings(requests.packages.urllib3.exceptions.InsecureRequestWarning)

    def close(self):
        self.session.close()

    def url_for(self, path):
        return self.base_url + path

    def request(self, method, path, idempotent=None, allow_redirects=False, **kwargs):
        """Send one logical request, retrying under the rules above. Returns the response."""
        if idempotent is None:
            idempotent = method.upper() in ("GET", "HEAD", "DELETE", "PUT", "OPTIONS")
        kwargs.setdefault("timeout", self.timeout)
        # Given per request: requests lets REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE override the session's own setting.
        kwargs.setdefault("verify", self.verify)
        attempt = 0
        while True:
            if self.before_request is not None:
                self.before_request()
            try:
                response = self.session.request(method, self.url_for(path),
                                                allow_redirects=allow_redirects, **kwargs)
            except requests.exceptions.SSLError:
                raise ServiceError("TLS verification failed for %s: the certificate is not trusted. "
                                   "Set ca_path to the CA bundle that signed it, or validate_certs=false "
                                   "for a throwaway test server." % self.base_url)
            except requests.exceptions.ConnectTimeout:
                if attempt < self.retries:
                    self.sleep(backoff_seconds(attempt))
                    attempt += 1
                    continue
                raise ServiceError("Timed out connecting to %s after %d attempt(s)." % (self.base_url, attempt + 1))
            except requests.exceptions.ReadTimeout:
                if idempotent and attempt < self.retries:
                    self.sleep(backoff_seconds(attempt))
                    attempt += 1
                    continue
                hint = "" if idempotent else (" The request may have been stored by the server; it was not sent "
                                              "again to avoid a duplicate.")
                raise ServiceError("%s answered nothing within %s seconds (timeout).%s" % (self.base_url, self.timeout, hint))
            except requests.exceptions.ConnectionError as exc:
                never_sent = _connection_never_opened(exc)
                if (idempotent or never_sent) and attempt < self.retries:
                    self.sleep(backoff_seconds(attempt))
                    attempt += 1
                    continue
                if never_sent:
                    raise ServiceError("Could not connect to %s: is the url right and the server up?" % self.base_url)
                raise ServiceError("The connection to %s broke during the request; it may have been stored by the "
                                   "server and was not sent again to avoid a duplicate." % self.base_url)
            except requests.exceptions.RequestException as exc:
                # Messages of requests may quote the full URL with its query; name only the type.
                raise ServiceError("Request to %s failed (%s)." % (self.base_url, type(exc).__name__))

            status = response.status_code
            if status in RETRYABLE_STATUS and attempt < self.retries and (status == 429 or idempotent):
                wait = retry_after_seconds(response)
                if wait is None:
                    wait = backoff_seconds(attempt)
                self.sleep(min(wait, MAX_RETRY_AFTER))
                attempt += 1
                continue
            return response


def _connection_never_opened(exc):
    """True when the TCP/TLS connection was refused or unresolvable, so nothing reached the server."""
    text = repr(exc.args[0]) if exc.args else ""
    for marker in ("NewConnectionError", "NameResolutionError", "Failed to resolve", "Connection refused"):
        if marker in text:
            return True
    return False


def json_or_none(response):
    """The decoded JSON body, or None for an empty or non-JSON body."""
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def run_module_action(module, client_factory, action):
    """Build a client from the module's params, run action(client), close it.

    Every ServiceError (they never carry a secret) becomes fail_json with the server's status.
    """
    client = None
    if module.params.get("validate_certs") is False:
        module.warn(INSECURE_WARNING)
    try:
        client = client_factory(module.params.get)
        return action(client)
    except ServiceError as exc:
        module.fail_json(msg=exc.message, status=exc.status)
    finally:
        if client is not None:
            client.close()
