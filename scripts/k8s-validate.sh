#!/usr/bin/env bash
# Checks deploy/kubernetes without a cluster: kubectl renders the kustomization (YAML and
# kustomize errors), then scripts/lib/k8s-check.py checks what Vayu relies on (an Indexed Job
# whose completions, parallelism and SEGMENTS agree, the pod's segment from
# JOB_COMPLETION_INDEX, a run file that is a valid plan, the engines' headless Service and
# token). `kubectl apply --dry-run=client` would also check the schemas but needs a cluster's API
# server; with one (a kubectl context), this script runs it too.
# Usage: scripts/k8s-validate.sh   (installs kubectl from Debian when missing)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v kubectl >/dev/null || { apt-get update -qq && apt-get install -y -qq kubectl; }
rendered=$(mktemp)
trap 'rm -f "$rendered"' EXIT
kubectl kustomize deploy/kubernetes >"$rendered"
py=python3
if ! python3 -c 'import yaml' 2>/dev/null; then
  [ -x target/k8s-venv/bin/python ] || { python3 -m venv target/k8s-venv && target/k8s-venv/bin/pip install -q pyyaml; }
  py=target/k8s-venv/bin/python
fi
"$py" scripts/lib/k8s-check.py "$rendered"
if kubectl version --request-timeout=3s >/dev/null 2>&1; then
  kubectl apply --dry-run=client -f "$rendered"
else
  echo "no cluster reachable: schemas not checked (kubectl apply --dry-run=client needs an API server)"
fi
