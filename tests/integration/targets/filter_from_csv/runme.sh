#!/usr/bin/env bash
source ../setup_fakes/lib.sh
checked_playbook -i localhost, -c local play.yml "$@"
