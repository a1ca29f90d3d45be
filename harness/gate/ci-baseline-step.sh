#!/usr/bin/env bash
# The baseline step of .github/workflows/rpc-chaos-gate.yml, kept here so a test can run it.
#
# Picks the baseline to compare with, in this order:
#   1. the baseline cached by an earlier passing run on main on the same runner type
#      (actions/cache, keyed by runner OS and architecture): same hardware, so a tight tolerance;
#   2. the baseline committed to the repository (made on another machine): a wide tolerance,
#      so only a large regression fails the build, not the difference between machines;
#   3. none: the run only saves a baseline (uploaded with the reports, cached on main).
# Every run also writes its own baseline to $RPC_CHAOS_NEW_BASELINE for the next runs.
# Exits with the scenario's exit code (0 pass, 1 gate failed, 2 harness error).
set -euo pipefail

cached="${RPC_CHAOS_CACHED_BASELINE:-.rpc-chaos-cache/baseline.json}"
committed="${RPC_CHAOS_COMMITTED_BASELINE:-.github/rpc-chaos-baseline.json}"
new_baseline="${RPC_CHAOS_NEW_BASELINE:-reports/rpc-chaos-baseline.json}"
out="${RPC_CHAOS_OUT:-reports/baseline}"
repeat="${RPC_CHAOS_REPEAT:-3}"
same_runner_tolerance="${RPC_CHAOS_SAME_RUNNER_TOLERANCE:-25%}"
other_machine_tolerance="${RPC_CHAOS_OTHER_MACHINE_TOLERANCE:-100%}"
summary="${GITHUB_STEP_SUMMARY:-/dev/null}"

args=(run scenario -- baseline --broker url --out "$out" --repeat "$repeat" --save-baseline "$new_baseline")
if [ -s "$cached" ]; then
  note="compared with the baseline cached by an earlier run on this runner type ($cached), tolerance $same_runner_tolerance"
  args+=(--baseline "$cached" --tolerance "$same_runner_tolerance")
elif [ -s "$committed" ]; then
  note="compared with the committed baseline $committed (made on another machine), tolerance $other_machine_tolerance"
  args+=(--baseline "$committed" --tolerance "$other_machine_tolerance")
else
  note="no baseline yet: this run saved one to $new_baseline (commit it as $committed, or let main cache it)"
fi

echo "rpc-chaos baseline: $note"
echo "+ npm ${args[*]}"
status=0
npm "${args[@]}" || status=$?
printf '\n**baseline**: %s\n' "$note" >> "$summary"
exit "$status"
