#!/usr/bin/env bash
# Builds a RabbitMQ image without any image registry: debootstrap a minimal Debian rootfs
# with Debian's rabbitmq-server, then `docker import` it. Used by the Docker path
# (--broker docker) on machines that reach Debian's mirrors but no registry.
#   bash docker/build-rabbitmq-image.sh [--force] [--tag rpc-chaos/rabbitmq:local]
set -euo pipefail

tag="rpc-chaos/rabbitmq:local"
force=0
while [ $# -gt 0 ]; do
  case "$1" in
    --force) force=1 ;;
    --tag) tag="$2"; shift ;;
    *) echo "build-rabbitmq-image: unknown option $1 (use --force, --tag NAME)" >&2; exit 2 ;;
  esac
  shift
done

[ "$(id -u)" -eq 0 ] || { echo "build-rabbitmq-image: debootstrap needs root; run with sudo" >&2; exit 2; }
command -v debootstrap >/dev/null || { echo "build-rabbitmq-image: debootstrap missing: apt-get install -y debootstrap" >&2; exit 2; }
docker info >/dev/null 2>&1 || { echo "build-rabbitmq-image: no Docker engine answers; start one (bash docker/start-dockerd.sh)" >&2; exit 2; }

if [ "$force" -eq 0 ] && docker image inspect "$tag" >/dev/null 2>&1; then
  echo "build-rabbitmq-image: $tag exists (use --force to rebuild)"
  exit 0
fi

# The machine's own Debian mirror: the one apt already reaches.
mirror=$(grep -h -m1 -E '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null \
  | head -n1 | sed -E 's/^URIs:[[:space:]]*//; s/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?//; s/[[:space:]].*$//' || true)
mirror=${mirror:-http://deb.debian.org/debian}

rootfs=$(mktemp -d /tmp/rpc-chaos-rootfs.XXXXXX)
trap 'rm -rf "$rootfs"' EXIT
echo "build-rabbitmq-image: debootstrap bookworm from $mirror (about a minute)"
debootstrap --variant=minbase --include=rabbitmq-server bookworm "$rootfs" "$mirror" >"$rootfs.log" 2>&1 \
  || { tail -20 "$rootfs.log" >&2; rm -f "$rootfs.log"; exit 1; }
rm -f "$rootfs.log"
# Debian's install starts nothing inside a chroot; the container runs the server in the foreground.
tar -C "$rootfs" -c . | docker import \
  -c 'ENV RABBITMQ_LOGS=-' \
  -c 'CMD ["/usr/lib/rabbitmq/bin/rabbitmq-server"]' - "$tag" >/dev/null
echo "build-rabbitmq-image: built $tag"
