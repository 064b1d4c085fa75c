"""Checks of the follow_up_credentials target, against the fake servers over HTTP (the owner's token only where said)."""

import csv
import os
import subprocess
import sys
import time

import requests


def fail(message):
    print("FAILED: " + message)
    sys.exit(1)


def rows(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["user"]: row for row in csv.DictReader(handle)}


def token(link):
    return link.split("/p/")[1].split("/")[0]


def push(link, owner=False):
    """The push as the API shows it; without the owner's token this is a view (it spends the link)."""
    headers = {"Authorization": "Bearer " + os.environ["PWPUSH_TOKEN"]} if owner else {}
    for _attempt in range(30):  # under the server's rate limit: wait as it says
        answer = requests.get("%s/api/v2/pushes/%s.json" % (os.environ["PWPUSH_URL"], token(link)), headers=headers,
                              timeout=30)
        if answer.status_code != 429:
            break
        time.sleep(float(answer.headers.get("Retry-After", "1")))
    answer.raise_for_status()
    return answer.json()


def open_link(path, name):
    """name opens their link (a view)."""
    if not push(rows(path)[name]["link"])["payload"]:
        fail("%s's link opened to nothing" % name)


def expire(path, name):
    answer = requests.delete("%s/api/v2/pushes/%s.json" % (os.environ["PWPUSH_URL"], token(rows(path)[name]["link"])),
                             headers={"Authorization": "Bearer " + os.environ["PWPUSH_TOKEN"]}, timeout=30)
    answer.raise_for_status()


def report(path, *expected):
    """expected: name=opened/expired, as the follow-up CSV says them (True/False); opened_at set exactly when opened."""
    table = rows(path)
    for item in expected:
        name, states = item.split("=")
        opened, expired = states.split("/")
        row = table.get(name) or fail("%s: no row for %s" % (path, name))
        if (row["opened"], row["expired"]) != (opened, expired) or bool(row["opened_at"]) != (opened == "True"):
            fail("%s: %s is opened=%s opened_at=%r expired=%s, not %s" % (
                path, name, row["opened"], row["opened_at"], row["expired"], states))
    if len(table) != len(expected):
        fail("%s holds %d rows, not %d" % (path, len(table), len(expected)))


def active(path, *names):
    """Exactly these users' links of the CSV are active (the owner's read: no view)."""
    table = rows(path)
    alive = sorted(name for name, row in table.items() if not push(row["link"], owner=True)["expired"])
    if alive != sorted(names):
        fail("active links: %s, not %s" % (alive, sorted(names)))


def changed_links(before, after, *names):
    """Only these users' links differ, and each old one is dead (no view spent) while the new one is alive."""
    old, new = rows(before), rows(after)
    differ = sorted(name for name in new if new[name]["link"] != old[name]["link"])
    if differ != sorted(names):
        fail("new links for %s, not %s" % (differ, sorted(names)))
    for name in names:
        if not push(old[name]["link"], owner=True)["expired"]:
            fail("%s's old link still opens" % name)
        if push(new[name]["link"], owner=True)["expired"]:
            fail("%s's new link is dead" % name)


def shadow(root, path, *names):
    """Each name's hash in ROOT/etc/shadow is the hash of the password behind their link (the owner's read)."""
    table = rows(path)
    with open(os.path.join(root, "etc", "shadow"), encoding="utf-8") as handle:
        hashes = {line.split(":")[0]: line.split(":")[1] for line in handle if ":" in line}
    for name in names:
        stored = hashes.get(name, "")
        salt = stored.split("$")[2] if stored.startswith("$6$") else fail("%s has no SHA-512 hash" % name)
        made = subprocess.run(["openssl", "passwd", "-6", "-salt", salt, "-stdin"], check=True, text=True,
                              input=push(table[name]["link"], owner=True)["payload"] + "\n", capture_output=True).stdout.strip()
        if made != stored:
            fail("%s's hash in %s is not the hash of the password behind the new link" % (name, root))


def ots_reveal(path, name):
    key = rows(path)[name]["link"].rsplit("/", 1)[-1]
    requests.post("%s/api/v1/secret/%s" % (os.environ["OTS_URL"], key), timeout=30).raise_for_status()


def ots_states(*expected):
    """The fake holds secrets in these states (in any order: the secrets are shared several at a time)."""
    held = requests.get(os.environ["OTS_URL"] + "/_fake/ots/secrets", timeout=30).json()
    states = sorted(secret["state"] for secret in held)
    if states != sorted(expected):
        fail("onetimesecret states %s, not %s" % (states, sorted(expected)))


def passwords(path, out):
    """The passwords behind the CSV's links, read with the owner's token (no view), for the leak check."""
    with open(out, "a", encoding="utf-8") as handle:
        for row in rows(path).values():
            payload = push(row["link"], owner=True)["payload"]
            if payload:
                handle.write(payload + "\n")


def leaks(path, *logs):
    with open(path, encoding="utf-8") as handle:
        secrets = [line.rstrip("\n") for line in handle if line.strip()]
    if not secrets:
        fail("no passwords to look for: the leak check would prove nothing")
    for log in logs:
        with open(log, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
        if any(secret in text for secret in secrets):
            fail("a generated password appears in %s" % log)


COMMANDS = dict(passwords=passwords, leaks=leaks, open=open_link, expire=expire, report=report, active=active, changed=changed_links, shadow=shadow,
                ots_reveal=ots_reveal, ots_states=ots_states)

if __name__ == "__main__":
    COMMANDS[sys.argv[1]](*sys.argv[2:])
