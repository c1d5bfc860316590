#!/bin/sh
# The aliyun CLI checks the flags of ECS instance, disk and snapshot operations against the
# API metadata it embeds (aliyun-openapi-meta metadatas/ecs/<Api>.json): without --force a
# flag the API does not have, or an index on a parameter that is no repeat list, stops the
# line before anything is sent.
aliyun ecs StopInstances --RegionId cn-hangzhou --InstanceId.1 i-bp1web000001 --ForceReboot true
aliyun ecs RebootInstance --InstanceId i-bp1web000001 --ForceReboot true
aliyun ecs DeleteInstance --InstanceId.1 i-bp1old000001 --Force true
aliyun ecs ReplaceSystemDisk --InstanceId i-bp1web000001 --ImageId m-bp1webimg20261201 --SystemDiskSize 40
aliyun ecs ResetDisk --DiskId d-bp1olddat0001 --SnapshotId s-bp1olddat0user --Force true
aliyun ecs DeleteSnapshot --SnapshotId s-bp1olddat0user --DryRun true
aliyun ecs DeleteDisk --DiskId d-bp1olddat0002 --Force true
