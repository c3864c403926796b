#!/usr/bin/env bash
# Builds the stand-ins for nginx:latest, nginxinc/nginx-unprivileged:1.27.4,
# ubuntu:latest and cr.fluentbit.io/fluent/fluent-bit:3.2.10 from Debian, for
# the images that cannot be pulled here, and imports them into podman's local
# storage as localhost/cdk8s-e2e-standin/{nginx,nginx-unprivileged,ubuntu,fluent-bit}:KEY.
# KEY is a hash of this recipe (this script, e2e/standin/ and the Fluent Bit
# binary), so the rootfs tarballs are built once per recipe and cached in
# $CACHE_DIR; a second run only checks and prints KEY.
#
# The Fluent Bit stand-in runs the real Fluent Bit 3.2.10 built for Debian 12:
# $FLUENT_BIT, or ../shared/fluent-bit/fluent-bit beside the repository
# (checked against its published sha256).
#
# Prints KEY as its last line. Set E2E_REBUILD=1 to ignore the cache.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
CACHE_DIR="${CDK8S_E2E_CACHE:-/var/cache/cdk8s-logging-sidecar-e2e}"
MIRROR="${CDK8S_E2E_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SUITE=bookworm
# Bounds the cold build (debootstrap about 30 s, nginx about 15 s here).
BUILD_TIMEOUT_S="${CDK8S_E2E_BUILD_TIMEOUT_S:-900}"

log() { echo "build-standins: $*" >&2; }

# shared/fluent-bit/README.md: v3.2.10 for Debian 12 x86-64, stripped.
FLUENT_BIT_SHA256=7e258dc545ff07e0305687b7906c28ebe4e552d1ba55c9ccece919b5e9eb2d0d
fluent_bit="${FLUENT_BIT:-$repo/../shared/fluent-bit/fluent-bit}"
if [ ! -f "$fluent_bit" ]; then
  log "the Fluent Bit stand-in needs the Fluent Bit 3.2.10 binary: set FLUENT_BIT to it (not found at $fluent_bit)"
  exit 2
fi
fluent_bit_sha="$(sha256sum "$fluent_bit" | cut -d' ' -f1)"
if [ -z "${FLUENT_BIT:-}" ] && [ "$fluent_bit_sha" != "$FLUENT_BIT_SHA256" ]; then
  log "$fluent_bit has sha256 $fluent_bit_sha, expected $FLUENT_BIT_SHA256 (shared/fluent-bit/README.md)"
  exit 2
fi

key="$( (cat "$0"; find "$here/standin" -type f | LC_ALL=C sort | xargs cat; echo "$SUITE $MIRROR $fluent_bit_sha") | sha256sum | cut -c1-16)"
out="$CACHE_DIR/images/$key"
mkdir -p "$CACHE_DIR/images"

# Two runs (e2e and bench) may build at once; one builds, the other waits.
exec 9>"$CACHE_DIR/build.lock"
flock -w "$BUILD_TIMEOUT_S" 9 || { log "timed out waiting for $CACHE_DIR/build.lock"; exit 2; }

build_rootfs() {
  work="$CACHE_DIR/work.$$"
  rm -rf "$work"; mkdir -p "$work"
  trap 'rm -rf "$work"' EXIT
  local started=$SECONDS
  log "cold build of the stand-ins (recipe $key) with debootstrap $SUITE from $MIRROR"
  timeout "$BUILD_TIMEOUT_S" debootstrap --variant=minbase "$SUITE" "$work/base" "$MIRROR" >"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log" >&2; log "debootstrap failed (see above)"; exit 2; }
  rm -rf "$work/base/var/lib/apt/lists/"* "$work/base/var/cache/apt/archives/"*.deb

  # ubuntu:latest stand-in: what the sidecar needs is sh, cat and sleep.
  tar --numeric-owner --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' \
    -C "$work/base" -cf "$work/ubuntu.tar" .

  # One package index for the two images that install packages.
  cp /etc/resolv.conf "$work/base/etc/resolv.conf"
  echo "deb $MIRROR $SUITE main" >"$work/base/etc/apt/sources.list"
  timeout "$BUILD_TIMEOUT_S" chroot "$work/base" apt-get update -qq >"$work/apt-update.log" 2>&1 \
    || { tail -20 "$work/apt-update.log" >&2; log "apt-get update in the chroot failed"; exit 2; }
  cp -a "$work/base" "$work/nginx"
  cp -a "$work/base" "$work/fluent-bit"
  # The two installs are independent chroots: run them side by side.
  install_packages "$work/nginx" nginx & local nginx_pid=$!
  install_packages "$work/fluent-bit" libyaml-0-2 libsqlite3-0 libssl3 ca-certificates & local fluent_bit_pid=$!
  wait "$nginx_pid" || exit 2
  wait "$fluent_bit_pid" || exit 2

  # nginx:latest stand-in: Debian's nginx, configured like the official image.
  local root="$work/nginx"
  # The official image runs workers as nginx (uid/gid 101) and has /var/cache/nginx.
  chroot "$root" sh -c 'groupadd --system --gid 101 nginx && useradd --system --gid nginx --no-create-home --home /nonexistent --comment "nginx user" --shell /bin/false --uid 101 nginx'
  rm -f "$root/etc/nginx/sites-enabled/"*
  install -m 0644 "$here/standin/nginx/nginx.conf" "$root/etc/nginx/nginx.conf"
  install -m 0644 "$here/standin/nginx/default.conf" "$root/etc/nginx/conf.d/default.conf"
  mkdir -p "$root/usr/share/nginx/html" "$root/var/cache/nginx"
  install -m 0644 "$here/standin/nginx/index.html" "$here/standin/nginx/50x.html" "$root/usr/share/nginx/html/"
  # Before the log directory is emptied: nginx -t creates the log files.
  chroot "$root" nginx -t >/dev/null 2>&1 || { chroot "$root" nginx -t; log "the stand-in's nginx config does not load"; exit 2; }
  # podman copies what the image has at an emptyDir's mount path into the new
  # volume (a kubelet does not), so the log directory must start empty.
  rm -rf "$root/var/log/nginx"; mkdir -m 0755 "$root/var/log/nginx"
  tar --numeric-owner --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' \
    -C "$root" -cf "$work/nginx.tar" .

  derive_unprivileged "$root" "$work/nginx-unprivileged.tar"
  make_fluent_bit "$work/fluent-bit" "$work/fluent-bit.tar"

  mkdir -p "$out.tmp"
  mv "$work/ubuntu.tar" "$work/nginx.tar" "$work/nginx-unprivileged.tar" "$work/fluent-bit.tar" "$out.tmp/"
  rm -rf "$out"; mv "$out.tmp" "$out"
  log "built in $((SECONDS - started)) s: $out"
}

# apt-get install in a chroot that has the package index, then drop what an
# image does not need (index, downloaded packages, the build host's resolver).
install_packages() {
  local root="$1"; shift
  local name; name="$(basename "$root")"
  # No init system in a chroot: keep postinst scripts from starting services.
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"; chmod +x "$root/usr/sbin/policy-rc.d"
  timeout "$BUILD_TIMEOUT_S" chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" \
    >"$root.install.log" 2>&1 || { tail -20 "$root.install.log" >&2; log "installing $* in the $name chroot failed"; return 2; }
  rm -f "$root/usr/sbin/policy-rc.d"
  : >"$root/etc/resolv.conf"
  rm -rf "$root/var/lib/apt/lists/"* "$root/var/cache/apt/archives/"*.deb
}

# cr.fluentbit.io/fluent/fluent-bit stand-in: the official image is distroless
# (glibc, OpenSSL, CA certificates, no shell, no tools) with the binary at
# /fluent-bit/bin/fluent-bit. Here: Debian minbase with the three libraries the
# binary links and ca-certificates, the real binary, the upstream default
# config, and then every program in /usr/bin and /usr/sbin removed (sh, dash,
# bash, coreutils...), so that a manifest or an e2e check relying on a shell or
# a tool in this image fails here as it would with the official one.
make_fluent_bit() {
  local root="$1" tarball="$2"
  install -d -m 0755 "$root/fluent-bit/bin" "$root/fluent-bit/etc"
  install -m 0755 "$fluent_bit" "$root/fluent-bit/bin/fluent-bit"
  install -m 0644 "$here/standin/fluent-bit/fluent-bit.conf" "$root/fluent-bit/etc/fluent-bit.conf"
  local version
  version="$(chroot "$root" /fluent-bit/bin/fluent-bit --version 2>&1 | head -1)"
  [ "$version" = "Fluent Bit v3.2.10" ] || { log "the Fluent Bit stand-in's binary says \"$version\", expected \"Fluent Bit v3.2.10\" (missing library?)"; exit 2; }
  chroot "$root" /fluent-bit/bin/fluent-bit --dry-run -c /fluent-bit/etc/fluent-bit.conf >/dev/null 2>&1 \
    || { log "the Fluent Bit stand-in's default config does not load"; exit 2; }
  # Merged /usr: /bin and /sbin are links into /usr, so this removes them all.
  rm -rf "$root/usr/bin/"* "$root/usr/sbin/"* "$root/usr/local/bin/"* "$root/usr/local/sbin/"*
  for shell in /bin/sh /bin/bash /bin/dash /usr/bin/env /bin/cat; do
    [ ! -e "$root$shell" ] || { log "the Fluent Bit stand-in still has $shell"; exit 2; }
  done
  tar --numeric-owner --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' -C "$root" -cf "$tarball" .
}

# nginxinc/nginx-unprivileged stand-in: the nginx stand-in changed the way the
# upstream Dockerfile changes the official image (docker-nginx-unprivileged):
# port 8080, no `user` directive, pid file and *_temp_path in /tmp, /etc/nginx
# and /var/cache/nginx owned by 101:0, run as USER 101 (set at import). With a
# read-only root filesystem nginx then writes only /tmp and /var/log/nginx.
derive_unprivileged() {
  local root="$1" tarball="$2"
  sed -i -e '/^user  nginx;/d' -e 's,/var/run/nginx.pid,/tmp/nginx.pid,' \
    -e '/^http {/a\    proxy_temp_path /tmp/proxy_temp;\n    client_body_temp_path /tmp/client_temp;\n    fastcgi_temp_path /tmp/fastcgi_temp;\n    uwsgi_temp_path /tmp/uwsgi_temp;\n    scgi_temp_path /tmp/scgi_temp;\n' \
    "$root/etc/nginx/nginx.conf"
  sed -i -e 's,listen       80;,listen       8080;,' -e 's,listen  \[::\]:80;,listen  [::]:8080;,' "$root/etc/nginx/conf.d/default.conf"
  grep -q '^user' "$root/etc/nginx/nginx.conf" && { log "unprivileged stand-in: the user directive is still there"; exit 2; }
  grep -q 'listen       8080;' "$root/etc/nginx/conf.d/default.conf" || { log "unprivileged stand-in: listen 8080 not set"; exit 2; }
  chown -R 101:0 "$root/etc/nginx" "$root/var/cache/nginx"
  chmod -R g+w "$root/etc/nginx" "$root/var/cache/nginx"
  # A kubelet's emptyDir is mode 0777; podman instead copies the image's directory
  # into the volume (and chowns it to the container's user), so the directory must
  # let uid 101 create files, as the emptyDir would.
  chmod 0777 "$root/var/log/nginx"
  # The config must load as uid 101 (pid and temp paths writable, files readable).
  chroot --userspec=101:101 "$root" nginx -t >/dev/null 2>&1 \
    || { chroot --userspec=101:101 "$root" nginx -t; log "the unprivileged stand-in's config does not load as uid 101"; exit 2; }
  rm -rf "$root/tmp/"* "$root/var/log/nginx/"*
  tar --numeric-owner --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' -C "$root" -cf "$tarball" .
}

if [ -n "${E2E_REBUILD:-}" ] || [ ! -f "$out/nginx.tar" ] || [ ! -f "$out/ubuntu.tar" ] || [ ! -f "$out/nginx-unprivileged.tar" ] || [ ! -f "$out/fluent-bit.tar" ]; then
  build_rootfs
else
  log "cached stand-ins found: $out"
fi

# kube play adds no default PATH, so the images carry one.
PATH_ENV='ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
import() {
  local name="$1"; shift
  local ref="localhost/cdk8s-e2e-standin/$name:$key"
  if [ -z "${E2E_REBUILD:-}" ] && podman image exists "$ref"; then return; fi
  podman import --quiet "$@" --change "$PATH_ENV" --change "LABEL cdk8s-e2e-standin=$key" "$out/$name.tar" "$ref" >/dev/null
  log "imported $ref"
}
import nginx --change 'CMD ["nginx","-g","daemon off;"]' --change 'EXPOSE 80/tcp' --change 'STOPSIGNAL SIGQUIT'
import nginx-unprivileged --change 'CMD ["nginx","-g","daemon off;"]' --change 'EXPOSE 8080/tcp' --change 'STOPSIGNAL SIGQUIT' --change 'USER 101'
import ubuntu --change 'CMD ["/bin/bash"]'
# As the official image: no USER (root unless the pod says otherwise), the HTTP server's port.
import fluent-bit --change 'ENTRYPOINT ["/fluent-bit/bin/fluent-bit"]' \
  --change 'CMD ["/fluent-bit/bin/fluent-bit","-c","/fluent-bit/etc/fluent-bit.conf"]' --change 'EXPOSE 2020/tcp'

# Older recipes' tarballs and images are never used again; keep the disk bounded.
for dir in "$CACHE_DIR/images/"*; do
  [ "$dir" = "$out" ] || [ ! -d "$dir" ] || { rm -rf "$dir"; log "pruned $dir"; }
done
podman images --format '{{.Repository}}:{{.Tag}}' | grep '^localhost/cdk8s-e2e-standin/' | grep -v ":$key\$" \
  | xargs -r podman rmi >/dev/null 2>&1 || true

echo "$key"
