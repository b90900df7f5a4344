package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	iamv1alpha1 "github.com/kpanda/kpanda/api/iam/v1alpha1"
	"github.com/kpanda/kpanda/internal/apiclient"
)

// The IAM verbs (users, groups, role grants, workspaces, auth explain) are as thin as the
// cluster verbs. Before sending they check only what needs no server: the shape of the
// command (one of --user and --group, the --cluster and --namespace a role's scope needs) and
// role names, which are constants of api/iam/v1alpha1. Everything else is the server's to say.

// oneArg is the Args check of a verb that takes one argument, described by what.
func oneArg(what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != 1 {
			return fmt.Errorf("%s takes one argument, %s; got %d", cmd.CommandPath(), what, len(args))
		}
		return nil
	}
}

// namedFlag is a flag's name and value, for requireValues.
type namedFlag struct{ name, value string }

// requireValues refuses the flags among flags that are empty, naming all of them; why says
// what they are for. (MarkFlagRequired would accept --cluster "".)
func requireValues(why string, flags ...namedFlag) error {
	var missing []string
	for _, f := range flags {
		if f.value == "" {
			missing = append(missing, "--"+f.name)
		}
	}
	switch len(missing) {
	case 0:
		return nil
	case 1:
		return fmt.Errorf("%s is required: %s", missing[0], why)
	default:
		last := len(missing) - 1
		return fmt.Errorf("%s and %s are required: %s", strings.Join(missing[:last], ", "), missing[last], why)
	}
}

// subjectFlags are --user and --group of the verbs that give a role to one of them.
type subjectFlags struct{ user, group string }

func addSubjectFlags(cmd *cobra.Command, what string) *subjectFlags {
	s := &subjectFlags{}
	cmd.Flags().StringVar(&s.user, "user", "", "the user "+what)
	cmd.Flags().StringVar(&s.group, "group", "", "the group "+what)
	return s
}

// check refuses anything but exactly one of --user and --group.
func (s *subjectFlags) check() error {
	switch {
	case s.user == "" && s.group == "":
		return errors.New("say who: --user USER or --group GROUP")
	case s.user != "" && s.group != "":
		return errors.New("use either --user or --group, not both")
	}
	return nil
}

// String is the subject in words: "user alice" or "group devs".
func (s *subjectFlags) String() string {
	if s.user != "" {
		return "user " + s.user
	}
	return "group " + s.group
}

// subjectText writes a subject of the API in words, as subjectFlags.String does.
func subjectText(s iamv1alpha1.Subject, sep string) string {
	return strings.ToLower(string(s.Kind)) + sep + s.Name
}

// scopeVerbs are the subcommands of grant and revoke, one per role scope.
var scopeVerbs = map[iamv1alpha1.Scope]string{
	iamv1alpha1.ScopePlatform:  "platform-role",
	iamv1alpha1.ScopeCluster:   "cluster-role",
	iamv1alpha1.ScopeNamespace: "ns-role",
}

var scopeWords = map[iamv1alpha1.Scope]string{
	iamv1alpha1.ScopePlatform:  "platform role",
	iamv1alpha1.ScopeCluster:   "cluster role",
	iamv1alpha1.ScopeNamespace: "namespace role",
}

// rolesOf lists the roles of scope, sorted.
func rolesOf(scope iamv1alpha1.Scope) []string {
	var roles []string
	for role, s := range iamv1alpha1.RoleScopes {
		if s == scope {
			roles = append(roles, role)
		}
	}
	slices.Sort(roles)
	return roles
}

// checkRole refuses a role that is not of scope; a role of another scope is pointed to the
// verb that takes it.
func checkRole(verb, role string, scope iamv1alpha1.Scope) error {
	other, known := iamv1alpha1.RoleScopes[role]
	if known && other == scope {
		return nil
	}
	valid := strings.Join(rolesOf(scope), ", ")
	if known {
		return fmt.Errorf("%s is a %s, not a %s (use kpanda %s %s); %ss: %s",
			role, scopeWords[other], scopeWords[scope], verb, scopeVerbs[other], scopeWords[scope], valid)
	}
	return fmt.Errorf("unknown %s %q: use one of %s", scopeWords[scope], role, valid)
}

// workspaceRoles lists the workspace roles, sorted.
func workspaceRoles() []string { return slices.Sorted(maps.Keys(iamv1alpha1.WorkspaceNamespaceRoles)) }

func checkWorkspaceRole(role string) error {
	valid := strings.Join(workspaceRoles(), ", ")
	if role == "" {
		return fmt.Errorf("--role is required: one of %s", valid)
	}
	if _, ok := iamv1alpha1.WorkspaceNamespaceRoles[role]; !ok {
		return fmt.Errorf("unknown workspace role %q for --role: use one of %s", role, valid)
	}
	return nil
}

// roleText is a role and where it applies, in words.
func roleText(role, cluster, namespace string) string {
	switch {
	case namespace != "":
		return fmt.Sprintf("%s in namespace %s of cluster %s", role, namespace, cluster)
	case cluster != "":
		return fmt.Sprintf("%s in cluster %s", role, cluster)
	default:
		return role
	}
}

// listDocument is the JSON of the list verbs: the API's {"items": [...]}, with an empty list
// written as [] so that scripts can iterate over it.
type listDocument[T any] struct {
	Items []T `json:"items"`
}

func newListDocument[T any](items []T) listDocument[T] {
	if items == nil {
		items = []T{}
	}
	return listDocument[T]{Items: items}
}

// printDone prints what a write verb did: the answer with -o json, text otherwise.
func printDone(cmd *cobra.Command, out *outputFlag, answer any, format string, a ...any) error {
	if out.value == outputJSON {
		return printJSON(cmd.OutOrStdout(), answer)
	}
	_, err := fmt.Fprintf(cmd.OutOrStdout(), format+"\n", a...)
	return err
}

// printNone says that a list is empty, on stderr as kubectl does, so that scripts reading
// rows see none.
func printNone(cmd *cobra.Command, what string) error {
	_, err := fmt.Fprintf(cmd.ErrOrStderr(), "No %s found.\n", what)
	return err
}

func printTable(w io.Writer, header string, rows [][]string) error {
	tw := tabwriter.NewWriter(w, 0, 8, 3, ' ', 0)
	fmt.Fprintln(tw, header)
	for _, row := range rows {
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	return tw.Flush()
}

// ---- users

func userCommand() *cobra.Command {
	cmd := groupCommand(&cobra.Command{
		Use:     "user",
		Aliases: []string{"users"},
		Short:   "Create and list users",
	})
	cmd.AddCommand(userCreateCommand(), userListCommand(), userDisableCommand(true), userDisableCommand(false))
	return cmd
}

func userCreateCommand() *cobra.Command {
	var passwordStdin bool
	cmd := &cobra.Command{
		Use:     "create NAME --password-stdin",
		Short:   "Create a user, with a password read from stdin",
		Example: `  printf '%s' "$PASSWORD" | kpanda user create alice --password-stdin`,
		Args:    oneArg("the user NAME"),
	}
	out := addOutputFlag(cmd, outputText, outputJSON)
	cmd.Flags().BoolVar(&passwordStdin, "password-stdin", false, "read the new user's password from stdin")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.check(); err != nil {
			return err
		}
		name := args[0]
		// As for kpanda login: an argument would leave the password in the shell history and ps.
		if !passwordStdin {
			return fmt.Errorf("pipe the password into kpanda user create with --password-stdin, e.g. printf '%%s' \"$PASSWORD\" | kpanda user create %s --password-stdin", name)
		}
		password, err := readPassword(cmd.InOrStdin())
		if err != nil {
			return err
		}
		client, err := newClient()
		if err != nil {
			return err
		}
		user, err := client.CreateUser(cmd.Context(), name, password)
		if err != nil {
			return err
		}
		return printDone(cmd, out, user, "user %s created", name)
	}
	return cmd
}

// userDisableCommand is `kpanda user disable NAME` (disabled) or `kpanda user enable NAME`.
func userDisableCommand(disabled bool) *cobra.Command {
	verb, short := "enable", "Let a disabled user log in again"
	if disabled {
		verb, short = "disable", "Stop a user from logging in; tokens already issued stop working too"
	}
	return &cobra.Command{
		Use:   verb + " NAME",
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			client, err := newClient()
			if err != nil {
				return err
			}
			if err := client.SetUserDisabled(cmd.Context(), args[0], disabled); err != nil {
				return err
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "user %s %sd\n", args[0], verb)
			return err
		},
	}
}

// listSpec describes one list verb: what it lists, how to fetch it, and its table.
type listSpec[T any] struct {
	short, long string
	noun        string // plural, for "No NOUN found."
	header      string // tab-separated column names
	fetch       func(ctx context.Context, client *apiclient.Client) ([]T, error)
	row         func(T) []string
}

// listCommand is a `list` verb: a table by default, {"items": [...]} with -o json.
func listCommand[T any](spec listSpec[T]) *cobra.Command {
	cmd := &cobra.Command{Use: "list", Aliases: []string{"ls"}, Short: spec.short, Long: spec.long, Args: cobra.NoArgs}
	out := addOutputFlag(cmd, outputTable, outputJSON)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		client, err := out.client()
		if err != nil {
			return err
		}
		items, err := spec.fetch(cmd.Context(), client)
		if err != nil {
			return err
		}
		if out.value == outputJSON {
			return printJSON(cmd.OutOrStdout(), newListDocument(items))
		}
		if len(items) == 0 {
			return printNone(cmd, spec.noun)
		}
		rows := make([][]string, 0, len(items))
		for _, item := range items {
			rows = append(rows, spec.row(item))
		}
		return printTable(cmd.OutOrStdout(), spec.header, rows)
	}
	return cmd
}

func userListCommand() *cobra.Command {
	return listCommand(listSpec[apiclient.User]{
		short: "List the users", long: "Lists the users, local and OIDC; LAST LOGIN is empty for users who never logged in.",
		noun: "users", header: "NAME\tSOURCE\tDISABLED\tLAST LOGIN",
		fetch: func(ctx context.Context, c *apiclient.Client) ([]apiclient.User, error) {
			list, err := c.ListUsers(ctx)
			if err != nil {
				return nil, err
			}
			return list.Items, nil
		},
		row: func(u apiclient.User) []string {
			last := ""
			if u.LastLoginTime != nil {
				last = u.LastLoginTime.Local().Format(time.RFC3339)
			}
			return []string{u.Name, u.Source, strconv.FormatBool(u.Disabled), last}
		},
	})
}

// ---- groups

// iamGroupCommand is `kpanda group` (groupCommand is the helper for commands with subcommands).
func iamGroupCommand() *cobra.Command {
	cmd := groupCommand(&cobra.Command{
		Use:     "group",
		Aliases: []string{"groups"},
		Short:   "Create, list and delete groups of users",
	})
	cmd.AddCommand(groupCreateCommand(), groupListCommand(), groupDeleteCommand())
	return cmd
}

func groupCreateCommand() *cobra.Command {
	var members []string
	cmd := &cobra.Command{
		Use:     "create NAME --member USER [--member USER ...]",
		Short:   "Create a group of users",
		Example: `  kpanda group create devs --member alice --member bob`,
		Args:    oneArg("the group NAME"),
	}
	out := addOutputFlag(cmd, outputText, outputJSON)
	cmd.Flags().StringArrayVar(&members, "member", nil, "a user of the group (repeatable)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.check(); err != nil {
			return err
		}
		if err := checkMembers(members); err != nil {
			return err
		}
		client, err := newClient()
		if err != nil {
			return err
		}
		group, err := client.CreateGroup(cmd.Context(), args[0], members)
		if err != nil {
			return err
		}
		return printDone(cmd, out, group, "group %s created with members %s", args[0], strings.Join(members, ", "))
	}
	return cmd
}

// checkMembers refuses a group without members (there is no verb to add them later), an
// empty name and a name given twice.
func checkMembers(members []string) error {
	if len(members) == 0 {
		return errors.New("name the members with --member USER (repeatable)")
	}
	seen := map[string]bool{}
	for _, m := range members {
		if m == "" {
			return errors.New("--member is empty: give a user name")
		}
		if seen[m] {
			return fmt.Errorf("--member %s is given twice: give each member once", m)
		}
		seen[m] = true
	}
	return nil
}

func groupListCommand() *cobra.Command {
	return listCommand(listSpec[iamv1alpha1.Group]{
		short: "List the groups and their members", noun: "groups", header: "NAME\tMEMBERS",
		fetch: func(ctx context.Context, c *apiclient.Client) ([]iamv1alpha1.Group, error) {
			list, err := c.ListGroups(ctx)
			if err != nil {
				return nil, err
			}
			return list.Items, nil
		},
		row: func(g iamv1alpha1.Group) []string { return []string{g.Name, orDash(strings.Join(g.Spec.Members, ","))} },
	})
}

func groupDeleteCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "delete NAME",
		Short: "Delete a group",
		Args:  oneArg("the group NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			client, err := newClient()
			if err != nil {
				return err
			}
			if err := client.DeleteGroup(cmd.Context(), args[0]); err != nil {
				return err
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "group %s deleted\n", args[0])
			return err
		},
	}
}

// ---- grant and revoke

const (
	verbGrant  = "grant"
	verbRevoke = "revoke"
)

func grantCommand() *cobra.Command {
	cmd := groupCommand(&cobra.Command{
		Use:   verbGrant,
		Short: "Give a platform, cluster or namespace role to a user or group, and list the grants",
	})
	cmd.AddCommand(roleScopeCommands(verbGrant)...)
	cmd.AddCommand(grantListCommand())
	return cmd
}

func revokeCommand() *cobra.Command {
	cmd := groupCommand(&cobra.Command{
		Use:   verbRevoke,
		Short: "Take back a platform, cluster or namespace role given with kpanda grant",
	})
	cmd.AddCommand(roleScopeCommands(verbRevoke)...)
	return cmd
}

func roleScopeCommands(verb string) []*cobra.Command {
	return []*cobra.Command{
		roleScopeCommand(verb, iamv1alpha1.ScopePlatform),
		roleScopeCommand(verb, iamv1alpha1.ScopeCluster),
		roleScopeCommand(verb, iamv1alpha1.ScopeNamespace),
	}
}

// roleScopeCommand is `kpanda grant|revoke platform-role|cluster-role|ns-role`: each has only
// the flags its scope needs, so that cobra refuses the others.
func roleScopeCommand(verb string, scope iamv1alpha1.Scope) *cobra.Command {
	var cluster, namespace string
	roles := rolesOf(scope)
	use := scopeVerbs[scope] + " ROLE"
	where := map[iamv1alpha1.Scope]string{
		iamv1alpha1.ScopePlatform:  "in every cluster",
		iamv1alpha1.ScopeCluster:   "in one cluster",
		iamv1alpha1.ScopeNamespace: "in one namespace of one cluster",
	}[scope]
	switch scope {
	case iamv1alpha1.ScopeCluster:
		use += " --cluster CLUSTER"
	case iamv1alpha1.ScopeNamespace:
		use += " --cluster CLUSTER --namespace NAMESPACE"
	}
	use += " (--user USER | --group GROUP)"
	short := fmt.Sprintf("Give a %s (%s) to a user or group", scopeWords[scope], where)
	subjectHelp := "to give the role to"
	if verb == verbRevoke {
		short = fmt.Sprintf("Take back a %s from a user or group", scopeWords[scope])
		subjectHelp = "to take the role from"
	}
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Long:  fmt.Sprintf("%s. Roles: %s.", short, strings.Join(roles, ", ")),
		Args:  oneArg(fmt.Sprintf("the ROLE (one of %s)", strings.Join(roles, ", "))),
	}
	out := addOutputFlag(cmd, outputText, outputJSON)
	subject := addSubjectFlags(cmd, subjectHelp)
	if scope != iamv1alpha1.ScopePlatform {
		cmd.Flags().StringVar(&cluster, "cluster", "", "the cluster the role applies in")
	}
	if scope == iamv1alpha1.ScopeNamespace {
		cmd.Flags().StringVar(&namespace, "namespace", "", "the namespace the role applies in")
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.check(); err != nil {
			return err
		}
		role := args[0]
		if err := checkRole(verb, role, scope); err != nil {
			return err
		}
		if err := subject.check(); err != nil {
			return err
		}
		switch scope {
		case iamv1alpha1.ScopeCluster:
			if err := requireValues(role+" applies in one cluster", namedFlag{"cluster", cluster}); err != nil {
				return err
			}
		case iamv1alpha1.ScopeNamespace:
			if err := requireValues(role+" applies in one namespace of one cluster", namedFlag{"cluster", cluster}, namedFlag{"namespace", namespace}); err != nil {
				return err
			}
		}
		client, err := newClient()
		if err != nil {
			return err
		}
		in := apiclient.GrantRequest{Role: role, User: subject.user, Group: subject.group, Cluster: cluster, Namespace: namespace}
		what := roleText(role, cluster, namespace)
		if verb == verbRevoke {
			name, err := client.Revoke(cmd.Context(), in)
			if err != nil {
				return err
			}
			return printDone(cmd, out, map[string]string{"revoked": name}, "revoked %s from %s (grant %s)", what, subject, name)
		}
		grant, created, err := client.Grant(cmd.Context(), in)
		if err != nil {
			return err
		}
		if !created {
			return printDone(cmd, out, grant, "%s already has %s (grant %s)", subject, what, grant.Name)
		}
		return printDone(cmd, out, grant, "granted %s to %s (grant %s)", what, subject, grant.Name)
	}
	return cmd
}

func grantListCommand() *cobra.Command {
	return listCommand(listSpec[iamv1alpha1.RoleGrant]{
		short: "List the role grants", long: "Lists the role grants. SUBJECT is user:NAME or group:NAME.",
		noun: "grants", header: "NAME\tROLE\tSUBJECT\tCLUSTER\tNAMESPACE",
		fetch: func(ctx context.Context, c *apiclient.Client) ([]iamv1alpha1.RoleGrant, error) {
			list, err := c.ListGrants(ctx)
			if err != nil {
				return nil, err
			}
			return list.Items, nil
		},
		row: func(g iamv1alpha1.RoleGrant) []string {
			return []string{g.Name, g.Spec.Role, subjectText(g.Spec.Subject, ":"), orDash(g.Spec.Cluster), orDash(g.Spec.Namespace)}
		},
	})
}

// ---- workspaces

func workspaceCommand() *cobra.Command {
	cmd := groupCommand(&cobra.Command{
		Use:     "workspace",
		Aliases: []string{"workspaces"},
		Short:   "Create workspaces, add and remove members, bind namespaces and share clusters",
		Long: `A workspace groups people and what they work on: its members get the namespace role of their
workspace role (workspace-admin: ns-admin, workspace-editor: ns-editor, workspace-viewer:
ns-viewer) in the namespaces bound to it, and see the clusters shared with it.`,
	})
	cmd.AddCommand(
		workspaceCreateCommand(),
		workspaceAddMemberCommand(),
		workspaceBindNamespaceCommand(),
		workspaceShareClusterCommand(),
		workspaceRemoveMemberCommand(),
		workspaceUnbindNamespaceCommand(),
		workspaceUnshareClusterCommand(),
		workspaceDeleteCommand(),
		workspaceGetCommand(),
		workspaceListCommand(),
	)
	return cmd
}

const workspaceArg = "the workspace NAME"

func workspaceCreateCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "create NAME",
		Short: "Create an empty workspace",
		Args:  oneArg(workspaceArg),
	}
	out := addOutputFlag(cmd, outputText, outputJSON)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		client, err := out.client()
		if err != nil {
			return err
		}
		ws, err := client.CreateWorkspace(cmd.Context(), args[0])
		if err != nil {
			return err
		}
		return printDone(cmd, out, ws, "workspace %s created", args[0])
	}
	return cmd
}

func workspaceAddMemberCommand() *cobra.Command {
	var role string
	cmd := &cobra.Command{
		Use:   "add-member NAME (--user USER | --group GROUP) --role ROLE",
		Short: "Make a user or group a member of a workspace",
		Long: "Makes a user or group a member of a workspace with a role: " +
			strings.Join(workspaceRoles(), ", ") + ".",
		Args: oneArg(workspaceArg),
	}
	out := addOutputFlag(cmd, outputText, outputJSON)
	subject := addSubjectFlags(cmd, "to add")
	cmd.Flags().StringVar(&role, "role", "", "the workspace role: "+strings.Join(workspaceRoles(), ", "))
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.check(); err != nil {
			return err
		}
		if err := subject.check(); err != nil {
			return err
		}
		if err := checkWorkspaceRole(role); err != nil {
			return err
		}
		client, err := newClient()
		if err != nil {
			return err
		}
		in := apiclient.WorkspaceMemberRequest{User: subject.user, Group: subject.group, Role: role}
		ws, err := client.AddWorkspaceMember(cmd.Context(), args[0], in)
		if err != nil {
			return err
		}
		return printDone(cmd, out, ws, "%s is %s of workspace %s", subject, role, args[0])
	}
	return cmd
}

func workspaceBindNamespaceCommand() *cobra.Command {
	var cluster, namespace string
	cmd := &cobra.Command{
		Use:   "bind-namespace NAME --cluster CLUSTER --namespace NAMESPACE",
		Short: "Bind a namespace of a cluster to a workspace, for its members to work in",
		Args:  oneArg(workspaceArg),
	}
	out := addOutputFlag(cmd, outputText, outputJSON)
	cmd.Flags().StringVar(&cluster, "cluster", "", "the cluster of the namespace")
	cmd.Flags().StringVar(&namespace, "namespace", "", "the namespace to bind")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.check(); err != nil {
			return err
		}
		if err := requireValues("the namespace to bind and its cluster", namedFlag{"cluster", cluster}, namedFlag{"namespace", namespace}); err != nil {
			return err
		}
		client, err := newClient()
		if err != nil {
			return err
		}
		ws, err := client.BindWorkspaceNamespace(cmd.Context(), args[0], cluster, namespace)
		if err != nil {
			return err
		}
		return printDone(cmd, out, ws, "namespace %s of cluster %s bound to workspace %s", namespace, cluster, args[0])
	}
	return cmd
}

func workspaceShareClusterCommand() *cobra.Command {
	var cluster string
	cmd := &cobra.Command{
		Use:   "share-cluster NAME --cluster CLUSTER",
		Short: "Share a cluster with a workspace: its members see the cluster",
		Args:  oneArg(workspaceArg),
	}
	out := addOutputFlag(cmd, outputText, outputJSON)
	cmd.Flags().StringVar(&cluster, "cluster", "", "the cluster to share")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.check(); err != nil {
			return err
		}
		if err := requireValues("the cluster to share", namedFlag{"cluster", cluster}); err != nil {
			return err
		}
		client, err := newClient()
		if err != nil {
			return err
		}
		ws, err := client.ShareWorkspaceCluster(cmd.Context(), args[0], cluster)
		if err != nil {
			return err
		}
		return printDone(cmd, out, ws, "cluster %s shared with workspace %s", cluster, args[0])
	}
	return cmd
}

func workspaceGetCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "get NAME",
		Short: "Show a workspace: its members, namespaces and shared clusters",
		Args:  oneArg(workspaceArg),
	}
	out := addOutputFlag(cmd, outputText, outputJSON, outputYAML)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		client, err := out.client()
		if err != nil {
			return err
		}
		ws, err := client.GetWorkspace(cmd.Context(), args[0])
		if err != nil {
			return err
		}
		switch out.value {
		case outputJSON:
			return printJSON(cmd.OutOrStdout(), ws)
		case outputYAML:
			return printYAML(cmd.OutOrStdout(), ws)
		default:
			return printWorkspace(cmd.OutOrStdout(), ws)
		}
	}
	return cmd
}

// printWorkspace describes a workspace, one section per list of its spec, and its
// authorizations when the server sent them.
func printWorkspace(w io.Writer, ws *apiclient.WorkspaceView) error {
	tw := tabwriter.NewWriter(w, 0, 8, 3, ' ', 0)
	fmt.Fprintf(tw, "Name:\t%s\n", ws.Name)
	fmt.Fprintln(tw, "Members:")
	if len(ws.Spec.Members) == 0 {
		fmt.Fprintln(tw, "  <none>")
	}
	for _, m := range ws.Spec.Members {
		fmt.Fprintf(tw, "  %s\t%s\n", subjectText(m.Subject, " "), m.Role)
	}
	fmt.Fprintln(tw, "Namespaces:")
	if len(ws.Spec.ResourceGroups) == 0 {
		fmt.Fprintln(tw, "  <none>")
	}
	for _, ns := range ws.Spec.ResourceGroups {
		fmt.Fprintf(tw, "  %s in cluster %s\n", ns.Namespace, ns.Cluster)
	}
	fmt.Fprintln(tw, "Shared clusters:")
	if len(ws.Spec.SharedClusters) == 0 {
		fmt.Fprintln(tw, "  <none>")
	}
	for _, c := range ws.Spec.SharedClusters {
		fmt.Fprintf(tw, "  %s\n", c)
	}
	if ws.Authorizations != nil {
		fmt.Fprintln(tw, "Authorizations (members whose access comes through the workspace):")
		if len(ws.Authorizations) == 0 {
			fmt.Fprintln(tw, "  <none>")
		}
		for _, m := range ws.Authorizations {
			fmt.Fprintf(tw, "  %s\t%s\n", subjectText(m.Subject, " "), m.Role)
		}
	}
	return tw.Flush()
}

func workspaceListCommand() *cobra.Command {
	return listCommand(listSpec[iamv1alpha1.Workspace]{
		short: "List the workspaces", long: "Lists the workspaces; MEMBERS, NAMESPACES and CLUSTERS count what each has.",
		noun: "workspaces", header: "NAME\tMEMBERS\tNAMESPACES\tCLUSTERS",
		fetch: func(ctx context.Context, c *apiclient.Client) ([]iamv1alpha1.Workspace, error) {
			list, err := c.ListWorkspaces(ctx)
			if err != nil {
				return nil, err
			}
			return list.Items, nil
		},
		row: func(ws iamv1alpha1.Workspace) []string {
			return []string{ws.Name, strconv.Itoa(len(ws.Spec.Members)), strconv.Itoa(len(ws.Spec.ResourceGroups)), strconv.Itoa(len(ws.Spec.SharedClusters))}
		},
	})
}

// ---- auth explain

func authCommand() *cobra.Command {
	cmd := groupCommand(&cobra.Command{
		Use:   "auth",
		Short: "Inspect who can access what",
	})
	cmd.AddCommand(authExplainCommand())
	return cmd
}

func authExplainCommand() *cobra.Command {
	var user, cluster, namespace string
	cmd := &cobra.Command{
		Use:   "explain --user USER --cluster CLUSTER [--namespace NAMESPACE]",
		Short: "Say why a user sees a cluster (or a namespace of it), or that they do not",
		Long: `Says whether a user sees a cluster, and each reason: a platform role, a cluster or namespace
role given to the user or to one of their groups, or a workspace. With --namespace, about
that namespace of the cluster.`,
		Args: cobra.NoArgs,
	}
	out := addOutputFlag(cmd, outputText, outputJSON)
	cmd.Flags().StringVar(&user, "user", "", "the user")
	cmd.Flags().StringVar(&cluster, "cluster", "", "the cluster")
	cmd.Flags().StringVar(&namespace, "namespace", "", "a namespace of the cluster (optional)")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if err := out.check(); err != nil {
			return err
		}
		if err := requireValues("whose access to which cluster to explain", namedFlag{"user", user}, namedFlag{"cluster", cluster}); err != nil {
			return err
		}
		client, err := newClient()
		if err != nil {
			return err
		}
		explanation, err := client.Explain(cmd.Context(), user, cluster, namespace)
		if err != nil {
			return err
		}
		if out.value == outputJSON {
			return printRawJSON(cmd.OutOrStdout(), explanation.Raw)
		}
		return printExplanation(cmd.OutOrStdout(), user, cluster, namespace, explanation)
	}
	return cmd
}

func printExplanation(w io.Writer, user, cluster, namespace string, e *apiclient.AccessExplanation) error {
	target := "cluster " + cluster
	if namespace != "" {
		target += " (namespace " + namespace + ")"
	}
	if !e.Visible {
		_, err := fmt.Fprintf(w, "user %s cannot see %s: no platform role, cluster or namespace grant, or workspace gives access\n", user, target)
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "user %s sees %s because:\n", user, target)
	for _, s := range e.Sources {
		fmt.Fprintf(&b, "  %s\n", sourceText(s))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// sourceText is the server's description of a source, or what can be said from its fields
// when it sent none.
func sourceText(s apiclient.AccessSource) string {
	if s.Description != "" {
		return s.Description
	}
	var parts []string
	for _, p := range []struct{ label, value string }{
		{"", s.Kind}, {"role", s.Role}, {"via", s.Via}, {"workspace", s.Workspace}, {"grant", s.Grant}, {"namespace", s.Namespace},
	} {
		if p.value != "" {
			parts = append(parts, strings.TrimSpace(p.label+" "+p.value))
		}
	}
	return orDash(strings.Join(parts, ", "))
}
