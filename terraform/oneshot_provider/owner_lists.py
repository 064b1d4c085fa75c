# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pwpush token owner's pushes, read page by page once and shared by every refresh of a provider process.

Terraform refreshes each push in its own call, many at once. The owner's lists (active, then expired; 50 pushes a
page, newest first, no payloads) carry what a refresh needs (views_remaining, expired, ...), and without spending a
view. Asking them once for all the pushes of a walk makes a refresh of N pushes cost about N/50 requests instead of
N x 3: a refresh pages on only as far as the push it looks for, and the pages read so far serve the next ones.

Each walk of a Terraform command runs in a provider process of its own, so what is read here is never older than
the walk; MAX_AGE bounds it anyway. The server lists 10,000 pushes at most: truncated() says when a list ended there,
so that a push not found may still be the owner's.
"""

import threading
import time

LISTS = ("active", "expired")
MAX_AGE = 60.0


class OwnerLists:
    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._reset()

    def _reset(self):
        self._read_since = self._clock()
        self._seen = dict((which, {}) for which in LISTS)  # url_token: push
        self._pages = dict((which, None) for which in LISTS)  # the client's page iterator while one is read
        self._complete = dict((which, False) for which in LISTS)
        self._truncated = dict((which, False) for which in LISTS)

    def truncated(self):
        """True when a list read so far ended at the server's listing limit (more pushes than it shows)."""
        return any(self._truncated.values())

    def find(self, client, token):
        """The owner's push of url_token (without secrets), or None when it is in neither list (not the token's
        user's push, or deleted). Raises the client's error when a page cannot be read."""
        with self._lock:  # concurrent refreshes wait for the page being read rather than ask for it again
            if self._clock() - self._read_since > MAX_AGE:
                self._reset()
            for which in LISTS:
                push = self._find_in(client, which, token)
                if push is not None:
                    return push
        return None

    def _find_in(self, client, which, token):
        seen = self._seen[which]
        if token in seen or self._complete[which]:
            return seen.get(token)
        if self._pages[which] is None:
            self._pages[which] = client.iter_pushes(
                which, on_truncated=lambda: self._truncated.__setitem__(which, True))
        try:
            for push in self._pages[which]:
                seen[push["url_token"]] = push
                if push["url_token"] == token:
                    return push
        except Exception:
            self._pages[which] = None  # the next refresh asks that list again from its first page
            raise
        self._complete[which] = True
        return None
