#!/usr/bin/env python3
"""Check AWS CLI JSON fixtures against the output shape of their operation in
botocore's service models (the models the AWS CLI itself is built from).

Usage: check_cli_json.py FILE.json[=service:Operation] ...

Without `=service:Operation` the operation is taken from the file name
(`describe-auto-scaling-groups.json` -> autoscaling DescribeAutoScalingGroups,
see OPERATIONS). Every key must be a member of its structure, every value of
the member's type (timestamps as the CLI prints them: ISO 8601 strings), enum
values among the model's, and every `required` member present. Prints one line
per problem; exits 1 if there is any, 0 otherwise.
"""
import json
import re
import sys

import botocore.session

# file-name prefix -> (service, operation); prefixes are the CLI's command names
OPERATIONS = {
    "describe-auto-scaling-groups": ("autoscaling", "DescribeAutoScalingGroups"),
    "describe-policies": ("autoscaling", "DescribePolicies"),
    "describe-scheduled-actions": ("autoscaling", "DescribeScheduledActions"),
    "describe-lifecycle-hooks": ("autoscaling", "DescribeLifecycleHooks"),
    "describe-warm-pool": ("autoscaling", "DescribeWarmPool"),
    "describe-scaling-activities": ("autoscaling", "DescribeScalingActivities"),
    "describe-alarms": ("cloudwatch", "DescribeAlarms"),
    "get-metric-data": ("cloudwatch", "GetMetricData"),
    "describe-load-balancers": ("elbv2", "DescribeLoadBalancers"),
    "describe-target-groups": ("elbv2", "DescribeTargetGroups"),
    "describe-target-group-attributes": ("elbv2", "DescribeTargetGroupAttributes"),
    "describe-load-balancer-attributes": ("elbv2", "DescribeLoadBalancerAttributes"),
    "get-queue-attributes": ("sqs", "GetQueueAttributes"),
    "describe-table": ("dynamodb", "DescribeTable"),
    "describe-scalable-targets": ("application-autoscaling", "DescribeScalableTargets"),
    "describe-scaling-policies": ("application-autoscaling", "DescribeScalingPolicies"),
}

ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def check(shape, value, path, out):
    t = shape.type_name
    if t == "structure":
        if not isinstance(value, dict):
            out.append(f"{path}: expected an object ({shape.name}), found {type(value).__name__}")
            return
        for k, v in value.items():
            if k not in shape.members:
                out.append(f"{path}.{k}: not a member of {shape.name}")
                continue
            check(shape.members[k], v, f"{path}.{k}", out)
        for r in shape.required_members:
            if r not in value:
                out.append(f"{path}: required member {r} of {shape.name} missing")
    elif t == "list":
        if not isinstance(value, list):
            out.append(f"{path}: expected a list ({shape.name})")
            return
        for i, v in enumerate(value):
            check(shape.member, v, f"{path}[{i}]", out)
    elif t == "map":
        if not isinstance(value, dict):
            out.append(f"{path}: expected a map ({shape.name})")
            return
        for k, v in value.items():
            check(shape.key, k, f"{path}<key {k}>", out)
            check(shape.value, v, f"{path}.{k}", out)
    elif t == "string":
        if not isinstance(value, str):
            out.append(f"{path}: expected a string, found {value!r}")
        elif shape.enum and value not in shape.enum:
            out.append(f"{path}: {value!r} is not one of {shape.name}'s values {shape.enum}")
    elif t in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            out.append(f"{path}: expected an integer, found {value!r}")
    elif t in ("double", "float"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            out.append(f"{path}: expected a number, found {value!r}")
    elif t == "boolean":
        if not isinstance(value, bool):
            out.append(f"{path}: expected true/false, found {value!r}")
    elif t == "timestamp":
        if not (isinstance(value, str) and ISO.match(value)):
            out.append(f"{path}: expected an ISO 8601 timestamp, found {value!r}")
    elif t == "blob":
        if not isinstance(value, str):
            out.append(f"{path}: expected base64 text")
    else:
        out.append(f"{path}: unhandled shape type {t}")


def operation_for(name):
    base = name.rsplit("/", 1)[-1]
    for prefix in sorted(OPERATIONS, key=len, reverse=True):
        if base.startswith(prefix):
            return OPERATIONS[prefix]
    return None


def main(argv):
    session = botocore.session.get_session()
    problems = []
    checked = 0
    for arg in argv:
        path, _, op = arg.partition("=")
        if op:
            service, operation = op.split(":", 1)
        else:
            found = operation_for(path)
            if found is None:
                problems.append(f"{path}: no operation known for this file name")
                continue
            service, operation = found
        model = session.get_service_model(service).operation_model(operation)
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        out = []
        check(model.output_shape, data, "$", out)
        problems += [f"{path}: {service} {operation}: {p}" for p in out]
        checked += 1
    for p in problems:
        print(p)
    print(f"checked {checked} files against botocore {botocore.__version__}: {len(problems)} problems",
          file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
