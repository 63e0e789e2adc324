#!/usr/bin/env python3
"""Builds static TUF repositories for the npm package's TUF tests.

    make_repos.py OUT TRUSTED_ROOT_JSON [NEXT_TRUSTED_ROOT_JSON]

Runs in the conformance venv (scripts/setup.sh makes target/tuf-venv), which has
python-tuf 6.0.0 and securesystemslib 1.3.1. Every scenario is a consistent-snapshot repository,
laid out as a static server serves one:

    OUT/root.json                         root v1, the root a client pins (same for all scenarios)
    OUT/<scenario>/root.json              the same root v1
    OUT/<scenario>/metadata/              1.root.json 2.root.json timestamp.json N.snapshot.json N.targets.json
    OUT/<scenario>/targets/<sha256>.trusted_root.json

All scenarios share one key set, so one pinned root works for each; the keys are fresh on every
run (nothing is kept but the public keys in the roots). Prints a JSON summary to stdout.
"""

import hashlib
import json
import shutil
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import (
    Metadata,
    MetaFile,
    Root,
    Snapshot,
    TargetFile,
    Targets,
    Timestamp,
)
from tuf.api.serialization.json import JSONSerializer

TARGET = "trusted_root.json"
NOW = datetime.now(UTC).replace(microsecond=0)
VALID = NOW + timedelta(days=365)
EXPIRED = datetime(2020, 1, 1, tzinfo=UTC)

# ECDSA P-256 (ecdsa-sha2-nistp256, DER signatures over SHA-256) as Sigstore's keys are.
# Four root keys: v1 trusts r0 r1 r2, v2 rotates r0 out and r3 in (threshold 2 for both), so
# a client has to count v2's signatures against both key sets separately.
R = [CryptoSigner.generate_ecdsa() for _ in range(4)]
TS, SN, TG = (CryptoSigner.generate_ecdsa() for _ in range(3))


def root(version: int, root_signers: list) -> Root:
    r = Root(version=version, expires=VALID, consistent_snapshot=True)
    for role, signers in (("root", root_signers), ("timestamp", [TS]), ("snapshot", [SN]), ("targets", [TG])):
        for s in signers:
            r.add_key(s.public_key, role)
    r.roles["root"].threshold = 2
    return r


def sign(signed, signers) -> bytes:
    md = Metadata(signed)
    for s in signers:
        md.sign(s, append=True)
    return md.to_bytes(JSONSerializer(compact=False))


ROOT_V1 = sign(root(1, R[:3]), R[:3])
# Signed by r0 r1 (2 of v1's keys) and r1 r3 (2 of its own).
ROOT_V2 = sign(root(2, R[1:]), [R[0], R[1], R[3]])
# Only r1 of v1's keys: 2 of its own (r1 r3) but 1 of the old root's, so refused.
ROOT_V2_BELOW = sign(root(2, R[1:]), [R[1], R[3]])


def scenario(out: Path, name: str, target: bytes, *, ts_version=10, version=5, ts_expires=VALID,
             root_v2=ROOT_V2, mix_and_match=False, tamper_target=False) -> dict:
    d = out / name
    shutil.rmtree(d, ignore_errors=True)
    (d / "metadata").mkdir(parents=True)
    (d / "targets").mkdir()
    (d / "root.json").write_bytes(ROOT_V1)
    (d / "metadata/1.root.json").write_bytes(ROOT_V1)
    (d / "metadata/2.root.json").write_bytes(root_v2)

    targets = Targets(version=version, expires=VALID)
    # sha256 only, as Sigstore's targets list; its hex names the file under consistent snapshot.
    tfile = TargetFile.from_data(TARGET, target, ["sha256"])
    targets.targets[TARGET] = tfile
    targets_bytes = sign(targets, [TG])
    # Sigstore's snapshot and timestamp list only versions; mix-and-match lists targets' hashes
    # and length too, then serves another properly signed targets of the same version and
    # length (DER signatures vary in length: re-sign until it matches), so only the hash differs.
    meta = MetaFile(version=version)
    if mix_and_match:
        meta = MetaFile(version=version, length=len(targets_bytes),
                        hashes={"sha256": hashlib.sha256(targets_bytes).hexdigest()})
        targets.expires += timedelta(seconds=1)
        other = sign(targets, [TG])
        while len(other) != len(targets_bytes):
            other = sign(targets, [TG])
        targets_bytes = other
    (d / f"metadata/{version}.targets.json").write_bytes(targets_bytes)
    snapshot = Snapshot(version=version, expires=VALID, meta={"targets.json": meta})
    (d / f"metadata/{version}.snapshot.json").write_bytes(sign(snapshot, [SN]))
    timestamp = Timestamp(version=ts_version, expires=ts_expires,
                          snapshot_meta=MetaFile(version=version))
    (d / "metadata/timestamp.json").write_bytes(sign(timestamp, [TS]))

    sha = tfile.hashes["sha256"]
    served = bytearray(target)
    if tamper_target:
        served[len(served) // 2] ^= 1  # same length: only the hash check catches it
    (d / f"targets/{sha}.{TARGET}").write_bytes(bytes(served))
    return {"metadata": str(d / "metadata"), "targets": str(d / "targets"),
            "timestamp_version": ts_version, "version": version, "target_sha256": sha}


def main() -> None:
    out = Path(sys.argv[1]).resolve()
    target = Path(sys.argv[2]).read_bytes()
    next_target = Path(sys.argv[3]).read_bytes() if len(sys.argv) > 3 else target
    out.mkdir(parents=True, exist_ok=True)
    (out / "root.json").write_bytes(ROOT_V1)
    s = {
        # Each `expect` is what a client pinned to OUT/root.json must do on a fresh cache, except
        # rollback, which is refused only by a client that has refreshed `good` before.
        "good": ({"expect": "ok"}, {}),
        "good-next": ({"expect": "ok"}, dict(ts_version=11, version=6, target=next_target)),
        "expired": ({"expect": "fail"}, dict(ts_expires=EXPIRED)),
        "rollback": ({"expect": "fail after good"}, dict(ts_version=3)),
        "below-threshold": ({"expect": "fail"}, dict(root_v2=ROOT_V2_BELOW)),
        "mix-and-match": ({"expect": "fail"}, dict(mix_and_match=True)),
        "tampered-target": ({"expect": "fail on download"}, dict(tamper_target=True)),
    }
    scenarios = {}
    for name, (info, kw) in s.items():
        kw.setdefault("target", target)
        scenarios[name] = info | scenario(out, name, kw.pop("target"), **kw)
    print(json.dumps({
        "root": str(out / "root.json"),
        "target_name": TARGET,
        "target_sha256": hashlib.sha256(target).hexdigest(),
        "next_target_sha256": hashlib.sha256(next_target).hexdigest(),
        "scenarios": scenarios,
    }, indent=2))


if __name__ == "__main__":
    main()
