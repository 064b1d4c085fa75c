# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One client per service for the life of a provider process, shared by every call Terraform makes to it.

Terraform starts a provider process for each walk of a command (validate, plan, apply, ...) and calls it from
several threads at once (-parallelism, 10 by default). One client per service means one keep-alive session and one
answer to the Password Pusher version probe per process, not one per resource. StopProvider (Ctrl-C) cancels the
clients: what is in flight ends at once, nothing is sent after. Waits for a busy server (HTTP 429 and its
Retry-After, or a retry's backoff) are logged to Terraform's log as they start.
"""

import threading

from oneshot_provider import tflog
from oneshot_provider.common import lib

SERVICE_NAMES = {"pwpush": "Password Pusher", "ots": "onetimesecret"}


class ProcessClients:
    def __init__(self, build):
        """build(service): a new client of service, from the provider's settings (raises ServiceError)."""
        self._build = build
        self._clients = {}
        self._lock = threading.Lock()
        self._probe_lock = threading.Lock()
        self._failed_probe = None  # the Password Pusher probe's error: the process does not ask again
        self.stopped = False

    def get(self, service):
        with self._lock:
            client = self._clients.get(service)
            if client is None:
                client = self._build(service)
                _log_waits(client, SERVICE_NAMES[service])
                if self.stopped:
                    client.http.cancel()  # made after StopProvider: refuses every request
                self._clients[service] = client
            return client

    def identify(self, service, client):
        """Password Pusher: the server's version answer, asked once for the process (the client keeps it). It tells
        what the server is (API, edition) before any call; onetimesecret needs none."""
        if service != "pwpush":
            return
        with self._probe_lock:  # the first of concurrent calls asks, the others wait for its answer
            if self._failed_probe is not None:
                raise self._failed_probe
            try:
                client.version_info()
            except lib()["ServiceError"] as exc:
                if exc.code != lib()["options"].CANCELLED:
                    self._failed_probe = exc
                raise

    def stop(self):
        """StopProvider: end every request in flight, refuse the later ones."""
        with self._lock:
            self.stopped = True
            clients = list(self._clients.values())
        for client in clients:
            client.http.cancel()
        if clients:
            tflog.info("oneshot provider: stopping, %d client(s) cancelled" % len(clients))

    def close(self):
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()


def _log_waits(client, service_name):
    """Log each wait of the client's transport before it starts: how long, and why (the last answer it saw)."""
    http = client.http
    last_answer = threading.local()

    def note_answer(response, *_args, **_kwargs):
        last_answer.status = response.status_code
        last_answer.retry_after = response.headers.get("Retry-After")

    def logged_wait(seconds):
        status = getattr(last_answer, "status", None)
        if status == 429:
            why = "answered HTTP 429 (rate limited%s)" % (
                ", Retry-After %s" % last_answer.retry_after if last_answer.retry_after else "")
        elif status is not None and status >= 500:
            why = "answered HTTP %d" % status
        else:
            why = "gave no usable answer"
        last_answer.status = None  # a wait after a failed attempt must not blame an older answer
        tflog.info("oneshot provider: the %s server at %s %s: waiting %.1f s before trying again" % (
            service_name, http.base_url, why, seconds))
        return wait(seconds)

    wait = http.sleep
    http.session.hooks["response"].append(note_answer)
    http.sleep = logged_wait
