// Package workload holds what kpanda knows about workloads, free of HTTP and of clients: the
// status words users see, the form model a workload is created from with its rules and
// defaults, and the scheduling policies of a pod template.
package workload

import (
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
)

// Status words, as the console shows them.
const (
	StatusWaiting   = "Waiting"
	StatusRunning   = "Running"
	StatusDeleting  = "Deleting"
	StatusAbnormal  = "Abnormal"
	StatusNotReady  = "Not Ready"
	StatusExecuting = "Executing"
	StatusCompleted = "Completed"
	StatusStarted   = "Started"
	StatusStopped   = "Stopped"
)

// newReplicaSetAvailable is the Progressing reason of a Deployment whose rollout finished
// (the deployment controller's constant, which k8s.io/api does not export).
const newReplicaSetAvailable = "NewReplicaSetAvailable"

// desired is spec.replicas with the apiserver's default of 1.
func desired(replicas *int32) int32 {
	if replicas == nil {
		return 1
	}
	return *replicas
}

// DeploymentStatus is the status word of d:
//   - Deleting: it is being deleted;
//   - Abnormal: a ReplicaSet could not create pods, or the rollout passed its deadline;
//   - Waiting: the controller has not seen the last change yet, or a rollout is in progress
//     (new pods not all created or not yet available), as `kubectl rollout status` waits;
//   - Not Ready: the rollout finished but fewer replicas are available than wanted (pods
//     failing later);
//   - Running: every wanted replica is available.
func DeploymentStatus(d *appsv1.Deployment) string {
	if d.DeletionTimestamp != nil {
		return StatusDeleting
	}
	want := desired(d.Spec.Replicas)
	var progressing *appsv1.DeploymentCondition
	for i, c := range d.Status.Conditions {
		switch {
		case c.Type == appsv1.DeploymentReplicaFailure && c.Status == corev1.ConditionTrue:
			return StatusAbnormal
		case c.Type == appsv1.DeploymentProgressing && c.Status == corev1.ConditionFalse:
			return StatusAbnormal
		case c.Type == appsv1.DeploymentProgressing:
			progressing = &d.Status.Conditions[i]
		}
	}
	rolledOut := progressing != nil && progressing.Reason == newReplicaSetAvailable
	switch {
	case d.Status.ObservedGeneration < d.Generation, d.Status.UpdatedReplicas < want:
		return StatusWaiting
	case d.Status.AvailableReplicas < want && !rolledOut:
		return StatusWaiting
	case d.Status.AvailableReplicas < want:
		return StatusNotReady
	}
	return StatusRunning
}

// StatefulSetStatus is the status word of s. A StatefulSet reports no failure condition, so
// it is never Abnormal; pods that fail show as Not Ready.
//   - Waiting: the controller has not seen the last change, or pods are still being created or
//     replaced by a rolling update;
//   - Not Ready: all pods exist at the current revision but some are not ready;
//   - Running: every wanted replica is ready.
func StatefulSetStatus(s *appsv1.StatefulSet) string {
	if s.DeletionTimestamp != nil {
		return StatusDeleting
	}
	want := desired(s.Spec.Replicas)
	updating := s.Status.UpdateRevision != "" && s.Status.CurrentRevision != s.Status.UpdateRevision
	switch {
	case s.Status.ObservedGeneration < s.Generation:
		return StatusWaiting
	case s.Status.ReadyReplicas >= want && !updating:
		return StatusRunning
	case updating, s.Status.Replicas < want:
		return StatusWaiting
	}
	return StatusNotReady
}

// DaemonSetStatus is the status word of d:
//   - Abnormal: pods run on nodes they should not (numberMisscheduled);
//   - Waiting: the controller has not seen the last change or is still updating nodes;
//   - Not Ready: some scheduled pods are not available;
//   - Running: a ready pod on every node that should run one.
func DaemonSetStatus(d *appsv1.DaemonSet) string {
	if d.DeletionTimestamp != nil {
		return StatusDeleting
	}
	st := d.Status
	switch {
	case st.NumberMisscheduled > 0:
		return StatusAbnormal
	case st.ObservedGeneration < d.Generation, st.UpdatedNumberScheduled < st.DesiredNumberScheduled,
		st.CurrentNumberScheduled < st.DesiredNumberScheduled:
		return StatusWaiting
	case st.NumberAvailable < st.DesiredNumberScheduled:
		return StatusNotReady
	}
	return StatusRunning
}

// JobStatus is the status word of j: Completed or Abnormal (failed) by its final condition,
// Executing while it has pods running, Waiting before it has any (or while suspended).
func JobStatus(j *batchv1.Job) string {
	if j.DeletionTimestamp != nil {
		return StatusDeleting
	}
	for _, c := range j.Status.Conditions {
		if c.Status != corev1.ConditionTrue {
			continue
		}
		switch c.Type {
		case batchv1.JobComplete:
			return StatusCompleted
		case batchv1.JobFailed:
			return StatusAbnormal
		}
	}
	if j.Status.Active > 0 && (j.Spec.Suspend == nil || !*j.Spec.Suspend) {
		return StatusExecuting
	}
	return StatusWaiting
}

// CronJobStatus is the status word of c: Stopped while suspended, Started once it has been
// scheduled (or has Jobs running), Waiting before its first schedule.
func CronJobStatus(c *batchv1.CronJob) string {
	switch {
	case c.DeletionTimestamp != nil:
		return StatusDeleting
	case c.Spec.Suspend != nil && *c.Spec.Suspend:
		return StatusStopped
	case c.Status.LastScheduleTime != nil || len(c.Status.Active) > 0:
		return StatusStarted
	}
	return StatusWaiting
}

// PodStatus is the word kubectl shows for p: the reason a container waits or ended with
// (CrashLoopBackOff, ImagePullBackOff, Error ...) when there is one, Terminating while
// deleted, else the phase.
func PodStatus(p *corev1.Pod) string {
	if p.DeletionTimestamp != nil {
		return "Terminating"
	}
	for _, c := range p.Status.ContainerStatuses {
		switch {
		case c.State.Waiting != nil && c.State.Waiting.Reason != "":
			return c.State.Waiting.Reason
		case c.State.Terminated != nil && c.State.Terminated.Reason != "" && p.Status.Phase != corev1.PodSucceeded:
			return c.State.Terminated.Reason
		}
	}
	if p.Status.Reason != "" {
		return p.Status.Reason
	}
	return string(p.Status.Phase)
}
