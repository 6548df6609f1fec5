#!/usr/bin/env python3
"""The documented minimum Rust versions, checked without installing another toolchain.

The crate says `rust-version = "1.85"` in Cargo.toml; the policy store's features need
1.94 (sqlx 0.9). This machine has one toolchain and no way to fetch another, so the check
is made from what cargo knows: every package each feature set builds (normal and build
dependencies, as `cargo tree` resolves them from Cargo.lock) must declare a
`rust-version` no newer than the one documented for that feature set. The crate's own
code is held to its `rust-version` by clippy's `incompatible_msrv` lint, which the test
command runs with warnings denied.
"""
import json
import subprocess
import sys

# feature set -> the Rust version README.md and Cargo.toml document for it
DOCUMENTED = {
    "": "1.85",
    "rusqlite": "1.85",
    "postgres": "1.85",
    "tracing": "1.85",
    "cli": "1.85",
    "schema": "1.85",
    "store-sqlite": "1.94",
    "store-postgres": "1.94",
}


def version(text):
    parts = [int(part) for part in text.split(".")]
    return tuple((parts + [0, 0, 0])[:3])


def main():
    meta = json.loads(subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--locked", "--all-features"],
        check=True, capture_output=True, text=True).stdout)
    declared = {(p["name"], p["version"]): p.get("rust_version") for p in meta["packages"]}
    own = next(p for p in meta["packages"] if p["name"] == "permatrix")
    if own.get("rust_version") != DOCUMENTED[""]:
        print(f"msrv: Cargo.toml says {own.get('rust_version')}, scripts/msrv.py {DOCUMENTED['']}")
        return 1
    failures = 0
    for features, msrv in DOCUMENTED.items():
        args = ["cargo", "tree", "--locked", "-e", "normal,build", "--prefix", "none",
                "--format", "{p}"]
        if features:
            args += ["--features", features]
        tree = subprocess.run(args, check=True, capture_output=True, text=True).stdout
        packages = set()
        for line in tree.splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[1].startswith("v"):
                packages.add((parts[0], parts[1][1:]))
        newest = ("", "0")
        for name, ver in sorted(packages):
            needs = declared.get((name, ver))
            if needs and version(needs) > version(msrv):
                print(f"msrv: feature set `{features or 'default'}` documents Rust {msrv}, "
                      f"but {name} {ver} needs {needs}")
                failures += 1
            if needs and version(needs) > version(newest[1]):
                newest = (f"{name} {ver}", needs)
        print(f"msrv: `{features or 'default'}`: {len(packages)} packages, the newest Rust "
              f"any needs is {newest[1]} ({newest[0] or 'none declared'}); documented {msrv}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
