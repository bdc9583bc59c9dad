#!/usr/bin/env python3
"""Checks rendered deploy/kubernetes manifests (the file given) for what Vayu relies on; exits 1
naming every problem. Used by scripts/k8s-validate.sh."""
import json
import sys

import yaml

docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
problems = []
by_kind = {}
for d in docs:
    for field in ("apiVersion", "kind", "metadata"):
        if field not in d:
            problems.append(f"an object has no {field}: {d}")
    by_kind.setdefault(d.get("kind"), []).append(d)


def one(kind, name):
    found = [d for d in by_kind.get(kind, []) if d["metadata"].get("name") == name]
    if len(found) != 1:
        problems.append(f"expected one {kind} {name}, found {len(found)}")
        return {}
    return found[0]


job = one("Job", "vayu-load")
if job:
    spec = job["spec"]
    pod = spec["template"]["spec"]
    container = pod["containers"][0]
    env = {e["name"]: e.get("value") for e in container.get("env", [])}
    if spec.get("completionMode") != "Indexed":
        problems.append("the Job must be Indexed (each pod's JOB_COMPLETION_INDEX picks its segment)")
    if not (spec.get("completions") == spec.get("parallelism") == int(env.get("SEGMENTS", -1))):
        problems.append("completions, parallelism and SEGMENTS must be equal: every segment runs at once")
    if pod.get("restartPolicy") != "Never" or spec.get("backoffLimit") != 0:
        problems.append("a segment must not be retried (a rerun would send its part twice)")
    command = " ".join(container.get("command", []) + container.get("args", []))
    for needed in ("JOB_COMPLETION_INDEX", "--segment", "--start-at", "$START_AT", "--json", "/plan/run.json"):
        if needed not in command:
            problems.append(f"the Job's command lacks {needed}: {command}")
    mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    plan = volumes.get(mounts.get("/plan"), {}).get("configMap", {}).get("name")
    cm = one("ConfigMap", plan or "vayu-plan")
    if cm:
        try:
            run = json.loads(cm["data"]["run.json"])
            if "config" not in run or not ("request" in run or "requests" in run or "flow" in run):
                problems.append("run.json needs a config and a request, requests or flow")
            if "segment" in run.get("config", {}):
                problems.append("run.json must not name a segment: each pod sets its own")
        except (KeyError, ValueError) as e:
            problems.append(f"the ConfigMap's run.json is not a JSON run file: {e}")

engine = one("Deployment", "vayu-engine")
service = one("Service", "vayu-engine")
if engine and service:
    if service["spec"].get("clusterIP") != "None":
        problems.append("the engines' Service must be headless (clusterIP: None): its name lists every engine")
    labels = engine["spec"]["template"]["metadata"]["labels"]
    if any(labels.get(k) != v for k, v in service["spec"]["selector"].items()):
        problems.append("the Service's selector does not select the engine pods")
    container = engine["spec"]["template"]["spec"]["containers"][0]
    if "0.0.0.0" in container.get("command", []) and not any(e["name"] == "VAYU_TOKEN" for e in container.get("env", [])):
        problems.append("an engine bound beyond loopback needs VAYU_TOKEN")

for p in problems:
    print("k8s:", p)
print(f"{len(docs)} objects checked, {len(problems)} problems")
sys.exit(1 if problems else 0)
