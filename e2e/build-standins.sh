#!/usr/bin/env bash
# Builds the stand-ins for nginx:latest, nginxinc/nginx-unprivileged:1.27.4 and
# ubuntu:latest from Debian, because no image can be pulled here, and imports
# them into podman's local storage as
# localhost/cdk8s-e2e-standin/{nginx,nginx-unprivileged,ubuntu}:KEY. KEY is a hash of this recipe
# (this script and e2e/standin/), so the rootfs tarballs are built once per
# recipe and cached in $CACHE_DIR; a second run only checks and prints KEY.
#
# Prints KEY as its last line. Set E2E_REBUILD=1 to ignore the cache.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
CACHE_DIR="${CDK8S_E2E_CACHE:-/var/cache/cdk8s-logging-sidecar-e2e}"
MIRROR="${CDK8S_E2E_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SUITE=bookworm
# Bounds the cold build (debootstrap about 30 s, nginx about 15 s here).
BUILD_TIMEOUT_S="${CDK8S_E2E_BUILD_TIMEOUT_S:-900}"

log() { echo "build-standins: $*" >&2; }

key="$( (cat "$0"; find "$here/standin" -type f | LC_ALL=C sort | xargs cat; echo "$SUITE $MIRROR") | sha256sum | cut -c1-16)"
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

  # nginx:latest stand-in: Debian's nginx, configured like the official image.
  cp -a "$work/base" "$work/nginx"
  local root="$work/nginx"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  # No init system in a chroot: keep postinst from trying to start nginx.
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"; chmod +x "$root/usr/sbin/policy-rc.d"
  echo "deb $MIRROR $SUITE main" >"$root/etc/apt/sources.list"
  timeout "$BUILD_TIMEOUT_S" chroot "$root" sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx' \
    >"$work/nginx-install.log" 2>&1 || { tail -20 "$work/nginx-install.log" >&2; log "installing nginx in the chroot failed"; exit 2; }
  rm -f "$root/usr/sbin/policy-rc.d"
  : >"$root/etc/resolv.conf"
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
  rm -rf "$root/var/lib/apt/lists/"* "$root/var/cache/apt/archives/"*.deb
  tar --numeric-owner --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' \
    -C "$root" -cf "$work/nginx.tar" .

  derive_unprivileged "$root" "$work/nginx-unprivileged.tar"

  mkdir -p "$out.tmp"
  mv "$work/ubuntu.tar" "$work/nginx.tar" "$work/nginx-unprivileged.tar" "$out.tmp/"
  rm -rf "$out"; mv "$out.tmp" "$out"
  log "built in $((SECONDS - started)) s: $out"
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

if [ -n "${E2E_REBUILD:-}" ] || [ ! -f "$out/nginx.tar" ] || [ ! -f "$out/ubuntu.tar" ] || [ ! -f "$out/nginx-unprivileged.tar" ]; then
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

# Older recipes' tarballs and images are never used again; keep the disk bounded.
for dir in "$CACHE_DIR/images/"*; do
  [ "$dir" = "$out" ] || [ ! -d "$dir" ] || { rm -rf "$dir"; log "pruned $dir"; }
done
podman images --format '{{.Repository}}:{{.Tag}}' | grep '^localhost/cdk8s-e2e-standin/' | grep -v ":$key\$" \
  | xargs -r podman rmi >/dev/null 2>&1 || true

echo "$key"
