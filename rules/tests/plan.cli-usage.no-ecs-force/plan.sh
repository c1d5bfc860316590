#!/bin/sh
# With --force the aliyun CLI checks no flag against the API metadata and sends --DryRun as
# it is: the API has no such parameter. Without --force, every flag RedeployInstance has
# (--Name-FILE reads the value from a file) is accepted.
aliyun ecs RedeployInstance --RegionId cn-hangzhou --InstanceId i-t-redeploy --DryRun true --force
aliyun ecs RedeployInstance --RegionId cn-hangzhou --InstanceId i-t-redeploy --ForceStop-FILE force-stop.txt
