#!/usr/bin/env bash
# One run of every benchmark, one after another, on the commit checked out: the figures in the
# README's Benchmarks table come from this script. Needs the project's .venv
# (python3 scripts/dev.py test --co -q builds it). Takes ~20 minutes on a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d "${TMPDIR:-/tmp}/tracker-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT
git log --oneline -1
.venv/bin/python -m benchmarks.make_register "$work/r100k.sqlite" --providers 100000
for job in "bench_reminders --db $work/r100k.sqlite --runs 3" "bench_gaps --db $work/r100k.sqlite" \
           "bench_tui --register $work/r100k.sqlite" "bench_import" "bench_export" \
           "bench_restore --providers 100000"; do
  echo "===== $job  ($(uptime | sed 's/.*load/load/'))"
  # shellcheck disable=SC2086  # the job's arguments are split on purpose
  .venv/bin/python -m benchmarks.$job
done
