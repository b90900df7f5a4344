package helmoperation

import (
	"context"
	"sync"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	helmv1alpha1 "github.com/kpanda/kpanda/api/helm/v1alpha1"
	"github.com/kpanda/kpanda/internal/helm"
	runner "github.com/kpanda/kpanda/internal/helmoperation"
)

// LocalExecutor runs operations in goroutines of this process, and knows which it runs: an
// operation marked Running that it does not know was started by a process that is gone.
type LocalExecutor struct {
	// Context ends every run (the controller-manager's lifetime).
	Context context.Context
	Log     logr.Logger

	mu      sync.Mutex
	running map[types.UID]context.CancelFunc
}

// Running says whether op runs in this process.
func (e *LocalExecutor) Running(op *helmv1alpha1.HelmOperation) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	_, ok := e.running[op.UID]
	return ok
}

// Start runs op with the runner; its report lands in op's status. discovery is the member's
// shared discovery cache.
func (e *LocalExecutor) Start(op *helmv1alpha1.HelmOperation, c client.Client, config *rest.Config, discovery *helm.Discovery) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.running == nil {
		e.running = map[types.UID]context.CancelFunc{}
	}
	if _, ok := e.running[op.UID]; ok {
		return
	}
	ctx, cancel := context.WithCancel(e.Context)
	e.running[op.UID] = cancel
	namespace, name, uid := op.Namespace, op.Name, op.UID
	go func() {
		defer e.finished(uid)
		r := &runner.Runner{Client: c, Config: config, Discovery: discovery}
		if err := r.Run(ctx, namespace, name); err != nil {
			e.Log.Error(err, "Helm operation could not report", "namespace", namespace, "name", name)
		}
	}()
}

// Abort cancels op's run; the runner then reports it failed.
func (e *LocalExecutor) Abort(op *helmv1alpha1.HelmOperation) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if cancel, ok := e.running[op.UID]; ok {
		cancel()
	}
}

func (e *LocalExecutor) finished(uid types.UID) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if cancel, ok := e.running[uid]; ok {
		cancel()
		delete(e.running, uid)
	}
}
