"""Validates rendered Kubernetes manifests offline, for tests/tests/manifests.rs.

Built-in kinds are checked against the schemas kubernetes-validate ships (strict: an unknown
field is an error); custom resources against the OpenAPI schema of their CustomResourceDefinition
in --crds (every *.crd.yaml there), made strict the same way. A kind with no schema is an error,
not a warning. Prints {file: [object, ...]} as JSON on stdout for the test's own assertions;
every failure goes to stderr and the exit status is 1.

usage: validate.py --crds DIR --kubernetes-version X.Y.Z FILE...
       validate.py --json-only FILE...   (no validation: the objects as JSON)
"""

import argparse
import copy
import json
import pathlib
import sys

import jsonschema
import kubernetes_validate
import yaml


def strict(schema):
    """A copy of a CRD's structural schema that refuses fields it does not name, as the API
    server's pruning would silently drop them."""
    schema = copy.deepcopy(schema)

    def drop_nulls(node):
        # Generated CRDs carry keywords set to null (`anyOf: null`), which JSON Schema refuses.
        if isinstance(node, dict):
            for key in [k for k, v in node.items() if v is None]:
                del node[key]
            for child in node.values():
                drop_nulls(child)
        elif isinstance(node, list):
            for child in node:
                drop_nulls(child)

    def walk(node):
        if not isinstance(node, dict):
            return
        if (
            "properties" in node
            and "additionalProperties" not in node
            and not node.get("x-kubernetes-preserve-unknown-fields")
        ):
            node["additionalProperties"] = False
        # Only the structure is made strict: the fragments under allOf/anyOf/oneOf/not name a
        # few fields to constrain, not every field allowed.
        for child in (node.get("properties") or {}).values():
            walk(child)
        for key in ("items", "additionalProperties"):
            walk(node.get(key))

    drop_nulls(schema)
    walk(schema)
    # Every object carries these; a CRD's schema names them loosely or not at all.
    schema.setdefault("properties", {})
    for field in ("apiVersion", "kind"):
        schema["properties"].setdefault(field, {"type": "string"})
    schema["properties"]["metadata"] = {"type": "object"}
    return schema


def crd_schemas(directory):
    """{(apiVersion, kind): schema} for every served version of every CRD in the directory."""
    schemas = {}
    for path in sorted(pathlib.Path(directory).glob("*.crd.yaml")):
        for crd in yaml.safe_load_all(path.read_text()):
            if not crd:
                continue
            group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
            for version in crd["spec"]["versions"]:
                if version.get("served", True):
                    schema = version["schema"]["openAPIV3Schema"]
                    schemas[(f"{group}/{version['name']}", kind)] = strict(schema)
    return schemas


def check(obj, crds, version):
    """The error messages for one object (empty when it validates)."""
    key = (obj.get("apiVersion"), obj.get("kind"))
    if key in crds:
        validator = jsonschema.Draft7Validator(crds[key])
        return [
            f"{'.'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(obj)
        ]
    try:
        kubernetes_validate.validate(obj, version, strict=True)
    except kubernetes_validate.ValidationError as e:
        return [f"{'.'.join(map(str, e.path))}: {e.message}"]
    except kubernetes_validate.SchemaNotFoundError as e:
        return [f"no schema: {e.message} (add its CRD to the schemas directory)"]
    return []


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--crds")
    parser.add_argument("--kubernetes-version")
    parser.add_argument("--json-only", action="store_true")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    if not args.json_only and not (args.crds and args.kubernetes_version):
        parser.error("--crds and --kubernetes-version are required unless --json-only")
    crds = {} if args.json_only else crd_schemas(args.crds)
    rendered, failures = {}, 0
    for name in args.files:
        objects = [o for o in yaml.safe_load_all(pathlib.Path(name).read_text()) if o]
        for obj in [] if args.json_only else objects:
            for error in check(obj, crds, args.kubernetes_version):
                failures += 1
                who = f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}"
                print(f"{name}: {who}: {error}", file=sys.stderr)
        rendered[name] = objects
    json.dump(rendered, sys.stdout)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
