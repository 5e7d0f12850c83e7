#!/usr/bin/env python3
"""Writes the example account's "recorded" day: metrics.json (the output of
`aws cloudwatch get-metric-data --metric-data-queries file://metric-data-queries.json`)
and activities.json (`aws autoscaling describe-scaling-activities`).

The day is SYNTHETIC: no AWS account recorded it. The load is a diurnal
curve with noise; the capacity and activity history come from a small model
of the group's documented behaviour (target tracking at 50 % CPU with 3 of 3
high / 15 of 15 low one-minute datapoints, the step policy at 70 %, the
08:00 scheduled action, ~150 s from launch to InService) written
independently of stratus, so a backtest against it measures a real gap.
Shapes: botocore's cloudwatch GetMetricData and autoscaling
DescribeScalingActivities output shapes (checked by tests/shapes).
"""
import json
import math
import random

rng = random.Random(15)
START = 1767657600  # 2026-01-06T00:00:00Z
MIN = 60
N = 24 * 60
PER_INSTANCE_RPS_AT_100 = 200.0  # 8 workers / 40 ms
GROUP = "web-asg"
TT_HIGH = "TargetTracking-web-asg-AlarmHigh-6f2f1c2e-8d3b-4c1a-9e7d-1f2a3b4c5d6e"
TT_LOW = "TargetTracking-web-asg-AlarmLow-0a9b8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d"
ARN = "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:5f3c0d1e-0a4b-4b9e-9f65-1a2b3c4d5e6f:autoScalingGroupName/web-asg"


def iso(t, frac=False):
    import datetime
    d = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S") + ("+00:00" if not frac else ".%03dZ" % rng.randrange(1000))


def load(m):
    h = m / 60.0
    base = 40 + 600 * math.exp(-((h - 14.0) / 4.0) ** 2) + 150 * math.exp(-((h - 9.5) / 1.2) ** 2)
    return max(1.0, base * (1 + rng.gauss(0, 0.04)))


rps = [load(m) for m in range(N)]
desired, min_size, max_size = 2, 2, 12
ready = [(-1e9, 2)]  # (time InService, count)
pending = []  # times instances become InService
cpu_hist = []
acts = []
desired_series, inservice_series = [], []
step_cool = -1e9
last_scale_out = -1e9


def in_service(t):
    return 2 + sum(1 for p in pending if p <= t) - removed[0]


removed = [0]
launched = []


def change(t, new, why):
    global desired
    old = desired
    if new == old:
        return
    desired = new
    cause = f"At {iso(t)[:19]}Z {why} changing the desired capacity from {old} to {new}."
    if new > old:
        for k in range(new - old):
            iid = "i-%017x" % rng.getrandbits(68)
            t_start = t + rng.randint(3, 9)
            pending.append(t_start + rng.randint(120, 180))
            acts.append({
                "ActivityId": "%08x-%04x-4%03x-8%03x-%012x" % (rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(12), rng.getrandbits(12), rng.getrandbits(48)),
                "AutoScalingGroupName": GROUP,
                "Description": f"Launching a new EC2 instance: {iid}",
                "Cause": cause + f"  At {iso(t_start)[:19]}Z an instance was started in response to a difference between desired and actual capacity, increasing the capacity from {old} to {new}.",
                "StartTime": iso(t_start, True), "EndTime": iso(t_start + 200, True),
                "StatusCode": "Successful", "Progress": 100,
                "Details": "{\"Subnet ID\":\"subnet-0a1b2c3d4e5f6a7b8\",\"Availability Zone\":\"us-east-1a\"}",
                "AutoScalingGroupARN": ARN,
            })
    else:
        for k in range(old - new):
            iid = "i-%017x" % rng.getrandbits(68)
            removed[0] += 1
            acts.append({
                "ActivityId": "%08x-%04x-4%03x-8%03x-%012x" % (rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(12), rng.getrandbits(12), rng.getrandbits(48)),
                "AutoScalingGroupName": GROUP,
                "Description": f"Terminating EC2 instance: {iid}",
                "Cause": cause + f"  At {iso(t)[:19]}Z an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from {old} to {new}.  At {iso(t)[:19]}Z instance {iid} was selected for termination.",
                "StartTime": iso(t + 1, True), "EndTime": iso(t + 90, True),
                "StatusCode": "Successful", "Progress": 100,
                "Details": "{\"Subnet ID\":\"subnet-0a1b2c3d4e5f6a7b8\",\"Availability Zone\":\"us-east-1a\"}",
                "AutoScalingGroupARN": ARN,
            })


for m in range(N):
    t = START + m * MIN
    n = max(1, in_service(t))
    cpu = min(100.0, rps[m] / (n * PER_INSTANCE_RPS_AT_100) * 100.0)
    cpu_hist.append(cpu)
    desired_series.append(desired)
    inservice_series.append(in_service(t))
    # datapoints reach the alarms about 2 minutes after their period starts
    ev = t + 2 * MIN + rng.randint(0, 20)
    if m == 8 * 60:  # the 08:00 scheduled action (min 3, max 12, desired 4)
        min_size = 3
        change(t + rng.randint(0, 40), max(4, min_size), "a scheduled action update of AutoScalingGroup constraints to min: 3, max: 12, desired: 4")
        continue
    if len(cpu_hist) >= 2 and all(c >= 70 for c in cpu_hist[-2:]) and ev > step_cool:
        over = cpu - 70
        change(ev, min(max_size, desired + (1 if over < 15 else 3)), "a monitor alarm web-cpu-high in state ALARM triggered policy add-on-high-cpu")
        step_cool = ev + 120
        last_scale_out = ev
        continue
    if len(cpu_hist) >= 3 and all(c > 50 for c in cpu_hist[-3:]) and ev > last_scale_out + 120:
        want = min(max_size, math.ceil(n * cpu / 50.0))
        if want > desired:
            change(ev, want, f"a monitor alarm {TT_HIGH} in state ALARM triggered policy cpu50")
            last_scale_out = ev
        continue
    if len(cpu_hist) >= 15 and all(c < 45 for c in cpu_hist[-15:]) and ev > last_scale_out + 900:
        want = max(min_size, math.floor(n * cpu / 50.0))
        if want < desired and desired == n:
            change(ev, want, f"a monitor alarm {TT_LOW} in state ALARM triggered policy cpu50")
            cpu_hist.clear()

ts = [iso(START + m * MIN) for m in range(N)][::-1]
def result(id_, label, values):
    return {"Id": id_, "Label": label, "Timestamps": ts, "Values": [round(v, 2) for v in values][::-1], "StatusCode": "Complete"}

sent = [r * 0.2 * 60 * (1 + rng.gauss(0, 0.05)) for r in rps]
metrics = {"MetricDataResults": [
    result("alb_requests", "web-alb RequestCount", [round(r * 60) for r in rps]),
    result("queue_sent", "orders-queue NumberOfMessagesSent", [round(s) for s in sent]),
    result("table_wcu", "orders ConsumedWriteCapacityUnits", [round(s) for s in sent]),
    result("asg_desired", "web-asg GroupDesiredCapacity", desired_series),
    result("asg_inservice", "web-asg GroupInServiceInstances", inservice_series),
], "Messages": []}
json.dump(metrics, open("get-metric-data.json", "w"), indent=1)
json.dump({"Activities": acts[::-1]}, open("describe-scaling-activities.json", "w"), indent=4)
print(f"{len(acts)} activities, peak {max(rps):.0f} rps, desired {min(desired_series)}..{max(desired_series)}")
