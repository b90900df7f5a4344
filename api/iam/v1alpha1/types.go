package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// SubjectKind says whether a Subject is a user or a group.
// +kubebuilder:validation:Enum=User;Group
type SubjectKind string

const (
	// SubjectUser is a kpanda user; in member clusters it is the user kpanda:<name>.
	SubjectUser SubjectKind = "User"
	// SubjectGroup is a kpanda group; in member clusters it is the group kpanda:<name>.
	SubjectGroup SubjectKind = "Group"
)

// Subject is who a role is given to.
type Subject struct {
	Kind SubjectKind `json:"kind"`
	// +kubebuilder:validation:MinLength=1
	Name string `json:"name"`
}

// Role names. Platform roles span every cluster; cluster roles one cluster; namespace roles one
// namespace of one cluster.
const (
	RoleAdmin          = "admin"
	RoleKpandaOwner    = "kpanda-owner"
	RolePlatformViewer = "platform-viewer"
	RoleClusterAdmin   = "cluster-admin"
	RoleClusterViewer  = "cluster-viewer"
	RoleNSAdmin        = "ns-admin"
	RoleNSEditor       = "ns-editor"
	RoleNSViewer       = "ns-viewer"
)

// Workspace member roles; each maps to a namespace role in the workspace's resource groups.
const (
	RoleWorkspaceAdmin  = "workspace-admin"
	RoleWorkspaceEditor = "workspace-editor"
	RoleWorkspaceViewer = "workspace-viewer"
)

// Scope of a role: which RoleGrant fields it needs.
type Scope string

const (
	ScopePlatform  Scope = "Platform"
	ScopeCluster   Scope = "Cluster"
	ScopeNamespace Scope = "Namespace"
)

// RoleScopes maps each role of a RoleGrant to its scope.
var RoleScopes = map[string]Scope{
	RoleAdmin: ScopePlatform, RoleKpandaOwner: ScopePlatform, RolePlatformViewer: ScopePlatform,
	RoleClusterAdmin: ScopeCluster, RoleClusterViewer: ScopeCluster,
	RoleNSAdmin: ScopeNamespace, RoleNSEditor: ScopeNamespace, RoleNSViewer: ScopeNamespace,
}

// WorkspaceNamespaceRoles maps a workspace role to the namespace role it gives in the
// workspace's resource groups.
var WorkspaceNamespaceRoles = map[string]string{
	RoleWorkspaceAdmin: RoleNSAdmin, RoleWorkspaceEditor: RoleNSEditor, RoleWorkspaceViewer: RoleNSViewer,
}

// GroupSpec lists a group's members (user names).
type GroupSpec struct {
	// +optional
	// +listType=set
	Members []string `json:"members,omitempty"`
}

// Group is a set of users that can be granted roles together.
// +kubebuilder:object:root=true
// +kubebuilder:resource:scope=Cluster
// +kubebuilder:printcolumn:name="MEMBERS",type=string,JSONPath=`.spec.members`
type Group struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              GroupSpec `json:"spec,omitempty"`
}

// GroupList is a list of Groups.
// +kubebuilder:object:root=true
type GroupList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Group `json:"items"`
}

// RoleGrantSpec gives Role to Subject: platform roles everywhere, cluster roles in Cluster,
// namespace roles in Namespace of Cluster.
// +kubebuilder:validation:XValidation:rule="self.role in ['admin','kpanda-owner','platform-viewer'] ? (!has(self.cluster) && !has(self.namespace)) : true",message="platform roles take neither cluster nor namespace"
// +kubebuilder:validation:XValidation:rule="self.role in ['cluster-admin','cluster-viewer'] ? (has(self.cluster) && !has(self.namespace)) : true",message="cluster roles take a cluster and no namespace"
// +kubebuilder:validation:XValidation:rule="self.role in ['ns-admin','ns-editor','ns-viewer'] ? (has(self.cluster) && has(self.namespace)) : true",message="namespace roles take a cluster and a namespace"
type RoleGrantSpec struct {
	// +kubebuilder:validation:Enum=admin;kpanda-owner;platform-viewer;cluster-admin;cluster-viewer;ns-admin;ns-editor;ns-viewer
	Role    string  `json:"role"`
	Subject Subject `json:"subject"`
	// +optional
	Cluster string `json:"cluster,omitempty"`
	// +optional
	Namespace string `json:"namespace,omitempty"`
}

// RoleGrant is one role given to one user or group. Grants are immutable: revoking deletes one.
// +kubebuilder:object:root=true
// +kubebuilder:resource:scope=Cluster
// +kubebuilder:printcolumn:name="ROLE",type=string,JSONPath=`.spec.role`
// +kubebuilder:printcolumn:name="KIND",type=string,JSONPath=`.spec.subject.kind`
// +kubebuilder:printcolumn:name="SUBJECT",type=string,JSONPath=`.spec.subject.name`
// +kubebuilder:printcolumn:name="CLUSTER",type=string,JSONPath=`.spec.cluster`
// +kubebuilder:printcolumn:name="NAMESPACE",type=string,JSONPath=`.spec.namespace`
type RoleGrant struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="a grant is immutable: revoke it and grant anew"
	Spec RoleGrantSpec `json:"spec"`
}

// RoleGrantList is a list of RoleGrants.
// +kubebuilder:object:root=true
type RoleGrantList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []RoleGrant `json:"items"`
}

// WorkspaceMember is a user or group with a workspace role.
type WorkspaceMember struct {
	Subject `json:",inline"`
	// +kubebuilder:validation:Enum=workspace-admin;workspace-editor;workspace-viewer
	Role string `json:"role"`
}

// NamespaceRef names a namespace of a cluster.
type NamespaceRef struct {
	Cluster   string `json:"cluster"`
	Namespace string `json:"namespace"`
}

// WorkspaceSpec: members, the namespaces bound to the workspace (resource groups: members get
// the namespace role of their workspace role there) and the clusters shared with it (members
// see those clusters).
type WorkspaceSpec struct {
	// +optional
	Members []WorkspaceMember `json:"members,omitempty"`
	// +optional
	ResourceGroups []NamespaceRef `json:"resourceGroups,omitempty"`
	// +optional
	// +listType=set
	SharedClusters []string `json:"sharedClusters,omitempty"`
}

// Workspace groups people and the resources they work on.
// +kubebuilder:object:root=true
// +kubebuilder:resource:scope=Cluster
type Workspace struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              WorkspaceSpec `json:"spec,omitempty"`
}

// WorkspaceList is a list of Workspaces.
// +kubebuilder:object:root=true
type WorkspaceList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Workspace `json:"items"`
}

// UserSource says how a user proves who they are.
// +kubebuilder:validation:Enum=Local;OIDC
type UserSource string

const (
	// UserSourceLocal is a user with a password; its bcrypt hash is in Secret
	// kpanda-system/kpanda-user-<name>, owned by the User.
	UserSourceLocal UserSource = "Local"
	// UserSourceOIDC is a user of the OIDC identity provider, created at their first login.
	UserSourceOIDC UserSource = "OIDC"
)

// UserSpec is what an admin decides about a user.
type UserSpec struct {
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="a user's source is immutable"
	Source UserSource `json:"source"`
	// Disabled users cannot log in, and their tokens stop working at their next request.
	// +optional
	Disabled bool `json:"disabled,omitempty"`
	// +optional
	DisplayName string `json:"displayName,omitempty"`
	// +optional
	Email string `json:"email,omitempty"`
}

// UserStatus is what kpanda observed about a user.
type UserStatus struct {
	// LastLoginTime is when the user last logged in.
	// +optional
	LastLoginTime *metav1.Time `json:"lastLoginTime,omitempty"`
	// Groups are the groups the identity provider named at the last login of an OIDC user; they
	// exist only in its tokens, and are kept here so that explain can answer for the user.
	// +optional
	Groups []string `json:"groups,omitempty"`
}

// User is a person who can log in to kpanda. Its name is the user name, except for user names
// that are not valid object names (such as e-mail addresses from OIDC): those are kept in the
// annotation iam.kpanda.io/username of an object named after their hash.
// +kubebuilder:object:root=true
// +kubebuilder:resource:scope=Cluster
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="SOURCE",type=string,JSONPath=`.spec.source`
// +kubebuilder:printcolumn:name="DISABLED",type=boolean,JSONPath=`.spec.disabled`
// +kubebuilder:printcolumn:name="AGE",type=date,JSONPath=`.metadata.creationTimestamp`
type User struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              UserSpec   `json:"spec"`
	Status            UserStatus `json:"status,omitempty"`
}

// UserList is a list of Users.
// +kubebuilder:object:root=true
type UserList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []User `json:"items"`
}
