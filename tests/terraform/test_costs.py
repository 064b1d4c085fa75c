# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What Terraform's commands cost the servers, counted by the fakes (GET /_fake/requests) under the real binary.

One version probe per provider process; a refresh at most one request a push (the owner's list, read once for
all of them); the destroy of a push at most two (the refresh's list and the DELETE; one receipt read and one burn for
onetimesecret); a server's 429 waited out with a line in Terraform's log; a plan of 50 pushes against Password
Pusher's default rate limit (120 requests a minute) in 2 requests. The plan's time is a figure of `make bench`
(benchmarks/terraform_bench.py), not a test's assertion.
"""

import pytest

from conftest import PWPUSH_EMAIL, PWPUSH_TOKEN, Fake
from realtf import FIGURES
from test_terraform import HEADER, SECRETS, ots_env, pwpush_env

PUSHES_TF = HEADER + """
variable "payload" {
  type      = string
  sensitive = true
}

variable "pushes" {
  type = number
}

resource "oneshot_pwpush_push" "db" {
  count = var.pushes
  sealed {
    payload = var.payload
  }
  expire_after_views = 3
}
"""

SECRETS_TF = HEADER + """
variable "secret" {
  type      = string
  sensitive = true
}

resource "oneshot_ots_secret" "key" {
  count = 3
  sealed {
    secret = var.secret
  }
  ttl = 3600
}
"""


def seen(fake):
    return fake.get("/_fake/requests").json()


def spent(fake, before):
    """{route: requests} since `before` (a seen() snapshot)."""
    return dict((route, count - before.get(route, 0)) for route, count in seen(fake).items()
                if count > before.get(route, 0))


def split(requests):
    """(version probe requests, list pages, other requests) of a spent() count."""
    # A v1 server has no /api/v2/version: the fake counts that 404 as unmatched.
    probes = sum(count for route, count in requests.items() if "version" in route or route == "GET <unmatched>")
    pages = sum(count for route, count in requests.items() if route.endswith(("/active", "/expired", ".json"))
                and "/<" not in route and "version" not in route)
    return probes, pages, sum(requests.values()) - probes - pages


# A v1 server's probe is two requests: /api/v2/version (404), then /api/v1/version.json.
PROBE = {"oss": 1, "hosted": 1, "v1": 2}


@pytest.fixture(scope="module")
def unlimited():
    """pwpush servers of this module's own, without rate limits: a 429 retry would count twice (the fakes count
    refused requests too), and the shared servers' windows hold the whole session's requests."""
    started = {}

    def start(mode):
        if mode not in started:
            started[mode] = Fake("pwpush", "--mode", mode, "--token", PWPUSH_TOKEN, "--email", PWPUSH_EMAIL,
                                 "--rate-limit-per-minute", "0", "--rate-limit-per-second", "0")
        return started[mode]

    yield start
    for fake in started.values():
        fake.stop()


@pytest.mark.parametrize("mode", ["oss", "hosted", "v1"])
def test_refresh_plan_and_destroy_cost_of_pushes(workspace, unlimited, mode):
    fake, pushes = unlimited(mode), 3
    ws = workspace(env=dict(pwpush_env(fake), TF_VAR_pushes=str(pushes)))
    ws.write(PUSHES_TF)
    ws.tf("init")
    ws.tf("apply", "-auto-approve")

    for command in (("apply", "-refresh-only", "-auto-approve"), ("plan", "-detailed-exitcode")):
        before = seen(fake)
        ws.tf(*command)
        probes, pages, others = split(spent(fake, before))
        # One provider process refreshes: one probe, one page of the owner's list for the three pushes.
        assert (probes, pages, others) == (PROBE[mode], 1, 0), (command, spent(fake, before))

    before = seen(fake)
    ws.tf("destroy", "-auto-approve")
    requests = spent(fake, before)
    probes, pages, others = split(requests)
    deletes = sum(count for route, count in requests.items() if route.startswith("DELETE "))
    # The refresh's process and the destroy's each probe once; then a DELETE a push (the refresh saw it active, so
    # no audit read): with the refresh's page, a destroy of one push is 2 requests besides the probes.
    assert probes == 2 * PROBE[mode] and pages == 1 and deletes == pushes and others == pushes, requests
    assert all(push["expired"] for push in fake.get("/_fake/pwpush/pushes").json()[-pushes:])
    ws.assert_no_leak(*SECRETS)


def test_refresh_and_destroy_cost_of_secrets(workspace, ots_fake):
    ws = workspace(env=ots_env(ots_fake))
    ws.write(SECRETS_TF)
    ws.tf("init")
    ws.tf("apply", "-auto-approve")
    before = seen(ots_fake)
    ws.tf("apply", "-refresh-only", "-auto-approve")
    assert sum(spent(ots_fake, before).values()) == 3, spent(ots_fake, before)  # one receipt read a secret
    before = seen(ots_fake)
    ws.tf("destroy", "-auto-approve")
    # Refresh: a receipt read a secret; destroy: a receipt read and a burn a secret.
    assert sum(spent(ots_fake, before).values()) == 3 + 2 * 3, spent(ots_fake, before)
    ws.assert_no_leak(*SECRETS)


def test_a_rate_limited_refresh_waits_and_says_so_in_the_log(workspace, unlimited):
    fake = unlimited("oss")
    ws = workspace(env=dict(pwpush_env(fake), TF_VAR_pushes="1"))
    ws.write(PUSHES_TF)
    ws.tf("init")
    ws.tf("apply", "-auto-approve")
    fake.post("/_fake/faults", json={"status": 429, "count": 1, "retry_after": 1})
    try:
        run = ws.tf("apply", "-refresh-only", "-auto-approve")
    finally:
        fake.delete("/_fake/faults")
    with open(run.trace, errors="replace") as handle:
        lines = [line for line in handle if "waiting" in line and "oneshot provider" in line]
    # At info level: TF_LOG=info shows it too.
    assert len(lines) == 1 and "[INFO]" in lines[0], lines
    assert ("the Password Pusher server at %s answered HTTP 429 (rate limited, Retry-After 1): waiting 1.0 s "
            "before trying again" % fake.url) in lines[0]
    ws.tf("destroy", "-auto-approve")
    ws.assert_no_leak(*SECRETS)


@pytest.fixture()
def pwpush_default_limits():
    """A server of its own (the shared ones count this session's other requests in their rate windows), with
    Password Pusher's default limits: 120 requests a minute, 60 a second."""
    fake = Fake("pwpush", "--mode", "oss", "--token", PWPUSH_TOKEN, "--email", PWPUSH_EMAIL)
    yield fake
    fake.stop()


def test_fifty_pushes_against_the_default_rate_limit(workspace, pwpush_default_limits):
    fake, pushes = pwpush_default_limits, 50
    ws = workspace(env=dict(pwpush_env(fake), TF_VAR_pushes=str(pushes)))
    ws.write(PUSHES_TF)
    ws.tf("init")
    applied = ws.tf("apply", "-auto-approve", timeout=300)
    before = seen(fake)
    plan = ws.tf("plan", "-detailed-exitcode")
    probes, pages, others = split(spent(fake, before))
    assert (probes, pages, others) == (1, 1, 0), spent(fake, before)
    before = seen(fake)
    destroyed = ws.tf("destroy", "-auto-approve", timeout=300)
    # Right after the apply, in the same minute, the destroy's 100 or so requests may pass the limit: then it
    # waits, and says so in Terraform's log (each 429 counts as a request here too).
    with open(destroyed.trace, errors="replace") as handle:
        waits = sum(1 for line in handle if "[INFO]" in line and "answered HTTP 429 (rate limited" in line)
    FIGURES.append("50 pushes, pwpush oss with 120 requests a minute: apply %.1f s, plan %.1f s (%d requests), "
                   "destroy %.1f s (%d requests, %d waits for a 429 logged)" % (
                       applied.seconds, plan.seconds, probes + pages + others, destroyed.seconds,
                       sum(spent(fake, before).values()), waits))
    assert ws.state()["resources"] == []
    assert all(push["expired"] for push in fake.get("/_fake/pwpush/pushes").json())
    ws.assert_no_leak(*SECRETS)
