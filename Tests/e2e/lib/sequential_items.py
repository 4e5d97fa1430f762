"""Checks a sequential response body (NDJSON) against what openapi.yaml says of it.

schemathesis validates Server-Sent Events by `itemSchema` but has no reader for
application/x-ndjson, and never asks for it by `Accept` anyway, so api_contract.sh fetches a
streamed history itself and hands the body here. OpenAPI 3.2 reads such a body as a JSON
array of its lines: each line must match the media type's `itemSchema`, and the array its
`schema`. The schemas are JSON Schema 2020-12, their `$ref`s resolved in the document.

Usage: python3 sequential_items.py OPENAPI.yaml PATH STATUS MEDIA-TYPE BODY-FILE
Exits 0 when every line and the whole match, 1 (naming the first mismatch) otherwise.
"""

import json
import sys
from urllib.parse import quote

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

ROOT = "urn:lianyaohu:openapi"


def pointer(*parts):
    """A URI fragment that points at the document node under `parts`."""
    return "#/" + "/".join(quote(str(part).replace("~", "~0").replace("/", "~1"), safe="") for part in parts)


def main(document_path, path, status, media_type, body_path):
    with open(document_path, encoding="utf-8") as file:
        document = yaml.safe_load(file)
    media = document["paths"][path]["get"]["responses"][status]["content"][media_type]
    with open(body_path, encoding="utf-8") as file:
        lines = [line for line in file.read().split("\n") if line]
    if not lines:
        print(f"{media_type}: empty body")
        return 1
    items = []
    for number, line in enumerate(lines, 1):
        try:
            items.append(json.loads(line))
        except json.JSONDecodeError as error:
            print(f"line {number} is not JSON ({error}): {line[:200]}")
            return 1
    # The document is one resource: a schema's `$ref: "#/components/..."` resolves against its root.
    registry = Registry().with_resource(ROOT, Resource.from_contents(document, default_specification=DRAFT202012))
    for name in ("itemSchema", "schema"):
        if name not in media:
            continue
        check = Draft202012Validator(
            {"$ref": ROOT + pointer("paths", path, "get", "responses", status, "content", media_type, name)},
            registry=registry,
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )
        if name == "itemSchema":
            targets = [(f"line {number}", item) for number, item in enumerate(items, 1)]
        else:
            targets = [("the whole body", items)]
        for where, instance in targets:
            error = next(iter(check.iter_errors(instance)), None)
            if error is not None:
                print(f"{media_type} {name}: {where} does not match: {error.message[:300]} (at {error.json_path})")
                return 1
    print(f"{media_type}: {len(items)} lines match itemSchema and schema")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:6]))
