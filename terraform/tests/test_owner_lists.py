# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Refresh past the 10,000 pushes the server lists: the lists say they were cut, and the owner's push is read
(audit page 1 first, never a view) instead of a warning that it is not theirs."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from oneshot_provider.common import lib  # noqa: E402  pylint: disable=wrong-import-position
from oneshot_provider.owner_lists import OwnerLists  # noqa: E402  pylint: disable=wrong-import-position
from oneshot_provider.pwpush import PwpushPush  # noqa: E402  pylint: disable=wrong-import-position


class ListingClient:
    """iter_pushes as the collection's client: `listed` pushes, then on_truncated when the list was cut."""

    def __init__(self, listed, cut, audits=None):
        self.listed, self.cut, self.audits, self.asked = listed, cut, audits or {}, []

    def iter_pushes(self, which, on_truncated=None):
        for token in self.listed if which == "active" else []:
            yield {"url_token": token}
        if self.cut and which == "active" and on_truncated is not None:
            on_truncated()

    def audit(self, token, max_pages=None):
        self.asked.append(("audit", token, max_pages))
        status = self.audits.get(token, 200)
        if status != 200:
            raise lib()["pwpush"].PwpushError("refused", status=status)
        return [{"kind": "creation"}]

    def owner_read(self, token):
        self.asked.append(("read", token))
        return {"url_token": token, "views_remaining": 1, "expired": False}


def test_the_lists_say_when_the_server_cut_them():
    lists = OwnerLists()
    assert lists.find(ListingClient(["a", "b"], cut=False), "zzz") is None and not lists.truncated()
    lists = OwnerLists()
    assert lists.find(ListingClient(["a", "b"], cut=True), "zzz") is None and lists.truncated()


def test_a_push_past_the_lists_is_read_by_its_owner_and_another_owners_is_not():
    client = ListingClient([], cut=True, audits={"theirs": 403})
    assert PwpushPush._read_past_the_lists(client, "mine")["views_remaining"] == 1  # pylint: disable=protected-access
    assert PwpushPush._read_past_the_lists(client, "theirs") is None  # pylint: disable=protected-access
    assert client.asked == [("audit", "mine", 1), ("read", "mine"), ("audit", "theirs", 1)]
