// Package clusters is the only way kpanda reaches member clusters (DESIGN §1): every client,
// informer and health check of a member cluster is built here, from the kubeconfig stored in
// Secret kpanda-system/<cluster>-secret of the global cluster, and everything else asks this
// package (the pattern of Cluster API's ClusterCache).
//
// Verify is the check kpanda runs before it integrates a cluster, and behind the "Verify
// Config" button and `kpanda cluster verify --kubeconfig FILE`.
package clusters
