"""How a worker is launched: the bubblewrap command line, or the weaker fallback.

Everything here runs in the grader (trusted) process. Results that do not change during a run
(where bubblewrap is, whether it works, which files the sandbox needs) are computed once.
"""

from __future__ import annotations

import functools
import importlib.metadata as metadata
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nnkit_contract

BUBBLEWRAP = "bubblewrap"
RLIMITS_ONLY = "rlimits-only"

#: Set to "rlimits-only" to force the fallback mode (for testing it on a machine with bwrap).
MODE_ENV = "NNKIT_SANDBOX"

#: What a student's notebook may import when graded (besides the standard library and the
#: release's toy2d.py); the release's requirements.txt lists them.
STUDENT_PACKAGES = ("numpy", "matplotlib")
#: Distributions (with their requirements) visible inside the sandbox. Nothing else from the
#: grader's environment is: not the grader, not the course checkout, not other packages.
SANDBOX_PACKAGES = (*STUDENT_PACKAGES, "tqdm")

WORKER_DIR = Path(__file__).resolve().parent
#: Files of the worker, by their path in the sandbox: its own code and the public contract
#: package (by design: markers, the value normalizer, the failure kinds). Nothing else of the kit
#: is bound.
WORKER_FILES: dict[str, Path] = {
    "worker.py": WORKER_DIR / "worker.py",
    "serving.py": WORKER_DIR / "serving.py",
    "wire.py": WORKER_DIR / "wire.py",
    "seccomp.py": WORKER_DIR / "seccomp.py",
    "storage.py": WORKER_DIR / "storage.py",
    "nnkit_contract/__init__.py": Path(nnkit_contract.FOLDER, "__init__.py"),
    **{f"nnkit_contract/{name}.py": Path(nnkit_contract.module_path(name)) for name in nnkit_contract.MODULES},
}

# Paths inside the sandbox.
BOX_WORKER = "/opt/nnkit/worker"
BOX_SITE = "/opt/nnkit/site"
BOX_TMP = "/tmp"
BOX_WORKDIR = "/tmp/work"
#: Where the assignment's files and Matplotlib's font list are bound (read-only) for every check
#: to bind them again into its own new /tmp (worker storage.py: FILES_DIR, MPL_SOURCE_DIR).
BOX_FILES = "/opt/nnkit/files"
BOX_MPL = "/opt/nnkit/mpl"

#: Uid/gid the worker sees inside the sandbox (mapped to the grader's own uid outside).
BOX_UID = 65534
#: MPLCONFIGDIR inside the sandbox (worker_env sets it; the font cache is placed there).
MPL_DIR = "matplotlib"


@dataclass(frozen=True)
class PythonInstall:
    executable: str          # real path of the interpreter binary
    roots: tuple[str, ...]   # directories holding it and its standard library


@functools.cache
def python_install() -> PythonInstall:
    exe = os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable)
    roots = {os.path.realpath(sys.base_prefix), os.path.realpath(sys.base_exec_prefix)}
    if not any(exe.startswith(r + os.sep) for r in roots):
        roots.add(os.path.dirname(exe))
    # Drop roots nested in other roots.
    kept = sorted(r for r in roots if not any(r != o and r.startswith(o + os.sep) for o in roots))
    return PythonInstall(exe, tuple(kept))


def _dist_key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@functools.cache
def site_entries() -> tuple[tuple[str, str], ...]:
    """(host path, top-level name) of every file/dir that SANDBOX_PACKAGES install.

    Walks the distributions' requirements (without extras), so that e.g. matplotlib comes with
    pillow, kiwisolver, etc. Packages that are not installed are skipped.
    """
    seen: set[str] = set()
    todo = list(SANDBOX_PACKAGES)
    entries: dict[str, str] = {}
    while todo:
        name = todo.pop()
        key = _dist_key(name)
        if key in seen:
            continue
        seen.add(key)
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        for req in dist.requires or []:
            if ";" in req and "extra" in req.split(";", 1)[1]:
                continue
            m = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", req)
            if m:
                todo.append(m.group(0))
        for f in dist.files or []:
            top = f.parts[0] if f.parts else ""
            if not top or top.startswith("..") or top == "__pycache__" or top.endswith(".pth"):
                continue
            if top in entries:
                continue
            path = Path(dist.locate_file(top))
            if path.exists():
                entries[top] = str(path)
    return tuple(sorted((path, top) for top, path in entries.items()))


@functools.cache
def site_dirs() -> tuple[str, ...]:
    """Host directories holding SANDBOX_PACKAGES (used by the fallback mode's sys.path)."""
    dirs: list[str] = []
    for path, _ in site_entries():
        parent = str(Path(path).parent)
        if parent not in dirs:
            dirs.append(parent)
    return tuple(dirs)


@functools.cache
def _bwrap() -> tuple[str | None, frozenset[str]]:
    """Path of bwrap and the options its --help mentions."""
    if not sys.platform.startswith("linux"):
        return None, frozenset()
    path = shutil.which("bwrap")
    if path is None:
        return None, frozenset()
    try:
        out = subprocess.run([path, "--help"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None, frozenset()
    return path, frozenset(re.findall(r"--[a-z0-9-]+", out.stdout + out.stderr))


@functools.cache
def matplotlib_font_cache() -> Path | None:
    """Matplotlib's font list, built once per grading process in a private temporary folder.

    Without it every worker rebuilds the list on `import matplotlib.pyplot` (the release's setup
    cell does that): about 0.2 s of CPU per submission, measured. The file is only read in the
    sandbox (fonts under mpl-data are stored relative to it, so the different site path there
    does not matter). None when matplotlib is missing or the build fails: workers then build
    their own, as before.
    """
    import atexit
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="nnkit-mpl-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(folder), "MPLCONFIGDIR": str(folder),
           "MPLBACKEND": "Agg"}
    try:
        subprocess.run([sys.executable, "-I", "-c", "import matplotlib.font_manager"], env=env,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=120, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    found = sorted(folder.glob("fontlist-*.json"))
    if not found:
        return None
    found[0].chmod(0o444)
    return found[0]


def bwrap_command(*, sock_fd: int, tmp_bytes: int, workdir_files: dict[str, Path],
                  probe: str | None = None) -> list[str]:
    """The bwrap command line that starts the worker's template (or runs `probe` code instead).

    Every capability is dropped but CAP_SYS_ADMIN, which the sandbox's user namespace grants
    only over the sandbox's own namespaces: the template and the hosts keep it so that every check
    can mount its own new /tmp, and every check's process drops it before any student code runs
    (worker storage.py)."""
    bwrap, options = _bwrap()
    if bwrap is None:
        raise RuntimeError("bwrap is not available")
    py = python_install()
    cmd = [bwrap, "--unshare-all", "--unshare-user", "--die-with-parent", "--new-session",
           "--as-pid-1", "--uid", str(BOX_UID), "--gid", str(BOX_UID), "--cap-drop", "ALL",
           "--cap-add", "CAP_SYS_ADMIN", "--hostname", "sandbox"]
    if "--disable-userns" in options:
        cmd.append("--disable-userns")
    cmd += ["--ro-bind", "/usr", "/usr"]
    for top in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        host = f"/{top}"
        if os.path.islink(host):
            cmd += ["--symlink", os.readlink(host), host]
        elif os.path.isdir(host):
            cmd += ["--ro-bind", host, host]
    cmd += ["--ro-bind-try", "/etc/alternatives", "/etc/alternatives",
            "--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache"]
    for root in py.roots:
        if root != "/usr" and not root.startswith("/usr/"):
            cmd += ["--ro-bind", root, root]
    for path, top in site_entries():
        cmd += ["--ro-bind", path, f"{BOX_SITE}/{top}"]
    for name, path in WORKER_FILES.items():
        cmd += ["--ro-bind", str(path), f"{BOX_WORKER}/{name}"]
    cmd += ["--dev", "/dev", "--proc", "/proc"]
    if "--size" in options:
        cmd += ["--size", str(tmp_bytes)]
    # The template's own /tmp (its working directory holds the files its setup cells read);
    # no check ever sees it: each mounts a new one over it.
    cmd += ["--tmpfs", BOX_TMP, "--dir", BOX_WORKDIR, "--dir", f"{BOX_TMP}/{MPL_DIR}"]
    font_cache = matplotlib_font_cache()
    if font_cache is not None:
        cmd += ["--ro-bind", str(font_cache), f"{BOX_TMP}/{MPL_DIR}/{font_cache.name}",
                "--ro-bind", str(font_cache), f"{BOX_MPL}/{font_cache.name}"]
    for rel, src in sorted(workdir_files.items()):
        cmd += ["--ro-bind", str(src), f"{BOX_WORKDIR}/{rel}",
                "--ro-bind", str(src), f"{BOX_FILES}/{rel}"]
    # The course checkout must stay invisible even if it lies under a directory bound above.
    course_root = str(WORKER_DIR.parent.parent)
    bound = ["/usr", *py.roots]
    if any(course_root == b or course_root.startswith(b + os.sep) for b in bound):
        cmd += ["--tmpfs", course_root]
    cmd += ["--chdir", BOX_WORKDIR, "--remount-ro", "/dev", "--remount-ro", "/", "--"]
    if probe is not None:
        return cmd + [py.executable, "-I", "-S", "-B", "-c", probe, BOX_SITE, BOX_WORKER]
    return cmd + [py.executable, "-I", "-S", "-B", f"{BOX_WORKER}/worker.py", str(sock_fd),
                  BOX_WORKDIR, BOX_SITE]


def fallback_command(*, sock_fd: int, workdir: str) -> list[str]:
    py = python_install()
    return [py.executable, "-I", "-S", "-B", str(WORKER_DIR / "worker.py"), str(sock_fd),
            workdir, *site_dirs()]


#: What bubblewrap must allow for the sandbox to be used: NumPy imports, and a process can get
#: storage of its own (a mount namespace with a new tmpfs) and drop every capability after.
_PROBE = """
import sys, importlib.util
sys.path.append(sys.argv[1])
import numpy
spec = importlib.util.spec_from_file_location("storage", sys.argv[2] + "/storage.py")
storage = importlib.util.module_from_spec(spec)
spec.loader.exec_module(storage)
storage.fresh_namespace(1 << 20, 64, [], None)
storage.drop_capabilities()
print(int(numpy.ones(3).sum()))
"""


@functools.cache
def _bwrap_status() -> tuple[bool, str]:
    bwrap, options = _bwrap()
    if bwrap is None:
        where = "this system is not Linux" if not sys.platform.startswith("linux") else \
            "bwrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)"
        return False, where
    if "--cap-add" not in options:
        return False, "bwrap is too old (no --cap-add; bubblewrap 0.4 or newer is needed)"
    cmd = bwrap_command(sock_fd=0, tmp_bytes=1 << 20, workdir_files={}, probe=_PROBE)
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30,
                             stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError) as e:
        return False, f"bwrap could not be run: {e}"
    if out.returncode != 0 or out.stdout.strip() != "3":
        detail = (out.stderr.strip().splitlines() or ["no output"])[-1]
        return False, f"bwrap does not work here ({detail})"
    return True, "ok"


def bwrap_status() -> tuple[bool, str]:
    """(usable, reason): whether bubblewrap can run the worker on this machine."""
    return _bwrap_status()


def isolation_mode() -> str:
    """"bubblewrap" when workers run in a bubblewrap sandbox, else "rlimits-only"."""
    if os.environ.get(MODE_ENV) == RLIMITS_ONLY:
        return RLIMITS_ONLY
    return BUBBLEWRAP if bwrap_status()[0] else RLIMITS_ONLY


def worker_env(*, home: str, tmp: str) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": home,
        "TMPDIR": tmp,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": f"{tmp}/{MPL_DIR}",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
