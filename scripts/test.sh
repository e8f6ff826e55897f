#!/usr/bin/env bash
# The whole test suite, then lint and types. Exit non-zero on any failure (and on "no tests ran").
set -uo pipefail
cd "$(dirname "$0")/.."
export DO_NOT_TRACK=1 GX_ANALYTICS_ENABLED=false PREFECT_SERVER_ANALYTICS_ENABLED=false \
  PREFECT_LOGGING_TO_API_ENABLED=false PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS=120
export PREFECT_HOME="${PREFECT_HOME:-$PWD/var/test-prefect}"
mkdir -p "$PREFECT_HOME"  # Prefect creates its home without parents
.venv/bin/python -m pytest "$@"
rc=$?
if [[ $rc == 5 ]]; then echo "no tests ran: failing" >&2; exit 1; fi
[[ $rc == 0 ]] || exit $rc
.venv/bin/ruff check . || exit 1
.venv/bin/ruff format --check . || exit 1
.venv/bin/lint-imports || exit 1
.venv/bin/mypy || exit 1
