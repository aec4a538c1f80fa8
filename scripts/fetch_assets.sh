#!/usr/bin/env bash
# Refresh static/vendor/ (the JS/CSS the folium map loads) from the npm registry, pinned.
#
#   bash scripts/fetch_assets.sh          # rewrite static/vendor/ and print each file's sha256
#
# Dev-time only: the files are committed, so the app itself never fetches anything.
# Each tarball is checked against the npm integrity pinned below before anything is copied;
# the printed sha256 list must match static/vendor/README.md.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/static/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# package@version  npm dist.integrity of the tarball
pins=(
    "leaflet@1.9.3 sha512-iB2cR9vAkDOu5l3HAay2obcUHZ7xwUBBjph8+PGtmW/2lYhbLizWtG7nTeYht36WfOslixQF9D/uSIzhZgGMfQ=="
    "leaflet.markercluster@1.1.0 sha512-eI+XkCiLiHwCC3uZ4/n4+Vq3rXcqEHN2lhHRVG1WVziy/3Q0TTipWkzEa1zO0dKZI2AnI5ppFDWrOjnQ7MJLKQ=="
    "jquery@3.7.1 sha512-m4avr8yL8kmFN8psrbFFFmB/If14iN5o9nw/NgnnM+kybDJpRsAynV2BsfpTYrTRysYUdADVD7CkUUizgkpLfg=="
)

for pin in "${pins[@]}"; do
    spec="${pin%% *}"
    want="${pin##* }"
    name="${spec%@*}"
    version="${spec##*@}"
    (cd "$work" && npm pack --silent "$spec" >/dev/null)
    tarball="$work/$name-$version.tgz"
    got="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
    if [[ "$got" != "$want" ]]; then
        echo "integrity mismatch for $spec: got $got, want $want" >&2
        exit 1
    fi
    mkdir -p "$work/$name"
    tar -xzf "$tarball" -C "$work/$name"
done

rm -rf "$dest/leaflet" "$dest/leaflet.markercluster" "$dest/jquery"
mkdir -p "$dest/leaflet/images" "$dest/leaflet.markercluster" "$dest/jquery"

src="$work/leaflet/package"
cp "$src/dist/leaflet.js" "$src/dist/leaflet.css" "$src/LICENSE" "$dest/leaflet/"
cp "$src/dist/images/"*.png "$dest/leaflet/images/"

src="$work/leaflet.markercluster/package"
cp "$src/dist/leaflet.markercluster.js" "$src/dist/MarkerCluster.css" \
    "$src/dist/MarkerCluster.Default.css" "$src/MIT-LICENCE.txt" "$dest/leaflet.markercluster/"

src="$work/jquery/package"
cp "$src/dist/jquery.min.js" "$src/LICENSE.txt" "$dest/jquery/"

(cd "$dest" && find leaflet leaflet.markercluster jquery -type f | LC_ALL=C sort | xargs sha256sum)
