package member_test

import (
	"strings"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	helmv1alpha1 "github.com/kpanda/kpanda/api/helm/v1alpha1"
	"github.com/kpanda/kpanda/internal/controller/member"
)

// TestRequesterCanOnlyNameThemselves: a user allowed to manage releases in a namespace cannot
// make kpanda act as somebody else.
func TestRequesterCanOnlyNameThemselves(t *testing.T) {
	ns := newNamespace(t, "requester")
	const mallory = "kpanda:mallory"
	role := &rbacv1.Role{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "releases"},
		Rules:      []rbacv1.PolicyRule{{APIGroups: []string{helmv1alpha1.GroupVersion.Group}, Resources: []string{"helmreleases", "helmoperations"}, Verbs: []string{"*"}}},
	}
	binding := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "mallory-releases"},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: mallory}},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: role.Name},
	}
	for _, obj := range []client.Object{role, binding} {
		if err := remote.Create(t.Context(), obj); err != nil {
			t.Fatal(err)
		}
	}
	config := env.Members[0].RESTConfig()
	config.Impersonate = rest.ImpersonationConfig{UserName: mallory, Groups: []string{"kpanda:interns"}}
	asMallory, err := client.New(config, client.Options{Scheme: member.Scheme()})
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name, by, groups string
		wantDenied       bool
	}{
		{"as somebody else", tester, "", true},
		{"in a group she is not in", mallory, "kpanda:admins", true},
		{"as herself", mallory, "kpanda:interns", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rel := newRelease(ns, strings.ReplaceAll(tc.name, " ", "-"), "none", "web", "0.1.0", "")
			rel.Annotations[helmv1alpha1.RequestedByAnnotation] = tc.by
			if tc.groups != "" {
				rel.Annotations[helmv1alpha1.RequestedGroupsAnnotation] = tc.groups
			}
			err := asMallory.Create(t.Context(), rel)
			if tc.wantDenied {
				if err == nil || !strings.Contains(err.Error(), "the requester must be you (kpanda:mallory)") {
					t.Fatalf("create as %s/%s: %v, want a denial naming the rule", tc.by, tc.groups, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
		})
	}

	// Changing the spec of a release somebody else requested, keeping their name, is refused too.
	theirs := newRelease(ns, "theirs", "none", "web", "0.1.0", "")
	if err := remote.Create(t.Context(), theirs); err != nil {
		t.Fatal(err)
	}
	err = retry.RetryOnConflict(retry.DefaultBackoff, func() error {
		var current helmv1alpha1.HelmRelease
		if err := asMallory.Get(t.Context(), client.ObjectKeyFromObject(theirs), &current); err != nil {
			return err
		}
		current.Spec.Values = "image: evil\n"
		return asMallory.Update(t.Context(), &current)
	})
	if err == nil || !strings.Contains(err.Error(), "the requester must be you") {
		t.Fatalf("spec change under another requester's name: %v", err)
	}

	// Nor can she write an operation for somebody else to run.
	op := &helmv1alpha1.HelmOperation{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "forged"},
		Spec:       helmv1alpha1.HelmOperationSpec{Type: helmv1alpha1.OperationUninstall, Release: "theirs", User: tester, Executor: "local", Timeout: metav1.Duration{Duration: time.Minute}},
	}
	if err := asMallory.Create(t.Context(), op); err == nil || !strings.Contains(err.Error(), "the requester must be you") {
		t.Fatalf("operation for another user: %v", err)
	}
}
