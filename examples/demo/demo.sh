#!/usr/bin/env bash
# The demo behind `make demo` and `make demo-serve`; runs inside tests/fakes/run-with, which started
# the local Password Pusher-compatible server and exported PWPUSH_URL and PWPUSH_TOKEN.
#
#   examples/demo/demo.sh once       distribute credentials, then play alice opening her link twice
#   examples/demo/demo.sh links      distribute credentials only (a real server: nobody's link is used up)
#   examples/demo/demo.sh serve      distribute credentials, then keep the server up until Ctrl-C
set -euo pipefail

mode="${1:-once}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/oneshot-demo.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# The links also go to a CSV (user,email,link), where this script finds alice's.
ansible-playbook "$repo/playbooks/distribute_credentials.yml" -e distribute_csv="$work/links.csv"
link_of() { awk -F, -v user="$1" '$1 == user { print $3 }' "$work/links.csv"; }

case "$mode" in
    links)
        ;;
    once)
        echo
        echo "Now the recipient's side: alice opens her link in a browser, twice."
        "${PYTHON:-python3}" "$here/recipient.py" alice "$(link_of alice)"
        echo
        echo "The server stops now, and the other links with it: 'make demo-serve' keeps it up for a browser."
        ;;
    serve)
        echo
        echo "The server keeps running at $PWPUSH_URL. Open a link in a browser (each works once):"
        while IFS=, read -r user _ link; do
            [ "$user" = user ] || printf '  %-8s %s\n' "$user" "$link"
        done < "$work/links.csv"
        echo "Another machine? ssh -L ${PWPUSH_URL##*:}:127.0.0.1:${PWPUSH_URL##*:} this-host, then open the same links."
        echo "Press Ctrl-C to stop the server. Its requests as they come (paths only, never a secret):"
        # Until Ctrl-C: run-with's trap then stops the server.
        if [ -n "${FAKE_LOG:-}" ] && [ -f "$FAKE_LOG" ]; then
            tail -n 0 -f "$FAKE_LOG"
        else
            while sleep 3600; do :; done
        fi
        ;;
    *)
        echo "usage: $0 once|links|serve" >&2
        exit 2
        ;;
esac
