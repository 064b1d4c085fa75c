# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The run of credential_links, from checked people to links: who is served (_credential_links_served), the plan,
the new passwords, then the creates over one client (PwpushClient.create_push, OtsClient.share_all).

stage=plan ends after the plan (nothing made); stage=push makes the plan's pending links only.
For the collection's own use: not a public API, it may change in any release.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.oneshot.secrets.plugins.module_utils._core.errors import ServiceError
from ansible_collections.oneshot.secrets.plugins.module_utils._core.pool import run_all
from ansible_collections.oneshot.secrets.plugins.module_utils._core.progress import progress_of
from ansible_collections.oneshot.secrets.plugins.module_utils._credential_links import generate_password
from ansible_collections.oneshot.secrets.plugins.module_utils._credential_links_served import (
    ots_served,
    pwpush_served,
    recorded_links,
)
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.durations import expiry_for_hours, push_expires
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.errors import PwpushError
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.reuse import BULK_NOTE
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.spec import PushSpec


# Counters that report nothing: the default of a run that was given no progress.
silent = progress_of()


def plan(people, served):
    """Links of the people already served ({name: (link, expires)}), and the indexes of those who need a new link."""
    links = []
    todo = []
    for index, person in enumerate(people):
        link, expires = served.get(person["name"], (None, None))
        links.append(dict(name=person["name"], email=person["email"], link=link, expires=expires,
                          reused=link is not None))
        if link is None:
            todo.append(index)
    return links, todo


def new_passwords(people, todo, length, alphabet):
    """{index: password} for the people who get a new link: given, or generated on this host."""
    return dict((index, people[index]["password"] or generate_password(length, alphabet)) for index in todo)


class BulkFailure(ServiceError):
    """Some creates failed: the message of the first; the result so far travels with it (links, passwords)."""

    def __init__(self, message, status, result):
        super(BulkFailure, self).__init__(message, status=status)
        self.result = result


def link_lines(links):
    """A line a person to print: the name, two spaces, the link or (no link yet). No password."""
    return ["%s  %s" % (link["name"], link["link"] or "(no link yet)") for link in links]


def _planned(links, todo, people, passwords=None, stage="all"):
    """What a run would make, nothing made: check mode, and stage=plan (with the new passwords, none in check mode).

    pending names the people to give to stage=push once their passwords are set wherever they must work.
    """
    return dict(links=links, lines=link_lines(links), passwords=dict(
        (people[index]["name"], password) for index, password in (passwords or {}).items()
        if people[index]["password"] is None), pending=[people[index]["name"] for index in todo], created=len(todo),
        reused=len(links) - len(todo), changed=bool(todo) and stage != "plan")


def _finish(people, links, todo, passwords, results, failures, what):
    """Fill in the links made (results: (link, expires) or None); the result, or BulkFailure when any failed (with
    what was made)."""
    created_passwords = {}
    for index, made in zip(todo, results):
        if made is not None:
            links[index]["link"], links[index]["expires"] = made
            if people[index]["password"] is None:
                created_passwords[people[index]["name"]] = passwords[index]
    created = sum(1 for made in results if made is not None)
    result = dict(links=links, lines=link_lines(links), passwords=created_passwords, created=created,
                  reused=sum(1 for link in links if link["reused"]), changed=created > 0,
                  pending=[people[index]["name"] for index, made in zip(todo, results) if made is None])
    if failures:
        index, error = failures[0]
        name = people[todo[index]]["name"]
        raise BulkFailure("Could not make the link of %s: %s (%d of %d new %s were made; failed: %d)." % (
            name, error.message.rstrip("."), created, len(todo), what, len(failures)), error.status, result)
    return result


def staged(people, served, stage, check_mode, length, alphabet, pending=None):
    """(links, todo, passwords or None): None when the stage ends here with nothing made (check mode, plan).

    stage=push makes the links of `pending` only (their passwords, set on the hosts, are in people: check_stage);
    the others keep the link the plan found (served: its links, given back as previous_links).
    """
    if stage == "push":
        wanted = set(pending)
        links, _todo = plan(people, dict((name, held) for name, held in served.items() if name not in wanted))
        todo = [index for index, person in enumerate(people) if person["name"] in wanted]
    else:
        links, todo = plan(people, served)
    if check_mode:
        return links, todo, None
    return links, todo, new_passwords(people, todo, length, alphabet)


def pwpush_links(client, people, previous_links, reuse, send_email, concurrency, check_mode, length, alphabet, warn,
                 retrieval_step=True, stage="all", pending=None, progress=None):
    """The pwpush path: who is served (_credential_links_served), then every new push over the pooled session."""
    progress = progress or silent
    fields = {}
    for person in people:
        # Asks the server's version once: the edition decides the expiry field (before the scan and any create).
        fields[person["ttl_hours"]] = fields.get(person["ttl_hours"]) or expiry_for_hours(
            person["ttl_hours"], client.expiry_field)
    if send_email and client.api != "v2":
        raise PwpushError("send_email needs a server with API v2 (notify_emails_to); %s only has API v1." % client.url)
    if stage == "push":
        served = recorded_links(previous_links)
    else:
        served = pwpush_served(client, people, previous_links, concurrency, warn, progress) if reuse else {}
    links, todo, passwords = staged(people, served, stage, check_mode, length, alphabet, pending)
    if passwords is None or stage == "plan":
        return _planned(links, todo, people, passwords, stage)

    def spec(position):
        person = people[todo[position]]
        options = dict(payload=passwords[todo[position]], name=person["push_name"], note=BULK_NOTE,
                       expire_after_views=person["views"], retrieval_step=retrieval_step,
                       **fields[person["ttl_hours"]])
        if send_email and person["email"]:
            options["notify_emails_to"] = [person["email"]]
        return PushSpec(**options)

    specs = _Lazy(spec, len(todo))
    for position in range(len(todo)):
        client.prepare(specs[position])  # every push is validated before the first create
    with progress("new links made", len(todo), extra=", %d reused" % (len(links) - len(todo))) as made:
        def create(position):
            push = client.create_push(specs[position])
            made.step()
            return push["url"], push_expires(push)

        results, failures = run_all(create, len(todo), concurrency, PwpushError)
    return _finish(people, links, todo, passwords, results, failures, "links")


def ots_links(client, people, previous_links, reuse, send_email, concurrency, check_mode, length, alphabet,
              stage="all", pending=None, progress=None):
    """The onetimesecret path: the people of previous_links keep their link; the others get a new secret."""
    progress = progress or silent
    if stage == "push":
        served = recorded_links(previous_links)
    else:
        served = ots_served(people, previous_links) if reuse else {}
    links, todo, passwords = staged(people, served, stage, check_mode, length, alphabet, pending)
    if passwords is None or stage == "plan":
        return _planned(links, todo, people, passwords, stage)

    def share(position):
        sent.step()  # a share is built as it is sent
        return dict(secret=passwords[todo[position]], ttl=int(round(people[todo[position]]["ttl_hours"] * 3600)),
                    recipient=(people[todo[position]]["email"] or None) if send_email else None)

    with progress("new secrets sent", len(todo), extra=", %d reused" % (len(links) - len(todo))) as sent:
        receipts, failures = client.share_all(_Lazy(share, len(todo)), concurrency=concurrency)
    results = [(receipt["secret_url"], receipt.get("expires_at")) if receipt else None for receipt in receipts]
    return _finish(people, links, todo, passwords, results, failures, "secrets")


class _Lazy:
    """A sequence whose items are built when asked for: nothing is held per person but the result."""

    def __init__(self, build, count):
        self.build = build
        self.count = count

    def __len__(self):
        return self.count

    def __getitem__(self, index):
        if not 0 <= index < self.count:
            raise IndexError(index)
        return self.build(index)
