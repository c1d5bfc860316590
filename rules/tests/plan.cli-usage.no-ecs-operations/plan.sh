#!/bin/sh
# One line per ECS operation family in the aliyun CLI's classic form, every flag one the
# CLI's embedded metadata has: each line is read and checked against the inventory (the
# stop is not waited for, so the start and the system-disk replacement see it Stopping).
aliyun ecs StopInstance --RegionId cn-hangzhou --InstanceId i-bp1web000001 --ForceStop false --StoppedMode KeepCharging
aliyun ecs StartInstances --RegionId cn-hangzhou --InstanceId.1 i-bp1web000001
aliyun ecs RebootInstances --RegionId cn-hangzhou --InstanceId.1 i-bp1old000001 --ForceReboot true
aliyun ecs ReplaceSystemDisk --RegionId cn-hangzhou --InstanceId i-bp1web000001 --ImageId m-bp1webimg20261201 --SystemDisk.Size 40
aliyun ecs ResetDisks --RegionId cn-hangzhou --Disk.1.DiskId d-bp1olddat0001 --Disk.1.SnapshotId s-bp1olddat0user
aliyun ecs ResetDisk --RegionId cn-hangzhou --DiskId d-bp1olddat0001 --SnapshotId s-bp1olddat0user
aliyun ecs ReInitDisk --RegionId cn-hangzhou --DiskId d-bp1olddat0002
aliyun ecs DeleteInstance --RegionId cn-hangzhou --InstanceId i-bp1old000001 --Force true --TerminateSubscription false
aliyun ecs DeleteDisk --RegionId cn-hangzhou --DiskId d-bp1olddat0002
aliyun ecs DeleteSnapshot --RegionId cn-hangzhou --SnapshotId s-bp1olddat0user --Force true
