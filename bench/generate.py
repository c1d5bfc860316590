#!/usr/bin/env python3
"""Seeded generator of benchmark inputs for opguard.

    python3 bench/generate.py --desktops N --seed S --out DIR [--compact]

writes, for a fleet of N cloud desktops:

    DIR/inventory/describe_desktops.json               ECD DescribeDesktops      (N desktops)
    DIR/inventory/describe_images.json                 ECD DescribeImages        (N/20 images)
    DIR/inventory/describe_snapshots.json              ECD DescribeSnapshots     (2N snapshots)
    DIR/inventory/describe_regions.json                ECD DescribeRegions
    DIR/inventory/describe_instances.json              ECS DescribeInstances     (N/2 instances)
    DIR/inventory/describe_instance_history_events.json ECS DescribeInstanceHistoryEvents
    DIR/inventory/list_image.json                      appstream-center ListImage (N/50 images)
    DIR/plan.json                                      opguard plan: N/5 RebuildDesktops + N/10 RedeployInstance
    DIR/manifest.json                                  what was generated: counts, targets, injected faults

The inventory files use the response shapes of shared/domain/cloud-apis.md sections 2.1-2.3,
2.4, 2.6, 2.7 and 2.9, serialised the way the `aliyun` CLI saves them: keys sorted, tab
indentation, non-ASCII text as raw UTF-8 (the CLI is written in Go, whose encoder does not
escape it), one trailing newline.

With --compact the same fleet and plan (the same seed draws the same objects) are written the
way an API client that keeps its response bytes would store them: no indentation or spaces,
and each inventory object only with the fields the API returns for what opguard's built-in
resource declarations name (`fields = [...]` in rules/*.rules, COMPACT_FIELDS below); the
envelope (RequestId, TotalCount, ...) is kept. That is the shape with few unused bytes: the
default shape is mostly indentation and fields nothing reads.

Between 10 % and 30 % of the plan's targets break a rule on purpose (wrong region, unknown
desktop/image/instance, unavailable image, OS change outside the Chinese mainland, GPU
mismatch, bad desktop status, unsupported language, too many ids, security lock, Pending
instance). manifest.json lists each injected fault with its call id and target; entries whose
kind starts with "note:" are not injected faults but say where a tiny fleet forced a compromise
(a desktop used twice, a redeploy target without an open system event).

Determinism: one random.Random(seed) drives everything, no clock is read, every collection is
built in a fixed order and keys are sorted on output, so the same N and seed give
byte-identical files (for a given Python minor version).

Standard library only.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import string
import sys
from dataclasses import dataclass, field

# --------------------------------------------------------------------------------------------
# Fixed reference data
# --------------------------------------------------------------------------------------------

# Regions used by the fleet: (RegionId, LocalName, zone suffixes, ECS id prefix, weight).
# LocalName is what DescribeRegions returns in the zh-CN console locale; the ECS id prefix is
# the region-specific start of ECS resource ids (i-bp..., i-uf...), for realism only.
REGIONS = [
    ("cn-hangzhou", "华东1（杭州）", "hijk", "bp", 30),
    ("cn-shanghai", "华东2（上海）", "befgl", "uf", 25),
    ("cn-beijing", "华北2（北京）", "ghik", "2ze", 15),
    ("cn-shenzhen", "华南1（深圳）", "acde", "wz", 10),
    ("cn-hongkong", "中国香港", "bcd", "j6", 8),
    ("ap-southeast-1", "新加坡", "abc", "t4", 7),
    ("ap-northeast-1", "日本（东京）", "ab", "6we", 5),
]
REGION_IDS = [r[0] for r in REGIONS]
REGION_WEIGHTS = [r[4] for r in REGIONS]
REGION_INFO = {r[0]: r for r in REGIONS}


def is_mainland(region: str) -> bool:
    """Chinese mainland region? (cloud-apis.md section 6: cn-hongkong and ap-* are not.)"""
    return region.startswith("cn-") and region != "cn-hongkong"


def zone_id(region: str, suffix: str) -> str:
    """ECS zone naming: cn-hangzhou-h but ap-southeast-1a."""
    return f"{region}{suffix}" if region.startswith("ap-") else f"{region}-{suffix}"


# Desktop instance types: (DesktopType, Cpu, Memory MiB, is GPU, GpuSpec).
# Sizes are approximations of the public ECD specs; opguard only reads the type name.
DESKTOP_TYPES_CPU = [
    ("ecd.basic.large", 2, 4096, False, ""),
    ("ecd.advanced.xlarge", 4, 8192, False, ""),
    ("ecd.performance.2xlarge", 8, 16384, False, ""),
]
DESKTOP_TYPES_GPU = [
    ("ecd.graphics.xlarge", 10, 47104, True, "NVIDIA T4"),
    ("ecd.graphics.2xlarge", 20, 94208, True, "NVIDIA A10"),
]

# Image platforms per OS (cloud-apis.md 2.1/2.2 value lists).
PLATFORMS = {
    "Windows": ["Windows Server 2019", "Windows Server 2022", "Windows Server 2016", "Windows 10"],
    "Linux": ["Ubuntu", "UOS", "CentOS"],
}
WINDOWS_LANGUAGES = ["zh-CN", "en-US", "ja-JP", "zh-HK"]

# Desktop statuses (cloud-apis.md 3.1): mostly Running/Stopped, a few transitional ones.
DESKTOP_STATUS_WEIGHTS = [
    ("Running", 62), ("Stopped", 30), ("Starting", 2), ("Stopping", 2),
    ("Rebuilding", 2), ("Expired", 2),
]
REBUILDABLE_STATUSES = ("Running", "Stopped")
BAD_DESKTOP_STATUSES = ("Starting", "Expired")

# ECS instance families: (family, sizes, local disks? -> (min, max, GiB per disk), GPU spec).
# i2 (NVMe SSD) and d1ne (SATA HDD) are local-disk families per cloud-apis.md 4.5.
ECS_FAMILIES = [
    ("ecs.g6", ["large", "xlarge", "2xlarge"], None, "", 30),
    ("ecs.c6", ["large", "xlarge", "2xlarge"], None, "", 20),
    ("ecs.r6", ["large", "xlarge"], None, "", 15),
    ("ecs.g7", ["xlarge", "2xlarge", "4xlarge"], None, "", 15),
    ("ecs.gn6i", ["c4g1.xlarge"], None, "NVIDIA T4", 5),
    ("ecs.i2", ["xlarge", "2xlarge", "4xlarge"], (1, 4, 894), "", 8),
    ("ecs.d1ne", ["2xlarge", "4xlarge"], (1, 4, 5500), "", 7),
]
MEMORY_PER_CPU = {"ecs.c6": 2048, "ecs.r6": 8192, "ecs.d1ne": 8192}  # MiB per vCPU; others 4 GiB
SIZE_CPU = {"large": 2, "xlarge": 4, "2xlarge": 8, "4xlarge": 16, "c4g1.xlarge": 4}
INSTANCE_STATUS_WEIGHTS = [
    ("Running", 70), ("Stopped", 21), ("Starting", 3), ("Pending", 3), ("Stopping", 3),
]
ECS_OS = [
    # (OSType, OSName (zh), OSNameEn)
    ("linux", "Alibaba Cloud Linux  3.2104 LTS 64位", "Alibaba Cloud Linux  3.2104 LTS 64 bit"),
    ("linux", "CentOS  7.9 64位", "CentOS  7.9 64 bit"),
    ("linux", "Ubuntu  22.04 64位", "Ubuntu  22.04 64 bit"),
    ("windows", "Windows Server  2019 数据中心版 64位中文版",
     "Windows Server  2019 Data Center Edition 64bit Chinese Edition"),
]

# System events (cloud-apis.md 3.4). Only codes 1, 34, 65 (types) and 0, 8, 24 (states) are
# taken from the documented examples; the other codes are placeholders. opguard must match on
# Name, never on Code.
EVENT_TYPE_CODES = {
    "SystemMaintenance.Reboot": 1,
    "SystemMaintenance.Redeploy": 2,
    "SystemFailure.Reboot": 65,
    "SystemFailure.Redeploy": 66,
    "InstanceExpiration.Stop": 34,
    "SystemMaintenance.RebootAndIsolateErrorDisk": 3,
}
EVENT_STATE_CODES = {
    "Executed": 0, "Avoided": 8, "Scheduled": 24, "Inquiring": 16,
    "Executing": 32, "Canceled": 2, "Failed": 4,
}
# Events to which RedeployInstance may respond, in states on which both doc versions agree.
RESPONDABLE_EVENTS = [
    ("SystemMaintenance.Redeploy", "Inquiring"), ("SystemMaintenance.Redeploy", "Scheduled"),
    ("SystemMaintenance.Reboot", "Inquiring"), ("SystemMaintenance.Reboot", "Scheduled"),
    ("SystemFailure.Redeploy", "Inquiring"),
]
CLOSED_STATES = ["Executed", "Avoided", "Canceled"]
EVENT_REASONS = [
    "System maintenance is scheduled due to hardware upgrade.",
    "The physical server that hosts the instance needs maintenance.",
    "An underlying hardware failure was detected.",
]

# Injected plan faults: kind -> weight per call (the rest are valid calls).
REBUILD_FAULTS = [
    ("none", 720), ("wrong_region", 30), ("unknown_desktop", 30), ("unknown_image", 20),
    ("image_not_available", 20), ("os_change_outside_mainland", 30),
    ("gpu_image_mismatch", 20), ("bad_status", 30), ("bad_language", 20), ("too_many_ids", 3),
]
REDEPLOY_FAULTS = [
    ("none", 88), ("security_lock", 4), ("pending_instance", 4), ("unknown_instance", 4),
]

EPOCH = dt.datetime(2024, 6, 1, 0, 0, 0)  # fixed "now" of the snapshot; no clock is read
ALNUM = string.ascii_lowercase + string.digits


# --------------------------------------------------------------------------------------------
# Random helpers (all draw from the one seeded generator)
# --------------------------------------------------------------------------------------------

class Gen:
    """The seeded random source plus the helpers that give realistic ids and times."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.used_ids: set[str] = set()

    def weighted(self, pairs):
        """Pick a value from [(value, weight), ...]."""
        values = [p[0] for p in pairs]
        weights = [p[1] for p in pairs]
        return self.rng.choices(values, weights)[0]

    def uid(self, prefix: str, length: int, alphabet: str = ALNUM) -> str:
        """A fresh unique id: prefix + `length` random characters."""
        while True:
            ident = prefix + "".join(self.rng.choice(alphabet) for _ in range(length))
            if ident not in self.used_ids:
                self.used_ids.add(ident)
                return ident

    def request_id(self) -> str:
        h = "0123456789ABCDEF"
        parts = [8, 4, 4, 4, 12]
        return "-".join("".join(self.rng.choice(h) for _ in range(n)) for n in parts)

    def time_before(self, max_days: int, min_days: int = 0) -> dt.datetime:
        minutes = self.rng.randint(min_days * 1440, max_days * 1440)
        return EPOCH - dt.timedelta(minutes=minutes)

    def time_after(self, max_days: int, min_days: int = 0) -> dt.datetime:
        minutes = self.rng.randint(min_days * 1440, max_days * 1440)
        return EPOCH + dt.timedelta(minutes=minutes)

    def ipv4(self, first: int = 172) -> str:
        r = self.rng
        return f"{first}.{r.randint(16, 31)}.{r.randint(0, 255)}.{r.randint(1, 254)}"


def minute_stamp(t: dt.datetime) -> str:
    """ECD/ECS time format `2021-12-31T15:59Z`."""
    return t.strftime("%Y-%m-%dT%H:%MZ")


def second_stamp(t: dt.datetime) -> str:
    """Event time format `2017-11-30T06:32:31Z`."""
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------------------------
# Inventory
# --------------------------------------------------------------------------------------------

@dataclass
class Fleet:
    """Everything generated, plus the indexes the plan generator needs."""
    images: list = field(default_factory=list)        # ECD DescribeImages objects
    desktops: list = field(default_factory=list)      # ECD DescribeDesktops objects
    snapshots: list = field(default_factory=list)
    instances: list = field(default_factory=list)     # ECS DescribeInstances objects
    events: list = field(default_factory=list)
    app_images: list = field(default_factory=list)    # appstream-center ListImage objects
    respondable: set = field(default_factory=set)     # instance ids with a redeployable event


def make_images(g: Gen, count: int) -> list:
    """ECD images (cloud-apis.md 2.2). The first six cover every (OS, GPU) pair as Available
    system images plus one Creating and one CreateFailed image, so small fleets work too."""
    forced = [
        ("Windows", False, "SYSTEM", "Available"), ("Linux", False, "SYSTEM", "Available"),
        ("Windows", True, "SYSTEM", "Available"), ("Linux", True, "SYSTEM", "Available"),
        ("Windows", False, "CUSTOM", "Creating"), ("Linux", False, "CUSTOM", "CreateFailed"),
    ]
    images = []
    for i in range(count):
        if i < len(forced):
            os_name, gpu, image_type, status = forced[i]
        else:
            os_name = "Windows" if g.rng.random() < 0.65 else "Linux"
            gpu = g.rng.random() < 0.15
            image_type = "SYSTEM" if g.rng.random() < 0.4 else "CUSTOM"
            status = g.weighted([("Available", 90), ("Creating", 5), ("CreateFailed", 5)])
        platform = g.rng.choice(PLATFORMS[os_name])
        if image_type == "SYSTEM":
            if os_name == "Linux":
                languages = ["en-US"]  # "Linux cloud computers support only English"
            else:
                languages = sorted(g.rng.sample(WINDOWS_LANGUAGES, g.rng.randint(2, 4)))
                if "en-US" not in languages:
                    languages.append("en-US")
            name = f"{platform} {'GPU ' if gpu else ''}{'English' if os_name == 'Linux' else 'Multi-language'}"
        else:
            languages = []
            name = f"custom-{platform.lower().replace(' ', '-')}-{i:05d}"
        created = g.time_before(900, 30)
        images.append({
            "AppVersion": "",
            "CreationTime": minute_stamp(created),
            "DataDiskSize": g.rng.choice([0, 0, 40, 80]),
            "Description": f"{image_type.lower()} image for {platform}",
            "GpuCategory": gpu,                      # bool on images (int on desktops)
            "GpuDriverVersion": "470.161.03" if gpu else "",
            "ImageId": g.uid("m-", 17),
            "ImageType": image_type,
            "Name": name,
            "OsType": os_name.upper(),               # WINDOWS / LINUX as in the API example
            "Platform": platform,
            "Progress": "100%" if status == "Available" else f"{g.rng.randint(0, 99)}%",
            "ProtocolType": g.weighted([("ASP", 85), ("HDX", 15)]),
            "SessionType": g.weighted([("SINGLE_SESSION", 90), ("MULTIPLE_SESSION", 10)]),
            "SharedCount": g.rng.randint(0, 3) if image_type == "CUSTOM" else 0,
            "Size": g.rng.choice([40, 80, 100]) if os_name == "Windows" else g.rng.choice([40, 60]),
            "Status": status,
            "SupportedLanguages": languages,
            "UpdateTime": minute_stamp(created + dt.timedelta(days=g.rng.randint(0, 20))),
            "VolumeEncryptionEnabled": False,
            "VolumeEncryptionKey": "",
        })
    return images


def make_office_sites(g: Gen) -> dict:
    """Three office sites (directories) per region: region -> [(id, name, type)]."""
    sites = {}
    for region in REGION_IDS:
        sites[region] = []
        for k in range(3):
            digits = "".join(g.rng.choice(string.digits) for _ in range(10))
            site_type = "SIMPLE" if k < 2 else "AD_CONNECTOR"
            sites[region].append((f"{region}+dir-{digits}", f"{region}-office-{k + 1}", site_type))
    return sites


def make_desktop(g: Gen, index: int, image: dict, sites: dict) -> dict:
    """One DescribeDesktops object (cloud-apis.md 2.1), built from the image it runs."""
    r = g.rng
    gpu = image["GpuCategory"]
    os_name = image["OsType"].capitalize()          # desktops say Windows / Linux
    dtype, cpu, memory, _, gpu_spec = r.choice(DESKTOP_TYPES_GPU if gpu else DESKTOP_TYPES_CPU)
    region = r.choices(REGION_IDS, REGION_WEIGHTS)[0]
    site_id, site_name, site_type = r.choice(sites[region])
    status = g.weighted(DESKTOP_STATUS_WEIGHTS)
    charge = "PrePaid" if status == "Expired" or r.random() < 0.3 else "PostPaid"
    if status == "Expired":
        expired = minute_stamp(g.time_before(30, 1))
    elif charge == "PrePaid":
        expired = minute_stamp(g.time_after(365, 10))
    else:
        expired = "2099-12-31T15:59Z"
    created = g.time_before(700, 2)
    user = f"user{index:06d}"
    connected = status == "Running" and r.random() < 0.5
    disks = [{
        "DiskCategory": r.choice(["cloud_auto", "cloud_essd", "cloud_efficiency"]),
        "DiskId": g.uid("d-", 20),
        "DiskSize": r.choice([80, 100, 150]),
        "DiskType": "SYSTEM",
        "PerformanceLevel": r.choice(["PL0", "PL1", ""]),
    }]
    if r.random() < 0.7:
        disks.append({
            "DiskCategory": r.choice(["cloud_auto", "cloud_essd", "cloud_efficiency"]),
            "DiskId": g.uid("d-", 20),
            "DiskSize": r.randrange(40, 510, 10),
            "DiskType": "DATA",
            "PerformanceLevel": r.choice(["PL0", "PL1", "PL2", ""]),
        })
    policy = f"pg-{''.join(r.choice(ALNUM) for _ in range(17))}"
    return {
        "BundleId": f"b-{''.join(r.choice(ALNUM) for _ in range(17))}",
        "BundleName": f"{dtype}-{os_name.lower()}",
        "ChargeType": charge,
        "ConnectionStatus": "Connected" if connected else r.choice(["Disconnected", "Unknown"]),
        "Cpu": cpu,
        "CreationTime": minute_stamp(created),
        "DesktopGroupId": "",
        "DesktopId": g.uid("ecd-", 17),
        "DesktopName": f"{site_name}-desk-{index:06d}",
        "DesktopStatus": status,
        "DesktopType": dtype,
        "DirectoryId": site_id,
        "DirectoryType": site_type,
        "Disks": disks,
        "DowngradeQuota": 3,
        "DowngradedTimes": 0,
        "EndUserIds": [user],
        "ExpiredTime": expired,
        "FotaUpdate": {                              # noise: opguard ignores it
            "CurrentAppVersion": "1.0.2-R-20230601.103512",
            "Force": False,
            "NewAppVersion": r.choice(["", "1.0.3-R-20240510.094430"]),
            "NewDcdVersion": "",
            "ReleaseNote": "",
            "ReleaseNoteEn": "",
            "ReleaseNoteJp": "",
            "Size": 0,
        },
        "GpuCategory": 1 if gpu else 0,             # int64 on desktops
        "GpuCount": 1 if gpu else 0,
        "GpuDriverVersion": image["GpuDriverVersion"],
        "GpuSpec": gpu_spec,
        "HibernationOptionsConfigured": False,
        "HostName": f"DESK{index:06d}" if os_name == "Windows" else f"desk-{index:06d}",
        "ImageId": image["ImageId"],
        "ManagementFlag": "NoFlag",
        "ManagementFlags": ["NoFlag"],
        "Memory": memory,
        "NetworkInterfaceId": g.uid("eni-", 20),
        "NetworkInterfaceIp": g.ipv4(10),
        "OfficeSiteId": site_id,
        "OfficeSiteName": site_name,
        "OfficeSiteType": site_type,
        "OfficeSiteVpcType": "standard",
        "OsType": os_name,
        "Platform": image["Platform"],
        "PolicyGroupId": policy,
        "PolicyGroupIdList": [policy],
        "PolicyGroupName": "default-policy",
        "PolicyGroupNameList": ["default-policy"],
        "ProtocolType": image["ProtocolType"],
        "SessionType": image["SessionType"],
        "Sessions": [{                               # noise: opguard ignores it
            "EndUserId": user,
            "EstablishmentTime": minute_stamp(g.time_before(2)),
            "ExternalUserName": "",
        }] if connected else [],
        "SnapshotPolicyId": "",
        "SnapshotPolicyName": "",
        "StartTime": minute_stamp(created + dt.timedelta(minutes=r.randint(3, 60))),
        "SupportHibernation": False,
        "Tags": [
            {"Key": "department", "Value": r.choice(["design", "finance", "ops", "research"])},
            {"Key": "env", "Value": r.choice(["prod", "test"])},
        ],
        "VolumeEncryptionEnabled": False,
        "VolumeEncryptionKey": "",
        "ZoneType": "AvailabilityZone",
    }


def make_snapshot(g: Gen, desktop: dict) -> dict:
    """One DescribeSnapshots object (cloud-apis.md 2.3) of an existing desktop."""
    r = g.rng
    disk = r.choice(desktop["Disks"])
    snap_type = "AUTO" if r.random() < 0.7 else "USER"
    return {
        "CreationTime": minute_stamp(g.time_before(60)),
        "Creator": "" if snap_type == "AUTO" else "admin",
        "DeletionTime": "",
        "Description": "auto snapshot policy" if snap_type == "AUTO" else "before upgrade",
        "DesktopId": desktop["DesktopId"],
        "DesktopName": desktop["DesktopName"],
        "DesktopStatus": desktop["DesktopStatus"],
        "DiskStatus": "Available",
        "OsType": desktop["OsType"],
        "Progress": "100%",
        "ProtocolType": desktop["ProtocolType"],
        "RemainTime": 0,
        "RestorePointId": "",
        "RestorePointName": "",
        "SnapshotId": g.uid("s-", 20),
        "SnapshotName": f"{snap_type.lower()}-{desktop['DesktopName']}",
        "SnapshotType": snap_type,
        "SourceDiskSize": str(disk["DiskSize"]),     # a STRING in this API
        "SourceDiskType": disk["DiskType"],
        "Status": "ACCOMPLISHED",
        "VolumeEncryptionEnabled": False,
        "VolumeEncryptionKey": "",
    }


def make_instance(g: Gen, index: int) -> dict:
    """One ECS DescribeInstances object (cloud-apis.md 2.6); lists are double-nested."""
    r = g.rng
    region, _, zones, prefix, _ = REGION_INFO[r.choices(REGION_IDS, REGION_WEIGHTS)[0]]
    family, sizes, local, gpu_spec, _ = r.choices(ECS_FAMILIES, [f[4] for f in ECS_FAMILIES])[0]
    size = r.choice(sizes)
    cpu = SIZE_CPU[size]
    local_amount, local_capacity = 0, 0
    if local:
        local_amount = r.randint(local[0], local[1])
        local_capacity = local_amount * local[2]
    status = g.weighted(INSTANCE_STATUS_WEIGHTS)
    lock = g.weighted([("", 96), ("security", 2), ("financial", 2)])
    locks = [{"LockMsg": "", "LockReason": lock}] if lock else []
    on_dh = r.random() < 0.03
    os_type, os_name, os_name_en = r.choice(ECS_OS)
    charge = "PrePaid" if r.random() < 0.4 else "PostPaid"
    created = g.time_before(900, 5)
    vpc = f"vpc-{prefix}{''.join(r.choice(ALNUM) for _ in range(18))}"
    ip = g.ipv4()
    return {
        "AutoReleaseTime": "",
        "ClusterId": "",
        "Cpu": cpu,
        "CpuOptions": {"CoreCount": max(1, cpu // 2), "Numa": "", "ThreadsPerCore": 2},
        "CreationTime": minute_stamp(created),
        "CreditSpecification": "",
        "DedicatedHostAttribute": {
            "DedicatedHostClusterId": "",
            "DedicatedHostId": g.uid(f"dh-{prefix}", 18) if on_dh else "",
            "DedicatedHostName": "ddh-prod" if on_dh else "",
        },
        "DedicatedInstanceAttribute": {
            "Affinity": "host" if on_dh else "default",
            "Tenancy": "host" if on_dh else "default",
        },
        "DeletionProtection": r.random() < 0.2,
        "DeploymentSetId": "",
        "Description": "",
        "DeviceAvailable": True,
        "EcsCapacityReservationAttr": {"CapacityReservationId": "", "CapacityReservationPreference": ""},
        "EipAddress": {"AllocationId": "", "InternetChargeType": "", "IpAddress": ""},
        "ExpiredTime": minute_stamp(g.time_after(365, 5)) if charge == "PrePaid" else "2099-12-31T15:59Z",
        "GPUAmount": 1 if gpu_spec else 0,
        "GPUSpec": gpu_spec,
        "HibernationOptions": {"Configured": False},
        "HostName": f"host-{index:06d}",
        "ImageId": f"{'win2019' if os_type == 'windows' else 'aliyun_3'}_x64_{''.join(r.choice(string.digits) for _ in range(8))}.vhd",
        "InnerIpAddress": {"IpAddress": []},
        "InstanceChargeType": charge,
        "InstanceId": g.uid(f"i-{prefix}", 20 - len(prefix)),
        "InstanceName": f"{family.split('.')[1]}-node-{index:06d}",
        "InstanceNetworkType": "vpc",
        "InstanceType": f"{family}.{size}",
        "InstanceTypeFamily": family,
        "InternetChargeType": "PayByTraffic",
        "InternetMaxBandwidthIn": 100,
        "InternetMaxBandwidthOut": 0,
        "IoOptimized": True,
        "KeyPairName": "" if os_type == "windows" else "ops-key",
        "LocalStorageAmount": local_amount,
        "LocalStorageCapacity": local_capacity,
        "Memory": cpu * MEMORY_PER_CPU.get(family, 4096),
        "MetadataOptions": {"HttpEndpoint": "enabled", "HttpPutResponseHopLimit": 1, "HttpTokens": "optional"},
        "NetworkInterfaces": {"NetworkInterface": [{
            "MacAddress": ":".join(f"{r.randint(0, 255):02x}" for _ in range(6)),
            "NetworkInterfaceId": g.uid(f"eni-{prefix}", 18),
            "PrimaryIpAddress": ip,
            "PrivateIpSets": {"PrivateIpSet": [{"Primary": True, "PrivateIpAddress": ip}]},
            "Type": "Primary",
        }]},
        "OSName": os_name,
        "OSNameEn": os_name_en,
        "OSType": os_type,
        "OperationLocks": {"LockReason": locks},
        "PublicIpAddress": {"IpAddress": []},
        "Recyclable": False,
        "RegionId": region,
        "ResourceGroupId": "rg-acfm" + "".join(r.choice(ALNUM) for _ in range(11)),
        "SaleCycle": "",
        "SecurityGroupIds": {"SecurityGroupId": [f"sg-{prefix}{''.join(r.choice(ALNUM) for _ in range(18))}"]},
        "SerialNumber": g.request_id().lower(),
        "SpotDuration": 0,
        "SpotPriceLimit": 0,
        "SpotStrategy": "NoSpot",
        "StartTime": minute_stamp(created + dt.timedelta(minutes=r.randint(1, 30))),
        "Status": status,
        "StoppedMode": "KeepCharging" if status == "Stopped" else "Not-applicable",
        "Tags": {"Tag": [
            {"TagKey": "app", "TagValue": r.choice(["web", "db", "batch", "cache"])},
            {"TagKey": "owner", "TagValue": r.choice(["team-a", "team-b", "team-c"])},
        ]},
        "VlanId": "",
        "VpcAttributes": {
            "NatIpAddress": "",
            "PrivateIpAddress": {"IpAddress": [ip]},
            "VSwitchId": f"vsw-{prefix}{''.join(r.choice(ALNUM) for _ in range(18))}",
            "VpcId": vpc,
        },
        "ZoneId": zone_id(region, r.choice(zones)),
    }


def make_event(g: Gen, instance: dict, name: str, state: str) -> dict:
    """One DescribeInstanceHistoryEvents entry (cloud-apis.md 2.7)."""
    r = g.rng
    closed = state in CLOSED_STATES
    published = g.time_before(40, 8) if closed else g.time_before(3)
    not_before = published + dt.timedelta(days=r.randint(1, 7), minutes=r.randint(0, 600))
    local_disk = instance["LocalStorageAmount"] > 0 and name.endswith("ErrorDisk")
    return {
        "EventCycleStatus": {"Code": EVENT_STATE_CODES[state], "Name": state},
        "EventFinishTime": second_stamp(not_before + dt.timedelta(minutes=r.randint(5, 90))) if closed else "",
        "EventId": g.uid("e-", 20),
        "EventPublishTime": second_stamp(published),
        "EventType": {"Code": EVENT_TYPE_CODES[name], "Name": name},
        "ExtendedAttribute": {
            "CanAccept": "",
            "Device": "/dev/vdb" if local_disk else "",
            "DiskId": g.uid("d-", 20) if local_disk else "",
            "HostId": "",
            "HostType": "",
            "InactiveDisks": {"InactiveDisk": []},
            "MigrationOptions": {"MigrationOption": []},
            "OnlineRepairPolicy": "",
            "ResponseResult": "",
        },
        "ImpactLevel": r.choice(["", "100"]),
        "InstanceId": instance["InstanceId"],
        "NotBefore": second_stamp(not_before),
        "Reason": r.choice(EVENT_REASONS),
        "ReasonCode": "",
        "ResourceType": "instance",
    }


def make_events(g: Gen, fleet: Fleet) -> None:
    """History events for about a third of the instances: an open event that RedeployInstance
    can answer (most of them) and/or an older closed one."""
    for inst in fleet.instances:
        if g.rng.random() >= 1 / 3:
            continue
        if g.rng.random() < 0.5:
            names = [k for k in EVENT_TYPE_CODES if inst["LocalStorageAmount"] > 0 or not k.endswith("ErrorDisk")]
            old_name = g.rng.choice(names)
            fleet.events.append(make_event(g, inst, old_name, g.rng.choice(CLOSED_STATES)))
        if g.rng.random() < 0.8 or not fleet.events or fleet.events[-1]["InstanceId"] != inst["InstanceId"]:
            if inst["LocalStorageAmount"] > 0 and g.rng.random() < 0.3:
                name, state = "SystemMaintenance.RebootAndIsolateErrorDisk", "Inquiring"
            else:
                name, state = g.rng.choice(RESPONDABLE_EVENTS)
            fleet.events.append(make_event(g, inst, name, state))
            fleet.respondable.add(inst["InstanceId"])


def make_app_image(g: Gen, index: int) -> dict:
    """One appstream-center ListImage entry (cloud-apis.md 2.9)."""
    r = g.rng
    image_id = g.uid("imgc-", 17)
    version = g.uid("iv-", 17)
    os_type = g.weighted([("Windows", 70), ("Linux", 25), ("Android", 5)])
    regions = sorted(r.sample(["cn-shanghai", "cn-hangzhou", "cn-beijing", "ap-southeast-1"], r.randint(1, 3)))
    distribute = [{
        "ImageId": image_id,
        "Progress": "100%" if k < len(regions) - 1 or r.random() < 0.8 else "70%",
        "RegionId": region,
        "Status": "AVAILABLE",
        "VersionId": version,
    } for k, region in enumerate(regions)]
    for d in distribute:
        if d["Progress"] != "100%":
            d["Status"] = "INIT"
    return {
        "AppList": [],
        "BaseImageId": "imgc-base" + "".join(r.choice(ALNUM) for _ in range(12)),
        "DataDiskSize": r.choice([0, 40]),
        "Description": "",
        "DriverList": [],
        "FeatureList": [],
        "GmtCreate": minute_stamp(g.time_before(300, 10)),
        "GmtModified": minute_stamp(g.time_before(9)),
        "ImageCreateMode": "Ecs",
        "ImageId": image_id,
        "ImageName": f"app-image-{index:05d}",
        "ImageRegionDistributeList": distribute,
        "ImageRegionList": regions,
        "ImageType": g.weighted([("User", 80), ("Shared", 10), ("System", 10)]),
        "Language": "zh-CN",
        "LatestVersionId": version,
        "OsType": os_type,
        "PackageType": r.choice(["Ecs", "Ecs_Container"]),
        "Platform": 1 if os_type == "Windows" else 2,
        "PlatformName": {"Windows": "Windows Server 2019", "Linux": "Ubuntu", "Android": "Android"}[os_type],
        "ProductType": g.weighted([("CloudDesktop", 50), ("CloudApp", 40), ("WuyingServer", 10)]),
        "ProtocolType": "ASP",
        "SessionType": "SINGLE_SESSION",
        "Status": g.weighted([("AVAILABLE", 90), ("CREATING", 5), ("CREATE_FAILED", 5)]),
        "SupportedLanguageList": ["en-US", "zh-CN"],
        "SystemDiskSize": 80,
        "TagList": [],
        "VersionId": version,
        "VersionName": "v1",
        "VolumeEncryptionEnabled": r.random() < 0.1,
        "VolumeEncryptionKey": "",
    }


def make_fleet(g: Gen, n: int) -> Fleet:
    fleet = Fleet()
    fleet.images = make_images(g, max(8, n // 20))
    available = [im for im in fleet.images if im["Status"] == "Available"]
    # Desktops run an Available image; GPU desktops (about 10 %) run GPU images.
    by_gpu = {gpu: [im for im in available if im["GpuCategory"] == gpu] for gpu in (False, True)}
    sites = make_office_sites(g)
    for i in range(n):
        image = g.rng.choice(by_gpu[g.rng.random() < 0.1])
        fleet.desktops.append(make_desktop(g, i, image, sites))
    for _ in range(2 * n):
        fleet.snapshots.append(make_snapshot(g, g.rng.choice(fleet.desktops)))
    fleet.instances = [make_instance(g, i) for i in range(max(1, n // 2))]
    make_events(g, fleet)
    fleet.app_images = [make_app_image(g, i) for i in range(max(1, n // 50))]
    return fleet


def inventory_documents(g: Gen, fleet: Fleet) -> dict:
    """file name -> response object, in the top-level shapes of cloud-apis.md section 2."""
    inst = fleet.instances
    return {
        "describe_desktops.json": {
            "Desktops": fleet.desktops, "NextToken": "", "PageNumber": 1,
            "PageSize": len(fleet.desktops), "RequestId": g.request_id(),
            "TotalCount": len(fleet.desktops),
        },
        "describe_images.json": {"Images": fleet.images, "NextToken": "", "RequestId": g.request_id()},
        "describe_snapshots.json": {"NextToken": "", "RequestId": g.request_id(), "Snapshots": fleet.snapshots},
        "describe_regions.json": {
            "Regions": [{"LocalName": name, "RegionEndpoint": f"ecd.{rid}.aliyuncs.com", "RegionId": rid}
                        for rid, name, _, _, _ in REGIONS],
            "RequestId": g.request_id(),
        },
        "describe_instances.json": {
            "Instances": {"Instance": inst}, "NextToken": "", "PageNumber": 1,
            "PageSize": len(inst), "RequestId": g.request_id(), "TotalCount": len(inst),
        },
        "describe_instance_history_events.json": {
            "InstanceSystemEventSet": {"InstanceSystemEventType": fleet.events},
            "NextToken": "", "PageNumber": 1, "PageSize": max(1, len(fleet.events)),
            "RequestId": g.request_id(), "TotalCount": len(fleet.events),
        },
        "list_image.json": {
            "Code": "200", "Count": len(fleet.app_images), "Data": fleet.app_images,
            "Message": "", "PageNumber": 1, "PageSize": len(fleet.app_images),
            "RequestId": g.request_id(), "Success": True,
        },
    }


# --------------------------------------------------------------------------------------------
# Plan
# --------------------------------------------------------------------------------------------

class DesktopPools:
    """Unused desktops grouped by (region, gpu, os). A call draws from one group so that one
    image can be right for all of its desktops. Each desktop is used at most once while any
    suitable group still has unused desktops; only tiny fleets run dry, and then a group is
    refilled and its desktops reused (reported through `reused`)."""

    def __init__(self, g: Gen, desktops: list, statuses):
        self.g = g
        self.members: dict = {}
        for d in desktops:
            if d["DesktopStatus"] in statuses:
                self.members.setdefault(self.key(d), []).append(d)
        self.keys = sorted(self.members)
        self.free = {}
        self.reused: list = []        # desktop ids handed out a second time
        for k in self.keys:
            self.refill(k)

    @staticmethod
    def key(d: dict):
        return (d["OfficeSiteId"].split("+", 1)[0], d["GpuCategory"] == 1, d["OsType"])

    def refill(self, k):
        pool = list(self.members[k])
        self.g.rng.shuffle(pool)
        self.free[k] = pool

    def pick_key(self, accept=lambda k: True, need: int = 1, reuse: bool = True):
        """A group satisfying `accept`, chosen in proportion to its unused desktops; groups with
        at least `need` unused desktops first, else (if `reuse`) any big enough group."""
        keys = [k for k in self.keys if accept(k) and len(self.free[k]) >= need]
        if keys:
            return self.g.rng.choices(keys, [len(self.free[k]) for k in keys])[0]
        if not reuse:
            return None
        keys = [k for k in self.keys if accept(k) and len(self.members[k]) >= need]
        return self.g.rng.choice(keys) if keys else None

    def take(self, k, count: int, exact: bool = False) -> list:
        """Up to `count` distinct desktops of group k. Unused ones while there are any (the call
        then gets fewer) unless `exact`; the group is refilled (desktops reused) only when it
        is empty or cannot give an `exact` count."""
        count = min(count, len(self.members[k]))
        if count > len(self.free[k]) and (exact or not self.free[k]):
            self.refill(k)
            self.reused.extend(d["DesktopId"] for d in self.free[k][-count:])
        count = min(count, len(self.free[k]))
        return [self.free[k].pop() for _ in range(count)]


class PlanBuilder:
    """Builds the call list and records every injected fault for the manifest."""

    def __init__(self, g: Gen, fleet: Fleet):
        self.g = g
        self.fleet = fleet
        self.calls: list = []
        self.faults: list = []
        self.good = DesktopPools(g, fleet.desktops, REBUILDABLE_STATUSES)
        self.bad = DesktopPools(g, fleet.desktops, BAD_DESKTOP_STATUSES)
        self.images = list(fleet.images)

    # -- helpers -------------------------------------------------------------------------

    def image_for(self, gpu: bool, os_name: str | None, available=True):
        """An image with the given GPU flag, OS (None = any) and availability."""
        cands = [im for im in self.images
                 if (im["Status"] == "Available") == available and im["GpuCategory"] == gpu
                 and (os_name is None or im["OsType"] == os_name.upper())]
        return self.g.rng.choice(cands) if cands else None

    def fault(self, call_id: str, kind: str, targets: list) -> None:
        for t in targets:
            self.faults.append({"call": call_id, "kind": kind, "target": t})

    # -- RebuildDesktops -----------------------------------------------------------------

    def rebuild_call(self, seq: int) -> None:
        g, r = self.g, self.g.rng
        call_id = f"rebuild-{seq:05d}"
        kind = g.weighted(REBUILD_FAULTS)
        count = r.randint(21, 25) if kind == "too_many_ids" else r.randint(1, 5)

        # Choose the group of desktops; some faults need a particular kind of group.
        accept = {
            "os_change_outside_mainland": lambda k: not is_mainland(k[0]),
            "gpu_image_mismatch": lambda k: k[1],
        }.get(kind, lambda k: True)
        need = 21 if kind == "too_many_ids" else 1
        key = self.good.pick_key(accept, need)
        if key is None:                       # the fleet has no such group: make a valid call
            kind, count = "none", r.randint(1, 5)
            key = self.good.pick_key()
        region, gpu, os_name = key
        desktops = self.good.take(key, count, exact=(kind == "too_many_ids"))
        ids = [d["DesktopId"] for d in desktops]

        # A valid image: same GPU class; outside the mainland also the same OS.
        image = self.image_for(gpu, None if is_mainland(region) else os_name)
        image_id = image["ImageId"]
        language = None
        if image["ImageType"] == "SYSTEM" and r.random() < 0.3:
            language = "en-US" if image["OsType"] == "LINUX" or os_name == "Linux" \
                else r.choice(image["SupportedLanguages"])

        if kind == "wrong_region":
            other = self.good.pick_key(lambda k: k[0] != region and k[1:] == (gpu, os_name)) \
                or self.good.pick_key(lambda k: k[0] != region)
            extra = self.good.take(other, 1) if other else []
            if extra:
                ids.append(extra[0]["DesktopId"])
                self.fault(call_id, kind, ids[-1:])
        elif kind == "unknown_desktop":
            ids.append(g.uid("ecd-", 17))
            self.fault(call_id, kind, ids[-1:])
        elif kind == "bad_status":
            bad_key = self.bad.pick_key(lambda k: k == key, reuse=False) \
                or self.bad.pick_key(lambda k: k[0] == region, reuse=False)
            extra = self.bad.take(bad_key, 1) if bad_key else []
            if extra:
                ids.append(extra[0]["DesktopId"])
                self.fault(call_id, f"bad_status:{extra[0]['DesktopStatus']}", ids[-1:])
        elif kind == "unknown_image":
            image_id = g.uid("m-", 17)
            language = None
            self.fault(call_id, kind, ids)
        elif kind == "image_not_available":
            bad_image = self.image_for(gpu, None, available=False) or self.image_for(not gpu, None, available=False)
            image_id, language = bad_image["ImageId"], None
            self.fault(call_id, f"image_not_available:{bad_image['Status']}", ids)
        elif kind == "os_change_outside_mainland":
            other_os = "Linux" if os_name == "Windows" else "Windows"
            image_id, language = self.image_for(gpu, other_os)["ImageId"], None
            self.fault(call_id, kind, ids)
        elif kind == "gpu_image_mismatch":
            image_id, language = self.image_for(not gpu, os_name)["ImageId"], None
            self.fault(call_id, kind, ids)
        elif kind == "bad_language":
            if image["ImageType"] != "SYSTEM":
                image_id = self.image_for_system(gpu, os_name if not is_mainland(region) else None)
            language = "fr-FR"
            self.fault(call_id, kind, ids)
        elif kind == "too_many_ids":
            self.fault(call_id, kind, ids)

        params = {"RegionId": region, "DesktopId": ids, "ImageId": image_id}
        if r.random() < 0.7:
            params["OperateType"] = "replace"
        if language is not None:
            params["Language"] = language
        self.calls.append({"id": call_id, "product": "ecd", "version": "2020-09-30",
                           "action": "RebuildDesktops", "parameters": params})

    def image_for_system(self, gpu: bool, os_name: str | None) -> str:
        """An Available SYSTEM image (always exists: see make_images)."""
        cands = [im for im in self.images if im["Status"] == "Available" and im["ImageType"] == "SYSTEM"
                 and im["GpuCategory"] == gpu and (os_name is None or im["OsType"] == os_name.upper())]
        return self.g.rng.choice(cands)["ImageId"]

    # -- RedeployInstance ----------------------------------------------------------------

    def redeploy_calls(self, count: int) -> None:
        g, r = self.g, self.g.rng
        inst = self.fleet.instances

        def locks(i):
            return {lk["LockReason"] for lk in i["OperationLocks"]["LockReason"]}

        def healthy(i):
            return (i["Status"] in ("Running", "Stopped") and not locks(i)
                    and not i["DedicatedHostAttribute"]["DedicatedHostId"])

        # Valid targets: healthy instances with an open event RedeployInstance may answer.
        valid = [i for i in inst if healthy(i) and i["InstanceId"] in self.fleet.respondable]
        fallback = [i for i in inst if healthy(i) and i["InstanceId"] not in self.fleet.respondable]
        pools = {
            "security_lock": [i for i in inst if "security" in locks(i)],
            "pending_instance": [i for i in inst if i["Status"] == "Pending"],
        }
        r.shuffle(valid)
        r.shuffle(fallback)
        for seq in range(1, count + 1):
            call_id = f"redeploy-{seq:05d}"
            kind = g.weighted(REDEPLOY_FAULTS)
            if kind in pools and not pools[kind]:
                kind = "unknown_instance"
            if kind == "unknown_instance":
                target = g.uid("i-", 20)
            elif kind in pools:
                target = r.choice(pools[kind])["InstanceId"]
            elif valid:
                target = valid.pop()["InstanceId"]
            elif fallback:                       # no event to answer: noted, not injected
                target = fallback.pop()["InstanceId"]
                self.faults.append({"call": call_id, "kind": "note:no_open_event", "target": target})
            else:
                target = r.choice(inst)["InstanceId"]
                self.faults.append({"call": call_id, "kind": "note:reused_instance", "target": target})
            if kind != "none":
                self.fault(call_id, kind, [target])
            self.calls.append({"id": call_id, "product": "ecs", "version": "2014-05-26",
                               "action": "RedeployInstance",
                               "parameters": {"InstanceId": target, "ForceStop": r.random() < 0.1}})


def make_plan(g: Gen, fleet: Fleet, n: int) -> tuple[dict, list]:
    builder = PlanBuilder(g, fleet)
    for seq in range(1, max(1, n // 5) + 1):
        builder.rebuild_call(seq)
    for pools in (builder.good, builder.bad):
        builder.faults.extend({"call": "", "kind": "note:reused_desktop", "target": t} for t in pools.reused)
    builder.redeploy_calls(max(1, n // 10))
    return {"calls": builder.calls}, builder.faults


# --------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------

# --compact: the fields kept per inventory list, as the built-in resource declarations name
# them (rules/ecd_resources.rules, ecs_redeploy_instance.rules, appstream_distribute_image.rules).
COMPACT_FIELDS = {
    "Desktops": ["DesktopId", "DesktopName", "DesktopStatus", "OsType", "Platform", "ImageId", "GpuCategory",
                 "GpuCount", "DesktopType", "Disks", "OfficeSiteId", "ConnectionStatus", "ManagementFlag",
                 "ChargeType", "ExpiredTime"],
    "Images": ["ImageId", "Name", "ImageType", "OsType", "Platform", "GpuCategory", "Status", "SupportedLanguages",
               "Size", "DataDiskSize", "ProtocolType", "SessionType"],
    "Snapshots": ["SnapshotId", "SnapshotName", "DesktopId", "SourceDiskType", "SourceDiskSize", "SnapshotType",
                  "Status", "DiskStatus", "CreationTime"],
    "Instance": ["InstanceId", "InstanceName", "RegionId", "ZoneId", "Status", "InstanceType", "InstanceTypeFamily",
                 "OperationLocks", "DedicatedHostAttribute", "DedicatedInstanceAttribute", "LocalStorageAmount",
                 "LocalStorageCapacity", "InstanceChargeType", "ExpiredTime"],
    "InstanceSystemEventType": ["EventId", "InstanceId", "EventType", "EventCycleStatus", "NotBefore", "Reason",
                                "ImpactLevel"],
    "Data": ["ImageId", "ImageName", "ImageType", "Status", "ImageRegionList", "ImageRegionDistributeList",
             "VersionId", "LatestVersionId", "OnlineVersionId", "VolumeEncryptionEnabled", "OsType", "ProductType"],
}


def project(doc):
    """--compact: every list named in COMPACT_FIELDS keeps only those fields of its objects."""
    if isinstance(doc, dict):
        out = {}
        for key, value in doc.items():
            if key in COMPACT_FIELDS and isinstance(value, list):
                keep = COMPACT_FIELDS[key]
                out[key] = [{k: o[k] for k in keep if k in o} for o in value]
            else:
                out[key] = project(value)
        return out
    return doc


def compact_json(obj) -> bytes:
    """No whitespace at all, keys sorted, raw UTF-8, no trailing newline."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def cli_json(obj) -> bytes:
    """The `aliyun` CLI's way of saving a response: sorted keys, tabs, raw UTF-8, newline."""
    return (json.dumps(obj, sort_keys=True, indent="\t", ensure_ascii=False) + "\n").encode("utf-8")


def write(path: str, data: bytes) -> int:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    return len(data)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--desktops", type=int, required=True, help="number of desktops N (>= 1)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--compact", action="store_true",
                    help="no whitespace; inventory objects only with the fields the rules' resources name")
    args = ap.parse_args(argv)
    if args.desktops < 1:
        ap.error("--desktops must be >= 1")

    n = args.desktops
    g = Gen(args.seed)
    fleet = make_fleet(g, n)
    docs = inventory_documents(g, fleet)
    plan, faults = make_plan(g, fleet, n)

    sizes = {}
    for name, doc in docs.items():
        data = compact_json(project(doc)) if args.compact else cli_json(doc)
        sizes[f"inventory/{name}"] = write(os.path.join(args.out, "inventory", name), data)
    # The plan is opguard's own format: insertion order kept (id first), two-space indent.
    if args.compact:
        plan_bytes = json.dumps(plan, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    else:
        plan_bytes = (json.dumps(plan, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    sizes["plan.json"] = write(os.path.join(args.out, "plan.json"), plan_bytes)

    desktop_targets = sum(len(c["parameters"]["DesktopId"]) for c in plan["calls"] if c["action"] == "RebuildDesktops")
    instance_targets = sum(1 for c in plan["calls"] if c["action"] == "RedeployInstance")
    injected = [f for f in faults if not f["kind"].startswith("note:")]
    broken_targets = len({(f["call"], f["target"]) for f in injected})
    targets = desktop_targets + instance_targets
    kinds: dict = {}
    for f in injected:
        base = f["kind"].split(":")[0]
        kinds[base] = kinds.get(base, 0) + 1
    manifest = {
        "generator": "bench/generate.py",
        "desktops": n, "seed": args.seed, "shape": "compact" if args.compact else "cli",
        "counts": {
            "desktops": len(fleet.desktops), "images": len(fleet.images),
            "snapshots": len(fleet.snapshots), "instances": len(fleet.instances),
            "events": len(fleet.events), "app_images": len(fleet.app_images),
            "calls": len(plan["calls"]),
        },
        "targets": {"desktop_ids": desktop_targets, "instance_ids": instance_targets, "total": targets},
        "broken_targets": broken_targets,
        "broken_fraction": round(broken_targets / targets, 4) if targets else 0,
        "fault_kinds": dict(sorted(kinds.items())),
        "input_bytes": sum(sizes.values()),
        "files": dict(sorted(sizes.items())),
        "faults": faults,
    }
    sizes["manifest.json"] = write(os.path.join(args.out, "manifest.json"),
                                   (json.dumps(manifest, indent=1) + "\n").encode("utf-8"))

    width = max(len(k) for k in sizes)
    for name, size in sizes.items():
        print(f"{name:<{width}}  {size:>12} bytes")
    print(f"{'total (inputs, without manifest)':<{width}}  {manifest['input_bytes']:>12} bytes")
    print(f"targets: {desktop_targets} desktop ids + {instance_targets} instance ids = {targets}; "
          f"broken on purpose: {broken_targets} ({100 * manifest['broken_fraction']:.1f} %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
