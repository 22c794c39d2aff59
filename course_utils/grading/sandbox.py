"""The sandbox each learner kernel runs in: bubblewrap namespaces, an unprivileged uid, limits.

:func:`kernel_command` wraps the kernel's command line::

    [setpriv --reuid U --regid U --clear-groups]   # only when the grader runs as root
    prlimit --as --fsize --nofile --cpu [--nproc]  # util-linux
    bwrap --unshare-all --unshare-user --disable-userns --die-with-parent --new-session
          --cap-drop ALL --clearenv --setenv ... --ro-bind /usr ... --tmpfs /tmp
          --bind RUN_FOLDER RUN_FOLDER --chdir RUN_FOLDER/work
    python -m ipykernel_launcher -f RUN_FOLDER/ipc/kernel.json

Inside, the kernel sees a read-only ``/usr``, the Python install (``sys.base_prefix``,
``sys.prefix``), the installed ``course_utils`` package (bound alone at
:data:`PACKAGE_MOUNT`, never the course checkout with its solutions and tests), a few files of
``/etc``, a private ``/tmp`` (HOME, caches and matplotlib's config are in it), and its own run
folder, the only place it can write. It has no network (its own network namespace: the grader
talks to it over ZMQ ``ipc`` sockets in the run folder), its own PID namespace (it cannot see or
signal the grader; when the sandbox's init ends, every process inside ends, ``setsid`` or not),
no capabilities, and limits on address space, file size, open files and CPU time. When the
grader runs as root, the sandbox runs as a uid of its own (:func:`sandbox_uid`), so that
RLIMIT_NPROC counts its processes (root is exempt from it) and every process left over can be
found and killed by uid.

Where bubblewrap is missing or fails its self-test (:func:`check`), :func:`kernel_command`
with ``isolated=False`` gives the same limits and environment without the namespaces: a grade
for self-feedback only, which the report says.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Sequence

__all__ = ["Limits", "PACKAGE_MOUNT", "Status", "check", "kernel_command", "kernel_environment",
           "kill_uid", "sandbox_uid"]

PACKAGE_MOUNT = "/opt/course_utils"   # course_utils is bound at PACKAGE_MOUNT/course_utils
SANDBOX_TMP = "/tmp"
UID_BASE = 1_900_000_000              # uids of sandboxes (root only): far from real users
ETC_FILES = ("passwd", "group", "nsswitch.conf", "localtime", "ld.so.cache", "ld.so.conf",
             "ld.so.conf.d", "hosts", "ssl", "fonts", "mime.types", "alternatives")
KEEP_ENV = ("LANG", "LC_ALL", "LC_CTYPE", "TZ")
# The grader's own environment may name more module folders for the kernels (the tests' fixture
# checks), bound read-only at EXTRA_MOUNT/N and put on the kernel's PYTHONPATH.
EXTRA_PATH_ENV = "COURSE_UTILS_GRADE_EXTRA_PATH"
EXTRA_MOUNT = "/opt/course_extra"


@dataclasses.dataclass(frozen=True)
class Limits:
    """Resource limits of one kernel (prlimit)."""

    address_space: int = 4 * 2**30      # RLIMIT_AS, bytes
    file_size: int = 512 * 2**20        # RLIMIT_FSIZE, bytes per file
    open_files: int = 1024              # RLIMIT_NOFILE
    cpu_seconds: int = 1200             # RLIMIT_CPU (the wall-clock limit comes first)
    processes: int = 256                # RLIMIT_NPROC, threads included (own uid only)
    tmp_bytes: int = 1 * 2**30          # size of the private /tmp (tmpfs)


@dataclasses.dataclass(frozen=True)
class Status:
    """Whether kernels can be isolated here, and why not."""

    isolated: bool
    reason: str = ""


_UIDS = itertools.count()
_UID_LOCK = threading.Lock()


def sandbox_uid() -> int | None:
    """A uid for one sandbox when the grader runs as root (None otherwise)."""
    if os.geteuid() != 0:
        return None
    with _UID_LOCK:
        return UID_BASE + (os.getpid() % 100_000) * 100 + next(_UIDS) % 100


def _package_dir() -> Path:
    import course_utils

    return Path(course_utils.__file__).resolve().parent


def _extra_paths() -> list[str]:
    value = os.environ.get(EXTRA_PATH_ENV, "")
    return [path for path in value.split(os.pathsep) if path and Path(path).is_dir()]


def kernel_environment(variables: dict[str, str], isolated: bool,
                       private: Path | None = None) -> dict[str, str]:
    """The kernel's whole environment: nothing of the grader's but the locale, no ``GITHUB_*``,
    ``ACTIONS_*``, ``RUNNER_*``, no grader paths; ``variables`` (COURSE_UTILS_VARIANT) on top.

    ``private`` is the folder for HOME and caches when not isolated (inside the sandbox it is
    its private ``/tmp``); :func:`kernel_command` points TMPDIR at ``RUN_FOLDER/tmp``, where
    the grader can read what the notebook saved to a temporary folder.
    """
    tmp = SANDBOX_TMP if isolated else str(private)
    extra = _extra_paths()
    python_path = ":".join([PACKAGE_MOUNT, *(f"{EXTRA_MOUNT}/{n}" for n in range(len(extra)))]
                           if isolated else [str(_package_dir().parent), *extra])
    env = {key: os.environ[key] for key in KEEP_ENV if key in os.environ}
    env.update({
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": f"{tmp}/home", "TMPDIR": tmp, "XDG_CACHE_HOME": f"{tmp}/cache",
        "COURSE_UTILS_CACHE": f"{tmp}/cache/course_utils", "MPLCONFIGDIR": f"{tmp}/mpl",
        "PYTHONPATH": python_path, "PYTHONNOUSERSITE": "1", "PYTHONDONTWRITEBYTECODE": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1", "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
    })
    env.update(variables)
    return env


def _ro_binds() -> list[str]:
    args: list[str] = []
    for name in ("bin", "lib", "lib64", "sbin", "lib32", "libx32"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    args += ["--ro-bind", "/usr", "/usr"]
    for name in ETC_FILES:
        args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    seen = {"/usr"}
    for prefix in (sys.base_prefix, sys.prefix, sys.exec_prefix):
        real = os.path.realpath(prefix)
        for path in {prefix, real}:
            if path not in seen and not any(path.startswith(s + "/") for s in seen):
                seen.add(path)
                args += [*_open_parents(path), "--ro-bind", path, path]
    return args


def kernel_command(argv: Sequence[str], run_folder: Path, cwd: Path, variables: dict[str, str],
                   *, isolated: bool, limits: Limits = Limits(), uid: int | None = None,
                   binds: dict[str, str] | None = None) -> tuple[list[str], dict[str, str]]:
    """(command, environment) that run ``argv`` (the kernel) in a sandbox, or unisolated with
    the same limits and environment when ``isolated`` is False.

    ``run_folder`` is bound read-write at its own path (absolute paths inside and outside
    agree); ``binds`` maps host files and folders to bind read-only at a path relative to the
    private temp folder (the grader's synthetic series, made once; matplotlib's font list). ``uid`` (root only) is the sandbox's own uid.
    """
    prlimit = [shutil.which("prlimit") or "prlimit", f"--as={limits.address_space}",
               f"--fsize={limits.file_size}", f"--nofile={limits.open_files}",
               f"--cpu={limits.cpu_seconds}"]
    drop: list[str] = []   # root: become the sandbox's own uid, no capabilities, no setuid
    if uid is not None:
        prlimit.append(f"--nproc={limits.processes}")
        drop = [shutil.which("setpriv") or "/usr/bin/setpriv", f"--reuid={uid}",
                f"--regid={uid}", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all",
                "--no-new-privs", "--"]
    if not isolated:
        private = run_folder / "private"
        env = kernel_environment(variables, False, private)
        env["TMPDIR"] = str(run_folder / "tmp")
        for key in ("HOME", "XDG_CACHE_HOME", "COURSE_UTILS_CACHE", "MPLCONFIGDIR"):
            Path(env[key]).mkdir(parents=True, exist_ok=True)
            if uid is not None:
                for path in [Path(env[key]), *Path(env[key]).parents]:
                    if path == run_folder:
                        break
                    os.chown(path, uid, uid)
        for host, name in (binds or {}).items():
            target = private / name
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                if Path(host).is_dir():
                    os.symlink(host, target)
                else:
                    shutil.copyfile(host, target)
        return [*prlimit, "--", *drop, *argv], env
    env = kernel_environment(variables, True)
    env["TMPDIR"] = str(run_folder / "tmp")  # files saved to a temporary folder stay readable
    bwrap = [shutil.which("bwrap") or "bwrap"]
    if uid is None:    # an ordinary user: a user namespace of its own, no nested ones
        bwrap += ["--unshare-all", "--unshare-user", "--disable-userns", "--cap-drop", "ALL"]
    else:              # root: no user namespace (the uid must be real for RLIMIT_NPROC)
        bwrap += ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
                  "--unshare-cgroup-try", "--cap-drop", "ALL"]
        for cap in ("CAP_SETUID", "CAP_SETGID", "CAP_SETPCAP"):
            bwrap += ["--cap-add", cap]   # for setpriv only, which drops them all
    bwrap += ["--die-with-parent", "--new-session", "--hostname", "sandbox", "--clearenv"]
    for key, value in env.items():
        bwrap += ["--setenv", key, value]
    bwrap += ["--proc", "/proc", "--dev", "/dev",
              "--size", str(limits.tmp_bytes), "--perms", "1777", "--tmpfs", SANDBOX_TMP]
    # after the private /tmp: a Python or a virtual environment installed under /tmp (a CI
    # checkout there) is mounted on top of it, not hidden by it
    bwrap += _ro_binds()
    for key in ("HOME", "XDG_CACHE_HOME", "COURSE_UTILS_CACHE", "MPLCONFIGDIR"):
        bwrap += ["--perms", "0777", "--dir", env[key]]
    bwrap += _open_parents(f"{PACKAGE_MOUNT}/course_utils")
    bwrap += ["--ro-bind", str(_package_dir()), f"{PACKAGE_MOUNT}/course_utils"]
    for host, name in (binds or {}).items():
        bwrap += ["--ro-bind", host, f"{SANDBOX_TMP}/{name}"]
    for number, host in enumerate(_extra_paths()):
        bwrap += _open_parents(f"{EXTRA_MOUNT}/{number}")
        bwrap += ["--ro-bind", host, f"{EXTRA_MOUNT}/{number}"]
    bwrap += _open_parents(str(run_folder))
    bwrap += ["--bind", str(run_folder), str(run_folder), "--chdir", str(cwd)]
    return [*prlimit, "--", *bwrap, "--", *drop, *argv], env


def _open_parents(path: str) -> list[str]:
    """bwrap arguments that make the folders above ``path`` traversable (mode 0755)."""
    args: list[str] = []
    for parent in reversed(Path(path).parents):
        if str(parent) not in ("/", SANDBOX_TMP) and not str(parent).startswith("/usr"):
            args += ["--perms", "0755", "--dir", str(parent)]
    return args


def kill_uid(uid: int | None) -> None:
    """SIGKILL every process of ``uid`` (a sandbox's own uid): nothing outlives its kernel."""
    if uid is None:
        return
    for _ in range(3):
        found = False
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                if os.stat(entry.path).st_uid == uid:
                    found = True
                    os.kill(int(entry.name), signal.SIGKILL)
            except OSError:
                continue
        if not found:
            return


@functools.lru_cache(maxsize=1)
def check() -> Status:
    """Whether bubblewrap is here and works (a Python started in a sandbox as a kernel is)."""
    if shutil.which("bwrap") is None:
        return Status(False, "bubblewrap (bwrap) is not installed")
    if shutil.which("prlimit") is None:
        return Status(False, "prlimit (util-linux) is not installed")
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        return Status(False, "setpriv (util-linux) is not installed")
    folder = Path(tempfile.mkdtemp(prefix="course-sandbox-check-"))
    uid = sandbox_uid()
    try:
        work = folder / "work"
        work.mkdir()
        if uid is not None:
            for path in (folder, work):
                os.chown(path, uid, uid)
                os.chmod(path, 0o711)
        code = ("import os, sys, course_utils; "
                "open('probe', 'w').write(str(os.getuid())); "
                "assert not os.path.exists(sys.argv[1]); "
                "assert course_utils.__file__.startswith(sys.argv[2])")
        command, env = kernel_command(
            [sys.executable, "-c", code, str(_package_dir().parent / "tests"), PACKAGE_MOUNT],
            folder, work, {}, isolated=True, uid=uid)
        try:
            result = subprocess.run(command, env=env, stdin=subprocess.DEVNULL,
                                    capture_output=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as error:
            return Status(False, f"bubblewrap does not run here ({error})")
        if result.returncode != 0 or not (work / "probe").is_file():
            detail = result.stderr.decode(errors="replace").strip().splitlines()
            return Status(False, "bubblewrap fails its self-test here"
                          + (f" ({detail[-1][:200]})" if detail else ""))
        return Status(True)
    finally:
        kill_uid(uid)
        shutil.rmtree(folder, ignore_errors=True)
