#!/bin/sh
# /usr/sbin/ifdepd: the daemon and its client commands (status, hold, release,
# reload, demo); see ifdepd(8).
# A script rather than a symlink to dist/cli.js: that file's "#!/usr/bin/env node"
# would run whichever node comes first in PATH (nvm, /usr/local/bin), while this
# package depends on, and was tested with, Debian's /usr/bin/node. exec keeps one
# process, so systemd's MainPID and signals reach node itself.
exec /usr/bin/node /usr/lib/ifdepd/dist/cli.js "$@"
