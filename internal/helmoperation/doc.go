// Package helmoperation runs one HelmOperation: it resolves the chart from the cluster's
// HelmRepo index, performs the Helm action with the requesting user's identity (impersonation)
// and reports the result in the operation's status. The same Runner runs inside the Job of the
// job executor (`kpanda helm-operation run`) and inside the controller-manager for the local
// executor, so the two cannot drift apart (DESIGN §4).
package helmoperation
