// Package helm wraps the Helm Go SDK verbs kpanda uses — fetch a repository index, download a
// chart, install, upgrade, roll back, uninstall, read history — with no decisions of its own:
// which verb to run, for whom and when is decided by internal/controller/helm* and the runner.
package helm
