// Package settingtest changes cluster settings the way an operator does — editing the
// <cluster>-setting ConfigMap of the global cluster (seed FAQ 1) — for tests of what the
// settings drive.
package settingtest

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kpanda/kpanda/internal/clustersetting"
)

// Set writes value at the dotted path (as `kpanda cluster settings set` takes it) into the
// setting of cluster. The controller-manager reads it asynchronously: callers wait for the
// behaviour they need.
func Set(ctx context.Context, global client.Client, cluster, path, value string) error {
	return retry.RetryOnConflict(retry.DefaultBackoff, func() error {
		var cm corev1.ConfigMap
		if err := global.Get(ctx, client.ObjectKey{Namespace: clustersetting.Namespace, Name: clustersetting.ConfigMapName(cluster)}, &cm); err != nil {
			return err
		}
		setting, err := clustersetting.Parse([]byte(cm.Data[clustersetting.DataKey]))
		if err != nil {
			return err
		}
		if setting, err = clustersetting.Set(setting, path, value); err != nil {
			return fmt.Errorf("setting %s=%s: %w", path, value, err)
		}
		data, err := clustersetting.Marshal(setting)
		if err != nil {
			return err
		}
		cm.Data[clustersetting.DataKey] = string(data)
		return global.Update(ctx, &cm)
	})
}
