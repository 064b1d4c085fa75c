# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Refresh past the 10,000 pushes the server lists: the lists say they were cut, and the owner's push is read
(the collection's owned_push: audit page 1 first, never a view) instead of a warning that it is not theirs."""

import os
import sys
import types

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "terraform"))

from oneshot_provider.owner_lists import OwnerLists  # noqa: E402  pylint: disable=wrong-import-position
from oneshot_provider.pwpush import PwpushPush  # noqa: E402  pylint: disable=wrong-import-position


class ListingClient:
    """iter_pushes as the collection's client: `listed` pushes, then on_truncated when the list was cut."""

    token = "owner-token"  # pwpush_token is set

    def __init__(self, listed, cut, audits=None):
        self.listed, self.cut, self.audits, self.asked = listed, cut, audits or {}, []

    def iter_pushes(self, which, on_truncated=None):
        for token in self.listed if which == "active" else []:
            yield {"url_token": token}
        if self.cut and which == "active" and on_truncated is not None:
            on_truncated()

    def preview(self, token):
        self.asked.append(("preview", token))
        return {"url_token": token, "url": "https://pwpush.example.test/p/%s" % token}

    def owned_push(self, token, expires=None, read=False):
        self.asked.append(("owned_push", token, expires, read))
        if self.audits.get(token, 200) != 200:  # the audit log is the owner's: anyone else is refused
            return None
        return {"url_token": token, "views_remaining": 1, "expired": False}, None


class Diagnostics:
    def __init__(self):
        self.warnings = []

    def add_warning(self, summary, _detail):
        self.warnings.append(summary)


def test_the_lists_say_when_the_server_cut_them():
    lists = OwnerLists()
    assert lists.find(ListingClient(["a", "b"], cut=False), "zzz") is None and not lists.truncated()
    lists = OwnerLists()
    assert lists.find(ListingClient(["a", "b"], cut=True), "zzz") is None and lists.truncated()


def test_a_push_past_the_lists_is_read_by_its_owner_and_another_owners_is_not():
    client = ListingClient([], cut=True, audits={"theirs": 403})
    resource = PwpushPush(types.SimpleNamespace(owner_lists=OwnerLists()))
    diags = Diagnostics()
    mine = resource._look_up(diags, client, token="mine")  # pylint: disable=protected-access
    assert mine[0] == "mine" and mine[1]["views_remaining"] == 1 and not diags.warnings
    theirs = resource._look_up(diags, client, token="theirs")  # pylint: disable=protected-access
    assert theirs[1] is None and diags.warnings == ["Views and expiry not refreshed"]
    # Every push is read in full (read=True): a refresh stores views and expiry, not only "gone".
    assert client.asked == [("preview", "mine"), ("owned_push", "mine", None, True),
                            ("preview", "theirs"), ("owned_push", "theirs", None, True)]
