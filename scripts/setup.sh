#!/usr/bin/env bash
# Set up hecha on a bare machine: system packages, a virtualenv, the pinned Python set.
#   scripts/setup.sh          runtime (demo, runs, reports)
#   scripts/setup.sh --dev    plus test tools and the headless browser for browser tests
# Idempotent: a second call with unchanged pins only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
[[ "${1:-}" == "--dev" ]] && dev=1
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3

# System packages: CJK fonts for PDF reports and charts, pango for WeasyPrint, poppler for
# PDF checks, Debian's Chromium for browser tests (Playwright's own download does not work here).
apt_pkgs=(fonts-noto-cjk fontconfig poppler-utils libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1)
((dev)) && apt_pkgs+=(chromium)
missing=()
for p in "${apt_pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
  if command -v apt-get >/dev/null 2>&1 && [[ $(id -u) == 0 ]]; then
    echo "== installing system packages: ${missing[*]}"
    apt-get -o DPkg::Lock::Timeout=300 update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fc-cache -f >/dev/null 2>&1 || true
    rm -rf "${MPLCONFIGDIR:-$HOME/.cache/matplotlib}"/fontlist-*.json  # let matplotlib find the CJK font
  else
    echo "!! missing system packages (install them with your package manager): ${missing[*]}" >&2
  fi
fi

[[ -x .venv/bin/python ]] || "$PY" -m venv .venv
extras=""
((dev)) && extras="[dev]"
stamp=".venv/.hecha-installed${extras}"
want=$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)
current() { [[ -f $1 && $(cat "$1") == "$want" ]]; }
# the dev install is a superset of the runtime one
if ! current "$stamp" && ! current ".venv/.hecha-installed[dev]"; then
  echo "== installing Python packages (pinned by constraints.txt)"
  .venv/bin/python -m pip install -q -c constraints.txt -e ".${extras}"
  .venv/bin/python -m pip check
  echo "$want" > "$stamp"
fi
# Prefect's migrated empty database, per Prefect version: a new HECHA_HOME starts from a copy (flows/warmup.py)
template=$(.venv/bin/python -c 'from flows.warmup import template_path; print(template_path())')
[[ -f $template ]] || .venv/bin/python -m flows.warmup --template
echo "== hecha is installed in .venv (activate: source .venv/bin/activate)"
