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
# Back-dated: file times come from a coarse clock, and a file written in the same tick as the
# marker is not -newer than it (the stand-in's first mkdir lost its chown about 1 time in 4).
touch -d "@$(($(date +%s) - 2))" "$started"
# A handler, not an ignore: rpc-chaos must still get Ctrl-C (tini -g sends it to the whole
# group), and this shell must outlive it to hand the files over.
trap : INT TERM
status=0
rpc-chaos "$@" || status=$?
find . -xdev -user 0 -newer "$started" -exec chown -h "$owner" {} + || true
rm -f "$started"
exit "$status"
