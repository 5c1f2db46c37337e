#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Cut the overlay into the patch series that patches/series.def defines.

Called by scripts/export-patches.sh (which fetches the pristine tree and
passes its path).  Builds one git commit per patch on top of a commit of
the pristine tree (cached in BUILD/patches/base.git), then writes
  OUT/export/0000-cover-letter.patch, 0001-...  (git format-patch)
  OUT/debian/*.patch, series, binaries.list     (DEP-3 + quilt)
  OUT/debian/binaries/PATH                      (binary files, see README)
Everything is deterministic: fixed author, dates and base.
"""

import fnmatch
import os
import re
import shutil
import subprocess
import sys
import tempfile

# Patches are text with, in binary hunks, base85 lines; keep any byte
TEXT = {"encoding": "utf-8", "errors": "surrogateescape"}
TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def die(msg):
    sys.stderr.write("export-patches: error: %s\n" % msg)
    sys.exit(1)


def note(msg):
    sys.stderr.write("==> %s\n" % msg)


# ---- series.def ----

class Patch:
    def __init__(self, name):
        self.name = name
        self.subject = None
        self.paths = []
        self.glue = []
        self.delete = []
        self.hooks = []         # (tree path, compiled regex)
        self.body = []


class Hook:
    """A regex, optionally only inside the block (function) whose
    header matches 'scope'."""
    def __init__(self, rx, scope=None):
        self.rx = re.compile(rx, re.M)
        self.scope = re.compile(scope, re.M) if scope else None

    def search(self, text, ctx=""):
        if self.scope and not self.scope.search(ctx):
            return False
        return bool(self.rx.search(text))


def read_def(path):
    head = {}
    patches = []
    cur = None
    in_body = False
    with open(path) as f:
        lines = f.read().split("\n")
    for n, line in enumerate(lines, 1):
        where = "%s:%d" % (os.path.relpath(path, TOP), n)
        if line.startswith("%% "):
            cur = Patch(line[3:].strip())
            patches.append(cur)
            in_body = False
            continue
        if cur is None:
            if line.startswith("#") or not line.strip():
                continue
            key, _, val = line.partition(":")
            head[key.strip()] = val.strip()
            continue
        if in_body:
            cur.body.append(line)
            continue
        if line.startswith("#"):
            continue
        if not line.strip():
            in_body = True
            continue
        key, _, val = line.partition(":")
        val = val.strip()
        if key == "Subject":
            cur.subject = val
        elif key == "Paths":
            cur.paths += val.split()
        elif key == "Glue":
            cur.glue += val.split()
        elif key == "Delete":
            cur.delete += val.split()
        elif key == "Hook":
            fpath, _, rx = val.partition(" ")
            rx = rx.strip()
            scope = None
            if rx.startswith("@"):
                scope, _, rx = rx[1:].partition(" ")
                rx = rx.strip()
            try:
                cur.hooks.append((fpath, Hook(rx, scope)))
            except re.error as e:
                die("%s: bad regex: %s" % (where, e))
        else:
            die("%s: unknown field '%s'" % (where, key))
    for p in patches:
        while p.body and not p.body[-1].strip():
            p.body.pop()
        if not p.subject:
            die("patches/series.def: patch %s has no Subject" % p.name)
    for k in ("Author", "Date", "Forwarded", "Origin", "Cover-Subject"):
        if k not in head:
            die("patches/series.def: no '%s:' header" % k)
    return head, patches


# ---- the final tree: overlay + glue ----

def read_manifest():
    entries = []
    with open(os.path.join(TOP, "overlay.manifest")) as f:
        for line in f:
            w = line.split()
            if not w or w[0].startswith("#"):
                continue
            if len(w) != 2:
                die("overlay.manifest: bad line: %s" % line.strip())
            entries.append((w[0], w[1]))
    return entries


def file_mode(path):
    return "100755" if os.stat(path).st_mode & 0o111 else "100644"


def overlay_files(pristine):
    """{tree path: (source file, mode)} and the pristine paths that a
    folder entry removes."""
    files = {}
    removed = set()
    for src, dst in read_manifest():
        full = os.path.join(TOP, src)
        if not os.path.exists(full):
            die("overlay.manifest names missing %s" % src)
        if src.endswith("/"):
            dst = dst.rstrip("/")
            old = os.path.join(pristine, dst)
            for root, _, names in os.walk(old):
                for nm in names:
                    p = os.path.join(root, nm)
                    removed.add(os.path.relpath(p, pristine))
            for root, dirs, names in os.walk(full):
                dirs.sort()
                for nm in sorted(names):
                    if nm.endswith(".o") or nm.endswith(".pyc"):
                        continue
                    p = os.path.join(root, nm)
                    rel = os.path.relpath(p, full)
                    files[dst + "/" + rel] = (p, file_mode(p))
        else:
            files[dst] = (full, file_mode(full))
    removed -= set(files)
    return files, removed


# Overlay files and glue patches are read once, at the start: other
# people may be editing them while the series is cut.
SNAPSHOT = {}


def read_once(path):
    if path not in SNAPSHOT:
        with open(path, "rb") as f:
            SNAPSHOT[path] = f.read()
    return SNAPSHOT[path]


def glue_targets(patch_file):
    out = []
    for line in read_once(patch_file).decode(errors="replace").split("\n"):
        if line.startswith("+++ "):
            p = line[4:].split("\t")[0].strip()
            out.append(p[2:] if p.startswith("b/") else p)
    return out


def apply_glue(pristine, glue_names, tmp):
    """Contents of the files the given glue patches touch, applied in
    patches/glue/series order onto the pristine files."""
    if not glue_names:
        return {}
    d = tempfile.mkdtemp(dir=tmp)
    touched = set()
    for g in glue_names:
        touched.update(glue_targets(os.path.join(TOP, "patches/glue", g)))
    for t in touched:
        os.makedirs(os.path.dirname(os.path.join(d, t)), exist_ok=True)
        src = os.path.join(pristine, t)
        if os.path.exists(src):
            shutil.copy(src, os.path.join(d, t))
    for g in glue_names:
        r = subprocess.run(["patch", "-d", d, "-p1", "-s", "-F0",
                            "--no-backup-if-mismatch"],
                           input=read_once(os.path.join(TOP, "patches/glue",
                                                        g)),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if r.returncode:
            die("glue patch %s does not apply on its own: %s"
                % (g, r.stdout.decode(errors="replace")))
    out = {}
    for t in touched:
        with open(os.path.join(d, t), "rb") as f:
            out[t] = f.read()
    shutil.rmtree(d)
    return out


# ---- hooks: drop the code of a feature that is not there yet ----

def paren_balance(s):
    s = re.sub(r'"(\\.|[^"\\])*"', '""', s)
    s = re.sub(r"'(\\.|[^'\\])*'", "''", s)
    s = re.sub(r"/\*.*?\*/", "", s)
    return s.count("(") - s.count(")"), s.count("{") - s.count("}")


def c_constructs(lines, lo, hi):
    """Split lines[lo:hi] into constructs: (start, end, kind, header_end)
    where kind is 'comment', 'block' (header_end: index after the line
    that opens the brace), 'stmt' or 'blank'."""
    i = lo
    while i < hi:
        s = lines[i].strip()
        if not s:
            yield (i, i + 1, "blank", i + 1)
            i += 1
            continue
        if s.startswith("/*"):
            j = i
            while j < hi and "*/" not in lines[j]:
                j += 1
            yield (i, min(j + 1, hi), "comment", min(j + 1, hi))
            i = j + 1
            continue
        if s.startswith("#") or s.startswith("}"):
            yield (i, i + 1, "stmt", i + 1)
            i += 1
            continue
        j = i
        par = 0
        while j < hi:
            p, _ = paren_balance(lines[j])
            par += p
            t = lines[j].rstrip()
            if par <= 0 and (t.endswith(";") or t.endswith("{") or
                             t.endswith(",") or t.endswith("}")):
                break
            if par <= 0 and j + 1 < hi and lines[j + 1].strip() == "{":
                j += 1
                break
            j += 1
        j = min(j, hi - 1)
        if lines[j].rstrip().endswith("{"):
            depth = 0
            k = i
            while k < hi:
                depth += paren_balance(lines[k])[1]
                if k >= j and depth <= 0:
                    break
                k += 1
            end = min(k + 1, hi)
            yield (i, end, "block", j + 1)
            i = end
        else:
            yield (i, j + 1, "stmt", j + 1)
            i = j + 1


def construct_text(lines, a, b):
    return "\n".join(ln.strip() for ln in lines[a:b])


def comment_paragraphs(lines, a, b, rx, drop):
    """Drop the paragraphs of the comment lines[a:b] that rx matches."""
    body = list(range(a, b))
    para = []

    def flush():
        if para and rx.search("\n".join(lines[x] for x in para), "*"):
            drop.update(para)
            # and the separating ' *' line after (or before) it
            nxt = para[-1] + 1
            prv = para[0] - 1
            if nxt < b and lines[nxt].strip() == "*":
                drop.add(nxt)
            elif prv >= a and lines[prv].strip() == "*":
                drop.add(prv)
        para.clear()

    for x in body:
        t = lines[x].strip()
        if t in ("*", "/*", "*/") or t.startswith("/*") or t.endswith("*/"):
            flush()
            continue
        para.append(x)
    flush()


def hook_c(lines, rxs):
    drop = set()

    def walk(lo, hi, ctx):
        prev_comment = None
        for a, b, kind, hend in c_constructs(lines, lo, hi):
            if kind == "blank":
                continue
            if kind == "comment":
                for rx in rxs:
                    comment_paragraphs(lines, a, b, rx, drop)
                prev_comment = (a, b)
                continue
            head = construct_text(lines, a, hend if kind == "block" else b)
            if any(rx.search(head, ctx) for rx in rxs):
                drop.update(range(a, b))
                if prev_comment and prev_comment[1] == a:
                    drop.update(range(*prev_comment))
            elif kind == "block":
                walk(hend, b - 1, ctx + "\n" + head)
            prev_comment = None

    walk(0, len(lines), "")
    return drop


def cleanup(lines, drop):
    """Remove the dropped lines, then the leftovers: empty if-blocks and
    doubled or dangling blank lines next to a removal."""
    out = []
    marks = []
    for i, ln in enumerate(lines):
        if i in drop:
            if out:
                marks.append(len(out))
            continue
        out.append(ln)
    changed = True
    while changed:
        changed = False
        for i in range(len(out) - 1):
            if (re.match(r"\s*(if|while|for) \(.*\) \{$", out[i]) and
                    out[i + 1].strip() == "}" and
                    len(out[i + 1]) - len(out[i + 1].lstrip()) ==
                    len(out[i]) - len(out[i].lstrip())):
                del out[i:i + 2]
                marks = [m - 2 if m > i + 1 else
                         (i if m > i else m) for m in marks]
                marks.append(i)
                changed = True
                break
    # A run of blank lines next to a removal shrinks to one blank line,
    # or to none right after an opening or before a closing brace.
    marks = set(marks)
    res = []
    i = 0
    while i < len(out):
        if out[i].strip():
            res.append(out[i])
            i += 1
            continue
        j = i
        while j < len(out) and not out[j].strip():
            j += 1
        if any(m in marks for m in range(i, j + 1)):
            prv = res[-1].rstrip() if res else ""
            nxt = out[j].strip() if j < len(out) else ""
            keep = 0 if (prv.endswith("{") or nxt in ("}", "};")) else 1
        else:
            keep = j - i
        res.extend([""] * keep)
        i = j
    return res


def apply_hooks(path, data, rxs):
    if not rxs:
        return data
    text = data.decode()
    lines = text.split("\n")
    if path.endswith(".c") or path.endswith(".h"):
        drop = hook_c(lines, rxs)
    else:
        drop = {i for i, ln in enumerate(lines)
                if any(rx.search(ln) for rx in rxs)}
    if not drop:
        return data
    return "\n".join(cleanup(lines, drop)).encode()


# ---- git ----

class Git:
    def __init__(self, gitdir, env):
        self.gitdir = gitdir
        self.env = dict(os.environ, **env)
        self.env["GIT_DIR"] = gitdir
        for k in ("GIT_WORK_TREE", "GIT_INDEX_FILE"):
            self.env.pop(k, None)

    def run(self, *args, inp=None, extra=None, cwd=None):
        env = dict(self.env, **(extra or {}))
        r = subprocess.run(["git", "-c", "core.autocrlf=false",
                            "-c", "diff.algorithm=myers",
                            # abbreviated hashes of a fixed length: git's
                            # default grows with the object count
                            "-c", "core.abbrev=12",
                            "-c", "diff.renames=false"] + list(args),
                           input=inp, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=env, cwd=cwd)
        if r.returncode:
            die("git %s: %s" % (" ".join(args[:2]),
                                r.stderr.decode(errors="replace")))
        return r.stdout


def base_repo(build, pristine, ident_env):
    gitdir = os.path.join(build, "patches", "base.git")
    stamp = os.path.join(gitdir, "microvm-pristine")
    key = os.path.realpath(pristine) + "\n"
    if os.path.exists(stamp) and open(stamp).read() == key:
        return Git(gitdir, ident_env)
    note("importing the pristine tree into %s (once)" % gitdir)
    shutil.rmtree(gitdir, ignore_errors=True)
    os.makedirs(gitdir)
    subprocess.run(["git", "init", "-q", "--bare", gitdir], check=True)
    g = Git(gitdir, ident_env)
    idx = os.path.join(gitdir, "import-index")
    ex = {"GIT_INDEX_FILE": idx, "GIT_WORK_TREE": pristine}
    g.run("add", "-A", "-f", ".", extra=ex, cwd=pristine)
    tree = g.run("write-tree", extra=ex).decode().strip()
    os.unlink(idx)
    c = g.run("commit-tree", tree, "-m",
              "QEMU %s (pristine)" % os.path.basename(pristine),
              ).decode().strip()
    g.run("update-ref", "refs/heads/base", c)
    with open(stamp, "w") as f:
        f.write(key)
    return g


# ---- main ----

def main():
    if len(sys.argv) != 4:
        die("usage: export-patches.py PRISTINE BUILD-DIR OUT-DIR")
    pristine, build, outdir = sys.argv[1:]
    head, patches = read_def(os.path.join(TOP, "patches", "series.def"))
    ident = head["Author"]
    m = re.match(r"(.*?)\s*<(.*)>$", ident)
    if not m:
        die("patches/series.def: Author must be 'Name <email>'")
    env = {"GIT_AUTHOR_NAME": m.group(1), "GIT_AUTHOR_EMAIL": m.group(2),
           "GIT_COMMITTER_NAME": m.group(1),
           "GIT_COMMITTER_EMAIL": m.group(2),
           "GIT_AUTHOR_DATE": head["Date"],
           "GIT_COMMITTER_DATE": head["Date"],
           "TZ": "UTC", "LC_ALL": "C"}
    g = base_repo(build, pristine, env)
    base = g.run("rev-parse", "refs/heads/base").decode().strip()

    files, removed = overlay_files(pristine)
    for src, _ in files.values():
        read_once(src)
    glue_series = []
    with open(os.path.join(TOP, "patches/glue/series")) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                glue_series.append(line)

    # Which patch takes each path and each glue patch
    owner = {}
    for path in sorted(set(files) | removed):
        best = None
        for k, p in enumerate(patches):
            for pat in p.paths:
                if fnmatch.fnmatchcase(path, pat):
                    if best is None or len(pat) > best[0]:
                        best = (len(pat), k)
        if best is not None:
            owner[path] = best[1]
        else:
            die("no patch in patches/series.def takes %s: add it to a "
                "Paths: line" % path)
    for k, p in enumerate(patches):
        for d in p.delete:
            if not os.path.exists(os.path.join(pristine, d)):
                die("patches/series.def: Delete: %s is not in the "
                    "pristine tree" % d)
            if d in files:
                die("patches/series.def: %s is both deleted and in the "
                    "overlay" % d)
            owner[d] = k
            removed.add(d)
    glue_owner = {}
    for k, p in enumerate(patches):
        for gname in p.glue:
            if gname not in glue_series:
                die("patches/series.def: glue %s is not in "
                    "patches/glue/series" % gname)
            glue_owner[gname] = k
    for gname in glue_series:
        if gname not in glue_owner:
            die("no patch in patches/series.def carries glue %s: add it "
                "to a Glue: line" % gname)

    tmp = tempfile.mkdtemp(prefix="export-patches.")
    try:
        prev_tree_files = {}
        parent = base
        commits = []
        used = []
        for k, p in enumerate(patches):
            later_hooks = {}
            for q in patches[k + 1:]:
                for fpath, rx in q.hooks:
                    later_hooks.setdefault(fpath, []).append(rx)
            content = {}
            for path, kk in owner.items():
                if kk > k:
                    continue
                if path in removed:
                    content[path] = None
                else:
                    src, mode = files[path]
                    content[path] = (read_once(src), mode)
            glue_now = [gn for gn in glue_series if glue_owner[gn] <= k]
            for path, data in apply_glue(pristine, glue_now, tmp).items():
                if path in content:
                    die("%s is both an overlay file and glue-patched"
                        % path)
                src = os.path.join(pristine, path)
                mode = file_mode(src) if os.path.exists(src) else "100644"
                content[path] = (data, mode)
            for path, v in content.items():
                if v is not None and path in later_hooks:
                    content[path] = (apply_hooks(path, v[0],
                                                 later_hooks[path]), v[1])
            # What changed since the previous patch (content only grows:
            # every path a patch takes stays taken)
            info = []
            for path in sorted(content):
                v = content[path]
                if v == prev_tree_files.get(path):
                    continue
                if v is None:
                    if os.path.exists(os.path.join(pristine, path)):
                        info.append("0 %s\t%s" % ("0" * 40, path))
                    continue
                sha = g.run("hash-object", "-w", "--stdin",
                            inp=v[0]).decode().strip()
                info.append("%s %s\t%s" % (v[1], sha, path))
            prev_tree_files = content
            idx = os.path.join(tmp, "index")
            ex = {"GIT_INDEX_FILE": idx}
            g.run("read-tree", parent, extra=ex)
            if info:
                g.run("update-index", "--index-info",
                      inp=("\n".join(info) + "\n").encode(), extra=ex)
            tree = g.run("write-tree", extra=ex).decode().strip()
            ptree = g.run("rev-parse", parent + "^{tree}").decode().strip()
            if tree == ptree:
                note("patch %s has no change: left out" % p.name)
                continue
            msg = p.subject + "\n\n" + "\n".join(p.body) + "\n"
            for n, line in enumerate(msg.split("\n")):
                if len(line) > 76:
                    die("patch %s: message line %d longer than 76 "
                        "columns" % (p.name, n + 1))
            if "Signed-off-by:" not in msg:
                die("patch %s has no Signed-off-by" % p.name)
            c = g.run("commit-tree", tree, "-p", parent,
                      inp=msg.encode()).decode().strip()
            commits.append(c)
            used.append(p)
            parent = c
        g.run("update-ref", "refs/heads/series", parent)

        # git format-patch, cover letter filled in from series.def
        exp = os.path.join(outdir, "export")
        deb = os.path.join(outdir, "debian")
        for d in (exp, deb):
            shutil.rmtree(d, ignore_errors=True)
            os.makedirs(d)
        g.run("format-patch", "-q", "--binary", "--no-renames",
              "--no-signature", "--cover-letter", "--no-thread",
              "--subject-prefix=PATCH", "-o", exp, base + ".." + parent)
        cover = os.path.join(exp, "0000-cover-letter.patch")
        with open(os.path.join(TOP, "patches", "cover-letter.txt")) as f:
            cover_body = f.read().rstrip("\n")
        with open(cover, **TEXT) as f:
            text = f.read()
        text = text.replace("*** SUBJECT HERE ***", head["Cover-Subject"])
        text = text.replace("*** BLURB HERE ***", cover_body)
        with open(cover, "w", **TEXT) as f:
            f.write(text)

        # Debian copies: DEP-3 fields, binary hunks moved out
        names = sorted(n for n in os.listdir(exp)
                       if n.endswith(".patch") and not n.startswith("0000"))
        binaries = []
        deleted = []
        quilt_names = []
        for n, p in zip(names, used):
            with open(os.path.join(exp, n), **TEXT) as f:
                text = f.read()
            hdr, sep, rest = text.partition("\n---\n")
            sections = re.split(r"(?m)^(?=diff --git )", rest)
            kept = []
            for s in sections:
                if "\nGIT binary patch\n" in s or "\nBinary files " in s:
                    mm = re.match(r"diff --git a/(\S+) b/(\S+)", s)
                    if "\ndeleted file mode " in s:
                        deleted.append(mm.group(1))
                    else:
                        binaries.append(mm.group(2))
                    continue
                kept.append(s)
            if not any(k.startswith("diff --git ") for k in kept):
                continue        # nothing left for quilt: binaries only
            desc = [" " + (ln if ln.strip() else ".").rstrip()
                    if ln.strip() else " ." for ln in p.body
                    if not ln.startswith("Signed-off-by:")]
            while desc and desc[-1] == " .":
                desc.pop()
            dep3 = ["Description: " + p.subject] + desc + [
                "Author: " + head["Author"],
                "Origin: " + head["Origin"],
                "Forwarded: " + head["Forwarded"],
                "Last-Update: " + last_update(head["Date"]),
                ""]
            with open(os.path.join(deb, n), "w", **TEXT) as f:
                f.write("\n".join(dep3) + "\n" + hdr + sep + "".join(kept))
            quilt_names.append(n)
        with open(os.path.join(deb, "series"), "w") as f:
            f.write("".join(n + "\n" for n in quilt_names))
        with open(os.path.join(deb, "binaries.list"), "w") as f:
            f.write("# Binary files git format-patch carries and quilt "
                    "cannot: after 'quilt push -a',\n# copy each PATH "
                    "from binaries/PATH into the tree and delete each\n"
                    "# '-PATH'.  A patch of binary files only has no "
                    "quilt copy.\n")
            for b in sorted(deleted):
                f.write("-" + b + "\n")
            for b in sorted(binaries):
                f.write(b + "\n")
                dst = os.path.join(deb, "binaries", b)
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                blob = g.run("cat-file", "blob", parent + ":" + b)
                with open(dst, "wb") as f2:
                    f2.write(blob)
        print(g.run("rev-parse", parent + "^{tree}").decode().strip())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def last_update(date):
    months = {m: i for i, m in enumerate(
        "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}
    m = re.search(r"(\d+) (\w{3}) (\d{4})", date)
    if not m:
        die("patches/series.def: Date must be RFC 2822")
    return "%s-%02d-%02d" % (m.group(3), months[m.group(2)],
                             int(m.group(1)))


if __name__ == "__main__":
    main()
