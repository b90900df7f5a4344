package localcluster

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// BinDirEnv overrides where the Kubernetes binaries are looked for.
const BinDirEnv = "KPANDA_K8S_BIN"

// kwokStagesFile is the kwok configuration `make k8s-bin` generates from the stage definitions
// shipped in the kwok module (node initialize and heartbeat; pod ready, complete, delete).
const kwokStagesFile = "kwok-stages.yaml"

// requiredFiles are what a cluster needs from the bin dir.
var requiredFiles = []string{etcd, kubeAPIServer, kubeControllerManager, kubeScheduler, kwok, kwokStagesFile}

// DefaultBinDir finds bin/k8s: $KPANDA_K8S_BIN if set; else the nearest bin/k8s holding
// kube-apiserver in the working directory or one of its parents (tests run in package
// directories); else k8s/ beside the running executable (bin/kpanda next to bin/k8s).
func DefaultBinDir() (string, error) {
	if dir := os.Getenv(BinDirEnv); dir != "" {
		return dir, nil
	}
	if wd, err := os.Getwd(); err == nil {
		for dir := wd; ; dir = filepath.Dir(dir) {
			candidate := filepath.Join(dir, "bin", "k8s")
			if fileExists(filepath.Join(candidate, kubeAPIServer)) {
				return candidate, nil
			}
			if filepath.Dir(dir) == dir {
				break
			}
		}
	}
	if exe, err := os.Executable(); err == nil {
		candidate := filepath.Join(filepath.Dir(exe), "k8s")
		if fileExists(filepath.Join(candidate, kubeAPIServer)) {
			return candidate, nil
		}
	}
	return "", errors.New("kubernetes binaries not found: run `make k8s-bin` in the kpanda checkout, or set " + BinDirEnv + " to the folder holding kube-apiserver")
}

func checkBinaries(dir string) error {
	var missing []string
	for _, name := range requiredFiles {
		if !fileExists(filepath.Join(dir, name)) {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s lacks %v: run `make k8s-bin` to build them", dir, missing)
	}
	return nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
