#!/bin/sh
# ECS is described by the API metadata the aliyun CLI embeds: without --force the CLI
# refuses a flag RedeployInstance does not have ("'--DryRun' is not a valid parameter or
# flag"), and an index on a parameter that is not a repeat list, before sending anything.
aliyun ecs RedeployInstance --RegionId cn-hangzhou --InstanceId i-t-redeploy --DryRun true
aliyun ecs RedeployInstance --RegionId cn-hangzhou --InstanceId.1 i-t-redeploy
