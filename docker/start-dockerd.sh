#!/usr/bin/env bash
# Starts a Docker engine in the background if none answers. rpc-chaos uses host networking
# only, so the engine runs without a bridge or iptables rules (works in containers and CI
# sandboxes that allow neither).
set -euo pipefail
if docker info >/dev/null 2>&1; then exit 0; fi
command -v dockerd >/dev/null || { echo "start-dockerd: dockerd missing: apt-get install -y docker.io" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "start-dockerd: needs root" >&2; exit 2; }
log=${DOCKERD_LOG:-/tmp/rpc-chaos-dockerd.log}
nohup dockerd --iptables=false --ip6tables=false --bridge=none >"$log" 2>&1 &
for _ in $(seq 1 60); do
  docker info >/dev/null 2>&1 && exit 0
  sleep 0.5
done
echo "start-dockerd: dockerd did not answer within 30 s; see $log" >&2
tail -5 "$log" >&2
exit 1
