#!/usr/bin/env python3
"""Validates a JSON output of sbrtkit against its JSON Schema (docs/schemas/), for the tests.

    validate_schema.py SCHEMA INSTANCE    -> exit 0 when valid; 1 with every violation (path: message)

Uses python3-jsonschema (Debian), installed by scripts/bootstrap.sh.
"""
import json
import sys

import jsonschema

schema_path, instance_path = sys.argv[1], sys.argv[2]
with open(schema_path, encoding="utf-8") as f:
    schema = json.load(f)
with open(instance_path, encoding="utf-8") as f:
    instance = json.load(f)
validator_class = jsonschema.validators.validator_for(schema)
validator_class.check_schema(schema)
errors = sorted(validator_class(schema).iter_errors(instance), key=lambda e: list(e.absolute_path))
for e in errors:
    print("/".join(str(p) for p in e.absolute_path) or "(root)", ":", e.message)
sys.exit(1 if errors else 0)
