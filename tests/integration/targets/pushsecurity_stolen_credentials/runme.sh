#!/usr/bin/env bash
source ../setup_fakes/lib.sh
# 10,000 leaked credentials, as a threat-intel export would bring them.
creds="$(mktemp --suffix=.json)"
trap 'rm -f "${creds}"' EXIT
python3 -c 'import json, sys; json.dump([{"email": "user%05d@example.com" % i, "password": "leaked-pw-%05d" % i,
    "metadata": {"source": "feed-%d" % (i % 3)}} for i in range(10000)], open(sys.argv[1], "w"))' "${creds}"
run_against pushsecurity --read-only-key "${PUSHSECURITY_READ_ONLY_KEY}" -- play.yml -e "credentials_file=${creds}" "$@"
