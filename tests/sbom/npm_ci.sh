#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Installs the CycloneDX validator pinned in package-lock.json (make test-deps).
# Fast when nothing changed: the lock file's copy in node_modules is compared
# first. Without node/npm it says so and succeeds: test_sbom.sh then SKIPs the
# CycloneDX validation (and says so), it never passes it silently.
set -eu
cd "$(dirname "$0")"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	echo "tests/sbom: node/npm not found: the CycloneDX schema checks will be skipped" >&2
	exit 0
fi
if [ -f node_modules/.package-lock.json ] &&
	node -e 'const a=require("./package-lock.json").packages,b=require("./node_modules/.package-lock.json").packages;for(const k of Object.keys(a)){if(k&&(!b[k]||b[k].version!==a[k].version||b[k].integrity!==a[k].integrity))process.exit(1)}' 2>/dev/null; then
	exit 0
fi
# The machine's own trust anchors (/etc/ssl/certs, as apt and curl use
# them) on top of node's built-in list: a network whose admin installed a
# CA (a TLS-inspecting proxy) works for npm as it does for apt.
if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && [ -r /etc/ssl/certs/ca-certificates.crt ]; then
	NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
	export NODE_EXTRA_CA_CERTS
fi
npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
