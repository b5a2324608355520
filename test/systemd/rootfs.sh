#!/bin/bash
# Builds (once) the trimmed Debian trixie root that test/systemd boots with systemd-nspawn,
# and prints the path of its tarball. The tarball is cached outside the checkout, in
# $IFDEPD_TEST_CACHE (default /var/cache/ifdepd-test), and is made from a root that has
# never booted (no machine-id, no journal). Concurrent runs wait for each other (flock).
set -euo pipefail
cache=${IFDEPD_TEST_CACHE:-/var/cache/ifdepd-test}
suite=trixie
tarball=$cache/$suite-minbase-v2.tar.gz
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock -w 600 9
if [ -s "$tarball" ]; then echo "$tarball"; exit 0; fi
# The mirror this machine's apt already uses (deb822 or one-line format).
mirror=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}')
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $0 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$mirror" ] || { echo "rootfs.sh: no Debian mirror found in /etc/apt/sources.list(.d)" >&2; exit 1; }
work=$(mktemp -d "$cache/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,iproute2,procps,nodejs,iputils-ping \
  "$suite" "$work/root" "$mirror" >"$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
r=$work/root
rm -rf "$r"/var/cache/apt/archives/*.deb "$r"/var/lib/apt/lists/* "$r"/usr/share/doc "$r"/usr/share/man \
  "$r"/usr/share/locale "$r"/usr/share/info "$r"/var/log/journal/*
# A root that never booted: systemd makes a machine-id at first boot.
: >"$r/etc/machine-id"
tar -C "$r" -czf "$work/root.tar.gz" .
mv "$work/root.tar.gz" "$tarball"
echo "$tarball"
