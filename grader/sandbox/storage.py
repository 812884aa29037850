"""New storage for every check, and no privileges left: run by a check's process before any
student code, inside the sandbox.

Standard library only: the worker loads this file by path, inside the sandbox, without the `grader`
package (like seccomp.py).

Under bubblewrap (`fresh_namespace`) the process moves to a private mount namespace (it still
holds CAP_SYS_ADMIN in the sandbox's user namespace, as the template and the host do) and mounts
there a new tmpfs at /tmp (size and inode count limited), with a working directory /tmp/work
whose entries link to the assignment's files where bubblewrap bound them read-only
(`FILES_DIR`), and Matplotlib's font list linked at /tmp/matplotlib. Only this process lives in that
namespace: when it ends, the kernel frees the tmpfs with everything in it (files, modes,
timestamps, attributes). The files of the template's own /tmp are hidden under the new mount, and
the template and the host are not dumpable, so their /proc/<pid>/root is closed too.

In the fallback mode (`fresh_folder`) the grader made a new folder for the check, with copies of
the files; the process works there and the grader removes it when the check ends.

`drop_capabilities` then clears every capability (effective, permitted, inheritable, ambient):
the student's code can mount nothing, and the seccomp filter (installed next) refuses mount calls
anyway.
"""

from __future__ import annotations

import ctypes
import os

#: Where bubblewrap binds the assignment's files (read-only) for the checks to bind them again.
FILES_DIR = "/opt/nnkit/files"
#: Where bubblewrap binds Matplotlib's prebuilt font list.
MPL_SOURCE_DIR = "/opt/nnkit/mpl"
TMP = "/tmp"
WORKDIR = "/tmp/work"
MPL_DIR = "/tmp/matplotlib"

_CLONE_NEWNS = 0x00020000
_MS_NOSUID = 2
_MS_NODEV = 4
_MS_REC = 16384
_MS_PRIVATE = 1 << 18
_PR_CAP_AMBIENT = 47
_PR_CAP_AMBIENT_CLEAR_ALL = 4
_CAP_VERSION_3 = 0x20080522

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong,
                        ctypes.c_char_p]


def _check(rc: int, what: str) -> None:
    if rc != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(source: str | None, target: str, fstype: str | None, flags: int,
           data: str | None = None) -> None:
    def enc(text: str | None) -> bytes | None:
        return None if text is None else text.encode()

    _check(_libc.mount(enc(source), enc(target), enc(fstype), flags, enc(data)), f"mount {target}")


def private_mounts() -> None:
    """A mount namespace of the calling process's own (the host's, once per submission): a mount
    made there never reaches the template, and so never another submission."""
    _check(_libc.unshare(_CLONE_NEWNS), "unshare(CLONE_NEWNS)")
    _mount(None, "/", None, _MS_REC | _MS_PRIVATE)


def fresh_namespace(tmp_bytes: int, tmp_inodes: int, files: list[str], mpl: str | None) -> None:
    """A private mount namespace with a new, limited tmpfs at /tmp and the working directory
    /tmp/work; cwd becomes /tmp/work. `files` (paths relative to FILES_DIR) appear there as
    symbolic links to the read-only files (a link costs a tenth of a bind mount, and what it
    points to cannot be written either); a check may remove a link, in its own storage only."""
    private_mounts()    # nothing mounted here leaves this process
    _mount("tmpfs", TMP, "tmpfs", _MS_NOSUID | _MS_NODEV,
           f"size={tmp_bytes},nr_inodes={tmp_inodes},mode=0755")
    os.mkdir(WORKDIR, 0o755)
    for top in sorted({rel.split("/", 1)[0] for rel in files}):
        os.symlink(f"{FILES_DIR}/{top}", f"{WORKDIR}/{top}")
    os.mkdir(MPL_DIR, 0o755)
    if mpl:
        os.symlink(f"{MPL_SOURCE_DIR}/{mpl}", f"{MPL_DIR}/{mpl}")
    os.chdir(WORKDIR)


def fresh_folder(folder: str) -> None:
    """The fallback mode: work in the new folder the grader made for this check."""
    work = os.path.join(folder, "work")
    os.chdir(work)
    os.environ["TMPDIR"] = folder
    os.environ["HOME"] = work


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


def drop_capabilities() -> None:
    """No capability left in any set (the process cannot exec, so the bounding set does not
    matter; it cannot be lowered without CAP_SETPCAP anyway)."""
    _libc.prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    header = _CapHeader(_CAP_VERSION_3, 0)
    data = (_CapData * 2)()
    _check(_libc.capset(ctypes.byref(header), data), "capset")
