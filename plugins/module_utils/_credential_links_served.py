# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Who already holds a working link: the part of credential_links that decides reuse.

The record's links are this run's own CSV rows; the server's show view carries no name, so a recorded link counts
when the token's user owns it, this collection made it as a text push (its audit log), and it is active.

The rule is "never a second link". Password Pusher's list of the owner's active pushes is the truth while it reaches
everybody; the server lists 10,000 pushes at most, so past that the earlier run's record (previous_links, the rows
of its CSV) is verified link by link (owned_push: never a view; one read when the push's audit log and its recorded
expiry tell), and a person neither listed nor on record stops the run before anything is made. Without a token,
and with onetimesecret, the record is all there is (a link whose recorded expiry has passed is gone).

A served person maps to (link, expires): expires is when the link expires by time (2026-12-05T11:55:20Z), from the
server's answer or the record, None when unknown.
For the collection's own use: not a public API, it may change in any release.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.oneshot.secrets.plugins.module_utils._core.pool import run_all
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.answers import epoch_of
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.durations import push_expires
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.errors import PwpushError
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.existing import unlisted_message

# Names quoted in a refusal; the count says how many more.
_QUOTED_NAMES = 5


def recorded_links(previous_links):
    """{name: (link, expires)} of the rows of previous_links that hold a link."""
    return dict((row["name"], (row["link"], row.get("expires"))) for row in previous_links or [] if row.get("link"))


def pwpush_served(client, people, previous_links, concurrency, warn, progress):
    """{person name: (link, expires)} of the people who hold an active push of their push_name (reuse.same_push)."""
    records = recorded_links(previous_links)
    if not client.token:
        served = dict((person["name"], records[person["name"]]) for person in people if person["name"] in records)
        if len(served) < len(people):
            warn("reuse is on but there is no token (PWPUSH_TOKEN): the owner's active pushes cannot be read, so "
                 "only the people in previous_links keep their link (unchecked); %d get a new one."
                 % (len(people) - len(served)))
        return served
    truncated = []
    listed = client.active_by_name(set(person["push_name"] for person in people),
                                   on_truncated=lambda: truncated.append(True))
    served = dict((person["name"], (listed[person["push_name"]]["url"], push_expires(listed[person["push_name"]])))
                  for person in people if person["push_name"] in listed)
    if not truncated:
        return served
    unlisted = [person for person in people if person["name"] not in served]
    on_record = [person for person in unlisted if person["name"] in records]

    def verify(index):
        """(link, expires), "gone" (a new link is right) or "unknown" (not this account's push: nothing can be told).
        """
        link, expires = records[on_record[index]["name"]]
        owned = client.owned_push(link, expires)
        if owned is None:
            return "unknown"
        push, kind = owned
        if kind != "text" or push.get("passphrase_protected") or push.get("expired") or push.get("deleted"):
            return "gone"  # expired or opened, or not a password link this collection made
        return (push.get("url") or link, push_expires(push) or expires)

    with progress("earlier links checked", len(on_record)) as checked:
        def verify_one(index):
            verdict = verify(index)
            checked.step()
            return verdict

        verdicts, failures = run_all(verify_one, len(on_record), concurrency, PwpushError)
    if failures:
        index, error = failures[0]
        raise PwpushError("Could not check the earlier link of %s: %s" % (on_record[index]["name"], error.message),
                          status=error.status)
    unknown = [person["name"] for person in unlisted if person["name"] not in records]
    for person, verdict in zip(on_record, verdicts):
        if verdict == "unknown":
            unknown.append(person["name"])
        elif verdict != "gone":
            served[person["name"]] = verdict
    if unknown:
        who = "people %s%s" % (", ".join(unknown[:_QUOTED_NAMES]),
                               " and %d more" % (len(unknown) - _QUOTED_NAMES) if len(unknown) > _QUOTED_NAMES else "")
        raise PwpushError(unlisted_message(len(unknown), who) + ". Give the earlier run's links in previous_links "
                          "(distribute_csv: the CSV it wrote) so that each is checked, or, if none of them holds a link "
                          "yet, set reuse=false (distribute_reuse=false) for this run.")
    return served


def record_unchanged(links, previous_links):
    """True when previous_links already holds every person's link, email and expiry as they are now: the record (the
    CSV of distribute_credentials) would be written again as it is."""
    rows = dict((row["name"], row) for row in previous_links or [])
    return bool(rows) and all(
        link["link"] and rows.get(link["name"], {}).get("link") == link["link"]
        and rows[link["name"]].get("email") == (link["email"] or None)
        and rows[link["name"]].get("expires") == link.get("expires") for link in links)


def ots_served(people, previous_links, now=None):
    """{person name: (link, expires)} of the people on record whose link has not expired by time: onetimesecret
    cannot tell whether a secret was opened."""
    records = recorded_links(previous_links)
    now = time.time() if now is None else now
    return dict((person["name"], records[person["name"]]) for person in people if person["name"] in records
                and not _past(records[person["name"]][1], now))


def _past(expires, now):
    """True when a recorded expiry is known and not ahead of now."""
    ends = epoch_of(expires)
    return ends is not None and ends <= now
