package authz

import iamv1alpha1 "github.com/kpanda/kpanda/api/iam/v1alpha1"

// HoldsAnyPlatformRole reports whether user holds one of roles as a platform role, directly
// or through a group. The REST API asks it before letting a user manage access.
func (s *Snapshot) HoldsAnyPlatformRole(user string, roles ...string) bool {
	for _, sub := range s.subjectsOf(user) {
		for _, g := range s.grantsOf[sub] {
			if g.scope != iamv1alpha1.ScopePlatform {
				continue
			}
			for _, role := range roles {
				if g.role == role {
					return true
				}
			}
		}
	}
	return false
}

// TemplateForRole is the role template (ClusterRole in members) a grant of role binds.
func TemplateForRole(role string) string {
	switch role {
	case iamv1alpha1.RoleAdmin, iamv1alpha1.RoleKpandaOwner, iamv1alpha1.RoleClusterAdmin:
		return ClusterRoleClusterAdmin
	case iamv1alpha1.RolePlatformViewer, iamv1alpha1.RoleClusterViewer:
		return ClusterRoleClusterView
	case iamv1alpha1.RoleNSAdmin:
		return ClusterRoleNSAdmin
	case iamv1alpha1.RoleNSEditor:
		return ClusterRoleNSEdit
	default:
		return ClusterRoleNSView
	}
}

// Integrated reports whether the snapshot knows cluster as integrated.
func (s *Snapshot) Integrated(cluster string) bool { return s.clusters[cluster] }
