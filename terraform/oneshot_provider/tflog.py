# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lines for Terraform's log (TF_LOG), written to stderr as go-hclog JSON.

go-plugin reads a provider's stderr line by line: a JSON line with @level and @message is logged at that level
(so TF_LOG=info shows an info line), any other line at debug. Nothing secret may go into a line: no payload,
token or link, only server addresses, counts and seconds.
"""

import datetime
import json
import sys
import threading

_LOCK = threading.Lock()  # one line at a time: the provider serves Terraform's calls on several threads


def log(level, message):
    now = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="microseconds")  # go-plugin's layout
    line = json.dumps({"@level": level, "@message": message, "@timestamp": now})
    with _LOCK:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()


def info(message):
    log("info", message)
