package workload

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var deleted = &metav1.Time{}

func progressing(status corev1.ConditionStatus, reason string) appsv1.DeploymentCondition {
	return appsv1.DeploymentCondition{Type: appsv1.DeploymentProgressing, Status: status, Reason: reason}
}

func TestDeploymentStatus(t *testing.T) {
	three := ptr(int32(3))
	tests := []struct {
		name string
		d    appsv1.Deployment
		want string
	}{
		{"deleting", appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{DeletionTimestamp: deleted}}, StatusDeleting},
		{"not yet observed", appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Generation: 2}, Spec: appsv1.DeploymentSpec{Replicas: three},
			Status: appsv1.DeploymentStatus{ObservedGeneration: 1, UpdatedReplicas: 3, AvailableReplicas: 3}}, StatusWaiting},
		{"pods pending in a rollout", appsv1.Deployment{Spec: appsv1.DeploymentSpec{Replicas: three},
			Status: appsv1.DeploymentStatus{UpdatedReplicas: 3, Conditions: []appsv1.DeploymentCondition{progressing(corev1.ConditionTrue, "ReplicaSetUpdated")}}}, StatusWaiting},
		{"new pods not all created", appsv1.Deployment{Spec: appsv1.DeploymentSpec{Replicas: three},
			Status: appsv1.DeploymentStatus{UpdatedReplicas: 1, AvailableReplicas: 3}}, StatusWaiting},
		{"running", appsv1.Deployment{Spec: appsv1.DeploymentSpec{Replicas: three},
			Status: appsv1.DeploymentStatus{UpdatedReplicas: 3, AvailableReplicas: 3, Conditions: []appsv1.DeploymentCondition{progressing(corev1.ConditionTrue, newReplicaSetAvailable)}}}, StatusRunning},
		{"replicas default to one", appsv1.Deployment{Status: appsv1.DeploymentStatus{UpdatedReplicas: 1, AvailableReplicas: 1}}, StatusRunning},
		{"scaled to zero", appsv1.Deployment{Spec: appsv1.DeploymentSpec{Replicas: ptr(int32(0))}}, StatusRunning},
		{"pods lost after the rollout", appsv1.Deployment{Spec: appsv1.DeploymentSpec{Replicas: three},
			Status: appsv1.DeploymentStatus{UpdatedReplicas: 3, AvailableReplicas: 2, Conditions: []appsv1.DeploymentCondition{progressing(corev1.ConditionTrue, newReplicaSetAvailable)}}}, StatusNotReady},
		{"deadline exceeded", appsv1.Deployment{Spec: appsv1.DeploymentSpec{Replicas: three},
			Status: appsv1.DeploymentStatus{UpdatedReplicas: 3, Conditions: []appsv1.DeploymentCondition{progressing(corev1.ConditionFalse, "ProgressDeadlineExceeded")}}}, StatusAbnormal},
		{"replica failure", appsv1.Deployment{Spec: appsv1.DeploymentSpec{Replicas: three},
			Status: appsv1.DeploymentStatus{Conditions: []appsv1.DeploymentCondition{{Type: appsv1.DeploymentReplicaFailure, Status: corev1.ConditionTrue}}}}, StatusAbnormal},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := DeploymentStatus(&tc.d); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestStatefulSetStatus(t *testing.T) {
	two := ptr(int32(2))
	tests := []struct {
		name string
		s    appsv1.StatefulSet
		want string
	}{
		{"deleting", appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{DeletionTimestamp: deleted}}, StatusDeleting},
		{"not yet observed", appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Generation: 3}, Status: appsv1.StatefulSetStatus{ObservedGeneration: 2, ReadyReplicas: 1}}, StatusWaiting},
		{"creating pods", appsv1.StatefulSet{Spec: appsv1.StatefulSetSpec{Replicas: two}, Status: appsv1.StatefulSetStatus{Replicas: 1, ReadyReplicas: 1}}, StatusWaiting},
		{"rolling update", appsv1.StatefulSet{Spec: appsv1.StatefulSetSpec{Replicas: two},
			Status: appsv1.StatefulSetStatus{Replicas: 2, ReadyReplicas: 2, CurrentRevision: "a", UpdateRevision: "b"}}, StatusWaiting},
		{"running", appsv1.StatefulSet{Spec: appsv1.StatefulSetSpec{Replicas: two},
			Status: appsv1.StatefulSetStatus{Replicas: 2, ReadyReplicas: 2, CurrentRevision: "b", UpdateRevision: "b"}}, StatusRunning},
		{"a pod not ready", appsv1.StatefulSet{Spec: appsv1.StatefulSetSpec{Replicas: two},
			Status: appsv1.StatefulSetStatus{Replicas: 2, ReadyReplicas: 1, CurrentRevision: "b", UpdateRevision: "b"}}, StatusNotReady},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := StatefulSetStatus(&tc.s); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestDaemonSetStatus(t *testing.T) {
	tests := []struct {
		name   string
		meta   metav1.ObjectMeta
		status appsv1.DaemonSetStatus
		want   string
	}{
		{"deleting", metav1.ObjectMeta{DeletionTimestamp: deleted}, appsv1.DaemonSetStatus{}, StatusDeleting},
		{"misscheduled", metav1.ObjectMeta{}, appsv1.DaemonSetStatus{NumberMisscheduled: 1}, StatusAbnormal},
		{"not yet observed", metav1.ObjectMeta{Generation: 2}, appsv1.DaemonSetStatus{ObservedGeneration: 1}, StatusWaiting},
		{"updating nodes", metav1.ObjectMeta{}, appsv1.DaemonSetStatus{DesiredNumberScheduled: 3, CurrentNumberScheduled: 3, UpdatedNumberScheduled: 1}, StatusWaiting},
		{"a pod unavailable", metav1.ObjectMeta{}, appsv1.DaemonSetStatus{DesiredNumberScheduled: 3, CurrentNumberScheduled: 3, UpdatedNumberScheduled: 3, NumberAvailable: 2}, StatusNotReady},
		{"running", metav1.ObjectMeta{}, appsv1.DaemonSetStatus{DesiredNumberScheduled: 3, CurrentNumberScheduled: 3, UpdatedNumberScheduled: 3, NumberAvailable: 3}, StatusRunning},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := DaemonSetStatus(&appsv1.DaemonSet{ObjectMeta: tc.meta, Status: tc.status}); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestJobStatus(t *testing.T) {
	condition := func(typ batchv1.JobConditionType, status corev1.ConditionStatus) []batchv1.JobCondition {
		return []batchv1.JobCondition{{Type: typ, Status: status}}
	}
	tests := []struct {
		name string
		j    batchv1.Job
		want string
	}{
		{"deleting", batchv1.Job{ObjectMeta: metav1.ObjectMeta{DeletionTimestamp: deleted}}, StatusDeleting},
		{"no pods yet", batchv1.Job{}, StatusWaiting},
		{"suspended", batchv1.Job{Spec: batchv1.JobSpec{Suspend: ptr(true)}, Status: batchv1.JobStatus{Active: 1}}, StatusWaiting},
		{"executing", batchv1.Job{Status: batchv1.JobStatus{Active: 2}}, StatusExecuting},
		{"completed", batchv1.Job{Status: batchv1.JobStatus{Conditions: condition(batchv1.JobComplete, corev1.ConditionTrue)}}, StatusCompleted},
		{"failed", batchv1.Job{Status: batchv1.JobStatus{Conditions: condition(batchv1.JobFailed, corev1.ConditionTrue)}}, StatusAbnormal},
		{"a false condition counts for nothing", batchv1.Job{Status: batchv1.JobStatus{Active: 1, Conditions: condition(batchv1.JobFailed, corev1.ConditionFalse)}}, StatusExecuting},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := JobStatus(&tc.j); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCronJobStatus(t *testing.T) {
	tests := []struct {
		name string
		c    batchv1.CronJob
		want string
	}{
		{"deleting", batchv1.CronJob{ObjectMeta: metav1.ObjectMeta{DeletionTimestamp: deleted}, Spec: batchv1.CronJobSpec{Suspend: ptr(true)}}, StatusDeleting},
		{"suspended", batchv1.CronJob{Spec: batchv1.CronJobSpec{Suspend: ptr(true)}, Status: batchv1.CronJobStatus{LastScheduleTime: &metav1.Time{}}}, StatusStopped},
		{"never scheduled", batchv1.CronJob{Spec: batchv1.CronJobSpec{Suspend: ptr(false)}}, StatusWaiting},
		{"scheduled once", batchv1.CronJob{Status: batchv1.CronJobStatus{LastScheduleTime: &metav1.Time{}}}, StatusStarted},
		{"a job running", batchv1.CronJob{Status: batchv1.CronJobStatus{Active: []corev1.ObjectReference{{Name: "j"}}}}, StatusStarted},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := CronJobStatus(&tc.c); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestPodStatus(t *testing.T) {
	waiting := corev1.ContainerStatus{State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}}}
	done := corev1.ContainerStatus{State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "Completed"}}}
	tests := []struct {
		name string
		p    corev1.Pod
		want string
	}{
		{"terminating", corev1.Pod{ObjectMeta: metav1.ObjectMeta{DeletionTimestamp: deleted}}, "Terminating"},
		{"waiting container", corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodRunning, ContainerStatuses: []corev1.ContainerStatus{waiting}}}, "CrashLoopBackOff"},
		{"succeeded", corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodSucceeded, ContainerStatuses: []corev1.ContainerStatus{done}}}, "Succeeded"},
		{"evicted", corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodFailed, Reason: "Evicted"}}, "Evicted"},
		{"pending", corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodPending}}, "Pending"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := PodStatus(&tc.p); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
