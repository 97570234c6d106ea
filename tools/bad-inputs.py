#!/usr/bin/python3
"""Re-runs the rows of docs/bad-inputs.md and compares each answer with the page.

    tools/bad-inputs.py [--mlptui BIN] [--work DIR] [--cifar DIR]

Every table row whose command column is an `mlptui ...` command and whose
exit column is a number is a case. The script builds the inputs it knows
how to make (the CSV files, image folders, runs and damaged files that the
page's "How the bad inputs were made" describes) in a scratch directory,
runs each row whose inputs it made, and prints one line a row:

    same     the exit code and every `quoted` line of the message column
             are what mlptui printed (stderr, progress lines left out)
    differs  with what differs
    skipped  with the input it cannot make here (a CIFAR-10 binary copy,
             a tmpfs, a signal, a remote host ...)

Run dates in run names (20261202-053952), "; see 'mlptui CMD -h'", the
scratch directory's path, and which tensor a cut model file is short in and
how much data it holds (its header holds paths) are not compared. The output depends only on mlptui's answers, so the same
script run on two commits and diffed shows what a change altered. Without
--mlptui it builds ./cmd/mlptui of the tree it stands in. Exit status: 0.
"""

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC = os.path.join(ROOT, "docs", "bad-inputs.md")
DATE = re.compile(r"\d{8}-\d{6}")


def rows(doc):
    """Yields (section, input, command, exit, wanted lines) of each case."""
    section = ""
    for line in open(doc, encoding="utf-8"):
        if line.startswith("#"):
            section = line.strip("# \n")
            continue
        if not line.startswith("| "):
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        if len(cells) < 4 or not re.fullmatch(r"\d+", cells[2]):
            continue
        cmd = re.fullmatch(r"`(mlptui [^`]*)`", cells[1])
        if not cmd:
            continue
        want = re.findall(r"`([^`]*)`", cells[3].split(" (")[0] if cells[3].startswith("`") else cells[3])
        yield section, cells[0], cmd.group(1).replace("\\|", "|"), int(cells[2]), want


def normal(s, work=""):
    s = s.replace("/tmp/i7/w/", "")
    if work:
        s = s.replace(work + "/", "")
    s = DATE.sub("DATE", s)
    # Which tensor a cut file is found short in first varies from run to
    # run (the header's order); that it is named does not.
    # The header before the data holds the run's absolute paths, so where
    # a file cut at 1000 bytes ends depends on the scratch directory.
    s = re.sub(r'tensor "[^"]*" ends at data byte \d+, the file holds \d+', 'tensor "T" ends at data byte N, the file holds M', s)
    return re.sub(r"; see 'mlptui [a-z-]+ -h'$", "", s).rstrip()


def sh(args, cwd, **kw):
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, **kw)


class Fixtures:
    """Makes the page's inputs under work, by name, on demand."""

    def __init__(self, bin, work, cifar):
        self.bin, self.work, self.cifar = bin, work, cifar
        self.made, self.missing = {}, {}

    def path(self, *p):
        return os.path.join(self.work, *p)

    def write(self, name, data):
        p = self.path(name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb" if isinstance(data, bytes) else "w") as f:
            f.write(data)

    def train(self, run, *args):
        """Trains a small run into work/run (3 epochs)."""
        runs = self.path(".runs-" + run)
        r = sh([self.bin, "train", "--runs", runs, "--epochs", "3", *args], self.work)
        if r.returncode != 0:
            raise RuntimeError("training %s: %s" % (run, r.stderr.strip()))
        (made,) = os.listdir(runs)
        shutil.move(os.path.join(runs, made), self.path(run))
        os.rmdir(runs)

    # Each maker returns nothing, or raises Skip with the reason.
    def make(self, name):
        if name in self.made:
            return
        if name in self.missing:
            raise Skip(self.missing[name])
        try:
            maker = getattr(self, "make_" + re.sub(r"\W", "_", name), None)
            if maker is None:
                raise Skip("%s is not made here" % name)
            maker()
            self.made[name] = True
        except Skip as s:
            self.missing[name] = str(s)
            raise

    def make_text_cell_csv(self):
        self.write("text-cell.csv", "sl,sw,pl,pw,class\n5.1,3.5,1.4,0.2,setosa\n4.9,abc,1.4,0.2,setosa\n" +
                   "".join("%d.0,3.0,1.0,0.1,%s\n" % (i % 7 + 4, "ab"[i % 2]) for i in range(20)))

    def make_ragged_csv(self):
        self.write("ragged.csv", "5.1,3.5,1.4,0.2,a\n4.9,3.0,1.4,b\n" + "4.7,3.2,1.3,0.2,a\n" * 10)

    def make_oneclass_csv(self):
        self.write("oneclass.csv", "".join("%d.1,3.5,1.4,0.2,setosa\n" % (4 + i % 3) for i in range(20)))

    def make_bin_csv(self):
        self.write("bin.csv", bytes([0xff, 0xfe, 0x00, 0x81, 0x13, 0x37, 0xc3, 0x28, 0x00, 0x9f]))

    def make_tiny_csv(self):
        self.write("tiny.csv", "5.1,3.5,1.4,0.2,a\n4.9,3.0,1.4,0.2,b\n4.7,3.2,1.3,0.2,a\n")

    def make_empty_csv(self):
        self.write("empty.csv", "")

    def make_lf_csv(self):
        src = self.iris_csv()
        out = ["species,sl,sw,pl,pw"]
        for l in src:
            *x, c = l.split(",")
            out.append(",".join([c] + x))
        self.write("lf.csv", "\n".join(out) + "\n")

    def iris_csv(self):
        import sklearn.datasets
        d = sklearn.datasets.load_iris()
        return ["%g,%g,%g,%g,%s" % (*x, d.target_names[t]) for x, t in zip(d.data, d.target)]

    def make_mixed_csv(self):
        out = ["id;age;city;income;member;label"]
        cities = ["Paris", "Lyon", "Nice"]
        for i in range(90):
            buy = i % 3 != 0
            age, income = 25 + (i * 7) % 40, 30000 + (i * 1370) % 40000
            if buy:
                income += 15000
            c = ["C%04d" % i, str(age), cities[i % 3], str(income), ["no", "yes"][i % 2], "buy" if buy else "skip"]
            if i % 11 == 1:
                c[1] = ""
            elif i % 11 == 4:
                c[3] = "NA"
            elif i % 11 == 7:
                c[4] = ""
            out.append(";".join(c))
        self.write("mixed.csv", "\n".join(out) + "\n")

    def make_ids_csv(self):
        self.write("ids.csv", "id,label\n" + "".join("id%03d,%s\n" % (i, "ab"[i % 2]) for i in range(40)))

    def make_zeros_csv(self):
        self.write("zeros.csv", "a,b,label\n" + "".join("0,%d,%s\n" % (i, "ab"[i % 2]) for i in range(20)) +
                   "".join("%d,0,%s\n" % (i, "ab"[i % 2]) for i in range(20)))

    def make_titanic_csv(self):
        raise Skip("titanic.csv (carData's TitanicSurvival) is not on this machine")

    def make_pics(self):
        if not os.path.isdir(os.path.join(self.cifar, "train", "cat")):
            raise Skip("no CIFAR-10 JPEG tree at %s" % self.cifar)
        for part, n in (("train", 20), ("test", 5)):
            for cls in ("cat", "dog", "ship"):
                d = self.path("pics", part, cls)
                os.makedirs(d, exist_ok=True)
                for i in range(n):
                    shutil.copy(os.path.join(self.cifar, part, cls, "%04d.jpg" % i), d)

    def bad_folder(self, name, rel, data):
        self.make("pics")
        shutil.copytree(self.path("pics"), self.path(name))
        self.write(os.path.join(name, rel), data)

    def make_p_corrupt(self):
        self.make("pics")
        b = bytearray(open(self.path("pics", "train", "cat", "0003.jpg"), "rb").read())
        for i in range(200, len(b), 7):
            b[i] ^= 0xFF
        self.bad_folder("p-corrupt", "train/cat/0003.jpg", bytes(b))

    def png(self):
        import struct, zlib
        raw = b"".join(b"\x00" + bytes(range(48)) for _ in range(16))
        def chunk(t, d):
            return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
        return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0)) + \
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")

    def huge_png(self):
        import struct, zlib
        ihdr = b"IHDR" + struct.pack(">IIBBBBB", 20000, 20000, 8, 6, 0, 0, 0)
        return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + ihdr + struct.pack(">I", zlib.crc32(ihdr)) + struct.pack(">I", 100) + b"IDAT"  # and no pixel data

    def make_p_truncpng(self):
        p = self.png()
        self.bad_folder("p-truncpng", "train/dog/cut.png", p[:len(p) // 2])

    def make_p_empty(self):
        self.bad_folder("p-empty", "train/ship/empty.jpg", b"")

    def make_p_txt(self):
        self.bad_folder("p-txt", "train/dog/notes.png", "some notes, not a picture\n")

    def make_p_huge(self):
        self.bad_folder("p-huge", "train/cat/huge.png", self.huge_png())

    def make_huge_png(self):
        self.write("huge.png", self.huge_png())

    def make_cat_jpg(self):
        self.make("pics")
        shutil.copy(self.path("pics", "train", "cat", "0000.jpg"), self.path("cat.jpg"))

    def make_iris_run(self):
        self.train("iris-run")

    def make_pics_run(self):
        self.make("pics")
        self.train("pics-run", "--dataset", self.path("pics"), "--hidden", "8")

    def make_mixed_run(self):
        self.make("mixed.csv")
        self.train("mixed-run", "--dataset", self.path("mixed.csv"), "--hidden", "8")

    def model_copy(self, name, edit):
        self.make("iris-run")
        shutil.copytree(self.path("iris-run"), self.path(name))
        b = open(self.path("iris-run", "model.safetensors"), "rb").read()
        self.write(os.path.join(name, "model.safetensors"), edit(b))

    def make_m_flip(self):
        self.model_copy("m-flip", lambda b: b[:-40] + bytes([b[-40] ^ 1]) + b[-39:])

    def make_m_trunc(self):
        self.model_copy("m-trunc", lambda b: b[:1000])

    def make_m_empty(self):
        self.model_copy("m-empty", lambda b: b"")

    def make_m_ckpt(self):
        self.make("iris-run")
        self.model_copy("m-ckpt", lambda b: open(self.path("iris-run", "checkpoint.safetensors"), "rb").read())

    def make_m_text(self):
        self.model_copy("m-text", lambda b: b"not a model\n")

    def make_empty_dir(self):
        os.makedirs(self.path("empty-dir"), exist_ok=True)

    def make_out_dir(self):
        os.makedirs(self.path("out-dir"), exist_ok=True)

    def run_copy(self, name, edit):
        self.make("iris-run")
        shutil.copytree(self.path("iris-run"), self.path(name))
        edit(self.path(name))

    def make_r_garbage(self):
        self.run_copy("r-garbage", lambda d: open(os.path.join(d, "config.json"), "w").write("this is not json\n"))

    def make_r_empty(self):
        self.run_copy("r-empty", lambda d: open(os.path.join(d, "config.json"), "w").close())

    def make_r_nock(self):
        self.run_copy("r-nock", lambda d: os.remove(os.path.join(d, "checkpoint.safetensors")))

    def make_r_nothing(self):
        os.makedirs(self.path("r-nothing"), exist_ok=True)

    def make_stopped_run(self):
        self.train("stopped-run", "--epochs", "8")


class Skip(Exception):
    pass


# Sections whose inputs need more than files: a tmpfs, signals, other
# hosts, hostile names.
SECTIONS_NOT_MADE = re.compile(r"^(Disks|Interrupts|Hostile|One writer|Sweeps on a cluster)")

# Words of a command that name inputs the fixtures make, and the rows'
# own files (rows.csv differs by the run it is given to).
KNOWN = re.compile(r"^(?:[\w.-]+\.csv|pics|p-[a-z]+|[\w-]+-run|m-[a-z0-9]+|r-[a-z]+|cat\.jpg|huge\.png|empty-dir|out-dir|titanic\.csv)$")


def case(fx, section, cmd, code):
    """Makes the inputs cmd names; returns its words, or raises Skip."""
    words = shlex.split(cmd)
    if code == 130:
        raise Skip("the row sends a signal")
    if SECTIONS_NOT_MADE.match(section):
        raise Skip("this section's inputs (tmpfs, signals, hostile files) are not made here")
    if "<" in cmd or "2>&1" in cmd:
        raise Skip("a placeholder or a pipe in the command")
    for w in words[1:]:
        base = w.split("/")[0]
        if base == "rows.csv":
            continue
        if w.startswith("-"):
            continue
        if KNOWN.match(base):
            fx.make(base)
        elif re.search(r"(^|/)(cif-|arc-|ro/|full/|emus|photos|lf-run|table-run|iris\.data|runs/)", w):
            raise Skip("%s is not made here" % w)
    if "rows.csv" in words:
        rows = "5.1,3.5,1.4,0.2\nx,3.0,1.4,0.2\n1,2,3,4,5,6\n"
        if "mixed-run" in words:
            rows = "C1;abc;Paris;40000;yes\nC2;30;Lyon\n"
        fx.write("rows.csv", rows)
    return words


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mlptui", help="the binary (default: built from this tree)")
    ap.add_argument("--work", default="/tmp/bad-inputs-w", help="scratch directory (emptied first)")
    ap.add_argument("--cifar", default="/tmp/cifar10", help="a CIFAR-10 JPEG tree (train/ and test/ of class folders)")
    a = ap.parse_args()
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    bin = a.mlptui
    if not bin:
        bin = os.path.join(a.work, ".mlptui")
        subprocess.run(["nice", "-n", "19", "go", "build", "-o", bin, "./cmd/mlptui"], cwd=ROOT, check=True)
    bin = os.path.abspath(bin)
    fx = Fixtures(bin, a.work, a.cifar)
    counts = {}
    for section, what, cmd, code, want in rows(DOC):
        try:
            words = case(fx, section, cmd, code)
        except Skip as s:
            verdict = "skipped  %s" % s
        else:
            try:
                r = sh([bin] + words[1:], a.work, timeout=120, env=dict(os.environ, NO_COLOR="1"))
            except subprocess.TimeoutExpired:
                r = subprocess.CompletedProcess(words, -1, "", "(no answer in 120 s)")
            shutil.rmtree(os.path.join(a.work, "runs-x"), ignore_errors=True)
            got = [normal(l, a.work) for l in (r.stderr + r.stdout).splitlines()
                   if not re.match(r"(loading|epoch \d|reading|\S+\.csv: delimiter|  column )", l)]
            diffs = []
            if r.returncode != code:
                diffs.append("exit %d, the page says %d" % (r.returncode, code))
            for w in want:
                if normal(w) not in got and not any(normal(w) in g for g in got):
                    diffs.append("no line %r" % normal(w))
            if diffs:
                verdict = "differs  %s; it printed %r" % ("; ".join(diffs), got[:3])
            else:
                verdict = "same"
        counts[verdict.split()[0]] = counts.get(verdict.split()[0], 0) + 1
        print("%-8s | %s | %s" % (section[:8], cmd, verdict))
    print("; ".join("%d %s" % (n, k) for k, n in sorted(counts.items())))


if __name__ == "__main__":
    main()
