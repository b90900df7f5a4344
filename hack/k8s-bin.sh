#!/usr/bin/env bash
# Builds the binaries of a local cluster into bin/k8s (DESIGN §5) from the modules pinned in
# hack/tools: kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, etcd, kwok, and
# kwok's stage configuration. A binary whose pins and flags have not changed is left alone, so a
# second run does nothing. The first build takes about 13 minutes on two cores.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/bin/k8s"
tools="$root/hack/tools"
k8s_version=v1.37.2
mkdir -p "$out"

k8s_ldflags="-X k8s.io/component-base/version.gitVersion=$k8s_version \
-X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=37 \
-X k8s.io/component-base/version.gitTreeState=clean \
-X k8s.io/client-go/pkg/version.gitVersion=$k8s_version \
-X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=37"

# name|tools module|package|ldflags
targets=(
  "kube-apiserver|kubernetes|k8s.io/kubernetes/cmd/kube-apiserver|$k8s_ldflags"
  "kube-controller-manager|kubernetes|k8s.io/kubernetes/cmd/kube-controller-manager|$k8s_ldflags"
  "kube-scheduler|kubernetes|k8s.io/kubernetes/cmd/kube-scheduler|$k8s_ldflags"
  "kubectl|kubernetes|k8s.io/kubernetes/cmd/kubectl|$k8s_ldflags"
  "etcd|etcd|go.etcd.io/etcd/server/v3|"
  "kwok|kwok|sigs.k8s.io/kwok/cmd/kwok|"
)

# fingerprint identifies what a binary is built from: its module's pins, its flags, this script.
fingerprint() {
  cat "$tools/$1/go.mod" "$tools/$1/go.sum" "$0" <(echo "$2 $3" ; go version) | sha256sum | cut -d' ' -f1
}

total=${#targets[@]}
i=0
for target in "${targets[@]}"; do
  IFS='|' read -r name module pkg ldflags <<<"$target"
  i=$((i + 1))
  want=$(fingerprint "$module" "$pkg" "$ldflags")
  if [[ -x "$out/$name" && "$(cat "$out/.$name.fingerprint" 2>/dev/null)" == "$want" ]]; then
    echo "[$i/$total] $name is current"
    continue
  fi
  echo "[$i/$total] building $name from $pkg (cold builds take minutes; later ones seconds) ..."
  start=$(date +%s)
  (cd "$tools/$module" && go build -trimpath -ldflags "$ldflags" -o "$out/$name" "$pkg")
  echo "$want" >"$out/.$name.fingerprint"
  echo "[$i/$total] built $name in $(($(date +%s) - start)) s"
done

stages="$out/kwok-stages.yaml"
(cd "$tools/kwok" && go run ./stages) >"$stages.tmp" && mv "$stages.tmp" "$stages"
echo "kwok stages written to ${stages#"$root"/}"
"$out/kube-apiserver" --version
