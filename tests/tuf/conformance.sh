#!/usr/bin/env bash
# Runs the vendored TUF conformance suite (tests/tuf-conformance, upstream v2.4.0) against a TUF
# client that speaks its CLI protocol (tests/tuf-conformance/CLIENT-CLI.md).
#
#   tests/tuf/conformance.sh [PYTEST ARGS...]       e.g. -k test_basic, -x, -v
#   TUF_CLIENT="CMD ARGS" tests/tuf/conformance.sh   another client, e.g. python-tuf's
#
# The client defaults to tests/tuf/client (`node pkg/cli.js tuf`). The suite splits TUF_CLIENT on
# spaces and resolves a relative first word against the directory it runs in (the repository
# root here). Expected failures: the suite reads `<TUF_CLIENT>.xfails` (tests/tuf/client.xfails),
# one test name, group or `group[param]` a line, `#` comments; they are strict: a listed test that
# passes fails the run.
#
# Needs `faketime` and the suite's Python venv in target/tuf-venv, with its pinned dependencies from
# PyPI: scripts/setup.sh installs both.
set -euo pipefail
cd "$(dirname "$0")/../.."

client=${TUF_CLIENT:-tests/tuf/client}
venv=target/tuf-venv
suite=tests/tuf-conformance

command -v faketime >/dev/null || { echo "conformance.sh: faketime missing (scripts/setup.sh installs it)" >&2; exit 1; }

[ -f "$venv/.tuf-conformance-installed" ] || { echo "conformance.sh: $venv is missing (scripts/setup.sh makes it)" >&2; exit 1; }

# No __pycache__ or .pytest_cache in the vendored copy.
export PYTHONDONTWRITEBYTECODE=1
exec "$venv/bin/python" -m pytest -q -p no:cacheprovider "$suite/tuf_conformance" --entrypoint "$client" "$@"
