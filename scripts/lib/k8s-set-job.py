#!/usr/bin/env python3
"""Sets the vayu-load Job's segment count (completions, parallelism, SEGMENTS) and start time
(START_AT) in rendered manifests read from stdin; writes them to stdout (stdlib only: the
manifests are JSON-compatible YAML edited by line, see deploy/kubernetes/job.yaml)."""
import re
import sys

segments, start = sys.argv[1], sys.argv[2]
text = sys.stdin.read()
text = re.sub(r"(\n\s*(completions|parallelism): )\d+", rf"\g<1>{segments}", text)
text = re.sub(r"(- name: SEGMENTS\n\s*value: )\S+", rf'\g<1>"{segments}"', text)
text = re.sub(r"(- name: START_AT\n\s*value: )\S+", rf'\g<1>"{start}"', text)
sys.stdout.write(text)
