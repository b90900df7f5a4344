package clustersetting

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"k8s.io/apimachinery/pkg/api/resource"
)

// JSON paths of the fields that have rules, as operators write them in --set and see them in
// errors. A test checks that each one names a real field.
const (
	pathHistoryLimit    = "addon_setting.helm_operation_history_limit"
	pathRefreshInterval = "addon_setting.helm_repo_refresh_interval"
	pathBaseImage       = "addon_setting.helm_operation_base_image"
	pathResources       = "addon_setting.helm_operation_job_template_resources"
	pathExecutor        = "addon_setting.helm_operation_executor"
	pathEtcdBaseImage   = "etcd_backup_restore_setting.base_image"
)

// FieldError is one problem with one field of a setting. Path is the field's dotted JSON path
// (list entries as plugins[0].name), so the REST API and the CLI can point at the field.
type FieldError struct {
	Path    string
	Message string
}

func (e *FieldError) Error() string { return e.Path + ": " + e.Message }

func fieldErrorf(path, format string, args ...any) *FieldError {
	return &FieldError{Path: path, Message: fmt.Sprintf(format, args...)}
}

// Validate reports every rule s breaks, joined with errors.Join, each a *FieldError. All
// problems are reported at once so that an operator fixes the document in one edit.
func (s Setting) Validate() error {
	problems := append(s.fieldErrors(), s.relationErrors()...)
	errs := make([]error, len(problems))
	for i, p := range problems {
		errs[i] = p
	}
	return errors.Join(errs...)
}

// fieldErrors are the problems of fields judged on their own. Set uses them to check the one
// field it assigned.
func (s Setting) fieldErrors() []*FieldError {
	var errs []*FieldError
	errs = append(errs, pluginErrors("plugins", s.Plugins)...)
	errs = append(errs, pluginErrors("network", s.Network)...)

	a := s.AddonSetting
	if a.HelmOperationHistoryLimit < minHelmOperationHistory {
		errs = append(errs, fieldErrorf(pathHistoryLimit, "must be at least %d, got %d",
			minHelmOperationHistory, a.HelmOperationHistoryLimit))
	}
	if a.HelmRepoRefreshInterval < minRefreshIntervalSecs {
		// A shorter period would have every cluster hammer its Helm repositories.
		errs = append(errs, fieldErrorf(pathRefreshInterval, "must be at least %d seconds, got %d",
			minRefreshIntervalSecs, a.HelmRepoRefreshInterval))
	}
	errs = appendIfProblem(errs, imageError(pathBaseImage, a.HelmOperationBaseImage, defaultBaseImage))
	errs = append(errs, quantityErrors(pathResources+".limits", a.HelmOperationJobTemplateResources.Limits)...)
	errs = append(errs, quantityErrors(pathResources+".requests", a.HelmOperationJobTemplateResources.Requests)...)
	if a.HelmOperationExecutor != ExecutorJob && a.HelmOperationExecutor != ExecutorLocal {
		errs = append(errs, fieldErrorf(pathExecutor, "must be one of %s, %s, got %q",
			ExecutorJob, ExecutorLocal, a.HelmOperationExecutor))
	}
	errs = appendIfProblem(errs, imageError(pathEtcdBaseImage, s.EtcdBackupRestoreSetting.BaseImage, defaultEtcdBaseImage))
	return errs
}

// relationErrors are the problems that involve two fields. Set leaves them to Validate, so
// that several --set assignments can be applied in any order (raise the limit, then the
// request, or the other way round).
func (s Setting) relationErrors() []*FieldError {
	r := s.AddonSetting.HelmOperationJobTemplateResources
	limits := r.Limits.quantities(pathResources + ".limits")
	requests := r.Requests.quantities(pathResources + ".requests")
	var errs []*FieldError
	for i := range limits {
		limit, lok := parseIfSet(limits[i].value)
		request, rok := parseIfSet(requests[i].value)
		// Unset, unparsable or negative quantities have nothing sensible to compare; the
		// latter two are reported by fieldErrors already.
		if !lok || !rok {
			continue
		}
		if request.Cmp(limit) > 0 {
			// Kubernetes would refuse the Job; say so before it is ever created.
			errs = append(errs, fieldErrorf(requests[i].path, "must not exceed limits.%s (%s), got %s",
				limits[i].name, limits[i].value, requests[i].value))
		}
	}
	return errs
}

// parseIfSet parses a quantity that is set and valid.
func parseIfSet(value string) (resource.Quantity, bool) {
	if value == "" {
		return resource.Quantity{}, false
	}
	q, err := resource.ParseQuantity(value)
	return q, err == nil && q.Sign() >= 0
}

// pluginErrors checks one plugin list. Names are numeric identifiers where 0 means
// "unspecified", which is also what an entry without a name decodes to.
func pluginErrors(path string, plugins []Plugin) []*FieldError {
	var errs []*FieldError
	firstIndex := map[int]int{}
	for i, p := range plugins {
		namePath := fmt.Sprintf("%s[%d].name", path, i)
		if p.Name < 1 {
			errs = append(errs, fieldErrorf(namePath, "must be at least 1, got %d", p.Name))
			continue
		}
		if j, seen := firstIndex[p.Name]; seen {
			// Two entries for one plugin would leave it unclear which flags apply.
			errs = append(errs, fieldErrorf(namePath, "must be unique in %s, got %d, also at %s[%d]", path, p.Name, path, j))
			continue
		}
		firstIndex[p.Name] = i
	}
	return errs
}

// quantityErrors checks that each set quantity of l is a non-negative Kubernetes quantity.
func quantityErrors(path string, l ResourceList) []*FieldError {
	examples := map[string]string{"cpu": defaultCPU, "memory": defaultMemory}
	var errs []*FieldError
	for _, q := range l.quantities(path) {
		if q.value == "" {
			continue // not set: no limit or request for that resource
		}
		parsed, err := resource.ParseQuantity(q.value)
		switch {
		case err != nil:
			errs = append(errs, fieldErrorf(q.path, "%q is not a Kubernetes quantity (for example %s)",
				q.value, examples[string(q.name)]))
		case parsed.Sign() < 0:
			errs = append(errs, fieldErrorf(q.path, "must not be negative, got %s", q.value))
		}
	}
	return errs
}

// imageReference is a simplified form of the reference grammar of
// github.com/distribution/reference (not a dependency of kpanda): an optional registry host
// with port, lower-case path components, then an optional tag and an optional digest. It
// catches what people actually get wrong: spaces, a stray scheme, upper case in the path,
// an empty tag.
var imageReference = regexp.MustCompile(`^` +
	`(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?/)?` +
	`[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*` +
	`(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?` +
	`(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?` +
	`$`)

// imageError checks one image reference; example is shown to say what a good one looks like.
func imageError(path, image, example string) *FieldError {
	switch {
	case image == "":
		return fieldErrorf(path, "must not be empty (for example %s)", example)
	case strings.ContainsFunc(image, unicode.IsSpace):
		return fieldErrorf(path, "%q is not an image reference: it contains white space", image)
	case !imageReference.MatchString(image):
		return fieldErrorf(path, "%q is not an image reference (for example %s)", image, example)
	}
	return nil
}

func appendIfProblem(errs []*FieldError, e *FieldError) []*FieldError {
	if e == nil {
		return errs
	}
	return append(errs, e)
}
