#!/bin/sh
# One participant of a segmented rpc-chaos run, as a scheduler starts it (a Kubernetes
# Indexed Job pod, a CI matrix job). PARTICIPANT 0 is the servers run, 1..SEGMENTS are the
# clients segments. With MERGE=1 the servers run, once done, waits (bounded) for every
# segment's result in RESULTS and merges them into RESULTS/merged.
#
# Environment: PARTICIPANT, SEGMENTS, START_AT (ISO time, the same for all), SEED, SCENARIO,
# RESULTS (folder), AMQP_URL (the shared broker); optional EXTRA_ARGS (e.g. "--calls 4000"),
# MERGE=1, MERGE_WAIT_S (default 600).
set -eu
: "${PARTICIPANT:?}" "${SEGMENTS:?}" "${START_AT:?}" "${SEED:?}" "${SCENARIO:?}" "${RESULTS:?}" "${AMQP_URL:?}"
EXTRA_ARGS="${EXTRA_ARGS:-}"

if [ "$PARTICIPANT" -eq 0 ]; then
  status=0
  # shellcheck disable=SC2086 # EXTRA_ARGS is a list of options
  npm run scenario -- "$SCENARIO" --role servers --segments "$SEGMENTS" --start-at "$START_AT" --seed "$SEED" \
    --broker url --out "$RESULTS/servers" $EXTRA_ARGS || status=$?
  if [ "${MERGE:-0}" = 1 ]; then
    waited=0
    until [ "$(ls "$RESULTS"/segment-*/segment.json 2>/dev/null | wc -l)" -ge "$SEGMENTS" ] || [ "$waited" -ge "${MERGE_WAIT_S:-600}" ]; do
      sleep 5
      waited=$((waited + 5))
    done
    # A missing segment is named by the merge, which then exits 2.
    npm run report -- --merge "$RESULTS"/segment-* "$RESULTS/servers" --out "$RESULTS/merged" --overwrite
    exit $?
  fi
  exit "$status"
fi

[ "$PARTICIPANT" -le "$SEGMENTS" ] || { echo "PARTICIPANT $PARTICIPANT is above SEGMENTS $SEGMENTS" >&2; exit 2; }
# shellcheck disable=SC2086
exec npm run scenario -- "$SCENARIO" --segment "$PARTICIPANT/$SEGMENTS" --start-at "$START_AT" --seed "$SEED" \
  --broker url --out "$RESULTS/segment-$PARTICIPANT" $EXTRA_ARGS
