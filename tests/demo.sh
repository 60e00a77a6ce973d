#!/usr/bin/env bash
# make demo: fastpath on a bundled workload, so a new user sees real output.
set -eu
cd "$(dirname "$0")/.."
echo "== fastpath record -- build/workloads/sysloop 100000 20000"
echo "   (100,000 getppid calls and 20,000 openat calls on a missing path)"
./fastpath record -- build/workloads/sysloop 100000 20000
