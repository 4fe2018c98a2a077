"""Check schemas/enforcer.schema.json with a second, independent validator.

python3-jsonschema's Draft202012Validator must agree with the enforcer's
own validator (enforcer/schema.c) on the corpus: every good file is valid;
every *structural* bad case is invalid, with as many errors as enforcer
prints lines; every *semantic* bad case is valid
as far as the schema goes (its error is one only the loader can find:
references, times, conflicts, duplicates across files).  The schema itself
must pass check_schema, and every property in it has a description
(its own or its $ref's), for editors to show.

Files are loaded the way enforcer/node.c types YAML (the 1.2 core schema):
timestamps and yes/no/on/off stay strings; null, true/false, decimal
integers and decimal floats (not .inf or .nan) are typed.  Mapping keys are strings, as in JSON.
"""
import json
import os
import re
import sys

import jsonschema
import yaml

TOP = os.environ.get("TOP", os.path.join(os.path.dirname(__file__), "..", ".."))

# Each bad case of tests/data/bad/ is in exactly one of these.
STRUCTURAL = {
    "bad_duration", "bad_enum", "bad_names", "duplicate_items",
    "empty_things", "end_and_duration", "many_errors",
    "password", "unknown_key", "unknown_kind", "wrong_shape", "wrong_type",
    "number_for_string", "float_port",
}
SEMANTIC = {
    "bad_auth", "bad_timestamp", "conflict", "duplicate_connection_key",
    "http_scheme",
    "duplicate_host", "end_before_start", "over_cap", "reserved_names",
    "too_long", "unknown_target", "window_conflict",
}
# Refused by the YAML reader (node.c) before any schema: PyYAML accepts
# some of these (duplicate keys, anchors), so there is nothing to compare.
NOT_YAML = {"anchors", "control_char", "duplicate_key", "empty", "invalid_utf8",
            "nul_byte", "syntax", "truncated_utf8", "del_char",
            "escape_in_name"}


class CoreLoader(yaml.SafeLoader):
    """SafeLoader with the YAML 1.2 core schema's plain-scalar typing."""


CoreLoader.yaml_implicit_resolvers = {}
for tag, pattern, first in (
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$",
     list("tTfF")),
    ("tag:yaml.org,2002:int", r"^[-+]?[0-9]+$", list("-+0123456789")),
    ("tag:yaml.org,2002:float",
     r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$",
     list("-+.0123456789")),
):
    CoreLoader.add_implicit_resolver(tag, re.compile(pattern), first)
# Decimal, as strtoll(..., 10): "010" is ten, not YAML 1.1 octal.
CoreLoader.add_constructor(
    "tag:yaml.org,2002:int",
    lambda loader, node: int(loader.construct_scalar(node), 10))
CoreLoader.add_constructor(
    "tag:yaml.org,2002:float",
    lambda loader, node: float(loader.construct_scalar(node)))


def json_keys(v):
    if isinstance(v, dict):
        return {str(k): json_keys(x) for k, x in v.items()}
    if isinstance(v, list):
        return [json_keys(x) for x in v]
    return v


def load(path):
    with open(path, encoding="utf-8") as f:
        doc = yaml.load(f, Loader=CoreLoader)
    return {} if doc is None else json_keys(doc)


def yaml_files(path):
    """The files enforcer reads for PATH: itself, or *.yaml below it."""
    if not os.path.isdir(path):
        return [path]
    out = []
    for d, dirs, files in os.walk(path):
        dirs[:] = [x for x in dirs if not x.startswith(".")]
        out += [os.path.join(d, f) for f in files
                if f.endswith(".yaml") and not f.startswith(".")]
    return sorted(out)


def undescribed(schema):
    """Paths of the properties that have no description, own or by $ref."""
    def target(ref):
        n = schema
        for part in ref.lstrip("#/").split("/"):
            n = n[part]
        return n

    def described(v, depth=0):
        if not isinstance(v, dict) or depth > 10:
            return False
        if "description" in v:
            return True
        return "$ref" in v and described(target(v["$ref"]), depth + 1)

    out = []

    def walk(n, path):
        if isinstance(n, dict):
            for k, v in n.get("properties", {}).items():
                if not described(v):
                    out.append(f"{path}/properties/{k}")
            for k, v in n.items():
                walk(v, f"{path}/{k}")
        elif isinstance(n, list):
            for i, v in enumerate(n):
                walk(v, f"{path}/{i}")

    walk(schema, "#")
    return out


def main():
    with open(os.path.join(TOP, "schemas", "enforcer.schema.json")) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    failures = []
    for p in undescribed(schema):
        failures.append(f"schema: {p} has no description")
    checked = 0

    def errors_of(path):
        return [f"{path}: {'/'.join(map(str, e.absolute_path))}: {e.message}"
                for e in validator.iter_errors(load(path))]

    good = os.path.join(TOP, "tests", "data", "good")
    paths = [os.path.join(good, n) for n in sorted(os.listdir(good))]
    paths.append(os.path.join(TOP, "examples", "hci-cluster"))
    for p in paths:
        for f in yaml_files(p):
            failures += errors_of(f)
            checked += 1

    bad = os.path.join(TOP, "tests", "data", "bad")
    cases = {n[:-len(".expected")] for n in os.listdir(bad)
             if n.endswith(".expected")}
    unclassified = cases - STRUCTURAL - SEMANTIC - NOT_YAML
    missing = (STRUCTURAL | SEMANTIC | NOT_YAML) - cases
    if unclassified:
        failures.append(f"bad cases not classified here: {sorted(unclassified)}")
    if missing:
        failures.append(f"classified cases that do not exist: {sorted(missing)}")
    for name in sorted(cases - NOT_YAML):
        path = os.path.join(bad, name)
        files = yaml_files(path if os.path.isdir(path) else path + ".yaml")
        errs = [e for f in files for e in errors_of(f)]
        checked += 1
        if name in STRUCTURAL:
            # One error each way: enforcer prints one line per error.
            with open(os.path.join(bad, name + ".expected")) as f:
                want = len(f.readlines())
            if len(errs) != want:
                failures.append(f"{name}: python-jsonschema finds "
                                f"{len(errs)} errors, enforcer {want}: "
                                f"{errs}")
        if name in SEMANTIC and errs:
            failures.append(f"{name}: semantic, but python-jsonschema finds "
                            f"schema errors: {errs}")

    for f in failures:
        print("FAIL:", f)
    print(f"{checked} files and cases checked against "
          f"python-jsonschema, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
