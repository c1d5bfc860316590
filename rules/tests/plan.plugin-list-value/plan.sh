#!/bin/bash
# One value with two ids, comma-separated and as a JSON array: each id is checked.
aliyun ecd stop-desktops --biz-region-id cn-hangzhou --desktop-id ecd-t-winrun,ecd-t-linstop
aliyun ecd stop-desktops --biz-region-id cn-hangzhou --desktop-id '["ecd-t-winrun"]'
# The flag once per id: no warning.
aliyun ecd stop-desktops --biz-region-id cn-hangzhou --desktop-id ecd-t-winrun --desktop-id ecd-t-linstop
