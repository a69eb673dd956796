"""`agentdesk-pbx configure`: what an installed server's services start with.

agentdesk-pbx-config.service runs it as root before each start of
Asterisk: the same steps as `pbx/run start` before it launches Asterisk
(runner.prepare), from the site's settings in /etc/agentdesk, and then each
service's files handed to its user. systemd starts Asterisk in its root
filesystem (the unit's RootDirectory= and BindPaths=), so the engine is
always that one, taken as it is: no provisioning, no moving of ids (the
installer aligned them with the host's agentdesk-asterisk).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from . import deskuser, rootfs, runner
from . import engine as engines
from . import install_files as files
from .layout import CONFIG_MOUNT, PBX_DIR, STATE_MOUNT, Layout, PbxError, make_private_folders
from .service import write_private


def configure(layout: Layout) -> None:
    if not rootfs.is_ready(layout):
        raise PbxError(f"there is no Asterisk root filesystem at {layout.rootfs}: run pbx/run install again")
    make_private_folders(layout)
    engine = engines.Engine("rootfs", engines.ROOTFS_ASTERISK, STATE_MOUNT, CONFIG_MOUNT)
    runner.prepare(layout, engine)
    _desk_logs_to(layout, files.DESK_LOG)
    desk = deskuser.prepare(layout)
    asterisk = engine.run_as(layout)
    if desk is None or asterisk is None:
        raise PbxError("configure runs as root, on a server pbx/run install made")
    _own(files.ASTERISK_LOGS, asterisk)
    _own(files.DESK_LOGS, (desk.uid, desk.gid))
    _link_pid_files(layout)
    print(f"Configuration for Asterisk and the desk service made in {layout.state} from {PBX_DIR}.")


def _desk_logs_to(layout: Layout, log: Path) -> None:
    """The desk service logs into /var/log/agentdesk/desk (and rotates it
    itself), not into its state folder."""
    config = json.loads(layout.desk_config_file.read_text(encoding="utf-8"))
    config["log"] = str(log)
    write_private(layout.desk_config_file, json.dumps(config, indent=1))


def _own(folder: Path, ids: tuple[int, int]) -> None:
    """A service's log folder is its own (0750); so is every file in it,
    also one a restore or root's hand left."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in [folder, *folder.rglob("*")]:
        os.chown(path, *ids, follow_symlinks=False)
    folder.chmod(0o750)


def _link_pid_files(layout: Layout) -> None:
    """agentdesk-pbx status, backup and restore find the services by the pid
    files pbx/run writes when it starts them; under systemd Asterisk writes
    its own (run/asterisk.pid) and the desk unit its (desk/desk.pid)."""
    for link, target in ((layout.pid_file, "run/asterisk.pid"), (layout.desk_pid_file, "desk/desk.pid")):
        if not link.is_symlink():
            link.unlink(missing_ok=True)
            link.symlink_to(target)
