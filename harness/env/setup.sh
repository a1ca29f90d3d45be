#!/usr/bin/env bash
# Installs what rpc-chaos needs on a fresh Debian/Ubuntu machine, then the npm packages.
#   rabbitmq-server  private broker nodes for scenarios and tests (the default broker)
#   iptables         real partitions between the nodes of a private cluster (root only)
#   chromium         headless browser for the HTML report tests
#   python3-pika     the tutorial's Python programs, for the interoperability tests
#   docker.io, debootstrap  the Docker path (locally built RabbitMQ image; optional)
# Safe to run again: only what is missing is installed.
set -euo pipefail
cd "$(dirname "$0")/../.."

missing=()
command -v rabbitmq-server >/dev/null 2>&1 || [ -x /usr/sbin/rabbitmq-server ] || missing+=(rabbitmq-server)
command -v iptables >/dev/null 2>&1 || [ -x /usr/sbin/iptables ] || missing+=(iptables)
[ -x /usr/bin/chromium ] || missing+=(chromium)
/usr/bin/python3 -c "import pika" >/dev/null 2>&1 || missing+=(python3-pika)
if [ "${RPC_CHAOS_SKIP_DOCKER_PACKAGES:-}" != "1" ]; then
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
  # Debian starts a system-wide rabbitmq-server on install; rpc-chaos never needs it,
  # but it is left alone in case something else on the machine uses it.
fi

echo "setup: npm ci (its prepare script compiles the harness into dist/: npm run build)"
npm ci --no-audit --no-fund
