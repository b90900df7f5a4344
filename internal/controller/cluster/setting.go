package cluster

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	clusterv1alpha1 "github.com/kpanda/kpanda/api/cluster/v1alpha1"
	"github.com/kpanda/kpanda/internal/clustersetting"
)

// reconcileSetting makes sure the cluster has its setting ConfigMap (with the defaults when it
// has none) and puts a valid setting in force; an invalid one leaves the last valid setting in
// force and says why in condition SettingValid.
func (r *Reconciler) reconcileSetting(ctx context.Context, cluster *clusterv1alpha1.Cluster) error {
	var cm corev1.ConfigMap
	key := client.ObjectKey{Namespace: clustersetting.Namespace, Name: clustersetting.ConfigMapName(cluster.Name)}
	err := r.Client.Get(ctx, key, &cm)
	if apierrors.IsNotFound(err) {
		return r.createDefaultSetting(ctx, cluster)
	}
	if err != nil {
		return fmt.Errorf("reading %s: %w", key, err)
	}
	setting, err := clustersetting.Parse([]byte(cm.Data[clustersetting.DataKey]))
	if err != nil {
		setCondition(cluster, clusterv1alpha1.ConditionSettingValid, metav1.ConditionFalse, "Invalid", fmt.Sprintf(
			"ConfigMap %s key %s: %v; the last valid settings stay in force until it is fixed", key, clustersetting.DataKey, err))
		return nil
	}
	r.Settings.Remember(cluster.Name, setting)
	setCondition(cluster, clusterv1alpha1.ConditionSettingValid, metav1.ConditionTrue, "Valid", "settings of ConfigMap "+key.String()+" are in force")
	return nil
}

func (r *Reconciler) createDefaultSetting(ctx context.Context, cluster *clusterv1alpha1.Cluster) error {
	setting := clustersetting.Default()
	if r.DefaultExecutor != "" {
		setting.AddonSetting.HelmOperationExecutor = r.DefaultExecutor
	}
	cm, err := NewSettingConfigMap(cluster, setting)
	if err != nil {
		return err
	}
	if err := r.Client.Create(ctx, cm); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating ConfigMap %s/%s: %w", cm.Namespace, cm.Name, err)
	}
	r.Settings.Remember(cluster.Name, setting)
	setCondition(cluster, clusterv1alpha1.ConditionSettingValid, metav1.ConditionTrue, "Defaulted", "ConfigMap "+cm.Namespace+"/"+cm.Name+" created with the default settings")
	return nil
}

// NewSettingConfigMap is the setting ConfigMap of cluster holding setting (seed FAQ 1): label
// kpanda.io/cluster-plugins, owned by the Cluster so it goes when the cluster is detached.
func NewSettingConfigMap(cluster *clusterv1alpha1.Cluster, setting clustersetting.Setting) (*corev1.ConfigMap, error) {
	data, err := clustersetting.Marshal(setting)
	if err != nil {
		return nil, err
	}
	cm := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{
			Namespace: clustersetting.Namespace,
			Name:      clustersetting.ConfigMapName(cluster.Name),
			Labels:    map[string]string{clustersetting.Label: ""},
		},
		Data: map[string]string{clustersetting.DataKey: string(data)},
	}
	cm.OwnerReferences = []metav1.OwnerReference{*OwnerReference(cluster)}
	return cm, nil
}

// OwnerReference makes an object in the global cluster belong to cluster (controller: true),
// so the garbage collector removes it when the cluster is detached.
func OwnerReference(cluster *clusterv1alpha1.Cluster) *metav1.OwnerReference {
	return metav1.NewControllerRef(cluster, clusterv1alpha1.GroupVersion.WithKind("Cluster"))
}
