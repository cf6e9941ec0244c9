"""The sandbox's system-call filter (seccomp), modelled on Docker's default profile.

bubblewrap installs it (``bwrap --seccomp FD``) in the command's process just before ``execve``, after every
mount of the sandbox is in place, so it constrains only the command and what it starts; a filter can never be
removed, and every child inherits it. It is built with libseccomp (through the ``pyseccomp`` binding, ctypes
over ``libseccomp.so.2``) and handed to bwrap as the compiled BPF program.

The filter allows by default and refuses, with an error the program can handle:

* **the kernel keyring** -- ``keyctl``, ``add_key``, ``request_key`` (EPERM): the host's session keyring (a login
  or a service has one) is inherited by every process, so without this the command could read its keys and
  add its own.
* **set-user-ID / set-group-ID bits** -- ``chmod``, ``fchmod``, ``fchmodat``, ``fchmodat2`` with S_ISUID or
  S_ISGID in the mode, and ``open``, ``openat``, ``creat``, ``mkdir``, ``mkdirat``, ``mknod``, ``mknodat``
  with either bit in their mode argument (EPERM; only the mode's bits are compared, whatever the rest of the
  register holds). ``openat2`` takes its mode inside a struct a filter cannot read, so it fails with ENOSYS,
  on which libc falls back to ``openat``. The command's workspace files belong, on the host, to the user
  autogpt runs as (root, often): a set-uid copy of a shell there would be a root shell for anyone who can
  reach the workspace. The bits can no longer be made at all; clearing them after each command
  (``strip_setid_bits``) stays as a second layer.
* **kernel attack surface a container runtime closes** (EPERM unless said otherwise): io_uring (its
  operations bypass system-call filters altogether), ``bpf``, ``perf_event_open``, ``userfaultfd``,
  ``ptrace`` / ``process_vm_readv`` / ``process_vm_writev`` / ``kcmp`` / ``pidfd_getfd``, module loading,
  ``kexec``, mounting (old and new mount API), ``pivot_root``, ``chroot``, ``unshare``, ``setns``, namespace
  flags to ``clone`` (and ``clone3``, whose flags are in a struct, fails with ENOSYS so libc falls back to
  ``clone``), swap, reboot, accounting, quotas, the clocks, ``syslog``, ``name_to_handle_at`` /
  ``open_by_handle_at``, NUMA memory policies, ``personality`` other than Linux / 32-bit / UNAME26, legacy
  system calls (``uselib``, ``ustat``, ``sysfs``, ``_sysctl``...), I/O ports.
* **unusual socket families** -- ``socket`` and ``socketpair`` for anything but AF_UNIX, AF_INET and AF_INET6
  fail with EAFNOSUPPORT (packet, vsock, bluetooth, alg, xdp, rds, tipc... each one a kernel subsystem), with
  one exception: AF_NETLINK with protocol NETLINK_ROUTE, read-only without capabilities, which libc uses to
  list network interfaces; every other netlink protocol (netfilter, generic, audit, uevents, sock_diag...)
  fails with EPROTONOSUPPORT.
* **other system-call ABIs** -- the filter is for the native architecture only: a 32-bit (``int 0x80``) or
  x32 system call kills the process (libseccomp checks the architecture and, on x86-64, the x32 bit), so
  none of the rules above can be sidestepped through another ABI's numbers.

What it does not cover: everything else stays allowed (an allow-list would break more programs than it
protects), including ``ioctl`` on whatever devices the sandbox has (only the minimal ``/dev`` of bwrap) and
system calls newer than the libseccomp in use, beyond the few named by number below; the allowed calls'
own kernel bugs (the host's kernel version is what it is); ``personality(0xffffffff)``, the query, is refused
with the rest (one rule cannot both test a bit and exempt a value); a folder the host made set-group-ID
before handing it over as a workspace still passes that bit on to new folders (the kernel does it, no call
asks for it).

Where the filter cannot be built (no libseccomp, no binding, a kernel without seccomp), the bubblewrap
sandbox refuses to run code; only ``sandbox: allow_weak`` runs it without the filter, and ``layers()`` (``autogpt
sandbox check``) then shows the layer as NOT ACTIVE with the reason.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import stat
import tempfile
from typing import Any

#: what to install when the binding or the library is missing (shown by ``autogpt sandbox check``)
SECCOMP_HINT = (
    "The sandbox's system-call filter (seccomp) cannot be built: {reason}. It needs libseccomp "
    "(Debian/Ubuntu: sudo apt-get install libseccomp2; Fedora: sudo dnf install libseccomp) and the Python "
    "package pyseccomp (pip install pyseccomp; scripts/install.sh installs both). Without it code does not run, "
    "unless you accept the sandbox without this layer with AUTOGPT_SANDBOX=allow_weak."
)

_SETID = stat.S_ISUID | stat.S_ISGID
_LOW32 = 0xFFFF_FFFF

# Refused outright with EPERM (names libseccomp does not know on this architecture are skipped).
DENIED = (
    # keyring
    "keyctl", "add_key", "request_key",
    # io_uring: its operations (openat, mkdirat, ...) are not system calls and bypass this filter
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    # tracing, profiling and kernel programs
    "bpf", "perf_event_open", "userfaultfd", "ptrace", "process_vm_readv", "process_vm_writev", "kcmp",
    "pidfd_getfd", "lookup_dcookie", "fanotify_init", "syslog",
    # modules and kernels
    "init_module", "finit_module", "delete_module", "create_module", "query_module", "get_kernel_syms",
    "kexec_load", "kexec_file_load", "reboot",
    # mounts and namespaces (bwrap has made its mounts before the filter applies)
    "mount", "umount", "umount2", "pivot_root", "chroot", "unshare", "setns", "fsopen", "fsconfig", "fsmount",
    "fspick", "move_mount", "open_tree", "open_tree_attr", "mount_setattr",
    # host-wide state
    "swapon", "swapoff", "acct", "quotactl", "quotactl_fd", "settimeofday", "stime", "clock_settime",
    "clock_adjtime", "adjtimex", "vhangup", "nfsservctl",
    # file handles (open_by_handle_at is the classic container escape)
    "name_to_handle_at", "open_by_handle_at",
    # NUMA memory policy (Docker asks for CAP_SYS_NICE)
    "mbind", "set_mempolicy", "get_mempolicy", "move_pages", "migrate_pages", "set_mempolicy_home_node",
    # legacy and hardware
    "uselib", "ustat", "sysfs", "_sysctl", "vm86", "vm86old", "iopl", "ioperm",
)

# Failing with ENOSYS makes libc fall back to a call whose arguments the filter can inspect.
NOT_IMPLEMENTED = ("openat2", "clone3")

# (name, index of the mode argument): refused with EPERM when the mode has S_ISUID or S_ISGID
MODE_ARGUMENT = (
    ("chmod", 1), ("fchmod", 1), ("fchmodat", 2), ("fchmodat2", 2),
    ("open", 2), ("openat", 3), ("creat", 1), ("mkdir", 1), ("mkdirat", 2), ("mknod", 1), ("mknodat", 2),
)

# System calls newer than some libseccomp releases, by their number (the same on x86-64 and every
# architecture of the generic table, aarch64 included, from Linux 5.1's io_uring on).
NEWER_SYSCALLS = {"io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427, "open_tree": 428,
                  "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433,
                  "clone3": 435, "openat2": 437, "pidfd_getfd": 438, "mount_setattr": 442, "quotactl_fd": 443,
                  "set_mempolicy_home_node": 450, "fchmodat2": 452, "open_tree_attr": 467}

CLONE_NAMESPACES = (0x0002_0000, 0x0200_0000, 0x0400_0000, 0x0800_0000, 0x1000_0000, 0x2000_0000, 0x4000_0000)
ALLOWED_FAMILIES = (1, 2, 10)  # AF_UNIX, AF_INET, AF_INET6
# AF_NETLINK with protocol NETLINK_ROUTE only: glibc's getifaddrs() and if_nameindex() (Python's
# socket.if_nameindex) and getaddrinfo()'s AI_ADDRCONFIG read the interfaces through it. Without
# CAP_NET_ADMIN it can only read, and the sandbox's network namespace has nothing but lo.
AF_NETLINK = 16
# personality(2): PER_LINUX (0) plus these flags: PER_LINUX32 (0x8) and UNAME26 (0x20000), as Docker allows.
PERSONALITY_FLAGS = 0x0000_0008 | 0x0002_0000


class SeccompUnavailableError(RuntimeError):
    """The filter cannot be built here: the binding or libseccomp is missing, or refused a rule."""


def _binding() -> Any:
    """The ``pyseccomp`` module; it loads ``libseccomp.so.2`` when imported and raises if it cannot."""
    try:
        import pyseccomp
    except ImportError as exc:
        raise SeccompUnavailableError(f"the Python package pyseccomp is not installed ({exc})") from None
    except (OSError, RuntimeError) as exc:  # RuntimeError: "Unable to find libseccomp"
        raise SeccompUnavailableError(f"libseccomp could not be loaded ({exc})") from None
    return pyseccomp


def _low_bits_set(sc: Any, arg: int, bits: int) -> Any:
    """``(argument & bits) == bits``: only those bits of the register are compared."""
    return sc.Arg(arg, sc.MASKED_EQ, bits, bits)


def _low32_equals(sc: Any, arg: int, value: int) -> Any:
    """The argument's low 32 bits equal ``value``: the kernel reads an ``int`` and ignores the upper half."""
    return sc.Arg(arg, sc.MASKED_EQ, _LOW32, value)


def build_filter() -> Any:
    """The filter as a libseccomp ``SyscallFilter`` (``export_bpf`` / ``export_pfc`` turn it into a program)."""
    sc = _binding()
    native = sc.system_arch()
    generic_numbers = native in (sc.Arch.X86_64, sc.Arch.AARCH64)

    def number(name: str) -> int | None:
        found = sc.resolve_syscall(sc.Arch.NATIVE, name)
        if found >= 0:
            return int(found)
        # Negative: unknown to this libseccomp (-1), or a call this architecture does not have (pseudo-number).
        return NEWER_SYSCALLS.get(name) if found == -1 and generic_numbers else None

    rules = sc.SyscallFilter(sc.ALLOW)
    # Another ABI's system calls (i386 via int 0x80, x32 numbers on x86-64): kill, never interpret.
    rules.set_attr(sc.Attr.ACT_BADARCH, sc.KILL_PROCESS)
    with contextlib.suppress(OSError):  # libseccomp 2.5+: a binary search over the numbers, not a long chain
        rules.set_attr(sc.Attr.CTL_OPTIMIZE, 2)

    def refuse(code: int, name: str, *args: Any) -> None:
        nr = number(name)
        if nr is not None:
            rules.add_rule(sc.ERRNO(code), nr, *args)

    try:
        for name in DENIED:
            refuse(errno.EPERM, name)
        for name in NOT_IMPLEMENTED:
            refuse(errno.ENOSYS, name)
        for name, index in MODE_ARGUMENT:
            for bit in (stat.S_ISUID, stat.S_ISGID):
                refuse(errno.EPERM, name, _low_bits_set(sc, index, bit))
        for flag in CLONE_NAMESPACES:
            refuse(errno.EPERM, "clone", _low_bits_set(sc, 0, flag))
        for name in ("socket", "socketpair"):
            # Every family but the allowed ones: any bit from 32 up (32..2**32-1, negative ints included),
            # and the values below 32 one by one.
            for bit in range(5, 32):
                refuse(errno.EAFNOSUPPORT, name, _low_bits_set(sc, 0, 1 << bit))
            for family in range(32):
                if family == AF_NETLINK:  # only NETLINK_ROUTE (0): any bit set in the protocol is refused
                    for bit in range(32):
                        refuse(errno.EPROTONOSUPPORT, name, _low32_equals(sc, 0, family),
                               _low_bits_set(sc, 2, 1 << bit))
                elif family not in ALLOWED_FAMILIES:
                    refuse(errno.EAFNOSUPPORT, name, _low32_equals(sc, 0, family))
        # personality: any flag but PER_LINUX32 and UNAME26 (ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC, other
        # execution domains...). The query value 0xffffffff has every bit set, so it is refused too.
        for bit in range(32):
            if not (1 << bit) & PERSONALITY_FLAGS:
                refuse(errno.EPERM, "personality", _low_bits_set(sc, 0, 1 << bit))
    except OSError as exc:
        raise SeccompUnavailableError(f"libseccomp refused a rule ({exc})") from None
    return rules


@functools.cache
def filter_program() -> bytes:
    """The compiled BPF program bwrap loads (built once per process)."""
    rules = build_filter()
    with tempfile.TemporaryFile() as out:
        try:
            rules.export_bpf(out)
        except OSError as exc:
            raise SeccompUnavailableError(f"libseccomp could not export the filter ({exc})") from None
        out.seek(0)
        program = out.read()
    if not program or len(program) % 8:
        raise SeccompUnavailableError(f"libseccomp exported a malformed program ({len(program)} bytes)")
    return program


def filter_text() -> str:
    """The filter in libseccomp's readable pseudo-code (for reviewing it)."""
    with tempfile.TemporaryFile("w+") as out:
        build_filter().export_pfc(out)
        out.seek(0)
        return out.read()


def unavailable_reason() -> str | None:
    """``None`` when the filter can be built and loaded here, else why not."""
    try:
        with open("/proc/self/status") as status:
            if not any(line.startswith("Seccomp:") for line in status):
                return "this kernel has no seccomp support (no Seccomp line in /proc/self/status)"
    except OSError:
        pass  # no /proc here: bwrap will say so
    try:
        filter_program()
    except SeccompUnavailableError as exc:
        return str(exc)
    return None


def program_fd() -> int:
    """A new file descriptor (close-on-exec; pass it with ``pass_fds``) holding the program, read from offset 0.

    bwrap reads the descriptor to its end, so each command gets its own: one shared descriptor would have its
    offset moved by the first reader.
    """
    program = filter_program()
    try:
        fd = os.memfd_create("autogpt-seccomp", os.MFD_CLOEXEC)
    except (AttributeError, OSError):
        fd, path = tempfile.mkstemp(prefix="autogpt-seccomp-")
        os.unlink(path)
    try:
        view = memoryview(program)
        while view:
            view = view[os.write(fd, view):]
        os.lseek(fd, 0, os.SEEK_SET)
    except BaseException:
        with contextlib.suppress(OSError):
            os.close(fd)
        raise
    return fd
