#!/bin/bash
# GetConnectionTicket reads by its verb, but its first call allocates an application
# instance and starts the application: it may change something, and no rule file models it.
aliyun appstream-center GetConnectionTicket --force --ProductType CloudApp --EndUserId alice --AppId ca-1 --AppInstanceGroupIdList.1 aig-1
# A Get that only reads stays a read.
aliyun appstream-center GetAppInstanceGroup --force --ProductType CloudApp --AppInstanceGroupId aig-1
