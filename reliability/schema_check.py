#!/usr/bin/env python3
"""A small stand-in for schemathesis: calls every /api path of docs/openapi.yaml with valid,
edge and hostile parameters, and checks that no answer is a 5xx and that every JSON answer
matches the schema of its status. Needs PyYAML and jsonschema.
Usage: schema_check.py OPENAPI_YAML BASE_URL"""
import json, sys, urllib.error, urllib.parse, urllib.request
import jsonschema, yaml

spec = yaml.safe_load(open(sys.argv[1]))
base = sys.argv[2].rstrip("/")


def resolve(node):
    if isinstance(node, dict):
        if "$ref" in node:
            target = spec
            for part in node["$ref"][2:].split("/"):
                target = target[part]
            return resolve(target)
        return {k: resolve(v) for k, v in node.items()}
    if isinstance(node, list):
        return [resolve(v) for v in node]
    return node


def nullable(schema):
    """OpenAPI 3.0 `nullable` as JSON Schema."""
    if isinstance(schema, dict):
        schema = {k: nullable(v) for k, v in schema.items()}
        if schema.pop("nullable", False):
            schema = {"anyOf": [schema, {"type": "null"}]}
        return schema
    if isinstance(schema, list):
        return [nullable(v) for v in schema]
    return schema


def fetch(path):
    try:
        with urllib.request.urlopen(base + path, timeout=30) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()


values = ["", "agent:marcus", "verdict:valid", "bogus:1", "date:2099", "\"unterminated", "<script>", "a" * 3000,
          "duration:>60", "-verdict:valid", "%", "store:,", "size:1Q"]
probes = ["/healthz", "/api/calls/NOPE/1", "/api/calls/..%2F/1", "/api/calls/A/0"]
for q in values:
    for extra in ["", "&limit=1", "&limit=500", "&limit=0", "&limit=-3", "&after=xyz", "&sort=-store_name", "&sort=nope"]:
        probes.append("/api/calls?q=" + urllib.parse.quote(q) + extra)
    for by in ["", "store", "day", "planet"]:
        probes.append("/api/stats?q=" + urllib.parse.quote(q) + "&by=" + by)
status, _, body = fetch("/api/calls?limit=3")
page = json.loads(body)
if page["calls"]:
    first = page["calls"][0]
    probes.append("/api/calls/%s/%s" % (first["order_id"], first["call_index"]))
if page["next"]:
    probes.append("/api/calls?limit=3&after=" + urllib.parse.quote(page["next"]))

failures = 0
for path in probes:
    status, ctype, body = fetch(path)
    template = "/api/calls/{order}/{index}" if path.startswith("/api/calls/") else path.split("?")[0]
    operation = spec["paths"].get(template, {}).get("get")
    problem = None
    if status >= 500 and not (template == "/healthz" and status == 503):
        problem = "server error %d" % status
    elif operation is None:
        problem = "no operation for " + template
    else:
        response = resolve(operation["responses"].get(str(status)))
        if response is None:
            problem = "status %d is not documented" % status
        else:
            schema = nullable(response["content"]["application/json"]["schema"])
            try:
                jsonschema.validate(json.loads(body), schema)
            except Exception as error:  # noqa: BLE001 - any mismatch is a finding
                problem = "does not match the schema: %s" % str(error).splitlines()[0]
            if not ctype.startswith("application/json"):
                problem = "content type " + ctype
    if problem:
        failures += 1
        print("FAIL %s: %s" % (path[:120], problem))
print("%d requests, %d failures" % (len(probes), failures))
sys.exit(1 if failures else 0)
