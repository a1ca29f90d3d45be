#!/usr/bin/env bash
# Starts a Docker engine in the background if none answers; a no-op when one does.
#   bash docker/start-dockerd.sh            (log: $DOCKERD_LOG, default /tmp/rpc-chaos-dockerd.log)
#
# When it starts one, its last line is "start-dockerd: started dockerd (pid N)": whoever
# started the engine (a test run) stops it with "kill N"; an engine that was already running
# is left alone.
#
# rpc-chaos only ever uses host networking, so the engine runs without a bridge and without
# iptables rules: nothing on the machine's network changes, and it also starts in containers
# and CI sandboxes that allow neither. (Measured here: dockerd with default flags starts too,
# but then creates docker0 on 172.17.0.0/16 and DOCKER chains in iptables, which we never use.)
set -euo pipefail

log=${DOCKERD_LOG:-/tmp/rpc-chaos-dockerd.log}
wait_seconds=30

if docker info >/dev/null 2>&1; then exit 0; fi

command -v docker >/dev/null || { echo "start-dockerd: the docker CLI is missing: apt-get install -y docker.io" >&2; exit 2; }
command -v dockerd >/dev/null || { echo "start-dockerd: dockerd is missing: apt-get install -y docker.io" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "start-dockerd: dockerd needs root; run: sudo bash docker/start-dockerd.sh" >&2; exit 2; }

# A dockerd that is still starting up (or hung) would refuse a second one on the same
# pid file; wait for that one instead of starting another.
existing_pid=$(cat /var/run/docker.pid 2>/dev/null || true)
if [ -n "$existing_pid" ] && kill -0 "$existing_pid" 2>/dev/null; then
  echo "start-dockerd: dockerd (pid $existing_pid) is running but not answering yet; waiting up to ${wait_seconds} s"
else
  # setsid + </dev/null: the daemon must outlive the shell (and a test runner's process
  # group) that started it, and must not hold the caller's stdin or output pipes open.
  setsid dockerd --iptables=false --ip6tables=false --bridge=none </dev/null >"$log" 2>&1 &
  started=1
  echo "start-dockerd: starting dockerd, log $log"
fi

for _ in $(seq 1 $((wait_seconds * 2))); do
  if docker info >/dev/null 2>&1; then
    # The pid file, not $!: setsid may fork, and then $! is not the daemon.
    if [ -n "${started:-}" ]; then echo "start-dockerd: started dockerd (pid $(cat /var/run/docker.pid))"; fi
    exit 0
  fi
  sleep 0.5
done
echo "start-dockerd: dockerd did not answer within ${wait_seconds} s; last lines of $log:" >&2
tail -n 15 "$log" >&2 || true
exit 1
