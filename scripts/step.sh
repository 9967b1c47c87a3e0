#!/usr/bin/env bash
# Runs one step of `make test` and prints how long it took; the times are also appended to
# $SON1K_STEP_LOG (when set) so that the whole run can print them together at the end.
# Usage: scripts/step.sh NAME COMMAND [ARGS...]
set -uo pipefail
name="$1"; shift
start=$(date +%s)
"$@"
rc=$?
line="step $name: $(( $(date +%s) - start )) s$([ $rc = 0 ] || echo " (failed, exit $rc)")"
echo "$line"
[ -z "${SON1K_STEP_LOG:-}" ] || echo "$line" >> "$SON1K_STEP_LOG"
exit $rc
