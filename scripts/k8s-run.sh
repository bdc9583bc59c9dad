#!/usr/bin/env bash
# Runs deploy/kubernetes's Indexed Job on the current kubectl context and merges its reports:
# sets one start time (now + --lead seconds) and the segment count, applies, waits for the Job,
# collects each pod's JSON report from its log, and runs `vayu-cli report merge` on them.
# Usage: scripts/k8s-run.sh [--segments 3] [--lead 30] [--threshold EXPR]...
# Needs kubectl, the image `vayu:latest` where the cluster can pull it, and vayu-cli on PATH (or
# target/release/vayu-cli).
set -euo pipefail
cd "$(dirname "$0")/.."
segments=3 lead=30 thresholds=()
while [ $# -gt 0 ]; do
  case "$1" in
    --segments) segments=$2; shift 2 ;;
    --lead) lead=$2; shift 2 ;;
    --threshold) thresholds+=(--threshold "$2"); shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
cli=$(command -v vayu-cli || echo target/release/vayu-cli)
start=$(date -u -d "+${lead} seconds" +%Y-%m-%dT%H:%M:%SZ)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
kubectl kustomize deploy/kubernetes | python3 scripts/lib/k8s-set-job.py "$segments" "$start" >"$work/all.yaml"
kubectl delete job vayu-load --ignore-not-found
kubectl apply -f "$work/all.yaml"
echo "vayu-load: $segments segments from $start"
kubectl wait --for=condition=complete --timeout=24h job/vayu-load || echo "note: the Job did not complete; merging what reported" >&2
reports=()
for pod in $(kubectl get pods -l job-name=vayu-load -o jsonpath='{.items[*].metadata.name}'); do
  kubectl logs "$pod" >"$work/$pod.json" && reports+=("$work/$pod.json")
done
exec "$cli" report merge "${reports[@]}" "${thresholds[@]}"
