#!/usr/bin/env bash
# The GitHub Action's scan step (action.yml). Two scans of the same tree:
#   1. SARIF with every finding, for code scanning (it tracks new and fixed alerts itself);
#   2. markdown against the baseline, for the job summary; its exit code decides the job.
# Inputs come as environment variables; outputs go to $GITHUB_OUTPUT, the summary to $GITHUB_STEP_SUMMARY.
set -uo pipefail

path="${AE_PATH:-.}"
sarif="${AE_SARIF:-auth-enforcer.sarif}"
baseline="${AE_BASELINE:-}"
read -r -a extra <<< "${AE_ARGS:-}"

# Which auth-enforcer: an explicit version from the registry; else the project's own install (the
# same version its hooks run); else this action's checkout, built once (npm ci runs the build).
if [ -n "${AE_VERSION:-}" ]; then
  cli=(npx --yes -- "auth-enforcer@${AE_VERSION}")
elif [ -x node_modules/.bin/auth-enforcer ]; then
  cli=(npx --no -- auth-enforcer)
else
  action_dir="${AE_ACTION_PATH:?AE_ACTION_PATH is not set}"
  if [ ! -f "$action_dir/dist/src/cli/main.js" ]; then
    (cd "$action_dir" && npm ci --no-audit --no-fund >&2) || { echo "::error::auth-enforcer: could not build the action"; exit 2; }
  fi
  cli=(node "$action_dir/bin/auth-enforcer.js")
fi

baseline_args=()
if [ -n "$baseline" ] && [ -f "$baseline" ]; then
  baseline_args=(--baseline "$baseline")
elif [ -n "$baseline" ] && [ "${AE_BASELINE_REQUIRED:-false}" = "true" ]; then
  echo "::error::auth-enforcer: baseline $baseline not found"
  exit 2
fi

"${cli[@]}" scan "$path" --format sarif --output "$sarif" "${extra[@]}"
code=$?
if [ "$code" -ge 2 ]; then
  echo "::error::auth-enforcer could not scan (exit $code); see the log above"
  exit "$code"
fi

notes="$(mktemp)"
summary="$(mktemp)"
"${cli[@]}" scan "$path" --format markdown "${baseline_args[@]}" "${extra[@]}" > "$summary" 2> "$notes"
code=$?
cat "$notes" >&2
if [ "$code" -ge 2 ]; then
  echo "::error::auth-enforcer could not scan (exit $code); see the log above"
  exit "$code"
fi

if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  {
    cat "$summary"
    # "3 findings in the baseline not shown": worth a line under the table.
    sed -n 's/^auth-enforcer: \(.*not shown\)$/\n_\1._/p' "$notes"
  } >> "$GITHUB_STEP_SUMMARY"
fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  {
    echo "exit-code=$code"
    echo "sarif-file=$sarif"
  } >> "$GITHUB_OUTPUT"
fi
rm -f "$notes" "$summary"
exit 0
