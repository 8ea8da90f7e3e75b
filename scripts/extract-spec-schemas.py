#!/usr/bin/env python3
"""One-off: turn every message schema of the vendor's AsyncAPI contract into plain JSON
Schema in a committed fixture, so tests validate frames against the contract without
reading ../shared at run time. Re-run when the spec changes:

    python3 scripts/extract-spec-schemas.py ../shared/spec/hydra-ws.asyncapi.yaml > test/fixtures/spec-schemas.json

Needs PyYAML (Debian: python3-yaml). Each message's payload becomes a JSON Schema whose
`#/components/schemas/X` references read `#/$defs/X`: validate a frame with
`{...message.schema, $defs: fixture.$defs}`. Messages are named by the frame `type` they
carry and the direction from the spec's operations (send = client -> server, receive =
server -> client).

Three amendments, each listed in the fixture's "amendments" with its source, where the
YAML's own words or the protocol digest contradict its schemas:
  - ConversationItem content `text` may be null: the YAML's description says it is always
    null for audio items, while its schema says string.
  - `error.code` also allows `invalid_frame` (HYDRA-PROTOCOL.md: the code Hydra sends for
    unknown fields in session.update; the YAML's enum omits it).
  - a `warning` message ({type, event_id, code, message}), described only in prose by the
    YAML ("a warning frame with code: model_deprecated immediately before session.created").
"""
import copy
import json
import sys

import yaml

spec = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))


def rewrite_refs(node):
    if isinstance(node, dict):
        return {k: ("#/$defs/" + v.rsplit("/", 1)[-1] if k == "$ref" and isinstance(v, str) else rewrite_refs(v)) for k, v in node.items()}
    if isinstance(node, list):
        return [rewrite_refs(v) for v in node]
    return node


defs = rewrite_refs(copy.deepcopy(spec["components"]["schemas"]))
amendments = []

text = defs["ConversationItem"]["properties"]["content"]["items"]["properties"]["text"]
text["type"] = ["string", "null"]
amendments.append({
    "where": "components.schemas.ConversationItem.content[].text",
    "change": "type string -> [string, null]",
    "source": "the same property's description: 'For audio message items, text is always null'",
})

directions = {}
for op in spec.get("operations", {}).values():
    for ref in op.get("messages", []):
        directions[ref["$ref"].rsplit("/", 1)[-1]] = "client" if op["action"] == "send" else "server"

messages = []
for channel in spec.get("channels", {}).values():
    for key, message in channel.get("messages", {}).items():
        payload = rewrite_refs(copy.deepcopy(message["payload"]))
        if key == "errorEvent":
            payload["properties"]["error"]["properties"]["code"]["enum"].append("invalid_frame")
            amendments.append({
                "where": "channels.hydraSession.messages.errorEvent.error.code",
                "change": "enum += invalid_frame",
                "source": "HYDRA-PROTOCOL.md: unknown fields in session.update are an error with code invalid_frame",
            })
        messages.append({
            "message": key,
            "type": payload["properties"]["type"]["enum"][0],
            "direction": directions[key],
            "schema": payload,
        })

messages.append({
    "message": "warning",
    "type": "warning",
    "direction": "server",
    "schema": {
        "type": "object",
        "required": ["type", "code"],
        "properties": {
            "type": {"type": "string", "enum": ["warning"]},
            "event_id": {"type": "string"},
            "code": {"type": "string"},
            "message": {"type": "string"},
        },
    },
})
amendments.append({
    "where": "messages.warning",
    "change": "added",
    "source": "servers.production query model description: 'the server emits a warning frame with code: \"model_deprecated\" immediately before session.created'",
})

json.dump({"source": "hydra-ws.asyncapi.yaml " + spec["info"]["version"], "amendments": amendments, "$defs": defs, "messages": messages}, sys.stdout, indent=2, ensure_ascii=False)
sys.stdout.write("\n")
