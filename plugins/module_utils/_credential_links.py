# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The input of credential_links: its options, and every check made before the first request (check_people,
check_stage, check_previous_links). The run itself is _credential_links_run.py.
For the collection's own use: not a public API, it may change in any release.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import secrets
import string

from ansible_collections.oneshot.secrets.plugins.module_utils._core.checks import is_email
from ansible_collections.oneshot.secrets.plugins.module_utils._core.errors import OptionError
from ansible_collections.oneshot.secrets.plugins.module_utils._core.values import check_number
from ansible_collections.oneshot.secrets.plugins.module_utils._ots.spec import (
    TTL_MAX_ACCOUNT,
    TTL_MAX_ANONYMOUS,
    TTL_MIN,
)
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.answers import epoch_of
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.errors import PwpushError
from ansible_collections.oneshot.secrets.plugins.module_utils._pwpush.spec import check_notify_emails

# credential_links' own options (its connection options are both services' above); ranges checked before any request.
CREDENTIAL_LINKS = dict(
    service=dict(type="str", default="pwpush", choices=["pwpush", "ots"]),
    people=dict(type="list", elements="raw", required=True),
    # 90 days: the longest either service keeps a secret (onetimesecret's own limits are checked on top).
    ttl_hours=dict(type="float", default=24.0, above=0, max=2160, unit="hours"),
    views=dict(type="int", default=1, min=1, max=100),
    password_length=dict(type="int", default=20, no_log=False, min=8, max=1024),
    password_alphabet=dict(type="str", no_log=False),
    name_template=dict(type="str", default="initial password for {name}"),
    reuse=dict(type="bool", default=True),
    previous_links=dict(type="list", elements="dict"),
    send_email=dict(type="bool", default=False),
    retrieval_step=dict(type="bool", default=True),
    stage=dict(type="str", default="all", choices=["all", "plan", "push"]),
    pending=dict(type="list", elements="str"),
    passwords=dict(type="dict", no_log=True),
    concurrency=dict(type="int", default=8, min=1, max=8),
    pace=dict(type="float", default=0.0, or_zero=True, min=0.001, max=1000, unit="requests a second"),
)

DEFAULT_ALPHABET = string.ascii_letters + string.digits + "-_.!"
DEFAULT_NAME_TEMPLATE = CREDENTIAL_LINKS["name_template"]["default"]
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
PERSON_KEYS = ("name", "email", "password", "views", "ttl_hours")


class InputError(OptionError):
    """Bad input, found before any request: one sentence naming the option."""

    def __init__(self, message, option=None):
        super(InputError, self).__init__(option, message)


def generate_password(length, alphabet):
    """A password of `length` characters drawn uniformly from `alphabet` with the secrets module."""
    return "".join(secrets.choice(alphabet) for _index in range(length))


def check_alphabet(alphabet):
    if not alphabet or len(set(alphabet)) < 2:
        raise InputError("password_alphabet must hold at least 2 different characters.")
    if any(not char.isprintable() or char.isspace() for char in alphabet):
        raise InputError("password_alphabet must hold printable characters only, no spaces or control characters "
                         "(they would break the CSV and the host step).")
    return "".join(sorted(set(alphabet)))


def _given(people):
    """(number, password) of each person with a password that is a non-empty string."""
    return [(number, person["password"]) for number, person in enumerate(people or [], start=1)
            if isinstance(person, dict) and isinstance(person.get("password"), str) and person["password"]]


def given_passwords(people):
    """The passwords given in `people` that no_log must mask, whatever else is wrong with the list.

    A password shorter than MIN_PASSWORD_LENGTH is refused (short_password_refusal) and never used, so it is hidden
    from the invocation by hide_short_passwords instead: masked, a password `a` would garble every a of the message.
    """
    return [password for _number, password in _given(people) if len(password) >= MIN_PASSWORD_LENGTH]


def short_password_refusal(people):
    """The refusal of the first password too short to be used, or None; it quotes no password."""
    for number, password in _given(people):
        if len(password) < MIN_PASSWORD_LENGTH:
            name = people[number - 1].get("name")
            return "people[%d]%s: password must be a string of %d to %d characters." % (
                number, " (%s)" % name if isinstance(name, str) else "", MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH)
    return None


def hide_short_passwords(people):
    """Replace each short password in `people` (the module's params, shown in its invocation) by Ansible's stand-in."""
    for number, password in _given(people):
        if len(password) < MIN_PASSWORD_LENGTH:
            people[number - 1]["password"] = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"


def _shown_text(people):
    """Every name and email of the list in one text, to find a password that masking would spoil there."""
    return "\n".join(str(person.get(key) or "") if isinstance(person, dict) else str(person)
                     for person in people for key in ("name", "email")) if people else ""


def check_people(people, service, ttl_hours, views, send_email, name_template, authenticated, warn=None):
    """The people as dicts {name, email, password, views, ttl_hours}; InputError for anything wrong.

    Other keys of a person (a user list often carries more, such as groups) are ignored with one warning naming
    them, never their values.
    """
    if not people:
        raise InputError("people is empty: give at least one name.")
    seen = set()
    checked = []
    ignored = set()
    shown = _shown_text(people) if _given(people) else ""
    for number, item in enumerate(people, start=1):
        person = dict(name=item) if isinstance(item, str) else item
        if not isinstance(person, dict):
            raise InputError("people[%d] must be a name or a dictionary with name (got %s)." % (
                number, type(item).__name__))
        ignored.update(key for key in person if key not in PERSON_KEYS)
        name = person.get("name")
        if not isinstance(name, str) or not name.strip():
            raise InputError("people[%d] has no name (a non-empty string)." % number)
        if name in seen:
            raise InputError("people names %s twice: names must be unique (each is the key of one link)." % name)
        seen.add(name)
        email = person.get("email") or None
        if email is not None and not isinstance(email, str):
            raise InputError("people[%d] (%s): email must be a string." % (number, name))
        password = person.get("password")
        if password is not None:
            if not isinstance(password, str) or not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
                raise InputError("people[%d] (%s): password must be a string of %d to %d characters." % (
                    number, name, MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH))
            if password in shown:
                # The name is not quoted: it holds the password, and would show as ******** anyway.
                raise InputError("people[%d]: password must not be part of a name or email of people: Ansible masks "
                                 "it wherever it occurs in the result, so that name, its email and its line would "
                                 "show ********." % number)
        person_views = _number(person.get("views"), views, int, "people[%d] (%s): views" % (number, name))
        person_ttl = _number(person.get("ttl_hours"), ttl_hours, float, "people[%d] (%s): ttl_hours" % (number, name))
        where = "people[%d] (%s): views" % (number, name) if person.get("views") is not None else "views"
        if service == "ots" and person_views != 1:
            raise InputError("%s must be 1 with service=ots: an onetimesecret link always opens once." % where)
        check_number("views", person_views, CREDENTIAL_LINKS["views"], label=where)
        where = "people[%d] (%s): ttl_hours" % (number, name) if person.get("ttl_hours") is not None else "ttl_hours"
        check_number("ttl_hours", person_ttl, CREDENTIAL_LINKS["ttl_hours"], label=where)
        if service == "ots":
            seconds = int(round(person_ttl * 3600))
            maximum = TTL_MAX_ACCOUNT if authenticated else TTL_MAX_ANONYMOUS
            if not TTL_MIN <= seconds <= maximum:
                raise InputError("%s=%s is outside what onetimesecret keeps: 1 minute (%.4f) to %d hours%s." % (
                    where, person_ttl, TTL_MIN / 3600.0, maximum // 3600,
                    "" if authenticated else " for anonymous use (up to 720 with username and api_token)"))
        if send_email and email and not _mailable(email, service):
            raise InputError("people[%d] (%s): email %r is not an address the service can mail." % (number, name, email))
        checked.append(dict(name=name, email=email, password=password, views=person_views, ttl_hours=person_ttl,
                            push_name=push_name(name_template, name)))
    if ignored and warn is not None:
        names = ", ".join(sorted(str(key) for key in ignored))
        warn("people: ignored the key(s) %s (known are %s)." % (names, ", ".join(PERSON_KEYS)))
    return checked


def _mailable(email, service):
    """What the service takes as a recipient: onetimesecret any plain address, pwpush its own stricter pattern."""
    if not is_email(email):
        return False
    if service == "pwpush":
        try:
            check_notify_emails([email])
        except PwpushError:
            return False
    return True


def push_name(template, name):
    try:
        return template.format(name=name)
    except (KeyError, IndexError, ValueError) as exc:
        raise InputError("name_template %r cannot be filled in: only {name} may be used (%s)." % (
            template, exc.__class__.__name__))


def _number(value, default, kind, what):
    if value is None:
        return default
    if isinstance(value, bool):
        raise InputError("%s must be a number (got %r)." % (what, value))
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise InputError("%s must be a number (got %r)." % (what, value))


def check_stage(stage, people, pending, passwords):
    """The people, with stage=push each pending one holding the password the plan returned (set on the hosts)."""
    if stage != "push":
        if pending is not None or passwords is not None:
            raise InputError("pending and passwords are options of stage=push (give it what stage=plan returned).")
        return people
    if pending is None:
        raise InputError("stage=push needs pending: the names in the result of stage=plan.")
    wanted = set(pending)
    known = set(person["name"] for person in people)
    for name in pending:
        if name not in known:
            raise InputError("pending names %s, who is not in people." % name)
    for person in people:
        if person["name"] in wanted and person["password"] is None:
            password = (passwords or {}).get(person["name"])
            if not isinstance(password, str) or not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
                raise InputError("passwords has no password of %d to %d characters for %s: give stage=push the "
                                 "passwords of the result of stage=plan."
                                 % (MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH, person["name"]))
            person["password"] = password
    return people


def check_previous_links(previous_links):
    """previous_links as [{name, link, email, expires}]: rows of an earlier CSV (user,email,link,expires: `user`
    stands for name; other keys are ignored)."""
    rows = []
    for number, row in enumerate(previous_links or [], start=1):
        name = row.get("name", row.get("user")) if isinstance(row, dict) else None
        if not isinstance(name, str):
            raise InputError("previous_links[%d] must be a dictionary with name (or user) and link." % number)
        link = row.get("link")
        if link and not (isinstance(link, str) and link.startswith(("http://", "https://"))):
            raise InputError("previous_links[%d] (%s): link must be an http(s) link or empty." % (number, name))
        email = row.get("email")
        expires = row.get("expires") or None
        if expires is not None and epoch_of(expires) is None:
            raise InputError("previous_links[%d] (%s): expires must be a time such as 2026-12-05T11:55:20Z, or empty "
                             "(got %r)." % (number, name, expires))
        rows.append(dict(name=name, link=link or None, email=email if isinstance(email, str) and email else None,
                         expires=expires))
    return rows
