"""A small seccomp filter that the worker installs on itself before it runs student code.

Standard library only: the worker loads this file by path, inside the sandbox, without the
`grader` package. The filter is a classic BPF program handed to the kernel through ctypes; it
needs no libseccomp.

What it does (x86-64 and aarch64; on any other machine `install()` returns False):

* new processes are refused: fork, vfork, and clone without CLONE_THREAD fail with EPERM;
  clone3 fails with ENOSYS, which makes glibc fall back to clone, so threads keep working;
* exec is refused (execve, execveat): student code cannot start other programs;
* sockets cannot be created (the sandbox has no network anyway; this also covers the
  fallback mode, which has no network namespace);
* calls that reach other processes or the kernel's global state are refused: ptrace,
  process_vm_readv/writev, pidfd_getfd, pidfd_open, pidfd_send_signal, tkill, mount and
  friends, namespaces, modules, bpf, perf_event_open, userfaultfd, keyrings, io_uring, swap,
  reboot, accounting;
* signals may only be sent to the worker itself (kill, tgkill, rt_sigqueueinfo,
  rt_tgsigqueueinfo with the worker's own pid), and prlimit64 may only change the worker's
  own limits: without a pid namespace (the fallback mode) these would otherwise reach the
  grader or, as root, every process on the machine (kill(-1, SIGKILL));
* System V IPC (shared memory, semaphores, message queues) and POSIX message queues are
  refused: they would outlive the process inside the sandbox and carry state to the next check;
* extended attributes cannot be set or removed (setxattr and friends): on tmpfs they are kernel
  memory outside every limit of the check (300 MB in under a second, measured), and on a folder
  that outlived the check they would carry state; memfd_create is refused too (memory outside
  the check's storage);
* a system call made through a foreign ABI (x32, or a different architecture) kills the
  process.

The filter is inherited by every thread (TSYNC) and cannot be removed afterwards.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import struct

# BPF opcodes (linux/filter.h).
_LD_W_ABS = 0x20
_JEQ_K = 0x15
_JGE_K = 0x35
_JSET_K = 0x45
_RET_K = 0x06

_RET_KILL_PROCESS = 0x80000000
_RET_ERRNO = 0x00050000
_RET_ALLOW = 0x7FFF0000

_CLONE_THREAD = 0x00010000
_X32_SYSCALL_BIT = 0x40000000

_PR_SET_NO_NEW_PRIVS = 38
_SECCOMP_SET_MODE_FILTER = 1
_SECCOMP_FILTER_FLAG_TSYNC = 1

# Offsets in struct seccomp_data: int nr; u32 arch; u64 ip; u64 args[6] (little endian).
_OFF_NR = 0
_OFF_ARCH = 4
_OFF_ARG0_LOW = 16

_DENIED = (
    "fork", "vfork", "execve", "execveat", "socket", "socketpair", "ptrace",
    "process_vm_readv", "process_vm_writev", "pidfd_getfd", "unshare", "setns", "mount",
    "umount2", "pivot_root", "chroot", "mount_setattr", "fsopen", "fsconfig", "fsmount",
    "move_mount", "open_tree", "open_by_handle_at", "name_to_handle_at", "kexec_load",
    "kexec_file_load", "init_module", "finit_module", "delete_module", "bpf",
    "perf_event_open", "userfaultfd", "keyctl", "add_key", "request_key", "io_uring_setup",
    "io_uring_enter", "io_uring_register", "reboot", "swapon", "swapoff", "acct",
    "pidfd_open", "pidfd_send_signal", "tkill",
    # System V IPC and POSIX message queues outlive a process inside the sandbox's IPC
    # namespace: refused, so that nothing carries over from one check's process to the next.
    "shmget", "shmat", "shmctl", "shmdt", "semget", "semop", "semctl", "semtimedop", "msgget",
    "msgsnd", "msgrcv", "msgctl", "mq_open", "mq_unlink", "mq_timedsend", "mq_timedreceive",
    "mq_notify", "mq_getsetattr",
    # Extended attributes: kernel memory outside the check's limits, and state on any file.
    "setxattr", "lsetxattr", "fsetxattr", "removexattr", "lremovexattr", "fremovexattr",
    "setxattrat", "removexattrat", "memfd_create",
)
# System calls whose first argument is a pid that must be the worker's own.
_OWN_PID_ONLY = ("kill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo")

# (audit arch, system call numbers, syscall number of seccomp itself)
_TABLES: dict[str, tuple[int, dict[str, int]]] = {
    "x86_64": (0xC000003E, {
        "fork": 57, "vfork": 58, "clone": 56, "clone3": 435, "execve": 59, "execveat": 322,
        "socket": 41, "socketpair": 53, "ptrace": 101, "process_vm_readv": 310,
        "process_vm_writev": 311, "pidfd_getfd": 438, "unshare": 272, "setns": 308,
        "mount": 165, "umount2": 166, "pivot_root": 155, "chroot": 161, "mount_setattr": 442,
        "fsopen": 430, "fsconfig": 431, "fsmount": 432, "move_mount": 429, "open_tree": 428,
        "open_by_handle_at": 304, "name_to_handle_at": 303, "kexec_load": 246,
        "kexec_file_load": 320, "init_module": 175, "finit_module": 313, "delete_module": 176,
        "bpf": 321, "perf_event_open": 298, "userfaultfd": 323, "keyctl": 250, "add_key": 248,
        "request_key": 249, "io_uring_setup": 425, "io_uring_enter": 426,
        "io_uring_register": 427, "reboot": 169, "swapon": 167, "swapoff": 168, "acct": 163,
        "pidfd_open": 434, "pidfd_send_signal": 424, "tkill": 200, "kill": 62, "tgkill": 234,
        "rt_sigqueueinfo": 129, "rt_tgsigqueueinfo": 297, "prlimit64": 302, "seccomp": 317,
        "shmget": 29, "shmat": 30, "shmctl": 31, "shmdt": 67, "semget": 64, "semop": 65,
        "semctl": 66, "semtimedop": 220, "msgget": 68, "msgsnd": 69, "msgrcv": 70, "msgctl": 71,
        "mq_open": 240, "mq_unlink": 241, "mq_timedsend": 242, "mq_timedreceive": 243,
        "mq_notify": 244, "mq_getsetattr": 245,
        "setxattr": 188, "lsetxattr": 189, "fsetxattr": 190, "removexattr": 197,
        "lremovexattr": 198, "fremovexattr": 199, "setxattrat": 463, "removexattrat": 466,
        "memfd_create": 319,
    }),
    # asm-generic numbering; aarch64 has no fork/vfork system calls.
    "aarch64": (0xC00000B7, {
        "clone": 220, "clone3": 435, "execve": 221, "execveat": 281, "socket": 198,
        "socketpair": 199, "ptrace": 117, "process_vm_readv": 270, "process_vm_writev": 271,
        "pidfd_getfd": 438, "unshare": 97, "setns": 268, "mount": 40, "umount2": 39,
        "pivot_root": 41, "chroot": 51, "mount_setattr": 442, "fsopen": 430, "fsconfig": 431,
        "fsmount": 432, "move_mount": 429, "open_tree": 428, "open_by_handle_at": 265,
        "name_to_handle_at": 264, "kexec_load": 104, "kexec_file_load": 294,
        "init_module": 105, "finit_module": 273, "delete_module": 106, "bpf": 280,
        "perf_event_open": 241, "userfaultfd": 282, "keyctl": 219, "add_key": 217,
        "request_key": 218, "io_uring_setup": 425, "io_uring_enter": 426,
        "io_uring_register": 427, "reboot": 142, "swapon": 224, "swapoff": 225, "acct": 89,
        "pidfd_open": 434, "pidfd_send_signal": 424, "tkill": 130, "kill": 129, "tgkill": 131,
        "rt_sigqueueinfo": 138, "rt_tgsigqueueinfo": 240, "prlimit64": 261, "seccomp": 277,
        "msgget": 186, "msgctl": 187, "msgrcv": 188, "msgsnd": 189, "semget": 190, "semctl": 191,
        "semtimedop": 192, "semop": 193, "shmget": 194, "shmctl": 195, "shmat": 196, "shmdt": 197,
        "mq_open": 180, "mq_unlink": 181, "mq_timedsend": 182, "mq_timedreceive": 183,
        "mq_notify": 184, "mq_getsetattr": 185,
        "setxattr": 5, "lsetxattr": 6, "fsetxattr": 7, "removexattr": 14, "lremovexattr": 15,
        "fremovexattr": 16, "setxattrat": 463, "removexattrat": 466, "memfd_create": 279,
    }),
}
_MACHINE_ALIASES = {"amd64": "x86_64", "arm64": "aarch64"}


def _insn(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("<HBBI", code, jt, jf, k)


def build_program(machine: str, own_pid: int) -> bytes | None:
    """The filter for `machine` (as `platform.machine()` names it), or None if unsupported.

    `own_pid` is the worker's pid as the worker itself sees it (1 inside a pid namespace).
    """
    machine = _MACHINE_ALIASES.get(machine.lower(), machine.lower())
    if machine not in _TABLES:
        return None
    arch, nrs = _TABLES[machine]
    eperm = _RET_ERRNO | errno.EPERM
    prog = [
        _insn(_LD_W_ABS, _OFF_ARCH),
        _insn(_JEQ_K, arch, jt=1, jf=0),
        _insn(_RET_K, _RET_KILL_PROCESS),
        _insn(_LD_W_ABS, _OFF_NR),
    ]
    if machine == "x86_64":
        prog += [_insn(_JGE_K, _X32_SYSCALL_BIT, jt=0, jf=1), _insn(_RET_K, _RET_KILL_PROCESS)]
    for name in _DENIED:
        if name in nrs:
            prog += [_insn(_JEQ_K, nrs[name], jt=0, jf=1), _insn(_RET_K, eperm)]
    for name in _OWN_PID_ONLY:
        prog += [
            _insn(_JEQ_K, nrs[name], jt=0, jf=4),
            _insn(_LD_W_ABS, _OFF_ARG0_LOW),
            _insn(_JEQ_K, own_pid, jt=0, jf=1),
            _insn(_RET_K, _RET_ALLOW),
            _insn(_RET_K, eperm),
        ]
    prog += [
        # prlimit64: only pid 0 (this process) or its own pid.
        _insn(_JEQ_K, nrs["prlimit64"], jt=0, jf=5),
        _insn(_LD_W_ABS, _OFF_ARG0_LOW),
        _insn(_JEQ_K, 0, jt=2, jf=0),
        _insn(_JEQ_K, own_pid, jt=1, jf=0),
        _insn(_RET_K, eperm),
        _insn(_RET_K, _RET_ALLOW),
    ]
    prog += [
        _insn(_JEQ_K, nrs["clone3"], jt=0, jf=1),
        _insn(_RET_K, _RET_ERRNO | errno.ENOSYS),
        _insn(_JEQ_K, nrs["clone"], jt=1, jf=0),
        _insn(_RET_K, _RET_ALLOW),
        # clone: allowed only for threads.
        _insn(_LD_W_ABS, _OFF_ARG0_LOW),
        _insn(_JSET_K, _CLONE_THREAD, jt=0, jf=1),
        _insn(_RET_K, _RET_ALLOW),
        _insn(_RET_K, eperm),
    ]
    return b"".join(prog)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def install() -> bool:
    """Install the filter on the calling process (all threads). False if not supported here."""
    machine = platform.machine()
    program = build_program(machine, os.getpid())
    if program is None:
        return False
    nrs = _TABLES[_MACHINE_ALIASES.get(machine.lower(), machine.lower())][1]
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    buf = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len(program) // 8, ctypes.cast(buf, ctypes.c_void_p))
    libc.syscall.restype = ctypes.c_long
    rc = libc.syscall(ctypes.c_long(nrs["seccomp"]), ctypes.c_uint(_SECCOMP_SET_MODE_FILTER),
                      ctypes.c_uint(_SECCOMP_FILTER_FLAG_TSYNC), ctypes.byref(fprog))
    if rc != 0:
        raise OSError(ctypes.get_errno(), "seccomp(SECCOMP_SET_MODE_FILTER) failed")
    return True
