#!/usr/bin/env bash
# Builds the Kubernetes control plane `npm run test:k8s` runs — etcd,
# kube-apiserver and the KEDA operator — from their Go modules (the tools
# modules beside this script; go.sum pins every dependency) into
# ${TASKFN_CACHE:-$HOME/.cache/taskfn}/<tool>-<version>/<tool>. A build is
# redone only when its go.mod/go.sum change (.complete holds their hash), one
# at a time under a lock: each takes minutes on 2 cores with a cold cache.
# Prints the binaries' paths, one per line; `build.sh etcd kube-apiserver`
# builds (and prints) only those.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
cache="${TASKFN_CACHE:-$HOME/.cache/taskfn}"
mkdir -p "$cache"

# version <module dir> <required module>: the version go.mod requires.
version() {
  awk -v m="$2" '$1 == "require" && $2 == m { print $3 } $1 == m && $2 ~ /^v/ { print $2 }' "$here/$1/go.mod" | head -n1
}

# wait_for <pid> <seconds>: true once the process has ended, false if it still runs after that long.
wait_for() {
  local deadline=$((SECONDS + $2))
  while kill -0 "$1" 2>/dev/null; do
    [[ $SECONDS -lt $deadline ]] || return 1
    sleep 1
  done
}

# build <tool> <module dir> <package> <required module> [ldflags]
build() {
  local tool=$1 mod=$2 pkg=$3 module=$4 ldflags=${5:-}
  local v dir hash
  v=$(version "$mod" "$module")
  dir="$cache/$tool-$v"
  hash=$(cat "$here/$mod/go.mod" "$here/$mod/go.sum" | sha256sum | cut -c1-16)
  mkdir -p "$dir"
  (
    flock 9
    if [[ -x "$dir/$tool" && "$(cat "$dir/.complete" 2>/dev/null)" == "$hash" ]]; then exit 0; fi
    rm -f "$dir/.complete"
    echo "[$tool] building $pkg $v into $dir (minutes on a cold Go cache; log: $dir/build.log)" >&2
    local started=$SECONDS
    # -v lists each package as it is compiled: the progress printed below counts them.
    (cd "$here/$mod" && CGO_ENABLED=0 GOFLAGS=-mod=readonly go build -v -trimpath -ldflags="-s -w $ldflags" -o "$dir/$tool.tmp" "$pkg") >"$dir/build.log" 2>&1 &
    local go=$!
    while ! wait_for "$go" 60; do
      echo "[$tool] still building: $(grep -c . "$dir/build.log") packages after $((SECONDS - started))s" >&2
    done
    wait "$go" || { tail -n 30 "$dir/build.log" >&2; exit 1; }
    mv "$dir/$tool.tmp" "$dir/$tool"
    echo "$hash" >"$dir/.complete"
    echo "[$tool] built in $((SECONDS - started))s" >&2
  ) 9>"$dir/.lock"
  echo "$dir/$tool"
}

kube=$(version kube-apiserver k8s.io/kubernetes)
tools=("$@")
[[ ${#tools[@]} -gt 0 ]] || tools=(etcd kube-apiserver keda-operator)
for tool in "${tools[@]}"; do
  case $tool in
    etcd) build etcd etcd go.etcd.io/etcd/server/v3 go.etcd.io/etcd/server/v3 ;;
    # kube-apiserver reports this version in /version (clients read it in discovery).
    kube-apiserver) build kube-apiserver kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes \
      "-X k8s.io/component-base/version.gitVersion=$kube -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$(cut -d. -f2 <<<"$kube") -X k8s.io/component-base/version.gitTreeState=clean" ;;
    keda-operator) build keda-operator keda github.com/kedacore/keda/v2/cmd/operator github.com/kedacore/keda/v2 ;;
    *) echo "unknown tool $tool (etcd, kube-apiserver, keda-operator)" >&2; exit 2 ;;
  esac
done
