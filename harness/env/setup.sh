#!/usr/bin/env bash
# Installs what rpc-chaos needs on a fresh Debian/Ubuntu machine, then the npm packages.
#   rabbitmq-server  private broker nodes for scenarios and tests (the default broker)
#   iptables         real partitions between the nodes of a private cluster (root only)
#   python3-pika     the tutorial's Python programs (the reference implementations)
#   chromium         headless browser for the HTML report tests (repository only)
#   docker.io, debootstrap  the Docker path (locally built RabbitMQ image; optional, repository only)
# In an installed package (npx rpc-chaos setup: it ships no TypeScript sources) only what a run
# needs is installed, and no npm ci: its npm packages came with npm install, into the project.
# Safe to run again: only what is missing is installed. --dry-run says what it would do.
set -euo pipefail
cd "$(dirname "$0")/../.."

dry_run=0
for argument in "$@"; do
  case "$argument" in
    --dry-run) dry_run=1 ;;
    *) echo "setup: unknown argument $argument (usage: setup.sh [--dry-run])" >&2; exit 2 ;;
  esac
done
repository=0
[ -f harness/cli/cli.ts ] && repository=1

missing=()
command -v rabbitmq-server >/dev/null 2>&1 || [ -x /usr/sbin/rabbitmq-server ] || missing+=(rabbitmq-server)
command -v iptables >/dev/null 2>&1 || [ -x /usr/sbin/iptables ] || missing+=(iptables)
/usr/bin/python3 -c "import pika" >/dev/null 2>&1 || missing+=(python3-pika)
if [ "$repository" -eq 1 ]; then
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  if [ "${RPC_CHAOS_SKIP_DOCKER_PACKAGES:-}" != "1" ]; then
    command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
    command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  fi
fi

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$dry_run" -eq 1 ]; then
    echo "setup: would install Debian packages: ${missing[*]}"
  else
    echo "setup: installing Debian packages: ${missing[*]}"
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
    # Debian starts a system-wide rabbitmq-server on install; rpc-chaos never needs it,
    # but it is left alone in case something else on the machine uses it.
  fi
else
  echo "setup: the Debian packages a run needs are installed"
fi

if [ "$repository" -eq 0 ]; then
  echo "setup: an installed package: no npm ci (its npm packages came with npm install)"
elif [ "$dry_run" -eq 1 ]; then
  echo "setup: would run npm ci in $(pwd)"
else
  echo "setup: npm ci (its prepare script compiles the harness into dist/: npm run build)"
  npm ci --no-audit --no-fund
fi
