#!/usr/bin/env python
# Reads an Autobahn|Testsuite report for scripts/autobahn.sh: counts per section and
# behaviour, then the verdict (exit status 1 and the list of failing cases).
#
#   autobahn-report.py INDEX_JSON SECONDS [CASE_CLOSED_WITH_1009_BY_DESIGN...]
#
# Python 2.7 (wstest's virtualenv) or 3.
from __future__ import print_function
import json
import sys

index_path, seconds, by_design = sys.argv[1], sys.argv[2], set(sys.argv[3:])
with open(index_path) as f:
    cases = json.load(f)["confab-echo"]


def key(case):
    return tuple(int(part) for part in case.split("."))


PASS = {"OK", "NON-STRICT", "INFORMATIONAL"}
sections = {}
failures, excluded = [], []
for case in sorted(cases, key=key):
    result = cases[case]
    behavior = result["behavior"]
    section = int(case.split(".")[0])
    if case in by_design:
        excluded.append((case, behavior, result.get("remoteCloseCode")))
        behavior = "1009 BY DESIGN"
    elif section in (12, 13):
        if behavior != "UNIMPLEMENTED":
            failures.append((case, behavior, "permessage-deflate must be UNIMPLEMENTED"))
    elif behavior not in PASS:
        failures.append((case, behavior, result.get("behaviorClose")))
    counts = sections.setdefault(section, {})
    counts[behavior] = counts.get(behavior, 0) + 1

columns = ["OK", "NON-STRICT", "INFORMATIONAL", "UNIMPLEMENTED", "1009 BY DESIGN"]
others = sorted({b for c in sections.values() for b in c} - set(columns))
columns += others
widths = [max(len(c), 4) for c in columns]
print("section  cases  " + "  ".join("{:>{}}".format(c, w) for c, w in zip(columns, widths)))
for section in sorted(sections):
    counts = sections[section]
    print("{:>7}  {:>5}  ".format(section, sum(counts.values())) + "  ".join(
        "{:>{}}".format(counts.get(c, 0), w) for c, w in zip(columns, widths)))
total = len(cases)
passed = sum(
    1 for case, r in cases.items()
    if case not in by_design and int(case.split(".")[0]) not in (12, 13) and r["behavior"] in PASS)
print("\n{} cases in {} s: {} passed, {} permessage-deflate cases UNIMPLEMENTED, "
      "{} closed with 1009 by design (not counted)".format(
          total, seconds, passed,
          sum(1 for c in cases if int(c.split(".")[0]) in (12, 13)), len(excluded)))

print("\nclosed with 1009 by design (messages over max_frame_bytes, 64 KiB):")
print("  " + " ".join(case for case, _, _ in excluded))
for case, behavior, code in excluded:
    if code != 1009:
        failures.append((case, behavior, "expected a 1009 close, got {}".format(code)))
missing = sorted(by_design - set(cases), key=key)
for case in missing:
    failures.append((case, "MISSING", "listed as 1009 by design but not run"))

if failures:
    print("\nFAILED: {} case(s):".format(len(failures)))
    for case, behavior, why in failures:
        print("  {:<8} {:<14} {}".format(case, behavior, why))
    sys.exit(1)
print("\nAutobahn: every case OK, NON-STRICT, INFORMATIONAL or UNIMPLEMENTED (12-13)")
