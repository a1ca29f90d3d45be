#!/usr/bin/env bash
# Builds a RabbitMQ image without any image registry: debootstrap a minimal Debian bookworm
# rootfs with Debian's rabbitmq-server from the machine's own apt mirror, then `docker import`
# it. This is the image the Docker path (--broker docker) uses by default, for machines that
# reach a Debian mirror but no registry.
#
#   bash docker/build-rabbitmq-image.sh [--force] [--tag NAME] [--mirror URL] [--packages LIST]
#     --force     rebuild even if the tag exists
#     --tag       image tag (default rpc-chaos/rabbitmq:local, what RABBITMQ_IMAGE defaults to)
#     --mirror    Debian mirror (default: the one apt uses, read from /etc/apt)
#     --packages  more Debian packages, comma-separated (docker/build-suite-image.sh adds python3-pika)
set -euo pipefail

suite=bookworm
tag="rpc-chaos/rabbitmq:local"
force=0
mirror=""
packages=rabbitmq-server
while [ $# -gt 0 ]; do
  case "$1" in
    --force) force=1 ;;
    --tag) tag="${2:?--tag needs a value}"; shift ;;
    --mirror) mirror="${2:?--mirror needs a value}"; shift ;;
    --packages) packages="$packages,${2:?--packages needs a value}"; shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "build-rabbitmq-image: unknown option $1 (use --force, --tag, --mirror, --packages)" >&2; exit 2 ;;
  esac
  shift
done

fail() { echo "build-rabbitmq-image: $*" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || fail "debootstrap needs root; run: sudo bash docker/build-rabbitmq-image.sh"
command -v debootstrap >/dev/null || fail "debootstrap is missing: apt-get install -y debootstrap"
command -v docker >/dev/null || fail "the docker CLI is missing: apt-get install -y docker.io"
docker info >/dev/null 2>&1 || fail "no Docker engine answers; start one: bash docker/start-dockerd.sh"

if [ "$force" -eq 0 ] && docker image inspect "$tag" >/dev/null 2>&1; then
  echo "build-rabbitmq-image: $tag exists (use --force to rebuild)"
  exit 0
fi

# The mirror apt already reaches: the first source (one-line or deb822 format) that serves
# "$suite main", so a security or third-party repository listed earlier is not taken.
find_mirror() {
  local files=(/etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources)
  local file
  for file in "${files[@]}"; do
    [ -f "$file" ] || continue
    awk -v suite="$suite" '
      function has(list, word,   n, i, parts) { n = split(list, parts, /[ \t]+/); for (i = 1; i <= n; i++) if (parts[i] == word) return 1; return 0 }
      function flush() { if (types ~ /(^|[ \t])deb([ \t]|$)/ && has(suites, suite) && has(components, "main") && uris != "") { split(uris, u, /[ \t]+/); print u[1]; exit } types = suites = components = uris = "" }
      /^deb[ \t]/ { line = $0; sub(/\[[^]]*\][ \t]*/, "", line); n = split(line, f, /[ \t]+/); if (f[3] == suite && has(line, "main")) { print f[2]; exit } next }
      /^[Tt]ypes:/      { sub(/^[^:]*:[ \t]*/, ""); types = $0; next }
      /^URIs:/          { sub(/^[^:]*:[ \t]*/, ""); uris = $0; next }
      /^[Ss]uites:/     { sub(/^[^:]*:[ \t]*/, ""); suites = $0; next }
      /^[Cc]omponents:/ { sub(/^[^:]*:[ \t]*/, ""); components = $0; next }
      /^[ \t]*$/        { flush() }
      END               { flush() }
    ' "$file"
  done | head -n 1
}
if [ -z "$mirror" ]; then
  mirror=$(find_mirror)
  [ -n "$mirror" ] || fail "no apt source for '$suite main' in /etc/apt/sources.list{,.d}; pass --mirror URL"
fi

workdir=$(mktemp -d /tmp/rpc-chaos-rootfs.XXXXXX)
rootfs="$workdir/rootfs"
cleanup() {
  # set -e must not cut the cleanup short (grep finds no mount in the normal case).
  set +e
  # debootstrap mounts /proc and /sys inside the target and may leave them mounted when it
  # fails: unmount before deleting, and never let rm cross into another filesystem.
  grep -o " $rootfs/[^ ]*" /proc/mounts | sort -r | while read -r mountpoint; do umount -l "$mountpoint"; done
  rm -rf --one-file-system "$workdir"
}
trap cleanup EXIT

started=$(date +%s)
echo "build-rabbitmq-image: debootstrap $suite with $packages from $mirror (1-2 minutes)"
if ! debootstrap --variant=minbase --include="$packages" "$suite" "$rootfs" "$mirror" >"$workdir/debootstrap.log" 2>&1; then
  echo "build-rabbitmq-image: debootstrap failed; last lines of its log:" >&2
  tail -n 20 "$workdir/debootstrap.log" >&2
  exit 1
fi
# Downloaded packages and index files are useless in the image and about a third of its size.
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*

# Debian's package starts nothing inside a chroot; a container runs the server in the
# foreground. The CMD is the server script itself, not /usr/sbin/rabbitmq-server: that is a
# `sh` wrapper around `su rabbitmq`, which as PID 1 ignores SIGTERM, so every `docker stop`
# would wait out its timeout; the script traps SIGTERM and stops the node cleanly.
# RABBITMQ_LOGS=- sends the log to stdout, where a log wait strategy and `docker logs` see it.
tar -C "$rootfs" -c . | docker import \
  -c 'ENV RABBITMQ_LOGS=-' \
  -c 'CMD ["/usr/lib/rabbitmq/bin/rabbitmq-server"]' - "$tag" >/dev/null
echo "build-rabbitmq-image: built $tag in $(( $(date +%s) - started )) s"
