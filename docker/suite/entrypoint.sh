#!/bin/sh
# Entry point of the suite image: its arguments are rpc-chaos's own, so
#   docker run ... <image> suite --server-cmd "..."    runs    rpc-chaos suite --server-cmd "..."
# The harness runs as root in the container (Debian's RabbitMQ needs root or its own user); what
# it writes into the mounted working directory is handed to that directory's owner afterwards,
# so a host user can read and delete the suite folder without sudo.
set -eu

[ "$#" -gt 0 ] || set -- --help

owner=$(stat -c %u:%g .)
if [ "$owner" = "0:0" ]; then exec rpc-chaos "$@"; fi

started=$(mktemp)
# A handler, not an ignore: rpc-chaos must still get Ctrl-C (tini -g sends it to the whole
# group), and this shell must outlive it to hand the files over.
trap : INT TERM
status=0
rpc-chaos "$@" || status=$?
find . -xdev -user 0 -newer "$started" -exec chown -h "$owner" {} + || true
rm -f "$started"
exit "$status"
