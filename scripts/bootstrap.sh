#!/usr/bin/env bash
# Idempotent set-up for `make setup` (and so for `make demo` and `make test`):
#   1. the project virtualenv (Python 3.11, like Glue 5.0) with the pinned `dev` extras;
#   2. a Python 3.13 virtualenv for LocalStack community (it needs 3.13), unless LOCALSTACK_ENDPOINT
#      points at a LocalStack that already runs (Docker, Pro, ...);
#   3. the Terraform CLI config (written by harness.terraform).
# Virtualenvs live in a cache folder keyed by the hash of pyproject.toml, so a fresh clone on the same
# machine reuses them; `.venv` in the checkout is a link to the current one.
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE=${GLUEMON_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/glue-etl-monitoring}
mkdir -p "$CACHE"

say() { printf '[setup] %s\n' "$*"; }
log="$CACHE/setup.log"
quiet() {  # run a step with its output in $log, shown only when it fails
  if ! "$@" >>"$log" 2>&1; then tail -n 40 "$log" >&2; die "'$*' failed (full log: $log)"; fi
}
die() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }

if ! command -v terraform >/dev/null 2>&1; then
  die "terraform is not on PATH. Install Terraform >= 1.9 (https://developer.hashicorp.com/terraform/install,
  or 'apt-get install terraform' from HashiCorp's apt repository), then run make again."
fi

find_python() {  # $1 = minor version wanted, e.g. 3.11; prints an interpreter path or nothing
  local want=$1 cand
  for cand in "${2:-}" "python$want" "$(command -v pyenv >/dev/null 2>&1 && pyenv root)/versions/$want"*/bin/python"$want" \
              /usr/bin/python"$want" /usr/local/bin/python"$want"; do
    [ -n "$cand" ] || continue
    if "$cand" -c "import sys; assert sys.version_info[:2] >= tuple(map(int, '$want'.split('.')))" >/dev/null 2>&1; then
      command -v "$cand" 2>/dev/null || echo "$cand"; return 0
    fi
  done
}

py=$(find_python 3.11 "${PYTHON:-}") || true
[ -n "$py" ] || die "Python >= 3.11 is needed for the project virtualenv (set PYTHON=/path/to/python3.11)."
deps_list() {  # one dependency group of pyproject.toml ("dev" = the run-time dependencies + dev), a requirement a line
  "$py" -c "import sys, tomllib
p = tomllib.load(open('pyproject.toml', 'rb'))['project']
group = sys.argv[1]
print('\n'.join(p['dependencies'] + p['optional-dependencies']['dev'] if group == 'dev' else p['optional-dependencies'][group]))" "$1"
}
deps_key() {  # $1 = group, $2 = interpreter: the virtualenv is rebuilt only when its list or Python changes
  "$2" -c "import hashlib, json, sys
print(hashlib.sha256(json.dumps([sys.stdin.read().split(), list(sys.version_info[:2])]).encode()).hexdigest()[:12])" \
    < <(deps_list "$1")
}
make_venv() {  # $1 = group, $2 = interpreter, $3 = link in the checkout; the virtualenv lives in the cache
  local group=$1 python=$2 link=$3 venv
  venv="$CACHE/venv-$group-$(deps_key "$group" "$python")"
  if [ ! -f "$venv/.complete" ]; then
    say "creating the $group virtualenv with $python (pinned in pyproject.toml; a minute or two the first time)"
    rm -rf "$venv"
    "$python" -m venv "$venv"
    quiet "$venv/bin/pip" install --disable-pip-version-check --upgrade pip
    # Only the pinned dependencies: the project's own code runs from the checkout (pytest's pythonpath,
    # `python -m` from the top folder), so one virtualenv serves every clone on the machine.
    mapfile -t deps < <(deps_list "$group")
    quiet "$venv/bin/pip" install --disable-pip-version-check "${deps[@]}"
    touch "$venv/.complete"
  fi
  ln -sfn "$venv" "$link"
}

# 1. the project virtualenv (Python 3.11, like Glue 5.0) and checkov's own (see pyproject.toml for why)
make_venv dev "$py" .venv
make_venv checkov "$py" .venv-checkov

# 2. LocalStack virtualenv (skipped when the user brings a running LocalStack)
if [ -z "${LOCALSTACK_ENDPOINT:-}" ]; then
  py313=$(find_python 3.13 "${LOCALSTACK_PYTHON:-}") || true
  [ -n "$py313" ] || die "LocalStack community needs Python >= 3.13 and none was found.
  Either install one (pyenv install 3.13, or your distribution's python3.13) and set LOCALSTACK_PYTHON=/path/to/python3.13,
  or run LocalStack yourself (docker run -p 4566:4566 localstack/localstack) and set LOCALSTACK_ENDPOINT=http://localhost:4566."
  make_venv localstack "$py313" .venv-localstack
fi

# 3. Terraform CLI config (provider mirror when this machine has one, the registry otherwise)
TF_CLI_CONFIG_FILE=$(.venv/bin/python -m harness cli-config)
export TF_CLI_CONFIG_FILE
say "ready: $(terraform version | head -n1), $(.venv/bin/python --version), CLI config $TF_CLI_CONFIG_FILE"
