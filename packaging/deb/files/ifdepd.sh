#!/bin/sh
# /usr/sbin/ifdepd: the daemon and its client commands (status, hold, release,
# reload, demo); see ifdepd(8).
# A script rather than a symlink to dist/cli.js: that file's "#!/usr/bin/env node"
# would run whichever node comes first in PATH (nvm, /usr/local/bin), while this
# package depends on, and was tested with, Debian's /usr/bin/node. exec keeps one
# process, so systemd's MainPID and signals reach node itself.
# --single-threaded: V8 compiles and collects garbage on the main thread instead of
# helper threads. ifdepd's heap is a few MiB and it is idle almost always: this saves
# 4-8 MiB of resident memory (bench/README.md, issue 13) at no measurable cost in
# reaction time. bench/ reads the options from the exec line below: keep them there.
exec /usr/bin/node --single-threaded /usr/lib/ifdepd/dist/cli.js "$@"
