"""krgcluster: boot and drive a cluster of krg QEMU nodes.

Used as a command (tests/harness/krgcluster) and imported by pytest.
State lives in a run directory (state.json, per-node serial logs and agent
sockets), so separate invocations drive the same cluster, and clusters with
different sessions and run directories run side by side.

Nodes share one L2 segment: a QEMU socket netdev on a loopback multicast
group whose port is derived from the session (or given with --wire), so
nothing leaves the machine.

Link traffic is encrypted under a cluster key: each cluster gets a random
one (or --key-file), which reaches its nodes as /etc/krg/cluster.key, a
root-only file in a small cpio archive appended to the initramfs, as a real
node image would carry it. The node's init hands it to the kernel before
the node joins.
"""

import argparse
import json
import os
import re
import secrets
import signal
import socket
import struct
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
TOP = HERE.parents[1]
BUILD = TOP / "build"
KERNEL = Path(os.environ.get("KRG_KERNEL", BUILD / "kernel/arch/x86/boot/bzImage"))
INITRD = Path(os.environ.get("KRG_INITRD", BUILD / "initramfs.cpio.gz"))
QEMU = os.environ.get("KRG_QEMU", "qemu-system-x86_64")
# The root file system lives in memory (44 MiB: tools, test programs,
# CRIU): 384 MiB leaves room for 2,000 processes (test_pids). A debug
# kernel (make test-debug) needs more memory (KASAN, kmemleak), and time:
# it boots and runs several times slower under TCG.
NODE_MEMORY = int(os.environ.get("KRG_NODE_MEMORY", "384"))
DEBUG = os.environ.get("KRG_DEBUG") == "1"
SLOW = 4 if DEBUG else 1
MCAST = "230.0.0.1"

# A node log line matching this is a kernel failure, whatever the test says.
KERNEL_FAILURE = re.compile(
    r"(Oops|BUG: |kernel BUG at|WARNING: CPU|------------\[ cut here \]|"
    r"KASAN|general protection fault|Kernel panic|unreferenced object|"
    r"blocked for more than|detected stalls)")


class ClusterError(Exception):
    pass


KEY_BYTES = 36  # AES-256-GCM key and salt, as krgadm cluster key takes it


def new_key_file(path):
    """A random cluster key, as 'krgadm cluster key generate' writes one."""
    path = Path(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o400)
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_hex(KEY_BYTES) + "\n")
    return path


def cpio_newc(entries):
    """A newc cpio archive of (name, mode, data) entries, owned by root."""
    out = bytearray()
    for ino, (name, mode, data) in enumerate(entries + [("TRAILER!!!", 0, b"")], 1):
        raw = name.encode() + b"\0"
        fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(raw), 0]
        out += b"070701" + b"".join(b"%08X" % f for f in fields) + raw
        out += b"\0" * (-len(out) % 4) + data
        out += b"\0" * (-len(out) % 4)
    return bytes(out)


def keyed_initrd(base, key_text, dest):
    """The node initramfs with /etc/krg/cluster.key (0400, root) added."""
    extra = cpio_newc([("etc/krg", 0o40700, b""),
                       ("etc/krg/cluster.key", 0o100400, key_text.encode())])
    base = Path(base).read_bytes()
    tmp = Path(str(dest) + ".tmp")
    # An uncompressed archive must start 4-byte aligned (init/initramfs.c).
    tmp.write_bytes(base + b"\0" * (-len(base) % 4) + extra)
    tmp.replace(dest)
    return dest


@dataclass
class Result:
    status: int
    stdout: str
    stderr: str

    @property
    def ok(self):
        return self.status == 0


def wire_port(session):
    return 40000 + (session % 20000)


def kvm_works():
    """Probe KVM once per build: boot the kernel with no initrd and see it
    reach the panic for a missing root within a short time."""
    forced = os.environ.get("KRG_ACCEL")
    if forced in ("kvm", "tcg"):
        return forced == "kvm"
    if not os.access("/dev/kvm", os.R_OK | os.W_OK) or not KERNEL.exists():
        return False
    cache = BUILD / "kvm-probe"
    stamp = str(KERNEL.stat().st_mtime)
    if cache.exists():
        lines = cache.read_text().split()
        if len(lines) == 2 and lines[0] == stamp:
            return lines[1] == "yes"
    works = False
    try:
        out = subprocess.run(
            [QEMU, "-accel", "kvm", "-m", "128", "-nodefaults", "-no-user-config",
             "-display", "none", "-serial", "stdio", "-no-reboot",
             "-kernel", str(KERNEL), "-append", "console=ttyS0 panic=-1"],
            capture_output=True, timeout=20, text=True, errors="replace")
        works = "Kernel panic" in out.stdout or "VFS:" in out.stdout
    except (subprocess.TimeoutExpired, OSError):
        works = False
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(f"{stamp} {'yes' if works else 'no'}\n")
    return works


def pid_alive(pid):
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    # A zombie is dead too.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


class Cluster:
    def __init__(self, run_dir, session=1, wire=None, shared=None, key_file=None):
        self.run_dir = Path(run_dir).resolve()
        self.state_file = self.run_dir / "state.json"
        if self.state_file.exists():
            st = json.loads(self.state_file.read_text())
            self.session = st["session"]
            self.wire = st["wire"]
            self.shared = Path(st["shared"])
            self.key_file = Path(st["key_file"]) if st.get("key_file") else None
            self.nodes = {int(k): v for k, v in st["nodes"].items()}
            self.fenced = st.get("fenced")
        else:
            self.session = session
            self.wire = wire or wire_port(session)
            self.shared = Path(shared or self.run_dir / "shared").resolve()
            self.key_file = Path(key_file).resolve() if key_file else None
            self.nodes = {}
            self.fenced = None

    # -- state ------------------------------------------------------------
    def _save(self):
        self.run_dir.mkdir(parents=True, exist_ok=True)
        st = {"session": self.session, "wire": self.wire, "shared": str(self.shared),
              "key_file": str(self.key_file) if self.key_file else None,
              "nodes": self.nodes, "fenced": self.fenced}
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(st, indent=1))
        tmp.replace(self.state_file)

    def log_path(self, node):
        return self.run_dir / f"node{node}.log"

    def monitor_path(self, node):
        return self.run_dir / f"node{node}.monitor"

    def sock_path(self, node):
        return self.run_dir / f"node{node}.agent"

    def alive(self, node):
        return pid_alive(self.nodes.get(node, {}).get("pid"))

    # -- lifecycle --------------------------------------------------------
    def initrd_for(self, key_text=None, encrypt=True):
        """The initramfs a node boots: with the cluster's key (made on first
        use), with key_text instead, or as it is for links in clear."""
        if not encrypt or key_text == "":
            return INITRD
        self.run_dir.mkdir(parents=True, exist_ok=True)
        if key_text is None:
            if self.key_file is None:
                self.key_file = new_key_file(self.run_dir / "cluster.key")
                self._save()
            key_text = self.key_file.read_text()
            name = "initrd.keyed"
        else:
            name = "initrd.key-" + secrets.token_hex(4)
        dest = self.run_dir / name
        if not dest.exists() or dest.stat().st_mtime < INITRD.stat().st_mtime:
            keyed_initrd(INITRD, key_text, dest)
        return dest

    def start_node(self, node, session=None, append="", memory=None, identity=None,
                   key_text=None, encrypt=True):
        """Start one QEMU node; session defaults to the cluster's. A node
        of another session on the same wire is how isolation is tested.
        identity replaces the krg.node_id=/krg.session_id= parameters
        (to boot a node with bad or missing ones). key_text boots it with
        another cluster key ("": none); encrypt=False with links in clear
        (krg.encrypt=0) and no key."""
        if node in self.nodes and self.alive(node):
            raise ClusterError(f"node {node} is already running")
        for f in (KERNEL, INITRD):
            if not f.exists():
                raise ClusterError(f"{f} missing: run 'make' first")
        session = self.session if session is None else session
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.shared.mkdir(parents=True, exist_ok=True)
        log, sock = self.log_path(node), self.sock_path(node)
        # A node booted again keeps its last life's log: its failures count.
        old_logs = self.nodes.get(node, {}).get("old_logs", [])
        if log.exists():
            old_logs = old_logs + [f"node{node}.life{len(old_logs) + 1}.log"]
            log.replace(self.run_dir / old_logs[-1])
        sock.unlink(missing_ok=True)
        mac = "52:54:%02x:%02x:%02x:%02x" % (
            (session >> 8) & 0xff, session & 0xff, (node >> 8) & 0xff, node & 0xff)
        accel = "kvm" if kvm_works() else "tcg"
        if identity is None:
            identity = f"krg.node_id={node} krg.session_id={session}"
        # Several TCG guests share 2 host cores: a guest may not run for
        # tens of seconds (unpacking its initramfs, say). Only a much
        # longer stall is a kernel bug.
        stall = "rcupdate.rcu_cpu_stall_timeout=300" if accel == "tcg" else ""
        if not encrypt:
            append = f"krg.encrypt=0 {append}"
        # Three TCG guests on 2 host cores: a guest's vCPU may not run for
        # most of a second (KASAN: seconds), and the others would declare
        # it dead and fence it. KRG_HB_MISS=6 (the kernel's default, 0.6 s)
        # for tests/bench/ha_bench.py; a later krg.hb_miss= in append wins.
        append = f"krg.hb_miss={os.environ.get('KRG_HB_MISS', 60 if DEBUG else 20)} {append}"
        if DEBUG:
            # ACPI's PCI routing methods run past the AML loop timeout
            # (30 s per device) under KASAN and TCG: route from the BIOS.
            append = f"pci=noacpi {append}"
        initrd = self.initrd_for(key_text, encrypt)
        cmdline = f"console=ttyS0 panic=-1 {stall} {identity} {append}".strip()
        argv = [
            QEMU, "-accel", accel, "-m", str(memory or NODE_MEMORY), "-smp", "1",
            "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
            "-kernel", str(KERNEL), "-initrd", str(initrd), "-append", cmdline,
            "-serial", f"file:{log}",
            "-netdev", f"socket,id=n0,mcast={MCAST}:{self.wire},localaddr=127.0.0.1",
            "-device", f"virtio-net-pci,netdev=n0,mac={mac}",
            "-fsdev", f"local,id=fs0,path={self.shared},security_model=none",
            "-device", "virtio-9p-pci,fsdev=fs0,mount_tag=krgshared",
            "-device", "virtio-serial-pci",
            "-chardev", f"socket,id=agent,path={sock},server=on,wait=off",
            "-device", "virtserialport,chardev=agent,name=krg.agent",
            "-monitor", f"unix:{self.monitor_path(node)},server=on,wait=off",
        ]
        self.start_fence_device()
        with open(self.run_dir / f"node{node}.qemu.log", "w") as qlog:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=qlog,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        self.nodes[node] = {"pid": proc.pid, "session": session, "append": append,
                            "old_logs": old_logs}
        self._save()
        return proc.pid

    def start_fence_device(self):
        """The power switch the nodes' fence agents ask (fenced.py)."""
        if self.fenced and pid_alive(self.fenced):
            return
        self._save()
        proc = subprocess.Popen(
            [sys.executable, str(HERE / "fenced.py"), str(self.run_dir), str(self.shared)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=open(self.run_dir / "fence.err", "a"), start_new_session=True)
        self.fenced = proc.pid
        self._save()

    def hold_fence(self, hold=True):
        """While held, fence requests wait: what a cluster does before a
        fence is confirmed can be watched."""
        f = self.shared / ".fence" / "hold"
        if hold:
            f.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            f.touch()
        else:
            f.unlink(missing_ok=True)

    def fence_log(self):
        f = self.run_dir / "fence.log"
        return f.read_text() if f.exists() else ""

    def wait_ready(self, node, timeout=120):
        """Wait until the node's agent answers."""
        deadline = time.monotonic() + timeout * SLOW
        while time.monotonic() < deadline:
            if not self.alive(node):
                raise ClusterError(f"node {node} died while booting:\n{self.tail(node)}")
            if "krg-agent: ready" in self.log(node):
                if DEBUG:
                    self.kmemleak_clear(node)
                return
            time.sleep(0.3)
        raise ClusterError(f"node {node} not ready after {timeout}s:\n{self.tail(node)}")

    def up(self, count, boot_timeout=180, memory=None, encrypt=True):
        for node in range(1, count + 1):
            self.start_node(node, memory=memory, encrypt=encrypt)
        for node in range(1, count + 1):
            self.wait_ready(node, boot_timeout)

    def crash(self, node):
        """Kill the node's QEMU abruptly, as a power failure."""
        pid = self.nodes.get(node, {}).get("pid")
        if not pid or not self.alive(node):
            raise ClusterError(f"node {node} is not running")
        os.kill(pid, signal.SIGKILL)
        for _ in range(50):
            if not self.alive(node):
                break
            time.sleep(0.1)
        self.nodes[node]["crashed"] = True
        self._save()

    def link(self, node, up):
        """Cut (up=False) or heal a node's cluster link while the node runs:
        a network partition. QEMU drops the NIC's frames both ways."""
        if not self.alive(node):
            raise ClusterError(f"node {node} is not running")
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(10)
            s.connect(str(self.monitor_path(node)))
            s.sendall(f"set_link n0 {'on' if up else 'off'}\n".encode())
            out, deadline = b"", time.monotonic() + 10
            # The banner's prompt, then the one after the command.
            while out.count(b"(qemu)") < 2:
                if time.monotonic() > deadline:
                    raise ClusterError(f"node {node}: QEMU monitor did not answer")
                out += s.recv(4096)
        text = out.decode(errors="replace")
        if "rror" in text or "not found" in text:
            raise ClusterError(f"node {node}: set_link failed: {text}")

    def down(self):
        for node, info in self.nodes.items():
            pid = info.get("pid")
            if pid and self.alive(node):
                os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for node, info in self.nodes.items():
            while self.alive(node) and time.monotonic() < deadline:
                time.sleep(0.1)
            if self.alive(node):
                os.kill(info["pid"], signal.SIGKILL)
        for node in self.nodes:
            self.nodes[node]["pid"] = None
        if self.fenced and pid_alive(self.fenced):
            os.kill(self.fenced, signal.SIGTERM)
        self.fenced = None
        self._save()

    # -- commands ---------------------------------------------------------
    def exec(self, node, argv, timeout=120, stdin=b""):
        """Run argv (a list, or a string for sh -c) on node; return Result."""
        if isinstance(argv, str):
            argv = ["sh", "-c", argv]
        timeout *= SLOW
        if not self.alive(node):
            raise ClusterError(f"node {node} is not running")
        req = [b"KRGQ", struct.pack("<II", timeout, len(argv))]
        for a in argv:
            b = a.encode()
            req += [struct.pack("<I", len(b)), b]
        req += [struct.pack("<I", len(stdin)), stdin]
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout + 30)
            s.connect(str(self.sock_path(node)))
            s.sendall(b"".join(req))

            def recv(n):
                buf = b""
                while len(buf) < n:
                    chunk = s.recv(n - len(buf))
                    if not chunk:
                        raise ClusterError(f"node {node}: agent connection lost")
                    buf += chunk
                return buf

            if recv(4) != b"KRGA":
                raise ClusterError(f"node {node}: bad agent reply")
            status, out_len = struct.unpack("<iI", recv(8))
            out = recv(out_len)
            (err_len,) = struct.unpack("<I", recv(4))
            err = recv(err_len)
        return Result(status, out.decode(errors="replace"), err.decode(errors="replace"))

    def check(self, node, argv, timeout=120):
        """exec that must succeed; returns stdout."""
        r = self.exec(node, argv, timeout)
        if r.status != 0:
            raise ClusterError(f"node {node}: {argv} exited {r.status}\n{r.stdout}{r.stderr}")
        return r.stdout

    def wait_for(self, what, predicate, timeout=60, interval=0.5):
        deadline = time.monotonic() + timeout * SLOW
        last = None
        while time.monotonic() < deadline:
            last = predicate()
            if last:
                return last
            time.sleep(interval)
        raise ClusterError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")

    def online(self, node):
        return self.check(node, ["cat", "/sys/kernel/krg/nodes/online"]).strip()

    # -- logs -------------------------------------------------------------
    def log(self, node):
        try:
            return self.log_path(node).read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def tail(self, node, lines=30):
        return "\n".join(self.log(node).splitlines()[-lines:])

    def log_marks(self):
        """Where each node's log ends now, and in which of its lives:
        kernel_failures(since=) starts there."""
        return {node: (len(info.get("old_logs", [])), len(self.log(node)))
                for node, info in self.nodes.items()}

    def kernel_failures(self, since=None):
        """Lines of any node log that show an Oops, BUG, WARN or the like
        (only those logged after the marks since, if given)."""
        bad = []
        for node, info in self.nodes.items():
            # The log of the life the mark was in, from the mark on, and
            # those of the lives since (a node booted again) in full.
            life, offset = (since or {}).get(node, (0, 0))
            logs = [self.run_dir / name for name in info.get("old_logs", [])][life:]
            texts = [p.read_text(errors="replace") for p in logs] + [self.log(node)]
            texts[0] = texts[0][offset:]
            for text in texts:
                for line in text.splitlines():
                    if KERNEL_FAILURE.search(line):
                        bad.append(f"node {node}: {line.strip()}")
        return bad

    # -- debug kernel -----------------------------------------------------
    KMEMLEAK = "/sys/kernel/debug/kmemleak"

    def kmemleak_clear(self, node):
        """Forget what boot left unreferenced: only later leaks count."""
        self.exec(node, ["sh", "-c", f"echo scan > {self.KMEMLEAK}; echo clear > {self.KMEMLEAK}"])

    def kmemleaks(self):
        """Objects each running node leaked, as kmemleak reports them."""
        found = []
        for node in self.nodes:
            if not self.alive(node):
                continue
            # An object must stay unreferenced for 5 s, over two scans.
            r = self.exec(node, ["sh", "-c", f"echo scan > {self.KMEMLEAK}; sleep 6; "
                                             f"echo scan > {self.KMEMLEAK}; cat {self.KMEMLEAK}"])
            if "unreferenced object" in r.stdout:
                found.append(f"node {node}:\n{r.stdout}")
                # Reported once: the next scan shows only new leaks.
                self.exec(node, ["sh", "-c", f"echo clear > {self.KMEMLEAK}"])
        return found

    def status(self):
        return {node: ("running" if self.alive(node) else
                       "crashed" if info.get("crashed") else "stopped")
                for node, info in sorted(self.nodes.items())}


EXEC_OPTIONS = {"--run-dir": str, "--timeout": int}


def parse_exec(argv, defaults):
    """exec's arguments: options before or after NODE, then the command
    (after "--", or from the first word that is not an option)."""
    opts, node, cmd = dict(defaults), None, None
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            cmd = argv[i + 1:]
            break
        name, eq, value = a.partition("=")
        if name in EXEC_OPTIONS:
            if not eq:
                i += 1
                if i == len(argv):
                    raise ValueError(f"{name} needs a value")
                value = argv[i]
            try:
                opts[name[2:].replace("-", "_")] = EXEC_OPTIONS[name](value)
            except ValueError:
                raise ValueError(f"bad value {value!r} for {name}") from None
        elif a.startswith("-") and node is None:
            raise ValueError(f"unknown option {a!r}")
        elif node is None:
            try:
                node = int(a)
            except ValueError:
                raise ValueError(f"bad node {a!r}") from None
        elif a.startswith("--") and a != "--":
            raise ValueError(f"unknown option {a!r} (put the command after --)")
        else:
            cmd = argv[i:]
            break
        i += 1
    if node is None:
        raise ValueError("exec needs a node")
    if not cmd:
        raise ValueError("exec needs a command after --")
    return argparse.Namespace(cmd="exec", node=node, command=cmd, **opts)


def parse(argv):
    default_run_dir = os.environ.get("KRG_RUN_DIR", str(BUILD / "run"))
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--run-dir", default=default_run_dir,
                        help="state, logs and agent sockets (default: build/run)")
    ap = argparse.ArgumentParser(
        prog="krgcluster", description="Boot and drive a krg QEMU cluster.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("up", parents=[common], help="boot a cluster")
    p.add_argument("--nodes", type=int, default=3)
    p.add_argument("--session", type=int, default=1)
    p.add_argument("--wire", type=int, help="multicast port (default: from the session)")
    p.add_argument("--key-file", help="cluster key file, as 'krgadm cluster key generate' "
                   "writes it (default: a new random key in the run directory)")
    sub.add_parser("exec", parents=[common], help="run a command on a node: "
                   "exec [--run-dir D] [--timeout S] NODE [options] -- CMD...")
    p = sub.add_parser("crash", parents=[common], help="kill a node's QEMU abruptly")
    p.add_argument("node", type=int)
    p = sub.add_parser("cut", parents=[common],
                       help="cut a node's cluster link, the node running on (a partition)")
    p.add_argument("node", type=int)
    p = sub.add_parser("heal", parents=[common], help="give a cut node its link back")
    p.add_argument("node", type=int)
    p = sub.add_parser("log", parents=[common], help="print a node's serial log")
    p.add_argument("node", type=int)
    sub.add_parser("status", parents=[common],
                   help="show the nodes and any kernel failure in their logs")
    sub.add_parser("down", parents=[common], help="stop every node")
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["exec"] and not {"-h", "--help"} & set(argv[1:2]):
        try:
            return parse_exec(argv[1:], {"run_dir": default_run_dir, "timeout": 120})
        except ValueError as e:
            ap.error(f"exec: {e}")
    return ap.parse_args(argv)


def main(argv=None):
    args = parse(argv)
    run_dir = args.run_dir

    try:
        if args.cmd == "up":
            if not 1 <= args.nodes <= 255 or not 1 <= args.session <= 9999:
                print("krgcluster: --nodes must be 1..255 and --session 1..9999",
                      file=sys.stderr)
                return 2
            old = Cluster(run_dir)
            if any(old.alive(n) for n in old.nodes):
                raise ClusterError(f"a cluster is already running in {run_dir}; "
                                   "'krgcluster down' first")
            old.state_file.unlink(missing_ok=True)
            c = Cluster(run_dir, args.session, args.wire, key_file=args.key_file)
            c.up(args.nodes)
            print(f"cluster up: {args.nodes} nodes, session {c.session}, run dir {c.run_dir}")
            return 0
        c = Cluster(run_dir)
        if args.cmd == "exec":
            r = c.exec(args.node, args.command, args.timeout)
            sys.stdout.write(r.stdout)
            sys.stderr.write(r.stderr)
            return r.status
        if args.cmd == "crash":
            c.crash(args.node)
            print(f"node {args.node} crashed")
        elif args.cmd in ("cut", "heal"):
            c.link(args.node, args.cmd == "heal")
            print(f"node {args.node}: link {'healed' if args.cmd == 'heal' else 'cut'}")
        elif args.cmd == "log":
            sys.stdout.write(c.log(args.node))
        elif args.cmd == "status":
            for node, st in c.status().items():
                print(f"node {node}: {st}")
            bad = c.kernel_failures()
            for line in bad:
                print(f"KERNEL FAILURE {line}", file=sys.stderr)
            return 1 if bad else 0
        elif args.cmd == "down":
            c.down()
            print("cluster down")
        return 0
    except (ClusterError, OSError) as e:
        print(f"krgcluster: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
