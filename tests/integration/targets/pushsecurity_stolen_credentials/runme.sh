#!/usr/bin/env bash
source ../setup_fakes/lib.sh
# 10,000 leaked credentials, as a threat-intel export would bring them, and a small CSV export. Every password
# carries a random marker that the -vvvv leak check looks for in the whole output.
STOLEN_PASSWORD_MARKER="stolen-$(python3 -c 'import secrets; print(secrets.token_hex(6))')"
export STOLEN_PASSWORD_MARKER LEAK_VALUE_NAMES="STOLEN_PASSWORD_MARKER"
work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT
python3 - "${work}" <<'PY'
import json, os, sys
marker = os.environ["STOLEN_PASSWORD_MARKER"]
json.dump([{"email": "user%05d@example.com" % i, "password": "leaked-pw-%s-%05d" % (marker, i),
            "metadata": {"source": "feed-%d" % (i % 3)}} for i in range(10000)],
          open(os.path.join(sys.argv[1], "leak.json"), "w"))
with open(os.path.join(sys.argv[1], "leak.csv"), "w") as csv:
    csv.write("email,password,breach,first_seen\n")
    csv.write('csv-one@example.com,"leaked-pw-%s,with ""quotes""",combo-2026,2026-11-01\n' % marker)
    csv.write("csv-two@example.com,leaked-pw-%s-two,,\n" % marker)
    # An email that holds its own password: the returned email must come back masked.
    csv.write("%s@example.com,%s,,\n" % (marker, marker))
PY
run_against pushsecurity --read-only-key "${PUSHSECURITY_READ_ONLY_KEY}" -- play.yml \
    -e "credentials_file=${work}/leak.json" -e "csv_file=${work}/leak.csv" "$@"
