#!/usr/bin/env bash
# The tools the chart's checks need, built or installed once and cached:
#   helm v3.22.0 from source with `go install` (about 5 minutes the first time) into ~/.cache/lutflow/tools;
#   kubernetes-validate (PyPI, bundled schemas, offline) comes with the project's .venv (scripts/requirements.txt).
# Prints the helm binary's path. LUTFLOW_TOOLS_DIR moves the cache.
set -euo pipefail
HELM_VERSION=v3.22.0
dir="${LUTFLOW_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/lutflow/tools}/helm-$HELM_VERSION"
if [ ! -x "$dir/helm" ]; then
  if ! command -v go >/dev/null 2>&1; then
    echo "deploy/tools.sh: Go is needed to build helm $HELM_VERSION (go install helm.sh/helm/v3/cmd/helm@$HELM_VERSION)" >&2
    exit 1
  fi
  echo "deploy/tools.sh: building helm $HELM_VERSION into $dir (a few minutes, once)" >&2
  mkdir -p "$dir"
  GOBIN="$dir" nice -n 10 go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" >&2
fi
echo "$dir/helm"
