package helmoperation

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	helmv1alpha1 "github.com/kpanda/kpanda/api/helm/v1alpha1"
	"github.com/kpanda/kpanda/internal/clustersetting"
	"github.com/kpanda/kpanda/internal/controller/helmrelease"
	runner "github.com/kpanda/kpanda/internal/helmoperation"
)

// Labels on an operation's Job and its pods, naming the operation.
const (
	OperationNamespaceLabel = "helm.kpanda.io/operation-namespace"
	OperationNameLabel      = "helm.kpanda.io/operation-name"
)

// RunnerClusterRole holds what every runner needs besides impersonation: reading repos, their
// credentials and indexes, and reporting on operations.
const RunnerClusterRole = "kpanda-helm-operation-runner"

// jobDeadlineGrace is added to the operation's timeout for the Job's activeDeadlineSeconds: time
// for the pod to start, download the chart and report.
const jobDeadlineGrace = 2 * time.Minute

// reconcileJob creates the operation's Job, then watches it and its pod for an end without a
// report.
func (r *Reconciler) reconcileJob(ctx context.Context, op *helmv1alpha1.HelmOperation) (reconcile.Result, error) {
	var job batchv1.Job
	err := r.Client.Get(ctx, client.ObjectKey{Namespace: runner.Namespace, Name: JobName(op)}, &job)
	if apierrors.IsNotFound(err) {
		if op.Annotations[helmrelease.AbortAnnotation] != "" {
			return reconcile.Result{}, r.fail(ctx, op, "Aborted", "Stopped because its release is being deleted")
		}
		if op.Status.JobName != "" {
			return reconcile.Result{}, r.fail(ctx, op, "JobDeleted", fmt.Sprintf("Job %s/%s was deleted before the operation reported", runner.Namespace, op.Status.JobName))
		}
		return reconcile.Result{}, r.createJob(ctx, op)
	}
	if err != nil {
		return reconcile.Result{}, err
	}
	if op.Annotations[helmrelease.AbortAnnotation] != "" {
		if err := r.deleteJob(ctx, &job); err != nil {
			return reconcile.Result{}, err
		}
		return reconcile.Result{}, r.fail(ctx, op, "Aborted", "Stopped because its release is being deleted")
	}
	if reason, message := r.podTrouble(ctx, op); reason != "" {
		if err := r.deleteJob(ctx, &job); err != nil {
			return reconcile.Result{}, err
		}
		return reconcile.Result{}, r.fail(ctx, op, reason, message)
	}
	if reason, message := jobEndedWithoutReport(&job); reason != "" {
		return reconcile.Result{}, r.fail(ctx, op, reason, message)
	}
	return reconcile.Result{}, nil
}

// JobName is the name of op's Job in the member's kpanda-system: unique per operation and
// within the 63 characters a Job's pods' labels allow.
func JobName(op *helmv1alpha1.HelmOperation) string {
	sum := sha256.Sum256([]byte(op.Namespace + "/" + op.Name))
	name := "helm-op-" + op.Name
	if len(name) > 48 {
		name = name[:48]
	}
	return strings.TrimRight(name, "-") + "-" + hex.EncodeToString(sum[:])[:8]
}

func (r *Reconciler) createJob(ctx context.Context, op *helmv1alpha1.HelmOperation) error {
	setting := r.Settings.Effective(r.Cluster)
	resources, err := setting.JobResources()
	if err != nil {
		return r.fail(ctx, op, "InvalidSetting", err.Error())
	}
	serviceAccount, err := r.ensureServiceAccount(ctx, op)
	if err != nil {
		return err
	}
	job := newJob(op, setting.AddonSetting.HelmOperationBaseImage, resources, serviceAccount)
	if err := r.Client.Create(ctx, job); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating Job %s/%s for helm operation %s/%s: %w", job.Namespace, job.Name, op.Namespace, op.Name, err)
	}
	base := op.DeepCopy()
	op.Status.JobName = job.Name
	if op.Status.Phase == "" {
		op.Status.Phase = helmv1alpha1.OperationPending
	}
	return r.Client.Status().Patch(ctx, op, client.MergeFrom(base))
}

func newJob(op *helmv1alpha1.HelmOperation, image string, resources corev1.ResourceRequirements, serviceAccount string) *batchv1.Job {
	labels := map[string]string{OperationNamespaceLabel: op.Namespace, OperationNameLabel: op.Name}
	return &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Namespace: runner.Namespace, Name: JobName(op), Labels: labels},
		Spec: batchv1.JobSpec{
			// One attempt: a second could repeat half an operation; the runner's report, or its
			// absence, says what happened.
			BackoffLimit:            ptr.To[int32](0),
			ActiveDeadlineSeconds:   ptr.To(int64((op.Spec.Timeout.Duration + jobDeadlineGrace).Seconds())),
			TTLSecondsAfterFinished: ptr.To[int32](3600),
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					ServiceAccountName: serviceAccount,
					RestartPolicy:      corev1.RestartPolicyNever,
					Containers: []corev1.Container{{
						Name:      "helm-operation",
						Image:     image,
						Command:   []string{"kpanda", "helm-operation", "run", "--namespace", op.Namespace, "--name", op.Name},
						Resources: resources,
					}},
				},
			},
		},
	}
}

// ensureServiceAccount gives op's Job an identity that may impersonate exactly op's user and
// groups, and do the runner's own reads and reports; one per distinct user and groups.
func (r *Reconciler) ensureServiceAccount(ctx context.Context, op *helmv1alpha1.HelmOperation) (string, error) {
	sum := sha256.Sum256([]byte(op.Spec.User + "\x00" + strings.Join(op.Spec.Groups, "\x00")))
	name := "kpanda-helm-op-" + hex.EncodeToString(sum[:])[:12]
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: runner.Namespace, Name: name}}
	if err := r.Client.Create(ctx, sa); err != nil && !apierrors.IsAlreadyExists(err) {
		return "", fmt.Errorf("creating ServiceAccount %s/%s: %w", runner.Namespace, name, err)
	}
	impersonate := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if _, err := controllerutil.CreateOrUpdate(ctx, r.Client, impersonate, func() error {
		impersonate.Rules = impersonationRules(op.Spec.User, op.Spec.Groups)
		return nil
	}); err != nil {
		return "", fmt.Errorf("granting ServiceAccount %s/%s its impersonation: %w", runner.Namespace, name, err)
	}
	subject := []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: runner.Namespace, Name: name}}
	// Binding name → ClusterRole: its own impersonation, and the runner's common rights.
	bindings := map[string]string{name: name, name + "-runner": RunnerClusterRole}
	for bindingName, role := range bindings {
		binding := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: bindingName}}
		if _, err := controllerutil.CreateOrUpdate(ctx, r.Client, binding, func() error {
			binding.Subjects = subject
			binding.RoleRef = rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role}
			return nil
		}); err != nil {
			return "", fmt.Errorf("binding ServiceAccount %s/%s to ClusterRole %s: %w", runner.Namespace, name, role, err)
		}
	}
	return name, nil
}

func impersonationRules(user string, groups []string) []rbacv1.PolicyRule {
	rules := []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"users"}, Verbs: []string{"impersonate"}, ResourceNames: []string{user}}}
	if len(groups) > 0 {
		rules = append(rules, rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"groups"}, Verbs: []string{"impersonate"}, ResourceNames: groups})
	}
	return rules
}

// RunnerRules are the rules of RunnerClusterRole.
func RunnerRules() []rbacv1.PolicyRule {
	return []rbacv1.PolicyRule{
		{APIGroups: []string{helmv1alpha1.GroupVersion.Group}, Resources: []string{"helmrepos"}, Verbs: []string{"get"}},
		{APIGroups: []string{helmv1alpha1.GroupVersion.Group}, Resources: []string{"helmoperations"}, Verbs: []string{"get"}},
		{APIGroups: []string{helmv1alpha1.GroupVersion.Group}, Resources: []string{"helmoperations/status"}, Verbs: []string{"get", "update", "patch"}},
		// Repo credentials and indexes; kpanda-system is the only namespace these objects are
		// read from, but a ClusterRole keeps the runner's rights in one object.
		{APIGroups: []string{""}, Resources: []string{"secrets", "configmaps"}, Verbs: []string{"get"}},
	}
}

func (r *Reconciler) deleteJob(ctx context.Context, job *batchv1.Job) error {
	err := r.Client.Delete(ctx, job, client.PropagationPolicy(metav1.DeletePropagationBackground))
	if client.IgnoreNotFound(err) != nil {
		return fmt.Errorf("deleting Job %s/%s: %w", job.Namespace, job.Name, err)
	}
	return nil
}

// podTrouble finds what keeps op's pod from ever reporting: killed for memory, or an image it
// cannot pull. The messages say which setting to change and its current value (DESIGN §4).
func (r *Reconciler) podTrouble(ctx context.Context, op *helmv1alpha1.HelmOperation) (reason, message string) {
	var pods corev1.PodList
	if err := r.Client.List(ctx, &pods, client.InNamespace(runner.Namespace), client.MatchingLabels{OperationNamespaceLabel: op.Namespace, OperationNameLabel: op.Name}); err != nil {
		return "", ""
	}
	setting := r.Settings.Effective(r.Cluster)
	for _, pod := range pods.Items {
		for _, status := range pod.Status.ContainerStatuses {
			if t := status.State.Terminated; t != nil && t.Reason == "OOMKilled" {
				return "OOMKilled", oomMessage(r.Cluster, setting)
			}
			if t := status.LastTerminationState.Terminated; t != nil && t.Reason == "OOMKilled" {
				return "OOMKilled", oomMessage(r.Cluster, setting)
			}
			if w := status.State.Waiting; w != nil && (w.Reason == "ErrImagePull" || w.Reason == "ImagePullBackOff" || w.Reason == "InvalidImageName") {
				return w.Reason, fmt.Sprintf("The operation pod cannot pull its image (%s: %s): set addon_setting.helm_operation_base_image in %s to an image this cluster can pull (now %s)",
					w.Reason, w.Message, clustersetting.ConfigMapName(r.Cluster), setting.AddonSetting.HelmOperationBaseImage)
			}
		}
	}
	return "", ""
}

func oomMessage(cluster string, setting clustersetting.Setting) string {
	limits := setting.AddonSetting.HelmOperationJobTemplateResources.Limits
	return fmt.Sprintf("The operation pod was OOMKilled: raise addon_setting.helm_operation_job_template_resources in %s (now cpu %s, memory %s)",
		clustersetting.ConfigMapName(cluster), limits.CPU, limits.Memory)
}

// jobEndedWithoutReport: a Job that ended is a failed operation unless the runner reported;
// the caller only gets here when it did not.
func jobEndedWithoutReport(job *batchv1.Job) (reason, message string) {
	for _, c := range job.Status.Conditions {
		if c.Status != corev1.ConditionTrue {
			continue
		}
		switch c.Type {
		case batchv1.JobFailed:
			return "JobFailed", fmt.Sprintf("Job %s/%s failed without a report from the runner: %s %s", job.Namespace, job.Name, c.Reason, c.Message)
		case batchv1.JobComplete:
			return "NoReport", fmt.Sprintf("Job %s/%s completed but the runner never reported; the operation's result is unknown, so it counts as failed", job.Namespace, job.Name)
		}
	}
	return "", ""
}
