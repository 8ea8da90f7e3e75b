#!/usr/bin/env python3
"""One-off: copy every example payload of the vendor's AsyncAPI contract into a committed
fixture, so tests never read ../shared at run time. Re-run when the spec changes:

    python3 scripts/extract-spec-examples.py ../shared/spec/hydra-ws.asyncapi.yaml > test/fixtures/spec-examples.json

Needs PyYAML (Debian: python3-yaml). Each entry names its message, the example, and the
direction from the spec's operations (send = client -> server, receive = server -> client).
"""
import json
import sys

import yaml

spec = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
directions = {}
for op in spec.get("operations", {}).values():
    for ref in op.get("messages", []):
        directions[ref["$ref"].rsplit("/", 1)[-1]] = "client" if op["action"] == "send" else "server"

out = []
for channel in spec.get("channels", {}).values():
    for key, message in channel.get("messages", {}).items():
        for i, example in enumerate(message.get("examples", [])):
            out.append({
                "message": key,
                "example": example.get("name", f"{key}#{i}"),
                "direction": directions[key],
                "payload": example["payload"],
            })
json.dump(out, sys.stdout, indent=2, ensure_ascii=False)
sys.stdout.write("\n")
