#!/usr/bin/env bash
# Builds sluice's container image without pulling anything from a registry:
# a root filesystem holding the built binaries and exactly the shared
# libraries that ldd says they load, packed as an OCI image layout in a tar
# (`podman load -i`, `skopeo copy oci-archive:`, `docker load -i` all take it).
#   deploy/image/build.sh BUILD_DIR [OUT_DIR]
# OUT_DIR (default BUILD_DIR/image) gets rootfs/ (also what a runtime-less
# test chroots into) and sluice-image.tar.  The BPF programs are libbpf
# skeletons inside sluiced: no object file, no bpftool in the image.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:?usage: deploy/image/build.sh BUILD_DIR [OUT_DIR]}
out=${2:-$build/image}
bins=(sluiced sluicectl sluice-vrouter)
version=$(git describe --always --dirty 2>/dev/null || echo unknown)

for b in "${bins[@]}"; do
	[ -x "$build/$b" ] || { echo "image: $build/$b: not built (make all)" >&2; exit 1; }
done
rm -rf "$out/rootfs" "$out/oci"
root=$out/rootfs
mkdir -p "$root"/{usr/sbin,usr/bin,etc/sluice,run/sluice,var/lib/sluice,sys/fs/bpf,proc,dev,tmp}
install -m 0755 "$build/sluiced" "$build/sluice-vrouter" "$root/usr/sbin/"
install -m 0755 "$build/sluicectl" "$root/usr/bin/"
# the image's own default: the Kubernetes ConfigMap's without its TCP
# listener, which needs the token the DaemonSet passes (--api-token)
install -m 0644 deploy/image/sluiced.json "$root/etc/sluice/sluiced.json"

# exactly what the dynamic loader maps for these binaries, at the same paths
for b in "${bins[@]}"; do
	ldd "$build/$b" | awk '/=> \//{print $3} /^\t\/[^ ]+ \(/{print $1}'
done | sort -u | while read -r lib; do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done
# Debian's loader is /lib64/ld-linux-x86-64.so.2 -> /lib/x86_64-linux-gnu/...:
# the symlink above was copied as a file, which is fine.  /lib and /lib64 are
# links into /usr on Debian 12; keep the same layout.
for d in lib lib64; do
	if [ -d "$root/$d" ] && [ ! -L "$root/$d" ]; then
		mkdir -p "$root/usr/$d"
		cp -a "$root/$d/." "$root/usr/$d/"
		rm -rf "${root:?}/$d"
		ln -s "usr/$d" "$root/$d"
	fi
done
# a user table for the few lookups libc makes, and nothing else of a distro
printf 'root:x:0:0:root:/:/usr/sbin/nologin\n' >"$root/etc/passwd"
printf 'root:x:0:\n' >"$root/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files\n' >"$root/etc/nsswitch.conf"
printf '127.0.0.1 localhost\n::1 localhost\n' >"$root/etc/hosts"

# ---- the OCI image layout -----------------------------------------------------
oci=$out/oci
mkdir -p "$oci/blobs/sha256"
# reproducible: sorted names, no times, root owner
layer=$out/layer.tar
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
	-C "$root" -cf "$layer" .
ldig=$(sha256sum "$layer" | cut -d' ' -f1)
lsize=$(stat -c %s "$layer")
mv "$layer" "$oci/blobs/sha256/$ldig"

blob() { # blob FILE: moves it into blobs/, prints "DIGEST SIZE"
	local d s
	d=$(sha256sum "$1" | cut -d' ' -f1)
	s=$(stat -c %s "$1")
	mv "$1" "$oci/blobs/sha256/$d"
	echo "$d $s"
}

cat >"$out/config.json" <<JSON
{"architecture":"amd64","os":"linux",
 "config":{"Entrypoint":["/usr/sbin/sluiced"],
  "Cmd":["--config","/etc/sluice/sluiced.json"],
  "Env":["PATH=/usr/sbin:/usr/bin"],
  "Labels":{"org.opencontainers.image.title":"sluice",
   "org.opencontainers.image.version":"$version"}},
 "rootfs":{"type":"layers","diff_ids":["sha256:$ldig"]},
 "history":[{"created_by":"deploy/image/build.sh"}]}
JSON
read -r cdig csize < <(blob "$out/config.json")
cat >"$out/manifest.json" <<JSON
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
 "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:$cdig","size":$csize},
 "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:$ldig","size":$lsize}]}
JSON
read -r mdig msize < <(blob "$out/manifest.json")
echo '{"imageLayoutVersion":"1.0.0"}' >"$oci/oci-layout"
cat >"$oci/index.json" <<JSON
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json",
 "manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:$mdig","size":$msize,
  "annotations":{"org.opencontainers.image.ref.name":"latest","io.containerd.image.name":"localhost/sluice:latest"}}]}
JSON
# docker load reads manifest.json (docker-archive), the others index.json
cat >"$oci/manifest.json" <<JSON
[{"Config":"blobs/sha256/$cdig","RepoTags":["localhost/sluice:latest"],"Layers":["blobs/sha256/$ldig"]}]
JSON
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
	-C "$oci" -cf "$out/sluice-image.tar" .
echo "image: $out/sluice-image.tar (localhost/sluice:latest, $(du -sh "$root" | cut -f1) rootfs, layer sha256:${ldig:0:12})"
