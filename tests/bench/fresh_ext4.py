"""A new, empty ext4 file system for every timed run (tests/bench/run --fresh-ext4).

Users write flow files to a disk file system, where creating a file costs
several times what it costs on tmpfs, and the ratio between two tools can
differ from the tmpfs one (a million short connections are two million
creations). Measuring on an ext4 directory that earlier runs used is
misleading: after millions of files are deleted, ext4 skips recently freed
inodes and later creations slow down five- to tenfold for minutes, so each
run's figure depends on the run before it. A file system made afresh for
each run (mkfs on a sparse image, loop-mounted) has no such history.

The image lives on tmpfs by default, so the "disk" is memory: the figures
are the file system's CPU cost, not a device's speed. Needs root (mount).
"""

import os
import shutil
import subprocess


class FreshExt4:
    def __init__(self, image, mountpoint):
        self.image = os.path.abspath(image)
        self.mountpoint = os.path.abspath(mountpoint)
        self.mounted = False

    @staticmethod
    def check_usable():
        """Returns None when this machine can do it, else the reason why not."""
        if os.geteuid() != 0:
            return "--fresh-ext4 needs root (it mounts a loop device)"
        for tool in ("mkfs.ext4", "mount", "umount"):
            if shutil.which(tool) is None:
                return "--fresh-ext4 needs %s (e2fsprogs, mount)" % tool
        return None

    def make(self, size_bytes, inodes):
        """Unmounts the previous file system, makes a new one and mounts it.
        Returns the directory the tools should write into."""
        self.release()
        # An interrupted earlier run may have left its file system mounted here.
        while os.path.ismount(self.mountpoint):
            self._run(["umount", self.mountpoint])
        os.makedirs(os.path.dirname(self.image) or ".", exist_ok=True)
        os.makedirs(self.mountpoint, exist_ok=True)
        with open(self.image, "wb") as f:  # sparse: only written blocks use memory
            f.truncate(int(size_bytes))
        self._run(["mkfs.ext4", "-q", "-F", "-N", str(int(inodes)), self.image])
        self._run(["mount", "-o", "loop", self.image, self.mountpoint])
        self.mounted = True
        out = os.path.join(self.mountpoint, "out")
        os.makedirs(out)
        return out

    def release(self):
        if self.mounted:
            self._run(["umount", self.mountpoint])
            self.mounted = False
        if os.path.exists(self.image):
            os.unlink(self.image)

    @staticmethod
    def _run(argv):
        done = subprocess.run(argv, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError("%s failed: %s" % (" ".join(argv),
                                                  (done.stderr or done.stdout).strip()))


def image_size_for(pcap_bytes, files):
    """Room for the output (at most the capture's size, and a 4 KiB block at
    least for every file), the reports (about a kilobyte per file, as ours
    writes), inode tables and ext4's own reserve. Sparse: only what is
    written takes memory (a million short connections: about 11 GB)."""
    return int(pcap_bytes * 1.3 + files * (4096 + 1536) + (1 << 30))


def inodes_for(files):
    return int(files * 1.1 + 10000)
