#!/usr/bin/env bash
# Installs the Go-built tools the k8s and workflow tests run (kustomize,
# actionlint) into ${TASKFN_CACHE:-$HOME/.cache/taskfn}/bin, once per version.
# Versions are pinned so a render or a lint result never changes under us
# (kustomize v5.8.3+ needs Go 1.27, newer than the Go these machines have);
# bump them here on purpose.
set -euo pipefail

KUSTOMIZE_VERSION=v5.8.2
ACTIONLINT_VERSION=v1.7.12

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

echo "$bin"
