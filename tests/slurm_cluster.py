# SPDX-License-Identifier: GPL-3.0-or-later
"""A real one-node SLURM cluster on 127.0.0.1 for the tests (issue 14): munged, MariaDB, slurmdbd,
slurmctld and slurmd from Debian's packages, every file in one temporary directory, every daemon a
child of this process (stopped by PID).

    python -m tests.slurm_cluster            # start one, print its SLURM_CONF, stop on Enter

Accounting goes through slurmdbd into MariaDB so that ``sacct`` answers, as on a production cluster
(the Snakemake SLURM executor polls it). ``proctrack/linuxproc`` and ``task/none``: no cgroups, which
containers rarely delegate. ``gres_gpus`` declares that many fake GPUs (``File=/dev/null``-style
device files made here): enough for sbatch to accept ``--gpus``/``--gres`` and to schedule by them.
If something cannot start, :class:`SlurmUnavailable` carries that daemon's own log lines.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

PARTITION = "cpu"
ACCOUNT = "my_account"  # what profiles/slurm names: the test cluster has it, as a user's cluster would
DAEMONS = ("munged", "mariadbd", "slurmdbd", "slurmctld", "slurmd")
PACKAGES = "slurm-wlm slurmdbd munge mariadb-server"
DEFAULT_CONF = Path("/etc/slurm/slurm.conf")
"""Where SLURM's clients look without ``SLURM_CONF``. The Snakemake job-step plugin drops every
``SLURM_*`` variable, SLURM_CONF included, before its ``srun`` inside a job, so (as on a real cluster)
the configuration must be found there: a symlink to this cluster's, made only where none exists."""


class SlurmUnavailable(RuntimeError):
    """SLURM could not be started here; the message holds the daemon's log."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _node_line(gres_gpus: int) -> str:
    """This machine as a SLURM node (``slurmd -C``), named localhost, with some memory kept back."""
    out = subprocess.run(["slurmd", "-C"], capture_output=True, text=True, check=True).stdout
    fields = dict(item.split("=", 1) for item in out.split() if "=" in item)
    memory = int(fields["RealMemory"]) - 2048
    line = (f"NodeName=localhost NodeAddr=127.0.0.1 CPUs={fields['CPUs']} Boards={fields['Boards']} "
            f"SocketsPerBoard={fields['SocketsPerBoard']} CoresPerSocket={fields['CoresPerSocket']} "
            f"ThreadsPerCore={fields['ThreadsPerCore']} RealMemory={memory} State=UNKNOWN")
    return line + (f" Gres=gpu:{gres_gpus}" if gres_gpus else "")


@dataclass
class SlurmCluster:
    """A running test cluster: ``env`` has ``SLURM_CONF`` (and PATH) for sbatch, squeue, sacct."""

    root: Path
    gres_gpus: int = 0
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def conf(self) -> Path:
        return self.root / "etc" / "slurm.conf"

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "SLURM_CONF": str(self.conf)}

    def run(self, *argv: str, check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess:
        """A SLURM client command against this cluster."""
        return subprocess.run(argv, capture_output=True, text=True, env=self.env, check=check, timeout=timeout)

    # --- start -----------------------------------------------------------------------------------

    def start(self, timeout_s: float = 90.0) -> SlurmCluster:
        missing = [d for d in DAEMONS if shutil.which(d) is None and not Path(f"/usr/sbin/{d}").exists()]
        if missing:
            raise SlurmUnavailable(f"not installed: {', '.join(missing)} (apt-get install -y {PACKAGES})")
        for sub in ("etc", "log", "run", "state", "spool", "db", "dev"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        try:
            self._start_munge()
            self._start_mariadb()
            self._write_configs()
            self._link_default_conf()
            self._daemon("slurmdbd", ["slurmdbd", "-D"], "slurmdbd.log")
            self._wait(lambda: self._port_open(self.dbd_port), "slurmdbd", timeout_s)
            self._daemon("slurmctld", ["slurmctld", "-D", "-i", "-f", str(self.conf)], "slurmctld.log")
            self._wait(lambda: self.run("scontrol", "ping", check=False).stdout.count("UP") > 0,
                       "slurmctld", timeout_s)
            self._sacctmgr("add", "cluster", "spinlif-test")
            self._sacctmgr("add", "account", ACCOUNT)
            self._sacctmgr("add", "user", "root", f"account={ACCOUNT}")
            self._daemon("slurmd", ["slurmd", "-D", "-N", "localhost", "-f", str(self.conf)], "slurmd.log")
            self._wait(self._node_idle, "slurmd", timeout_s)
        except BaseException:
            self.stop()
            raise
        return self

    def _daemon(self, name: str, argv: list[str], log: str) -> None:
        out = open(self.root / "log" / f"{name}.stdout", "w")
        self.processes[name] = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=self.env,
                                                stdin=subprocess.DEVNULL)
        self._logs = getattr(self, "_logs", {})
        self._logs[name] = [self.root / "log" / log, self.root / "log" / f"{name}.stdout"]

    def _wait(self, ready, name: str, timeout_s: float) -> None:
        end = time.time() + timeout_s
        while time.time() < end:
            proc = self.processes.get(name)
            if proc is not None and proc.poll() is not None:
                raise SlurmUnavailable(f"{name} exited with status {proc.returncode}:\n{self._log_tail(name)}")
            try:
                if ready():
                    return
            except (subprocess.SubprocessError, OSError):
                pass
            time.sleep(0.5)
        raise SlurmUnavailable(f"{name} did not become ready in {timeout_s:g} s:\n{self._log_tail(name)}")

    def _log_tail(self, name: str, n: int = 25) -> str:
        lines = []
        for path in getattr(self, "_logs", {}).get(name, []):
            if Path(path).exists():
                lines += Path(path).read_text(errors="replace").splitlines()[-n:]
        return "\n".join(lines)

    @staticmethod
    def _port_open(port: int) -> bool:
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", port)) == 0

    def _node_idle(self) -> bool:
        out = self.run("sinfo", "-h", "-N", "-o", "%T", check=False).stdout.split()
        return out == ["idle"]

    def _sacctmgr(self, *args: str) -> None:
        out = self.run("sacctmgr", "-i", *args, check=False)
        if out.returncode != 0 and not any(s in out.stdout + out.stderr for s in ("Nothing new added", "already exists")):
            raise SlurmUnavailable(f"sacctmgr {' '.join(args)}: {out.stdout}{out.stderr}")

    def _start_munge(self) -> None:
        key, sock = self.root / "etc" / "munge.key", self.root / "run" / "munge.sock"
        subprocess.run(["mungekey", "-c", "-f", "-k", str(key)], check=True, capture_output=True)
        key.chmod(0o400)
        self.munge_socket = sock
        self._daemon("munged", ["munged", "-F", "-f", f"--key-file={key}", f"--socket={sock}",
                                f"--pid-file={self.root / 'run' / 'munged.pid'}",
                                f"--log-file={self.root / 'log' / 'munged.log'}",
                                f"--seed-file={self.root / 'state' / 'munged.seed'}"], "munged.log")
        self._wait(sock.exists, "munged", 30)

    def _start_mariadb(self) -> None:
        datadir, sock = self.root / "db", self.root / "run" / "mysql.sock"
        self.db_port = _free_port()
        init = subprocess.run(["mariadb-install-db", "--no-defaults", f"--datadir={datadir}", "--user=root",
                               "--auth-root-authentication-method=normal", "--skip-test-db"],
                              capture_output=True, text=True)
        if init.returncode != 0:
            raise SlurmUnavailable(f"mariadb-install-db failed:\n{init.stdout[-2000:]}{init.stderr[-2000:]}")
        self._daemon("mariadbd", ["mariadbd", "--no-defaults", f"--datadir={datadir}", f"--socket={sock}",
                                  f"--port={self.db_port}", "--bind-address=127.0.0.1", "--user=root",
                                  f"--pid-file={self.root / 'run' / 'mariadb.pid'}",
                                  f"--log-error={self.root / 'log' / 'mariadb.log'}",
                                  "--innodb-buffer-pool-size=32M"], "mariadb.log")
        self._wait(sock.exists, "mariadbd", 60)
        sql = ("CREATE USER IF NOT EXISTS 'slurm'@'127.0.0.1' IDENTIFIED BY 'slurm'; "
               "GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1'; FLUSH PRIVILEGES;")
        subprocess.run(["mariadb", "--no-defaults", f"--socket={sock}", "-u", "root", "-e", sql],
                       check=True, capture_output=True)

    def _write_configs(self) -> None:
        r = self.root
        self.dbd_port, ctld_port, slurmd_port = _free_port(), _free_port(), _free_port()
        auth = f"AuthType=auth/munge\nAuthInfo=socket={self.munge_socket}\n"
        (r / "etc" / "slurmdbd.conf").write_text(
            auth + f"DbdHost=localhost\nDbdAddr=127.0.0.1\nDbdPort={self.dbd_port}\nSlurmUser=root\n"
            f"PidFile={r / 'run' / 'slurmdbd.pid'}\nLogFile={r / 'log' / 'slurmdbd.log'}\n"
            f"StorageType=accounting_storage/mysql\nStorageHost=127.0.0.1\nStoragePort={self.db_port}\n"
            "StorageUser=slurm\nStoragePass=slurm\nStorageLoc=slurm_acct_db\n")
        (r / "etc" / "slurmdbd.conf").chmod(0o600)
        gres = ""
        if self.gres_gpus:
            files = []
            for k in range(self.gres_gpus):
                dev = r / "dev" / f"nvidia{k}"
                dev.touch()
                files.append(str(dev))
            (r / "etc" / "gres.conf").write_text(
                "".join(f"NodeName=localhost Name=gpu File={f}\n" for f in files))
            gres = "GresTypes=gpu\n"
        self.conf.write_text(
            auth + gres +
            "ClusterName=spinlif-test\nSlurmctldHost=localhost(127.0.0.1)\n"
            f"SlurmctldPort={ctld_port}\nSlurmdPort={slurmd_port}\nSlurmUser=root\nSlurmdUser=root\n"
            f"StateSaveLocation={r / 'state'}\nSlurmdSpoolDir={r / 'spool'}\n"
            f"SlurmctldPidFile={r / 'run' / 'slurmctld.pid'}\nSlurmdPidFile={r / 'run' / 'slurmd.pid'}\n"
            f"SlurmctldLogFile={r / 'log' / 'slurmctld.log'}\nSlurmdLogFile={r / 'log' / 'slurmd.log'}\n"
            "ProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\nMpiDefault=none\n"
            "SelectType=select/cons_tres\nSelectTypeParameters=CR_Core_Memory\n"
            "JobAcctGatherType=jobacct_gather/none\n"
            f"AccountingStorageType=accounting_storage/slurmdbd\nAccountingStorageHost=localhost\n"
            f"AccountingStoragePort={self.dbd_port}\n"
            f"AccountingStoragePass={self.munge_socket}\n"  # slurmdbd's munge socket (slurm.conf(5))
            "MailProg=/bin/true\n"
            "ReturnToService=2\nMinJobAge=300\nKillWait=5\nInactiveLimit=0\nSchedulerType=sched/backfill\n"
            "SchedulerParameters=sched_interval=1\nMaxArraySize=10001\n"
            + _node_line(self.gres_gpus) + "\n"
            f"PartitionName={PARTITION} Nodes=localhost Default=YES MaxTime=INFINITE State=UP\n")

    def _link_default_conf(self) -> None:
        if DEFAULT_CONF.is_symlink() and not DEFAULT_CONF.exists():
            DEFAULT_CONF.unlink()  # left by a test cluster that is gone
        if DEFAULT_CONF.exists() and not (DEFAULT_CONF.is_symlink() and "slurm" in str(DEFAULT_CONF.resolve())
                                          and DEFAULT_CONF.resolve().parent.name == "etc"
                                          and (DEFAULT_CONF.resolve().parent / "slurmdbd.conf").exists()):
            raise SlurmUnavailable(f"{DEFAULT_CONF} exists and is not a test cluster's: this machine has a "
                                   "SLURM of its own; run the SLURM tests elsewhere")
        DEFAULT_CONF.parent.mkdir(parents=True, exist_ok=True)
        if DEFAULT_CONF.is_symlink():
            DEFAULT_CONF.unlink()
        DEFAULT_CONF.symlink_to(self.conf)
        self.linked_default_conf = True

    # --- stop ------------------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop the daemons this object started, newest first, by PID (SIGTERM, then SIGKILL)."""
        for name in reversed(list(self.processes)):
            proc = self.processes[name]
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        self.processes.clear()
        if getattr(self, "linked_default_conf", False) and DEFAULT_CONF.is_symlink() \
                and DEFAULT_CONF.resolve() == self.conf.resolve():
            DEFAULT_CONF.unlink()
            self.linked_default_conf = False


if __name__ == "__main__":
    import tempfile

    cluster = SlurmCluster(Path(tempfile.mkdtemp(prefix="slurm-")), gres_gpus=int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    cluster.start()
    print(f"export SLURM_CONF={cluster.conf}")
    try:
        input("SLURM is up; Enter stops it. ")
    finally:
        cluster.stop()
