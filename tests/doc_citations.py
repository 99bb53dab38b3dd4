#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Every citation in the docs must be true: a check of README.md, SECURITY.md
and docs/*.md (not docs/founding/, not the generated docs/*.1.md) against the
tree and the built tools.

What counts as a citation, and what is checked (python3 standard library
only; nothing is guessed where the text is ambiguous, so what cannot be
parsed unambiguously is not checked):

  path      a repository path starting lib/ include/ tools/ tests/ docs/
            manifests/ keys-example/, or Makefile or .ci/run, anywhere in
            the text; <placeholder> and * are globs that must match at least
            one file; {a,b} is expanded. Relative markdown links [x](y) are
            resolved against the doc's own directory.
  file      a bare source file name (x.c, x.h, x.sh, x.py) must exist
            somewhere in the tree.
  function  file.c:NAME, file.h:NAME, file.py:NAME, file.sh:NAME: NAME is
            defined in that file (a function, a macro, a type, a struct
            member, an enum constant, a file-scope variable; comments are
            not looked at). A bare file name must be unique in the tree.
  unit      suite::test must be a Criterion Test(suite, test) in
            tests/unit/*.c; suite::prefix_* must match at least one.
  check     test_x.sh "NAME" (or tests/cli/..., long_x.sh; the first name
            may stand in parentheses), possibly followed by more quoted
            names (separated by , + and ; or a parenthesis): each NAME is
            the description of a check in that file, i.e. equals one of its
            double-quoted strings, where $var or $(...) in the file and
            "(...)" or "..." in the doc stand for any text (a name built
            from variables must still match on its fixed text).
  check-status  "NAME" (N) or "NAME" (exit N) right after a cited check:
            when the file runs that check as T="NAME" expect_exit N (or
            expect_ok, 0), N must be that status.
  command   in code (fenced blocks and `spans`): PROG CMD [--flag ...] for
            fwseal, fwseal-keys, fwseal-verify: CMD is one of PROG's
            commands and every --flag an option of PROG CMD, both read
            from the binaries' own --help ("CMD1|CMD2" checks each command,
            and no flag).
  status    an FWS_E* name next to an exit status ("exit N (FWS_EX)",
            "FWS_EX (exit N)", "FWS_EX, status N", "N FWS_EX", "FWS_EX (N)",
            a table row "| N | FWS_EX |") must agree with
            include/fwseal/error.h (FWS_EX = -N); every FWS_E* name cited
            exists there.
  make      in code: make TARGET... names Makefile targets.

History and absence. A path, file or function citation followed by
"(removed in H)" (or "moved in H", "renamed in H") names something the tree
held just before commit H and no longer holds: both are checked with git.
"(commit H)", "(at commit H)", "(as of H)" check it at commit H. "(does not
exist)" or "does not exist" right after a citation checks that it does not.
Without git (a tarball), or in a shallow clone that lacks the commit, historical
citations are not checked.

Usage: doc_citations.py [--build DIR] [--root DIR] [--list] [DOC...]
(--list also prints every citation checked: SEEN<TAB>doc<TAB>line<TAB>kind<TAB>citation.)
Default DOCs: the set above. Output, one line per failed citation:
  FAIL<TAB>doc<TAB>line<TAB>kind<TAB>citation<TAB>reason
and one line per doc: DOC<TAB>doc<TAB>number of citations checked.
Exit status: 0 when every citation is true, 1 otherwise, 2 on usage errors.
"""

import fnmatch
import glob
import os
import re
import subprocess
import sys

PROGS = ("fwseal", "fwseal-keys", "fwseal-verify")
PATH_ROOTS = ("lib", "include", "tools", "tests", "docs", "manifests", "keys-example")
SOURCE_EXT = ("c", "h", "sh", "py")
# Written in the docs as the shape of a citation, not as one.
PLACEHOLDER_UNITS = {("suite", "test"), ("suite", "test_name"), ("suite", "*")}


SEEN = []


def seen(doc, line, kind, cite):
    """Record one citation checked (for --list); counts it."""
    SEEN.append((doc, line, kind, cite))
    return 1


def fail(out, doc, line, kind, cite, reason):
    out.append((doc, line, kind, cite.replace("\t", " "), reason))


def defines_in(text, ext, name):
    """Is NAME defined in this source text (a function, macro, type, struct
    member, enum constant or file-scope variable)? Comments do not count."""
    n = re.escape(name)
    if ext in ("c", "h"):
        code = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
        code = re.sub(r"(?m)//.*$", "", code)
        pats = [
            r"(?m)^\s*#\s*define\s+%s\b" % n,
            # a function defined or declared at file scope (column 0)
            r"(?m)^[A-Za-z_][^;{}()\n]*?\b%s\s*\(" % n,
            r"(?m)^%s\s*\(" % n,
            r"\b(?:struct|enum|union)\s+%s\s*\{" % n,
            r"(?m)^\s*typedef\b[^;]*\b%s\s*;" % n,
            r"(?m)^\s*%s\s*(?:=[^=][^,\n]*)?,?\s*$" % n,  # enum constant
            # a struct member or a variable: TYPE NAME; TYPE NAME[..]; TYPE (*NAME)(...)
            r"(?m)^\s*(?:const\s+)?[A-Za-z_][\w\s\*]*?[\s\*]%s\s*(?:\[[^\]]*\]\s*)*(?:=[^;]*)?;" % n,
            r"\(\s*\*\s*%s\s*\)\s*\(" % n,
            r"(?m)^[A-Za-z_][^;(\n]*\b%s\s*(?:\[[^\]]*\]\s*)*=" % n,
        ]
    elif ext == "py":
        code = text
        pats = [r"(?m)^\s*(?:def|class)\s+%s\b" % n, r"(?m)^%s\s*=" % n]
    elif ext == "sh":
        code = text
        pats = [r"(?m)^\s*(?:function\s+)?%s\s*\(\s*\)" % n, r"(?m)^%s=" % n]
    else:
        code, pats = text, [r"\b%s\b" % n]
    return any(re.search(p, code) for p in pats)


class View:
    """The files of the tree: as they are on disk (commit None), or as git
    holds them at a commit (for citations marked historical)."""

    def __init__(self, root, files, commit=None):
        self.root = root
        self.commit = commit
        self.files = files
        self.fileset = set(files)
        self.dirs = set()
        for f in files:
            d = os.path.dirname(f)
            while d and d not in self.dirs:
                self.dirs.add(d)
                d = os.path.dirname(d)
        self.by_base = {}
        for f in files:
            self.by_base.setdefault(os.path.basename(f), []).append(f)
        self._text = {}
        self._defs = {}

    def exists(self, pat):
        """pat: a repository path, possibly a glob; a directory may end in /."""
        pat = pat.rstrip("/")
        if any(c in pat for c in "*?["):
            return any(fnmatch.fnmatchcase(f, pat) for f in self.files) or \
                any(fnmatch.fnmatchcase(d, pat) for d in self.dirs)
        return pat in self.fileset or pat in self.dirs or pat in (".", "")

    def text(self, rel):
        if rel not in self._text:
            if self.commit is None:
                with open(os.path.join(self.root, rel), encoding="utf-8", errors="replace") as f:
                    self._text[rel] = f.read()
            else:
                r = subprocess.run(["git", "-C", self.root, "show", "%s:%s" % (self.commit, rel)],
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
                self._text[rel] = r.stdout.decode("utf-8", "replace")
        return self._text[rel]

    def defines(self, rel, name):
        key = (rel, name)
        if key not in self._defs:
            self._defs[key] = defines_in(self.text(rel), rel.rsplit(".", 1)[-1], name)
        return self._defs[key]

    def resolve(self, name):
        """(repository path or None, reason) for a cited file name."""
        if "/" in name:
            return (name, None) if name in self.fileset else (None, "no such file")
        cands = self.by_base.get(name, [])
        if len(cands) == 1:
            return cands[0], None
        if not cands:
            return None, "no file of that name in the tree"
        return None, "file name not unique: " + ", ".join(sorted(cands))


class Tree:
    """The repository (build directories and .git left out) and the tools."""

    def __init__(self, root, build):
        self.root = root
        self.build = build
        files = []
        for d, dirs, names in os.walk(root):
            rel = os.path.relpath(d, root)
            if rel == ".":
                dirs[:] = [x for x in dirs if x != ".git" and not x.startswith("build")]
            for n in names:
                files.append(os.path.normpath(os.path.join(rel, n)))
        self.now = View(root, files)
        self.by_base = self.now.by_base
        self._views = {}
        self._help = {}
        self._units = None
        self._errors = None
        self._targets = None
        self._checks = {}

    def text(self, rel):
        return self.now.text(rel)

    def git_shallow(self):
        if not hasattr(self, "_git_shallow"):
            r = subprocess.run(["git", "-C", self.root, "rev-parse", "--is-shallow-repository"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            self._git_shallow = r.stdout.decode().strip() == "true"
        return self._git_shallow

    def git_ok(self):
        if not hasattr(self, "_git_ok"):
            try:
                r = subprocess.run(["git", "-C", self.root, "rev-parse", "--git-dir"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                self._git_ok = r.returncode == 0
            except OSError:
                self._git_ok = False
        return self._git_ok

    def at(self, commit):
        """The tree at a commit ("H^" allowed), or None when git cannot say."""
        if commit not in self._views:
            view = None
            try:
                r = subprocess.run(["git", "-C", self.root, "ls-tree", "-r", "--name-only",
                                    commit], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
                if r.returncode == 0:
                    view = View(self.root, r.stdout.decode("utf-8", "replace").splitlines(),
                                commit)
            except OSError:
                view = None
            self._views[commit] = view
        return self._views[commit]

    # ---- Criterion tests ----
    def units(self):
        if self._units is None:
            self._units = set()
            for f in sorted(glob.glob(os.path.join(self.root, "tests/unit/*.c"))):
                with open(f, encoding="utf-8", errors="replace") as fh:
                    for m in re.finditer(r"(?m)^\s*Test\s*\(\s*(\w+)\s*,\s*(\w+)", fh.read()):
                        self._units.add((m.group(1), m.group(2)))
        return self._units

    # ---- error codes ----
    def errors(self):
        if self._errors is None:
            text = self.text("include/fwseal/error.h")
            self._errors = {m.group(1): -int(m.group(2))
                            for m in re.finditer(r"\b(FWS_E\w+)\s*=\s*(-\d+)", text)}
            self._macros = set(re.findall(r"(?m)^#\s*define\s+(FWS_E\w+)", text))
        return self._errors

    def error_name_exists(self, name):
        return name in self.errors() or name in self._macros

    # ---- requirement IDs (docs/requirements.md table rows) ----
    def requirements(self):
        if getattr(self, "_reqs", None) is None:
            self._reqs = set(re.findall(r"(?m)^\|\s*(REQ-[A-Z]+-\d{3})\s*\|",
                                        self.text("docs/requirements.md") or ""))
        return self._reqs

    # ---- Makefile targets ----
    def targets(self):
        if self._targets is None:
            self._targets = set()
            for line in self.text("Makefile").splitlines():
                m = re.match(r"^([^\s#:=][^:=]*?)\s*::?(?![=])", line)
                if m and not line.startswith("\t"):
                    for t in m.group(1).split():
                        if "$" not in t and "%" not in t:
                            self._targets.add(t)
        return self._targets

    # ---- the tools' help ----
    def help(self, prog, cmd):
        key = (prog, cmd)
        if key not in self._help:
            exe = os.path.join(self.build, prog)
            args = [exe] + (cmd.split() if cmd else []) + ["--help"]
            try:
                r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   timeout=20, env=dict(os.environ, LC_ALL="C"))
                out = r.stdout.decode("utf-8", "replace")
                self._help[key] = out if r.returncode == 0 else None
            except OSError as e:
                raise SystemExit("doc_citations.py: cannot run %s: %s" % (exe, e))
        return self._help[key]

    def commands(self, prog):
        """PROG's commands ('root init' for the two-word ones)."""
        h = self.help(prog, "")
        if h is None:
            raise SystemExit("doc_citations.py: %s --help failed" % prog)
        cmds, on = set(), False
        for line in h.splitlines():
            if line.strip() == "Commands:":
                on = True
                continue
            if on:
                m = re.match(r"^  (\S+(?: [a-z][a-z-]*)?)\s{2,}", line)
                if m:
                    cmds.add(m.group(1))
                elif line.strip() == "":
                    on = False
        return cmds

    def options(self, prog, cmd):
        h = self.help(prog, cmd)
        if h is None:
            return None
        opts, on = set(), False
        for line in h.splitlines():
            if line.strip() == "Options:":
                on = True
                continue
            if on:
                m = re.match(r"^\s{2,}(?:-\w, )?(--[a-z0-9][a-z0-9-]*)", line)
                if m:
                    opts.add(m.group(1))
                elif line and not line.startswith(" "):
                    on = False
        if not cmd:
            opts |= set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", h))
        return opts

    def statuses(self, prog, cmd):
        """The exit statuses PROG CMD --help lists (None if --help failed)."""
        h = self.help(prog, cmd)
        if h is None:
            return None
        part = h.split("Exit status:", 1)
        return set(int(x) for x in re.findall(r"(?m)^  (\d+) ", part[1])) if len(part) > 1 else set()

    def error_texts(self):
        """FWS_E* name -> the message lib/core/error.c gives it."""
        return {m.group(1): m.group(2).replace('\\"', '"') for m in re.finditer(
            r'\[-(FWS_E\w+)\]\s*=\s*\{"FWS_E\w+",\s*"((?:[^"\\]|\\.)*)"', self.text("lib/core/error.c"))}

    # ---- the checks of a CLI test file ----
    def check_names(self, rel):
        if rel not in self._checks:
            text = self.text(rel)
            # Comments are not check names (a whole-line comment only: a
            # '#' inside a string is common).
            code = "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("#"))
            names = []
            for m in re.finditer(r'"((?:[^"\\]|\\.)*)"', code, flags=re.S):
                s = m.group(1)
                if "\n" in s:
                    continue
                names.append(s)
            self._checks[rel] = names
        return self._checks[rel]


def check_statuses(tree, rel, name):
    """The exit statuses the checks named `name` expect: T="..." followed by
    expect_exit N (N) or expect_ok (0). Empty when no such check is found."""
    key = ("status", rel)
    if key not in tree._checks:
        found = []
        for m in re.finditer(r'(?m)^\s*T="((?:[^"\\]|\\.)*)"\s*(?:\\\n\s*)?'
                             r'(expect_exit\s+(\d+)|expect_ok)\b', tree.text(rel)):
            found.append((m.group(1), int(m.group(3)) if m.group(3) else 0))
        tree._checks[key] = found
    want = re.compile(doc_name_regex(name) + r"\Z", re.S)
    got = set()
    for lit, status in tree._checks[key]:
        if lit == name or ("$" not in lit and want.match(lit)):
            got.add(status)
        elif "$" in lit:
            try:
                if re.match(shell_literal_regex(lit) + r"\Z", name, re.S):
                    got.add(status)
            except re.error:
                pass
    return got


def shell_literal_regex(s):
    """A double-quoted shell string as a regex: $x, ${x}, $(...) match any text."""
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            out.append(re.escape(s[i + 1]))
            i += 2
        elif c == "$" and s[i + 1:i + 2] == "(":
            depth, j = 0, i + 1
            while j < len(s):
                if s[j] == "(":
                    depth += 1
                elif s[j] == ")":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            out.append(".+?")
            i = j + 1
        elif c == "$" and s[i + 1:i + 2] == "{":
            j = s.find("}", i)
            out.append(".+?")
            i = (j + 1) if j > 0 else len(s)
        elif c == "$" and re.match(r"[A-Za-z_0-9#?@*]", s[i + 1:i + 2]):
            m = re.match(r"\$(?:[A-Za-z_]\w*|[0-9#?@*])", s[i:])
            out.append(".+?")
            i += len(m.group(0))
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


def doc_name_regex(name):
    """A cited check name as a regex: "(...)" and "..." elide any text; $x in
    the doc (a name cited as the file spells it) matches itself."""
    parts = re.split(r"\(\.\.\.\)|\.\.\.|…", name)
    return ".*".join(re.escape(p) for p in parts)


def fixed_text(lit):
    """The non-blank characters of a shell string that are not expansions."""
    rx = shell_literal_regex(lit)
    return len(re.sub(r"\s", "", re.sub(r"\.\+\?|\\(.)", lambda m: m.group(1) or "", rx)))


def check_name_matches(tree, rel, name):
    want = re.compile(doc_name_regex(name) + r"\Z", re.S)
    for lit in tree.check_names(rel):
        if lit == name or ("$" not in lit and want.match(lit)):
            return True
        if "$" not in lit:
            continue
        # A name built from variables: its fixed text must carry the match.
        fixed = fixed_text(lit)
        if fixed < 6 or fixed * 3 < len(re.sub(r"\s", "", name)):
            continue
        try:
            if re.match(shell_literal_regex(lit) + r"\Z", name, re.S):
                return True
        except re.error:
            pass
    return False


# ---------------------------------------------------------------- scanning


def code_segments(lines):
    """(line number, text, in_code): every line as prose, plus its code parts."""
    fence = None
    for no, line in enumerate(lines, 1):
        m = re.match(r"^\s*(```+|~~~+)", line)
        if fence is None and m:
            fence = m.group(1)
            continue
        if fence is not None:
            if line.strip().startswith(fence):
                fence = None
                continue
            yield no, line, True
            continue
        yield no, line, False


def inline_code(line):
    out = []
    for m in re.finditer(r"(`+)(.+?)\1", line):
        out.append(m.group(2).strip())
    return out


PATH_RE = re.compile(
    r"(?<![\w./<>*+-])((?:%s)/(?:[\w.*+-]|\{[\w.,*+-]*\}|<[^<>\n]{1,40}>|/)*)" % "|".join(
        re.escape(r) for r in PATH_ROOTS)
    + r"|(?<![\w./-])(Makefile|\.ci/run)(?![\w.-])")
BASE_RE = re.compile(r"(?<![\w./<>*+${-])([A-Za-z0-9_][\w+-]*(?:\.[\w+-]+)*\.(?:%s))(?![\w/-]|:[A-Za-z_])"
                     % "|".join(SOURCE_EXT))
FUNC_RE = re.compile(r"(?<![\w./<>*+-])((?:[\w+-]+/)*[\w+-]+(?:\.[\w+-]+)*\.(?:%s)):([A-Za-z_]\w*)"
                     % "|".join(SOURCE_EXT))
UNIT_RE = re.compile(r"(?<![\w:])([a-z][a-z0-9_]*)::([A-Za-z0-9_]*\*?)")
ERRNAME_RE = re.compile(r"\bFWS_E[A-Z0-9]+\b(?!\*)")
LINK_RE = re.compile(r"\[[^\]\n]*\]\(([^)\s]+)\)")
CHECKFILE_RE = re.compile(r"(?<![\w/*-])((?:tests/cli/)?((?:test|long)_[a-z0-9_]+\.sh))`?")


def expand_braces(p):
    m = re.search(r"\{([^{}]*)\}", p)
    if not m:
        return [p]
    out = []
    for alt in m.group(1).split(","):
        out.extend(expand_braces(p[:m.start()] + alt + p[m.end():]))
    return out


HIST_RE = re.compile(
    r"`?\s*\((removed in|moved in|renamed in|commit|at commit|as of) ([0-9a-f]{7,40})\b[^)]*\)")


# "X (does not exist)": a citation of something that must NOT be in the tree.
ABSENT_RE = re.compile(r"`?\s*\(?(?:does not exist|do not exist|not in the tree)\b")
ABSENT = "absent"


def history(tree, line, end):
    """A citation followed by "(removed in H)" (or "moved in", "renamed in")
    names what the tree held just before commit H and holds no more; "(commit H)", "(at commit H)" or
    "(as of H)" what it held at H. Returns (view, removed, commit, problem):
    view None with problem None means git cannot tell here (not checked)."""
    if ABSENT_RE.match(line, end):
        return ABSENT, False, None, None
    m = HIST_RE.match(line, end)
    if not m:
        return tree.now, False, None, None
    removed = m.group(1) in ("removed in", "moved in", "renamed in")
    commit = m.group(2)
    if not tree.git_ok():
        return None, removed, commit, None
    view = tree.at(commit + "^" if removed else commit)
    if view is None and tree.git_shallow():
        return None, removed, commit, None  # a shallow clone may lack it: not checked
    if view is None:
        return None, removed, commit, "no commit %s in this repository" % commit
    return view, removed, commit, None


def hist_note(view, removed, commit):
    if view is ABSENT:
        return " (absent)"
    if view is None or view.commit is None:
        return ""
    return " (before %s)" % commit if removed else " (at %s)" % commit


def check_paths(tree, doc, no, line, out):
    n = 0
    for m in PATH_RE.finditer(line):
        raw = m.group(1) or m.group(2)
        p = raw.rstrip(".,-+")
        if p.endswith("/."):
            p = p[:-1]
        view, removed, commit, problem = history(tree, line, m.end())
        n += seen(doc, no, "path", p + hist_note(view, removed, commit))
        if problem:
            fail(out, doc, no, "path", p, problem)
            continue
        if view is None:
            continue
        alts = [re.sub(r"<[^<>]*>", "*", alt) for alt in expand_braces(p)]
        if view is ABSENT:
            if any(tree.now.exists(alt) for alt in alts):
                fail(out, doc, no, "path", p, "said not to exist, but it does")
            continue
        if not any(view.exists(alt) for alt in alts):
            fail(out, doc, no, "path", p + hist_note(view, removed, commit),
                 "no such file or directory in the repository" + hist_note(view, removed, commit))
        elif removed and any(tree.now.exists(alt) for alt in alts):
            fail(out, doc, no, "path", p, "marked removed in %s, but it exists" % commit)
    return n


def check_links(tree, doc, doc_dir, no, line, out):
    n = 0
    for m in LINK_RE.finditer(line):
        target = m.group(1)
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue
        target = target.split("#", 1)[0]
        n += seen(doc, no, "link", target)
        if not os.path.exists(os.path.join(doc_dir, target)):
            fail(out, doc, no, "link", target, "link target does not exist (relative to %s)"
                 % os.path.relpath(doc_dir, tree.root))
    return n


def check_functions(tree, doc, no, line, out):
    n = 0
    for m in FUNC_RE.finditer(line):
        f, name = m.group(1), m.group(2)
        cite = "%s:%s" % (f, name)
        view, removed, commit, problem = history(tree, line, m.end())
        n += seen(doc, no, "function", cite + hist_note(view, removed, commit))
        if problem:
            fail(out, doc, no, "function", cite, problem)
            continue
        if view is None:
            continue
        if view is ABSENT:
            now, _ = tree.now.resolve(f)
            if now is not None and tree.now.defines(now, name):
                fail(out, doc, no, "function", cite, "said not to exist, but %s defines it" % now)
            continue
        rel, why = view.resolve(f)
        if rel is None:
            fail(out, doc, no, "function", cite + hist_note(view, removed, commit),
                 why + hist_note(view, removed, commit))
        elif not view.defines(rel, name):
            fail(out, doc, no, "function", cite + hist_note(view, removed, commit),
                 "%s defines no %s%s" % (rel, name, hist_note(view, removed, commit)))
        elif removed:
            now, _ = tree.now.resolve(f)
            if now is not None and tree.now.defines(now, name):
                fail(out, doc, no, "function", cite,
                     "marked removed in %s, but %s still defines it" % (commit, now))
    return n


def check_basenames(tree, doc, no, line, out):
    n = 0
    for m in BASE_RE.finditer(line):
        name = m.group(1)
        view, removed, commit, problem = history(tree, line, m.end())
        n += seen(doc, no, "file", name + hist_note(view, removed, commit))
        if problem:
            fail(out, doc, no, "file", name, problem)
            continue
        if view is None:
            continue
        if view is ABSENT:
            if name in tree.now.by_base:
                fail(out, doc, no, "file", name, "said not to exist, but %s does"
                     % ", ".join(tree.now.by_base[name]))
            continue
        if name not in view.by_base:
            fail(out, doc, no, "file", name + hist_note(view, removed, commit),
                 "no file of that name in the tree" + hist_note(view, removed, commit))
        elif removed and name in tree.now.by_base:
            fail(out, doc, no, "file", name, "marked removed in %s, but %s exists"
                 % (commit, ", ".join(tree.now.by_base[name])))
    return n


def check_units(tree, doc, no, line, out):
    n = 0
    units = tree.units()
    for m in UNIT_RE.finditer(line):
        suite, test = m.group(1), m.group(2)
        if (suite, test) in PLACEHOLDER_UNITS or test == "":
            continue
        n += seen(doc, no, "unit", "%s::%s" % (suite, test))
        cite = "%s::%s" % (suite, test)
        if test.endswith("*"):
            pre = test[:-1]
            if not any(s == suite and t.startswith(pre) for s, t in units):
                fail(out, doc, no, "unit", cite, "no Criterion test matches in tests/unit/*.c")
        elif (suite, test) not in units:
            why = "no Test(%s, %s) in tests/unit/*.c" % (suite, test)
            if not any(s == suite for s, _ in units):
                why += " (no suite %s at all)" % suite
            fail(out, doc, no, "unit", cite, why)
    return n


def check_errors(tree, doc, no, line, out):
    n = 0
    errs = tree.errors()
    for m in ERRNAME_RE.finditer(line):
        n += seen(doc, no, "error", m.group(0))
        if not tree.error_name_exists(m.group(0)):
            fail(out, doc, no, "error", m.group(0), "no such code in include/fwseal/error.h")
    text = line.replace("\\|", "|")
    name = r"`?(FWS_E[A-Z0-9]+)\b`?"
    sep = r"[\s(`,:=—–→-]*"
    pairs = []
    for m in re.finditer(r"\b(?:exit(?: status)?|status)\s+(\d+)\b" + sep + name, text):
        pairs.append((m.group(2), int(m.group(1)), m.group(0)))
    for m in re.finditer(name + sep + r"\b(?:exit(?: status)?|status)\s+(\d+)\b", text):
        pairs.append((m.group(1), int(m.group(2)), m.group(0)))
    for m in re.finditer(r"(?<![\w.-])(\d+)\s+" + name, text):
        pairs.append((m.group(2), int(m.group(1)), m.group(0)))
    for m in re.finditer(name + r"\s*\((?:exit\s+)?(\d+)\)", text):
        pairs.append((m.group(1), int(m.group(2)), m.group(0)))
    if text.lstrip().startswith("|"):
        cells = [c.strip() for c in text.strip().strip("|").split("|")]
        for a, b in zip(cells, cells[1:]):
            mb = re.fullmatch(name, b)
            if re.fullmatch(r"\d+", a) and mb:
                pairs.append((mb.group(1), int(a), "| %s | %s |" % (a, b)))
    done = set()
    for ename, status, cite in pairs:
        if (ename, status) in done:
            continue
        done.add((ename, status))
        n += seen(doc, no, "status", cite.strip())
        if ename in errs and errs[ename] != status:
            fail(out, doc, no, "status", cite.strip(),
                 "%s is exit status %d, not %d (include/fwseal/error.h)"
                 % (ename, errs[ename], status))
    return n


REQ_RE = re.compile(r"\bREQ-([A-Z]+)-(?:(\d{3})(?:\.\.(\d{3}))?|\*)(?![\w-])")


def check_requirements(tree, doc, no, line, out):
    """REQ-GROUP-NNN, a range REQ-GROUP-NNN..MMM and REQ-GROUP-* name requirements
    of docs/requirements.md (every ID of a range, at least one of a group)."""
    n = 0
    reqs = tree.requirements()
    for m in REQ_RE.finditer(line):
        group, first, last = m.groups()
        n += seen(doc, no, "requirement", m.group(0))
        if first is None:
            if not any(r.startswith("REQ-%s-" % group) for r in reqs):
                fail(out, doc, no, "requirement", m.group(0),
                     "no requirement of that group in docs/requirements.md")
            continue
        ids = ["REQ-%s-%03d" % (group, k) for k in range(int(first), int(last or first) + 1)]
        missing = [i for i in ids if i not in reqs]
        if missing or (last is not None and int(last) <= int(first)):
            fail(out, doc, no, "requirement", m.group(0),
                 "not in docs/requirements.md: %s" % ", ".join(missing or [m.group(0)]))
    return n


def check_test_checks(tree, doc, no, line, out):
    n = 0
    text = line.replace("\\|", "|")
    for m in CHECKFILE_RE.finditer(text):
        base = m.group(2)
        rel = "tests/cli/" + base
        rest = text[m.end():]
        names = []  # (name, the exit status cited right after it, or None)
        while True:
            # The first name may stand in parentheses: test_x.sh ("name", "name").
            lead = r'\s*\(?\s*' if not names else ''
            q = re.match(lead + r'(?:\s*(?:\([^()"]*\)|,|\+|;|and|…|\.\.\.))*\s*"([^"]*)"', rest)
            if not q:
                break
            rest = rest[q.end():]
            st = re.match(r"\s*\((?:exit\s+)?(\d+)\)", rest)
            names.append((q.group(1), int(st.group(1)) if st else None))
        if not names:
            continue
        if not os.path.isfile(os.path.join(tree.root, rel)):
            n += seen(doc, no, "check", base)
            fail(out, doc, no, "check", '%s "%s"' % (base, names[0][0]), "no file " + rel)
            continue
        for name, status in names:
            n += seen(doc, no, "check", '%s "%s"' % (base, name))
            if not check_name_matches(tree, rel, name):
                fail(out, doc, no, "check", '%s "%s"' % (base, name),
                     "no check of that name in " + rel)
                continue
            if status is None:
                continue
            got = check_statuses(tree, rel, name)
            n += seen(doc, no, "check-status", '%s "%s" (%d)' % (base, name, status))
            if got and status not in got:
                fail(out, doc, no, "check-status", '%s "%s" (%d)' % (base, name, status),
                     "the check expects exit %s, not %d (%s)"
                     % ("/".join(str(g) for g in sorted(got)), status, rel))
    return n


def split_shell(seg):
    """Split a code segment at shell separators outside [ ] and ( ): the
    pieces are separate command lines."""
    pieces, cur, depth, i = [], [], 0, 0
    while i < len(seg):
        c = seg[i]
        if c in "[(":
            depth += 1
        elif c in "])":
            if depth == 0:
                pieces.append("".join(cur))
                cur = []
                i += 1
                continue
            depth -= 1
        if depth == 0:
            two = seg[i:i + 2]
            if two in ("&&", "||"):
                pieces.append("".join(cur))
                cur, i = [], i + 2
                continue
            if c in ";<>`" or (c == "|" and (i == 0 or seg[i - 1] == " " or seg[i + 1:i + 2] == " ")):
                pieces.append("".join(cur))
                cur, i = [], i + 1
                continue
            if c == "#" and (i == 0 or seg[i - 1] == " "):
                break
        cur.append(c)
        i += 1
    pieces.append("".join(cur))
    return pieces


PROG_RE = re.compile(r"(?:^|(?<=[\s$(]))(?:[\w.-]*/)?(fwseal|fwseal-keys|fwseal-verify)(?=\s|$)")


def check_commands(tree, doc, no, seg, out):
    n = 0
    for piece in split_shell(seg.replace("\\|", "|")):
        for m in PROG_RE.finditer(piece):
            prog = m.group(1)
            words = piece[m.end():].split()
            if not words:
                continue
            cmds = tree.commands(prog)
            cmd = None
            first = words[0]
            if first.startswith("-"):
                cmd = ""
                flag_words = words
            else:
                w = first.rstrip(",.:;")
                if not re.fullmatch(r"[a-z][a-z-]*(?:[|/][a-z][a-z-]*)*", w):
                    continue  # a placeholder (COMMAND) or prose
                two = len(words) > 1 and re.fullmatch(r"[a-z][a-z-]*(?:[|/][a-z][a-z-]*)*",
                                                      words[1].rstrip(",.:;"))
                alts = []
                if any(c.split()[0] == w for c in cmds if " " in c):
                    if not two:
                        continue  # "fwseal-keys root" alone
                    for a in re.split(r"[|/]", words[1].rstrip(",.:;")):
                        alts.append(w + " " + a)
                    flag_words = words[2:]
                else:
                    alts = re.split(r"[|/]", w)
                    flag_words = words[1:]
                bad = [a for a in alts if a not in cmds]
                n += seen(doc, no, "command", "%s %s" % (prog, " ".join(alts)))
                if bad:
                    fail(out, doc, no, "command", "%s %s" % (prog, " ".join(bad)),
                         "%s has no such command (%s --help)" % (prog, prog))
                    continue
                if len(alts) > 1:
                    cmd = None  # flags after an alternation: ambiguous, not checked
                else:
                    cmd = alts[0]
            if cmd is None:
                continue
            opts = tree.options(prog, cmd)
            if opts is None:
                fail(out, doc, no, "command", "%s %s" % (prog, cmd), "--help failed")
                continue
            for w in flag_words:
                # a further program on the same piece starts its own check
                if PROG_RE.fullmatch(w):
                    break
                fm = re.match(r"^[\[(]*(--[a-z0-9][a-z0-9-]*)", w)
                if not fm:
                    continue
                flag = fm.group(1)
                n += seen(doc, no, "option", "%s %s %s" % (prog, cmd, flag))
                if flag not in opts:
                    fail(out, doc, no, "option", ("%s %s %s" % (prog, cmd, flag)).replace("  ", " "),
                         "not an option of %s%s (its --help)" % (prog, " " + cmd if cmd else ""))
    return n


MAKE_RE = re.compile(r"(?:^|(?<=[\s(;&|$]))make((?:[ \t]+[^\s;&|)#`]+)*)")


def check_make(tree, doc, no, seg, out):
    n = 0
    targets = tree.targets()
    for m in MAKE_RE.finditer(seg):
        for w in m.group(1).split():
            if "=" in w or w.startswith("-"):
                continue
            last = w[-1] in ",.:"
            w = w.rstrip(",.:")
            if not re.fullmatch(r"[a-z][a-z0-9_-]*", w) or w == "make":
                break
            n += seen(doc, no, "make", "make " + w)
            if w not in targets:
                fail(out, doc, no, "make", "make " + w, "no such target in the Makefile")
            if last:
                break
    return n


def check_doc(tree, path, out):
    doc = os.path.relpath(path, tree.root)
    if doc.startswith(".."):
        doc = path
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().splitlines()
    doc_dir = os.path.dirname(os.path.abspath(path))
    n = 0
    for no, line, in_code in code_segments(lines):
        n += check_paths(tree, doc, no, line, out)
        n += check_functions(tree, doc, no, line, out)
        n += check_basenames(tree, doc, no, line, out)
        n += check_units(tree, doc, no, line, out)
        n += check_errors(tree, doc, no, line, out)
        n += check_test_checks(tree, doc, no, line, out)
        n += check_requirements(tree, doc, no, line, out)
        if not in_code:
            n += check_links(tree, doc, doc_dir, no, line, out)
        segs = [line] if in_code else inline_code(line)
        for seg in segs:
            n += check_commands(tree, doc, no, seg, out)
            n += check_make(tree, doc, no, seg, out)
    if os.path.basename(path) == "exit-codes.md":
        n += check_exit_codes(tree, doc, lines, out)
    return n


# ---- docs/exit-codes.md against the code (issue 21 item 9) ----
EXIT_ROW_RE = re.compile(r"^\|\s*(\d+)\s*\|\s*`(FWS_\w+)`\s*\|\s*([^|]*?)\s*\|")


def command_list(tree, text):
    """(prog, cmd) pairs of an exit-codes.md "Commands (their `--help`):" list."""
    prog, pairs = None, []
    text = text.split(";")[0]  # what follows a ";" is prose
    for tok in [t.strip() for t in text.split(",")]:
        m = re.match(r"^`?(fwseal(?:-keys|-verify)?)`?(?:\s+(.*))?$", tok.replace("`", " `").strip())
        words = tok.replace("`", "").split()
        if words and words[0] in PROGS:
            prog, words = words[0], words[1:]
        if prog is None or not words:
            continue
        pairs.append((prog, " ".join(words)))
    return pairs


def check_exit_codes(tree, doc, lines, out):
    """Every row's message is the code's (lib/core/error.c); every command a
    row says lists the status does list it in its --help; every status a
    --help lists has a row."""
    n = 0
    texts = tree.error_texts()
    rows = {}
    for no, line in enumerate(lines, 1):
        m = EXIT_ROW_RE.match(line)
        if not m:
            continue
        status, name, msg = int(m.group(1)), m.group(2), m.group(3)
        rows[status] = no
        if name in texts:
            n += seen(doc, no, "exit-text", "%d %s" % (status, name))
            if msg != texts[name]:
                fail(out, doc, no, "exit-text", "%d %s" % (status, name),
                     "the table says \"%s\", the code says \"%s\" (lib/core/error.c)"
                     % (msg, texts[name]))
        lm = re.search(r"Commands \(their `--help`\):([^|]*)", line)
        if not lm:
            continue
        for prog, cmd in command_list(tree, lm.group(1)):
            n += seen(doc, no, "exit-command", "%s %s lists %d" % (prog, cmd, status))
            got = tree.statuses(prog, cmd) if cmd in tree.commands(prog) else None
            if got is None:
                fail(out, doc, no, "exit-command", "%s %s" % (prog, cmd),
                     "no such command (%s --help)" % prog)
            elif status not in got:
                fail(out, doc, no, "exit-command", "%s %s lists %d" % (prog, cmd, status),
                     "its --help does not list exit status %d" % status)
    if not rows:
        return n
    for prog in PROGS:
        for cmd in sorted(tree.commands(prog)):
            for status in sorted(tree.statuses(prog, cmd) or ()):
                n += seen(doc, 1, "exit-row", "%s %s %d" % (prog, cmd, status))
                if status != 0 and status not in rows:
                    fail(out, doc, 1, "exit-row", "%s %s %d" % (prog, cmd, status),
                         "its --help lists exit status %d, the table has no row for it" % status)
    return n


def default_docs(root):
    docs = [os.path.join(root, d) for d in ("README.md", "SECURITY.md")]
    docs += sorted(d for d in glob.glob(os.path.join(root, "docs", "*.md"))
                   if not d.endswith(".1.md"))
    return [d for d in docs if os.path.isfile(d)]


def main(argv):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    build = os.environ.get("BUILD") or os.path.join(root, "build")
    docs = []
    listing = False
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("--build", "--root") and i + 1 < len(argv):
            if a == "--build":
                build = argv[i + 1]
            else:
                root = argv[i + 1]
            i += 2
            continue
        if a == "--list":
            listing = True
            i += 1
            continue
        if a.startswith("-"):
            sys.stderr.write(__doc__)
            return 2
        docs.append(a)
        i += 1
    root = os.path.abspath(root)
    build = os.path.abspath(build)
    for p in PROGS:
        if not os.access(os.path.join(build, p), os.X_OK):
            sys.stderr.write("doc_citations.py: %s/%s missing: build first (or --build DIR)\n"
                             % (build, p))
            return 2
    tree = Tree(root, build)
    if not docs:
        docs = default_docs(root)
    out = []
    for d in docs:
        out_doc = []
        n = check_doc(tree, d, out_doc)
        out.extend(out_doc)
        name = os.path.relpath(os.path.abspath(d), root)
        print("DOC\t%s\t%d" % (d if name.startswith("..") else name, n))
    if listing:
        for doc, line, kind, cite in SEEN:
            print("SEEN\t%s\t%d\t%s\t%s" % (doc, line, kind, cite))
    for doc, line, kind, cite, reason in out:
        print("FAIL\t%s\t%d\t%s\t%s\t%s" % (doc, line, kind, cite, reason))
    return 1 if out else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
