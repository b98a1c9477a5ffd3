#!/usr/bin/env bash
# Builds the Switchyard container image offline, from scratch: nothing is pulled from a
# registry. The server is built as one static musl binary with the SPA beside it; the image
# holds only those, a passwd/group naming the non-root user, and an empty /data for the
# embedded SQLite default. deploy/Containerfile makes the same layout where a registry is
# reachable.
#
#   bash deploy/build-image.sh                       # localhost/switchyard:<version>
#   bash deploy/build-image.sh --tag localhost/switchyard:dev --no-spa-build
#   bash deploy/build-image.sh --oci-archive target/image/switchyard.tar
#
# Layout (the server's defaults are pointed there by the image's environment):
#   /app/switchyard   the binary; the entrypoint, `serve` the default command
#   /app/dist         the SPA (SWITCHYARD_STATIC_DIR)
#   /data             the embedded SQLite and its credentials key (SWITCHYARD_DATA_DIR);
#                     mount a volume there, or use PostgreSQL and set the credentials key,
#                     and the root filesystem can be read-only
# Everything is owned by root:0 and readable by group 0; the image runs as 1001:0, and under
# OpenShift's arbitrary user id (always in group 0) it reads the same files.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=tests/tools.sh
source "$root/tests/tools.sh"

usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)"
tag="localhost/switchyard:$version"
spa_build=true
archive=""
while [ $# -gt 0 ]; do
  case "$1" in
    --tag) tag="$2"; shift 2 ;;
    --no-spa-build) spa_build=false; shift ;;
    --oci-archive) archive="$2"; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

ensure_image_tools
if [ "$spa_build" = true ]; then
  ensure_build_tools
  build_spa
fi
[ -f frontend/dist/index.html ] || {
  echo "frontend/dist is not built (run without --no-spa-build)" >&2
  exit 1
}
binary="$(build_static_server)"

stage="$root/target/image-rootfs"
log "staging the image's files in ${stage#"$root"/}"
stage_image_root "$stage" "$binary"

revision="$(git rev-parse HEAD 2>/dev/null || true)"
created_epoch="$(git log -1 --format=%ct 2>/dev/null || date +%s)"
created="$(date -u -d "@$created_epoch" +%Y-%m-%dT%H:%M:%SZ)"
source_url="${SWITCHYARD_IMAGE_SOURCE:-$(git remote get-url origin 2>/dev/null || true)}"
annotations=(
  "org.opencontainers.image.title=switchyard"
  "org.opencontainers.image.description=Switchyard: one endpoint, one key, every model"
  "org.opencontainers.image.version=$version"
  "org.opencontainers.image.licenses=Apache-2.0"
  "org.opencontainers.image.created=$created"
)
[ -n "$revision" ] && annotations+=("org.opencontainers.image.revision=$revision")
if [ -n "$source_url" ]; then
  annotations+=("org.opencontainers.image.source=$source_url")
else
  log "no git remote named origin: set SWITCHYARD_IMAGE_SOURCE to label the image's source"
fi
meta=()
for pair in "${annotations[@]}"; do meta+=(--annotation "$pair" --label "$pair"); done

log "building $tag with buildah (from scratch)"
container="$(buildah from scratch)"
trap 'buildah rm "$container" >/dev/null 2>&1 || true' EXIT
buildah copy --quiet --chown 0:0 "$container" "$stage" / >/dev/null
buildah config \
  --os linux --arch amd64 \
  --user 1001:0 \
  --workingdir /app \
  --env SWITCHYARD_STATIC_DIR=/app/dist \
  --env SWITCHYARD_DATA_DIR=/data \
  --port 4000/tcp --port 9090/tcp \
  --volume /data \
  --entrypoint '["/app/switchyard"]' \
  --cmd serve \
  --created-by "deploy/build-image.sh" \
  "${meta[@]}" \
  "$container"
previous="$(buildah images --noheading --quiet "$tag" 2>/dev/null || true)"
buildah commit --quiet --timestamp "$created_epoch" "$container" "$tag" >/dev/null
current="$(buildah images --noheading --quiet "$tag")"
if [ -n "$previous" ] && [ "$previous" != "$current" ]; then
  buildah rmi "$previous" >/dev/null 2>&1 || true
fi

if [ -n "$archive" ]; then
  mkdir -p "$(dirname "$archive")"
  rm -f "$archive"
  buildah push --quiet "$tag" "oci-archive:$archive:$tag" >/dev/null
  log "wrote $archive ($(du -h "$archive" | cut -f1))"
fi

size="$(buildah images --noheading --format '{{.Size}}' "$tag")"
log "built $tag ($current): $size; the binary $(du -h "$stage/app/switchyard" | cut -f1), the SPA $(du -sh "$stage/app/dist" | cut -f1)"
echo "$tag $size"
