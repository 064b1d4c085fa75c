"""Checks of distribute_credentials.yml runs, for runme.sh (one subcommand a call; exits 1 with a reason).

    checks.py users N FILE [--extra NAME]      credential_users of N people (every other one with an email)
    checks.py csv CSV N                        header + N rows, one distinct link each, links of the service
    checks.py same CSV_A CSV_B [--except NAME] the same link per user in both (NAME's may differ or be new)
    checks.py pushes N                         the pwpush server holds N active pushes, one per name
    checks.py passwords CSV OUT [MAX]          the payload of each (of the first MAX) pwpush link (owner's read) into OUT
    checks.py shadow ROOT CSV USER...          each USER's SHA-512 hash in ROOT/etc/shadow is their link's password
    checks.py leaks PASSWORDS LOG...           no password of PASSWORDS appears in any LOG
    checks.py fail_creates N                   the pwpush server answers 500 to the next N creates (not the reads)
    checks.py linked CSV N                     exactly N rows of CSV hold a link (the others an empty one)
    checks.py hostile_users FILE               credential_users whose names and an email a CSV or a spreadsheet would
                                               misread (commas, quotes, line breaks, formulas, a leading quote)
    checks.py hostile_csv CSV                  Python's csv reader finds exactly one row per hostile user, with the
                                               name and email as given, and no cell a spreadsheet would evaluate
    checks.py ots_secrets N                    the onetimesecret server holds N secrets
    checks.py flood N                          N other pushes of the token's user (a busy account), newest last
    checks.py served PREFIX N                  N active pushes named PREFIX..., one per name, none expired twice over
    checks.py drop_create                      the next create is stored but its answer never arrives
"""

from __future__ import annotations

import calendar
import csv
import json
import os
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import requests


def fail(message: str) -> None:
    print("FAILED: " + message)
    sys.exit(1)


def name_of(number: int) -> str:
    return "person%04d" % number


def users(count: str, path: str, *extra: str) -> None:
    people: list = []
    for number in range(int(count)):
        name = name_of(number)
        people.append({"name": name, "email": name + "@example.com"} if number % 2 else name)
    if extra[:1] == ("--extra",):
        people.append(extra[1])
    with open(path, "w", encoding="utf-8") as handle:
        json.dump({"credential_users": people}, handle)


def rows(path: str) -> dict:
    with open(path, encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))
    if not table or table[0] != ["user", "email", "link", "expires"]:
        fail("%s: no user,email,link,expires header" % path)
    return {row[0]: row for row in table[1:]}


def check_csv(path: str, count: str) -> None:
    table = rows(path)
    links = [row[2] for row in table.values()]
    if len(table) != int(count):
        fail("%s holds %d users, not %s" % (path, len(table), count))
    if len(set(links)) != len(links) or not all(link.startswith("http") for link in links):
        fail("%s: a link is missing or handed to two users" % path)
    now = time.time()
    if not all(calendar.timegm(time.strptime(row[3], "%Y-%m-%dT%H:%M:%SZ")) > now for row in table.values()):
        fail("%s: an expires cell is not a time ahead (UTC, 2026-12-05T11:55:20Z)" % path)
    emailed = [name for name, row in table.items() if row[1]]
    if any(row[1] != name + "@example.com" for name, row in table.items() if row[1]) or not emailed:
        fail("%s: the emails are not the users'" % path)


def same(path_a: str, path_b: str, *extra: str) -> None:
    allowed = extra[1] if extra[:1] == ("--except",) else None
    table_a, table_b = rows(path_a), rows(path_b)
    changed = sorted(name for name in set(table_a) | set(table_b) if table_a.get(name) != table_b.get(name))
    if [name for name in changed if name != allowed]:
        fail("links changed for %s (only %s may)" % (", ".join(changed[:5]), allowed))
    if allowed and allowed not in table_b:
        fail("%s has no link" % allowed)


def session() -> requests.Session:
    http = requests.Session()
    http.headers["Authorization"] = "Bearer " + os.environ["PWPUSH_TOKEN"]
    return http


def pushes(count: str) -> None:
    held = requests.get(os.environ["PWPUSH_URL"] + "/_fake/pwpush/pushes", timeout=30).json()
    active = [push for push in held if not push["expired"]]
    names = Counter(push["name"] for push in active)
    doubled = [name for name, seen in names.items() if seen > 1]
    if doubled:
        fail("two active pushes for %s" % ", ".join(doubled[:5]))
    if len(active) != int(count) or len(held) != int(count):
        fail("the server holds %d pushes (%d active), not %s" % (len(held), len(active), count))


def payload(http: requests.Session, link: str) -> str:
    token = link.split("/p/")[1].split("/")[0]
    for _attempt in range(30):  # under the server's rate limit: wait as it says
        answer = http.get("%s/api/v2/pushes/%s.json" % (os.environ["PWPUSH_URL"], token), timeout=30)
        if answer.status_code != 429:
            break
        time.sleep(float(answer.headers.get("Retry-After", "1")))
    if answer.status_code != 200:
        fail("reading %s answered HTTP %d" % (link, answer.status_code))
    return answer.json()["payload"]


def passwords(path: str, out: str, most: str = "0") -> None:
    http = session()
    table = list(rows(path).values())
    with open(out, "w", encoding="utf-8") as handle:
        for row in table[:int(most)] if int(most) else table:
            handle.write(payload(http, row[2]) + "\n")


def shadow(root: str, path: str, *names: str) -> None:
    table, http = rows(path), session()
    with open(os.path.join(root, "etc", "shadow"), encoding="utf-8") as handle:
        hashes = {line.split(":")[0]: line.split(":")[1] for line in handle if ":" in line}
    for name in names:
        stored = hashes.get(name, "")
        if not stored.startswith("$6$"):
            fail("%s has no SHA-512 hash in %s/etc/shadow" % (name, root))
        salt = stored.split("$")[2]
        made = subprocess.run(["openssl", "passwd", "-6", "-salt", salt, "-stdin"], check=True, text=True,
                              input=payload(http, table[name][2]) + "\n", capture_output=True).stdout.strip()
        if made != stored:
            fail("%s's hash in %s/etc/shadow is not the hash of the password behind the link" % (name, root))


def leaks(path: str, *logs: str) -> None:
    with open(path, encoding="utf-8") as handle:
        secrets = [line.rstrip("\n") for line in handle if line.strip()]
    if not secrets:
        fail("no passwords to look for: the leak check would prove nothing")
    for log in logs:
        with open(log, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
        found = sum(1 for secret in secrets if secret in text)
        if found:
            fail("%d generated password(s) appear in %s" % (found, log))


def fail_creates(count: str) -> None:
    fault = {"status": 500, "count": int(count), "path_prefix": "/api/v2/pushes", "method": "POST"}
    requests.post(os.environ["PWPUSH_URL"] + "/_fake/faults", json=fault, timeout=30).raise_for_status()


def linked(path: str, count: str) -> None:
    table = rows(path)
    with_link = [name for name, row in table.items() if row[2]]
    if len(with_link) != int(count):
        fail("%s: %d rows hold a link, not %s" % (path, len(with_link), count))


# Names a mail-merge or a spreadsheet would misread if they were written raw (issue 26).
HOSTILE_NAMES = ["mallory,ceo@example.com,https://evil.example/it-reset", '=HYPERLINK("http://x")',
                 "+cmd|' /C calc'!A0", "@SUM(1+1)", "-1", "\tstarts with a tab", "\rstarts with a carriage return",
                 'say "hi", then go', "two\nlines", "'quoted", "'=quoted formula", "mallory, the admin", "plain"]
HOSTILE_EMAILS = {"mallory, the admin": "+admin@example.com", "plain": "plain@example.com"}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def hostile_users(path: str) -> None:
    people = [{"name": name, "email": HOSTILE_EMAILS[name]} if name in HOSTILE_EMAILS else name
              for name in HOSTILE_NAMES]
    with open(path, "w", encoding="utf-8") as handle:
        json.dump({"credential_users": people}, handle)


def unquoted(cell: str) -> str:
    """The cell without the single quote to_csv puts in front of a cell starting with a formula character or a quote."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] in FORMULA_STARTS + ("'",) else cell


def hostile_csv(path: str) -> None:
    with open(path, encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))
    if not table or table[0] != ["user", "email", "link", "expires"]:
        fail("%s: no user,email,link,expires header" % path)
    evaluated = [row for row in table for cell in row if cell.startswith(FORMULA_STARTS)]
    if evaluated:
        fail("%s: %d row(s) hold a cell a spreadsheet would evaluate" % (path, len(evaluated)))
    if any(len(row) != 4 for row in table[1:]):
        fail("%s: a row does not hold exactly 4 cells (a name added cells)" % path)
    names = [unquoted(row[0]) for row in table[1:]]
    if sorted(names) != sorted(HOSTILE_NAMES):
        fail("%s: %d rows for %d people, or names changed: %r" % (path, len(names), len(HOSTILE_NAMES), names))
    links = [row[2] for row in table[1:]]
    if len(set(links)) != len(links) or not all(link.startswith("http") for link in links):
        fail("%s: a link is missing or handed to two users" % path)
    emails = {unquoted(row[0]): unquoted(row[1]) for row in table[1:]}
    if emails != dict((name, HOSTILE_EMAILS.get(name, "")) for name in HOSTILE_NAMES):
        fail("%s: the emails are not the users'" % path)


def ots_secrets(count: str) -> None:
    held = requests.get(os.environ["OTS_URL"] + "/_fake/ots/secrets", timeout=30).json()
    if len(held) != int(count):
        fail("the onetimesecret server holds %d secrets, not %s" % (len(held), count))


def flood(count: str) -> None:
    url, total = os.environ["PWPUSH_URL"] + "/api/v2/pushes", int(count)

    def make(numbers: range) -> None:
        http = session()
        for number in numbers:
            push = {"payload": "other", "name": "someone else's push %d" % number, "expire_after_days": 7}
            http.post(url, json={"push": push}, timeout=30).raise_for_status()

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(make, [range(start, total, 8) for start in range(8)]))


def served(prefix: str, count: str) -> None:
    held = requests.get(os.environ["PWPUSH_URL"] + "/_fake/pwpush/pushes", timeout=30).json()
    names = Counter(push["name"] for push in held if not push["expired"] and push["name"].startswith(prefix))
    doubled = [name for name, seen in names.items() if seen > 1]
    if doubled:
        fail("two active pushes for %s" % ", ".join(doubled[:5]))
    if len(names) != int(count):
        fail("%d people hold an active push, not %s" % (len(names), count))


def counts(path: str) -> None:
    """Keep the fake's request counts (per route) in path, for reads() after a run."""
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(requests.get(os.environ["PWPUSH_URL"] + "/_fake/requests", timeout=30).json(), handle)


def reads(path: str, audits: str, owner_reads: str) -> None:
    """Since counts(path): as many audit pages and reads of a push as given (a re-run's cost per person)."""
    with open(path, encoding="utf-8") as handle:
        before = json.load(handle)
    now = requests.get(os.environ["PWPUSH_URL"] + "/_fake/requests", timeout=30).json()
    keys = ("GET /api/v2/pushes/<token>/audit", "GET /api/v2/pushes/<token>")
    seen = [now.get(key, 0) - before.get(key, 0) for key in keys]
    if seen != [int(audits), int(owner_reads)]:
        fail("%d audit page(s) and %d read(s) of a push, not %s and %s" % (seen[0], seen[1], audits, owner_reads))


def drop_create() -> None:
    fault = {"reset": "after", "count": 1, "path_prefix": "/api/v2/pushes", "method": "POST"}
    requests.post(os.environ["PWPUSH_URL"] + "/_fake/faults", json=fault, timeout=30).raise_for_status()


COMMANDS = {"flood": flood, "served": served, "drop_create": drop_create, "counts": counts, "reads": reads, "users": users, "csv": check_csv,
            "same": same, "pushes": pushes, "passwords": passwords, "shadow": shadow, "leaks": leaks, "fail_creates": fail_creates, "linked": linked,
            "hostile_users": hostile_users, "hostile_csv": hostile_csv, "ots_secrets": ots_secrets}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    COMMANDS[sys.argv[1]](*sys.argv[2:])
