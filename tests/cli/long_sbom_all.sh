#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Every SBOM variant and attack of test_sbom.sh, including the ones make
# check leaves out for time (each pack, attest or install unlocks a key):
# FDA-extra warnings, CycloneDX 1.5 and documentDescribes packs, every
# record field edited, the device's second and third release, the audit
# log re-chained around an empty sbom member.
# req: REQ-SBOM-001, REQ-SBOM-002, REQ-SBOM-003, REQ-SBOM-004, REQ-SBOM-005, REQ-SBOM-006
SBOM_FULL=1
. "$(dirname "$0")/test_sbom.sh"
