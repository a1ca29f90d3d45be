#!/usr/bin/env bash
# Builds a Toxiproxy-compatible image without any image registry: the rootfs of the RabbitMQ
# image (docker/build-rabbitmq-image.sh, a debootstrapped Debian), this machine's node binary,
# and the built-in proxy's compiled server (dist/toxiproxy.js, `npm run toxiproxy`) behind an
# entry point that takes toxiproxy-server's flags (-host, -port) and prints its start-up log
# line (docker/toxiproxy-compatible/toxiproxy). Where ghcr.io/shopify/toxiproxy cannot be
# pulled, the Docker proxy path (--proxy docker) runs it with:
#   TOXIPROXY_IMAGE=rpc-chaos/toxiproxy-compatible:local
# It is not Toxiproxy: it serves Toxiproxy's API with the built-in proxy's semantics.
#
#   bash docker/build-toxiproxy-image.sh [--force] [--tag NAME] [--base IMAGE]
#     --force    rebuild even if the tag exists and was built from the same files
#     --tag      image tag (default rpc-chaos/toxiproxy-compatible:local)
#     --base     image whose rootfs it starts from (default rpc-chaos/rabbitmq:local, built if absent)
set -euo pipefail
cd "$(dirname "$0")/.."

tag="rpc-chaos/toxiproxy-compatible:local"
base="rpc-chaos/rabbitmq:local"
force=0
while [ $# -gt 0 ]; do
  case "$1" in
    --force) force=1 ;;
    --tag) tag="${2:?--tag needs a value}"; shift ;;
    --base) base="${2:?--base needs a value}"; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "build-toxiproxy-image: unknown option $1 (use --force, --tag NAME, --base IMAGE)" >&2; exit 2 ;;
  esac
  shift
done

fail() { echo "build-toxiproxy-image: $*" >&2; exit 2; }
command -v docker >/dev/null || fail "the docker CLI is missing: apt-get install -y docker.io"
docker info >/dev/null 2>&1 || fail "no Docker engine answers; start one: bash docker/start-dockerd.sh"
node_binary=$(command -v node) || fail "node is not on PATH"
node_binary=$(readlink -f "$node_binary")

# The bundle must match the sources it is copied from: the image runs it without them.
node harness/build/build.mjs --if-stale
api_version=$(sed -n "s/^export const TOXIPROXY_API_VERSION = '\([^']*\)';$/\1/p" harness/env/proxy/http-api.ts)
[ -n "$api_version" ] || fail "no TOXIPROXY_API_VERSION in harness/env/proxy/http-api.ts"
# Everything the image is made of, so an image of an older server is rebuilt, not reused.
inputs=$(cat dist/toxiproxy.js docker/toxiproxy-compatible/toxiproxy harness/build/build.mjs harness/build/programs.json node_modules/commander/package.json "$node_binary" | sha256sum | cut -c1-16)

if [ "$force" -eq 0 ] && [ "$(docker image inspect --format '{{index .Config.Labels "rpc-chaos.inputs"}}' "$tag" 2>/dev/null)" = "$inputs" ]; then
  echo "build-toxiproxy-image: $tag exists and is up to date (use --force to rebuild)"
  exit 0
fi
if ! docker image inspect "$base" >/dev/null 2>&1; then
  [ "$base" = "rpc-chaos/rabbitmq:local" ] || fail "base image $base is not present locally"
  bash docker/build-rabbitmq-image.sh --tag "$base"
fi

started=$(date +%s)
context=$(mktemp -d /tmp/rpc-chaos-toxiproxy-image.XXXXXX)
container=""
cleanup() {
  set +e
  [ -n "$container" ] && docker rm -f "$container" >/dev/null 2>&1
  rm -rf "$context"
}
trap cleanup EXIT

app="$context/opt/rpc-chaos"
mkdir -p "$app/dist" "$app/harness/build" "$app/node_modules" "$context/usr/local/bin"
cp "$node_binary" "$context/usr/local/bin/node"
cp docker/toxiproxy-compatible/toxiproxy "$context/toxiproxy"
# An ES module bundle whose banner imports the build's freshness check, which reads programs.json.
cp dist/toxiproxy.js dist/toxiproxy.js.map "$app/dist/"
cp harness/build/build.mjs harness/build/programs.json "$app/harness/build/"
cp -r node_modules/commander "$app/node_modules/"
printf '{ "name": "rpc-chaos-toxiproxy-compatible", "private": true, "type": "module" }\n' > "$app/package.json"
printf '%s\n' "$api_version" > "$app/api-version"

previous=$(docker image inspect --format '{{.Id}}' "$tag" 2>/dev/null || true)
container=$(docker create --network none "$base")
docker cp "$context/." "$container:/"
# RPC_CHAOS_BUILD_CHECKED: the bundle was checked fresh above; the image has no sources to check it against.
docker commit \
  -c 'ENV RPC_CHAOS_BUILD_CHECKED=1' \
  -c 'ENTRYPOINT ["/toxiproxy"]' \
  -c 'CMD ["-host=0.0.0.0"]' \
  -c "LABEL rpc-chaos.inputs=$inputs" \
  "$container" "$tag" >/dev/null

# This machine's node must run on the image's libraries.
if ! version=$(docker run --rm --network none --entrypoint /usr/local/bin/node "$tag" --version 2>&1); then
  docker rmi "$tag" >/dev/null 2>&1 || true
  fail "$node_binary does not run in $base: $version"
fi
# The image this one replaces would stay behind untagged; one still used by a container stays.
if [ -n "$previous" ] && [ "$previous" != "$(docker image inspect --format '{{.Id}}' "$tag")" ]; then
  docker rmi "$previous" >/dev/null 2>&1 || true
fi
echo "build-toxiproxy-image: built $tag (node $version, Toxiproxy API $api_version) in $(( $(date +%s) - started )) s"
