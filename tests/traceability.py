#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Requirement -> tests -> result: the traceability matrix of fwseal.

  python3 tests/traceability.py [--root DIR] [--results DIR] [--check] [--out FILE]

Reads the requirements (docs/requirements.md: table rows `| REQ-GROUP-NNN | ... |`), the
`req:` tags of the tests (tests/cli/test_*.sh and long_*.sh: `# req: ID[, ID...]`;
tests/unit/*.c: `/* req: ID */` or `// req: ID`; the CI-only scripts tests/*.sh, which
.ci/run runs and make check does not: a tag anywhere in one covers the whole script, shown
as "CI only" because no result of it is recorded) and, unless --check, the results of the
last runs in --results (default build/test-results: cli/*.tsv written by tests/cli/run.sh,
unit*.json written by Criterion's --json). Writes the matrix as Markdown to --out (default
docs/traceability.md; "-" = standard output).

Scope of a tag (docs/requirements.md): in a shell test, a tag in the leading comment block
covers the whole file, a later one the lines up to the next `# ----` section header; in a
Criterion file, a tag right above a Test( (comments and blank lines between allowed) covers
that test, any other tag before the first Test( the whole file.

Exit status: 0; 1 when a requirement has no test, a tag names an unknown ID, an ID is
defined twice or a tag covers no test (each named on stderr, one line each); 2 on a usage
or input error. Results never change the status: "not run" and failures are shown in the
matrix, not judged here (make check judges them).
"""
import glob
import json
import os
import re
import sys

ID_RE = re.compile(r"REQ-[A-Z]+-\d{3}")
ROW_RE = re.compile(r"^\|\s*(REQ-[A-Z]+-\d{3})\s*\|\s*(.*?)\s*\|\s*(.*?)\s*\|\s*$")
SH_TAG_RE = re.compile(r"^\s*#\s*req:\s*(.*)$")
C_TAG_RE = re.compile(r"^\s*(?:/\*|//)\s*req:\s*(.*?)\s*(?:\*/)?\s*$")
SECTION_RE = re.compile(r"^# ----")
C_TEST_RE = re.compile(r"^\s*Test\(\s*([A-Za-z0-9_]+)\s*,\s*([A-Za-z0-9_]+)")
C_PARAM_RE = re.compile(r"^\s*ParameterizedTest\(\s*[^,]+,\s*([A-Za-z0-9_]+)\s*,\s*([A-Za-z0-9_]+)")


class Problems:
    def __init__(self):
        self.items = []

    def add(self, where, what):
        self.items.append("%s: %s" % (where, what))


def parse_ids(text):
    """IDs of a tag's text; anything else in it is an error (returned apart)."""
    ids, junk = [], []
    for word in re.split(r"[,\s]+", text.strip()):
        if not word:
            continue
        if ID_RE.fullmatch(word):
            ids.append(word)
        else:
            junk.append(word)
    return ids, junk


def read_requirements(path, problems):
    reqs = {}  # id -> (text, need, line)
    order = []
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise SystemExit("traceability.py: %s: %s" % (path, e.strerror))
    group = ""
    for no, line in enumerate(lines, 1):
        if line.startswith("## "):
            group = line[3:].strip()
        m = ROW_RE.match(line)
        if not m:
            continue
        rid, text, need = m.groups()
        if rid in reqs:
            problems.add("docs/requirements.md:%d" % no,
                         "%s is defined twice (first on line %d)" % (rid, reqs[rid][2]))
            continue
        withdrawn = "withdrawn" in text.lower()[:40]
        reqs[rid] = (text, need, no, group, withdrawn)
        order.append(rid)
    return reqs, order


class Test:
    """One test unit a tag can cover: a CLI file section or a Criterion test."""

    def __init__(self, kind, file, name, first, last):
        self.kind = kind      # "cli" or "unit"
        self.file = file      # path relative to the root
        self.name = name      # CLI: "" (whole file) or the section title; unit: suite::test
        self.first = first    # CLI: line range covered
        self.last = last
        self.results = []     # [(result, check)]


def shell_tags(lines, rel, problems):
    """(line, ids) of every well-formed `# req:` tag of a shell file; a bad one is a problem."""
    for no, l in enumerate(lines, 1):
        m = SH_TAG_RE.match(l)
        if not m:
            continue
        ids, junk = parse_ids(m.group(1))
        for j in junk:
            problems.add("%s:%d" % (rel, no), "tag names %r, which is not a requirement ID" % j)
        if not ids:
            problems.add("%s:%d" % (rel, no), "tag names no requirement")
            continue
        yield no, ids


def scan_shell(root, rel, problems):
    """[(ids, first_line, last_line, section_title, tag_line)] of one shell test."""
    with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
        lines = f.read().splitlines()
    sections = [no for no, l in enumerate(lines, 1) if SECTION_RE.match(l)]
    # The leading comment block: up to the first line that is not a comment or blank.
    header_end = 0
    for no, l in enumerate(lines, 1):
        if l.strip() == "" or l.lstrip().startswith("#"):
            header_end = no
            continue
        break
    tags = []
    for no, ids in shell_tags(lines, rel, problems):
        if no <= header_end:
            tags.append((ids, 1, len(lines), "", no))
            continue
        end = len(lines)
        for s in sections:
            if s > no:
                end = s - 1
                break
        title = ""
        for s in sections:
            if s <= no:
                title = lines[s - 1].strip("# -")
        # A tag right above a section header covers only comments: it
        # would count nothing, and its requirement would look untested.
        if all(l.strip() == "" or l.lstrip().startswith("#") for l in lines[no:end]):
            problems.add("%s:%d" % (rel, no), "tag covers no test (it stops at the next "
                         "`# ----` header: put it below the header)")
        tags.append((ids, no, end, title, no))
    return tags


def scan_ci_script(root, rel, problems):
    """[(ids, tag_line)] of a CI-only script (tests/*.sh): each tag covers the script."""
    with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
        lines = f.read().splitlines()
    return [(ids, no) for no, ids in shell_tags(lines, rel, problems)]


def scan_c(root, rel, problems):
    """[(ids, suite::test or None for the whole file, tag_line)] and the tests of the file."""
    with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
        lines = f.read().splitlines()
    tests = []
    for no, l in enumerate(lines, 1):
        m = C_TEST_RE.match(l) or C_PARAM_RE.match(l)
        if m:
            tests.append((no, "%s::%s" % m.groups()))
    tags = []
    for no, l in enumerate(lines, 1):
        m = C_TAG_RE.match(l)
        if not m:
            continue
        ids, junk = parse_ids(m.group(1))
        for j in junk:
            problems.add("%s:%d" % (rel, no), "tag names %r, which is not a requirement ID" % j)
        if not ids:
            problems.add("%s:%d" % (rel, no), "tag names no requirement")
            continue
        # Right above a Test( (only comments and blank lines between): that test.
        follows = ""
        for l2 in lines[no:]:
            t = l2.strip()
            if t == "" or t.startswith(("/*", "*", "//")):
                continue
            follows = t
            break
        nxt = [name for tno, name in tests if tno > no]
        if follows.startswith(("Test(", "ParameterizedTest(")) and nxt:
            tags.append((ids, nxt[0], no))
        elif not tests or no < tests[0][0]:
            tags.append((ids, None, no))
        else:
            problems.add("%s:%d" % (rel, no), "tag is neither above a Test( nor before the "
                         "first one: it covers no test")
    return tags, [name for _, name in tests]


def read_cli_results(results):
    """file base name -> (date, status, [(line, result, check)])."""
    out = {}
    for path in sorted(glob.glob(os.path.join(results, "cli", "*.tsv"))):
        rows, date, status = [], "", ""
        with open(path, encoding="utf-8", errors="replace") as f:
            for l in f.read().splitlines():
                if l.startswith("# "):
                    parts = l[2:].split("\t")
                    date = parts[1] if len(parts) > 1 else ""
                    status = parts[2] if len(parts) > 2 else ""
                    continue
                parts = l.split("\t", 2)
                if len(parts) != 3 or not parts[0].isdigit():
                    continue
                rows.append((int(parts[0]), parts[1], parts[2]))
        out[os.path.basename(path)[:-4] + ".sh"] = (date, status, rows)
    return out


def read_unit_results(results):
    """suite::test -> result ("ok", "not ok", "skip"), merged over unit*.json: a run result
    beats a skip (check-long runs only the *_long tests, the others show as skipped)."""
    out = {}
    rank = {"not ok": 3, "ok": 2, "skip": 1}
    dates = []
    for path in sorted(glob.glob(os.path.join(results, "unit*.json"))):
        try:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
        except (OSError, ValueError):
            continue
        dates.append((os.path.basename(path), os.path.getmtime(path)))
        for suite in doc.get("test_suites", []):
            for t in suite.get("tests", []):
                st = str(t.get("status", "")).upper()
                r = {"PASSED": "ok", "FAILED": "not ok", "ERRORED": "not ok",
                     "SKIPPED": "skip"}.get(st, "not ok")
                key = "%s::%s" % (suite.get("name"), t.get("name"))
                if rank[r] > rank.get(out.get(key), 0):
                    out[key] = r
    return out, dates


def summarize(results):
    """'12 ok', '11 ok, 1 not ok', 'not run'."""
    if not results:
        return "not run"
    counts = {}
    for r in results:
        counts[r] = counts.get(r, 0) + 1
    return ", ".join("%d %s" % (counts[k], k) for k in ("ok", "not ok", "skip") if k in counts)


def verdict(results):
    if not results:
        return "not run"
    if any(r == "not ok" for r in results):
        return "FAIL"
    if all(r == "skip" for r in results):
        return "skipped"
    return "pass"


def main(argv):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    results = None
    out_path = None
    check_only = False
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("--root", "--results", "--out") and i + 1 < len(argv):
            if a == "--root":
                root = argv[i + 1]
            elif a == "--results":
                results = argv[i + 1]
            else:
                out_path = argv[i + 1]
            i += 2
            continue
        if a == "--check":
            check_only = True
            i += 1
            continue
        sys.stderr.write(__doc__)
        return 2
    root = os.path.abspath(root)
    if results is None:
        results = os.path.join(root, "build", "test-results")
    if out_path is None:
        out_path = os.path.join(root, "docs", "traceability.md")

    problems = Problems()
    req_path = os.path.join(root, "docs", "requirements.md")
    reqs, order = read_requirements(req_path, problems)
    if not reqs:
        sys.stderr.write("traceability.py: docs/requirements.md defines no requirement\n")
        return 2

    covers = {rid: [] for rid in reqs}  # id -> [(kind, file, name, first, last, tag_line)]
    unit_tests = {}  # suite::test -> file
    cli_files = sorted(glob.glob(os.path.join(root, "tests", "cli", "test_*.sh")) +
                       glob.glob(os.path.join(root, "tests", "cli", "long_*.sh")))
    for path in cli_files:
        rel = os.path.relpath(path, root)
        for ids, first, last, title, tag_line in scan_shell(root, rel, problems):
            for rid in ids:
                if rid not in reqs:
                    problems.add("%s:%d" % (rel, tag_line), "%s is not in docs/requirements.md" % rid)
                    continue
                covers[rid].append(("cli", rel, title, first, last, tag_line))
    # Scripts only CI runs (e.g. tests/fresh_machine.sh): linked, never with a result.
    for path in sorted(glob.glob(os.path.join(root, "tests", "*.sh"))):
        rel = os.path.relpath(path, root)
        for ids, tag_line in scan_ci_script(root, rel, problems):
            for rid in ids:
                if rid not in reqs:
                    problems.add("%s:%d" % (rel, tag_line), "%s is not in docs/requirements.md" % rid)
                    continue
                covers[rid].append(("ci", rel, "", 0, 0, tag_line))
    for path in sorted(glob.glob(os.path.join(root, "tests", "unit", "*.c"))):
        rel = os.path.relpath(path, root)
        tags, tests = scan_c(root, rel, problems)
        for t in tests:
            unit_tests[t] = rel
        for ids, test, tag_line in tags:
            for rid in ids:
                if rid not in reqs:
                    problems.add("%s:%d" % (rel, tag_line), "%s is not in docs/requirements.md" % rid)
                    continue
                if test is None:
                    for t in tests:
                        covers[rid].append(("unit", rel, t, 0, 0, tag_line))
                else:
                    covers[rid].append(("unit", rel, test, 0, 0, tag_line))
    for rid in order:
        if not covers[rid] and not reqs[rid][4]:
            problems.add("docs/requirements.md:%d" % reqs[rid][2], "%s has no test" % rid)
        if covers[rid] and reqs[rid][4]:
            problems.add("docs/requirements.md:%d" % reqs[rid][2],
                         "%s is withdrawn but still tagged" % rid)

    for p in problems.items:
        sys.stderr.write("traceability: %s\n" % p)
    if check_only:
        n_tags = sum(len(v) for v in covers.values())
        print("traceability: %d requirements, %d test links, %d problems"
              % (len(reqs), n_tags, len(problems.items)))
        return 1 if problems.items else 0

    cli_results = read_cli_results(results)
    unit_results, unit_dates = read_unit_results(results)
    lines = []
    w = lines.append
    w("# Traceability: requirement → tests → result")
    w("")
    w("Generated by `make traceability` (tests/traceability.py) from docs/requirements.md, the")
    w("`req:` tags of the tests and the results of the last `make check` / `make check-long` "
      "in %s." % os.path.relpath(results, root).replace(os.sep, "/"))
    w("Do not edit: edit the requirements or the tags and run it again. A CLI entry is a test "
      "file, or a section of it")
    w("(the lines a tag covers); its result counts the checks that ran there in the last run. "
      "A unit entry is one Criterion test.")
    w("\"not run\" means no result is recorded (the file or test did not run since the results "
      "were last cleared).")
    w("\"CI only\" is a script that .ci/run runs and make check does not (tests/*.sh): no result "
      "of it is recorded here; its result is in the CI log.")
    w("")
    runs = sorted({v[0] for v in cli_results.values() if v[0]})
    w("Results: CLI files from %s; unit reports %s."
      % ("%s to %s" % (runs[0], runs[-1]) if runs else "none",
         ", ".join(n for n, _ in unit_dates) if unit_dates else "none"))
    w("")
    summary = {"pass": 0, "FAIL": 0, "not run": 0, "skipped": 0, "CI only": 0}
    body = []
    for rid in order:
        text, need, _, group, withdrawn = reqs[rid]
        entries = []
        all_results = []
        seen_units = set()
        units_by_file = {}
        for kind, rel, name, first, last, tag_line in covers[rid]:
            if kind == "ci":
                entries.append("%s: CI only (.ci/run), no recorded result" % rel)
                continue
            if kind == "cli":
                base = os.path.basename(rel)
                res = []
                if base in cli_results:
                    for line, r, check in cli_results[base][2]:
                        if first <= line <= last or (line == 0 and first == 1):
                            res.append(r)
                all_results += res
                where = rel if not name else "%s (%s, from line %d)" % (rel, name, first)
                if first != 1 and not name:
                    where = "%s (from line %d)" % (rel, first)
                entries.append("%s: %s" % (where, summarize(res)))
            else:
                if name in seen_units:
                    continue
                seen_units.add(name)
                r = unit_results.get(name)
                res = [r] if r else []
                all_results += res
                units_by_file.setdefault(rel, []).append((name, r))
        for rel, tests in units_by_file.items():
            res = [r for _, r in tests if r]
            if len(tests) > 3:
                entries.append("%s (%d tests): %s" % (rel, len(tests), summarize(res) if res else "not run"))
            else:
                for name, r in tests:
                    entries.append("`%s`: %s" % (name, r or "not run"))
        v = "withdrawn" if withdrawn else verdict(all_results)
        if v == "not run" and covers[rid] and all(c[0] == "ci" for c in covers[rid]):
            v = "CI only"
        if v in summary:
            summary[v] += 1
        body.append("| %s | %s | %s | %s |" % (rid, text.replace("|", "\\|"),
                                               "<br>".join(entries) or "—", v))
    w("Requirements: %d; pass %d, FAIL %d, not run %d, skipped only %d, CI only %d."
      % (len(order), summary["pass"], summary["FAIL"], summary["not run"], summary["skipped"],
         summary["CI only"]))
    w("")
    w("| requirement | statement | tests: result of the last run | verdict |")
    w("|---|---|---|---|")
    lines += body
    if problems.items:
        w("")
        w("## Problems")
        w("")
        for p in problems.items:
            w("* " + p)
    text = "\n".join(lines) + "\n"
    if out_path == "-":
        sys.stdout.write(text)
    else:
        tmp = out_path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, out_path)
        print("traceability: wrote %s (%d requirements, pass %d, FAIL %d, not run %d)"
              % (os.path.relpath(out_path, root), len(order), summary["pass"], summary["FAIL"],
                 summary["not run"]))
    return 1 if problems.items else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
