package clustersetting

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Set assigns value to the field at path, for `kpanda cluster settings set NAME --set
// path=value`. path is the dotted JSON path (addon_setting.helm_operation_base_image); value
// is read according to the field's type: an integer, true or false, or a string taken as is
// (an empty string clears a resource quantity).
//
// The rules of that one field are checked at once; rules that relate two fields (requests
// must not exceed limits) are left to Validate, which the caller runs after the last
// assignment, so that assignments can come in any order. The plugin and network lists cannot
// be set this way. On error s is returned unchanged.
func Set(s Setting, path, value string) (Setting, error) {
	field, err := lookupSettable(path)
	if err != nil {
		return s, err
	}
	out := s
	if err := assign(reflect.ValueOf(&out).Elem().FieldByIndex(field.index), path, value); err != nil {
		return s, err
	}
	for _, problem := range out.fieldErrors() {
		if problem.Path == path {
			return s, problem
		}
	}
	return out, nil
}

// SettablePaths lists the paths Set accepts, in document order, for help texts and shell
// completion.
func SettablePaths() []string {
	paths := make([]string, len(shape.leaves))
	for i, leaf := range shape.leaves {
		paths[i] = leaf.path
	}
	return paths
}

// settableField is a scalar field of Setting.
type settableField struct {
	path  string
	index []int // for reflect.Value.FieldByIndex
}

// documentShape is what Set needs to know about the fields of Setting, taken from its json
// tags so that it cannot drift from the types.
type documentShape struct {
	leaves  []settableField
	objects map[string][]string // object path -> the JSON names of its fields
	lists   []string            // paths of list fields
}

var shape = shapeOf(reflect.TypeFor[Setting]())

func shapeOf(t reflect.Type) documentShape {
	d := documentShape{objects: map[string][]string{}}
	d.walk(t, "", nil)
	return d
}

func (d *documentShape) walk(t reflect.Type, path string, index []int) {
	d.objects[path] = jsonNames(t)
	for i := range t.NumField() {
		f := t.Field(i)
		name := jsonName(f)
		if name == "" {
			continue
		}
		fieldPath, fieldIndex := joinPath(path, name), append(slices.Clone(index), i)
		switch f.Type.Kind() {
		case reflect.Struct:
			d.walk(f.Type, fieldPath, fieldIndex)
		case reflect.Slice:
			d.lists = append(d.lists, fieldPath)
		default:
			d.leaves = append(d.leaves, settableField{path: fieldPath, index: fieldIndex})
		}
	}
}

// lookupSettable finds the field at path, or explains why path cannot be set.
func lookupSettable(path string) (settableField, error) {
	for _, leaf := range shape.leaves {
		if leaf.path == path {
			return leaf, nil
		}
	}
	head, _, _ := strings.Cut(strings.SplitN(path, "[", 2)[0], ".")
	if slices.Contains(shape.lists, head) {
		return settableField{}, fmt.Errorf("%s is a list, which --set cannot change; edit the whole setting with --file", head)
	}
	if names, ok := shape.objects[path]; ok && path != "" {
		return settableField{}, fmt.Errorf("%s is an object; set one of its fields: %s", path, strings.Join(names, ", "))
	}
	paths := SettablePaths()
	if near := nearest(path, paths); len(near) > 0 {
		return settableField{}, fmt.Errorf("unknown setting %q; did you mean %s?", path, strings.Join(near, " or "))
	}
	return settableField{}, fmt.Errorf("unknown setting %q; settable paths are: %s", path, strings.Join(paths, ", "))
}

// assign parses value as the type of target and stores it.
func assign(target reflect.Value, path, value string) error {
	switch target.Kind() {
	case reflect.Int:
		n, err := strconv.ParseInt(value, 10, 0)
		if err != nil {
			return fieldErrorf(path, "want an integer, got %q", value)
		}
		target.SetInt(n)
	case reflect.Bool:
		// Only the two words the JSON document uses; strconv.ParseBool would also take
		// "1", "t" and "F", which read like typos here.
		switch value {
		case "true":
			target.SetBool(true)
		case "false":
			target.SetBool(false)
		default:
			return fieldErrorf(path, "want true or false, got %q", value)
		}
	case reflect.String:
		target.SetString(value)
	default:
		return fieldErrorf(path, "cannot be set (kpanda bug: unhandled type %s)", target.Type())
	}
	return nil
}

// hint suggests the names nearest to a misspelt one, or lists all names when none is near.
func hint(input string, names []string) string {
	if near := nearest(input, names); len(near) > 0 {
		return fmt.Sprintf(" (did you mean %s?)", strings.Join(near, " or "))
	}
	return fmt.Sprintf(" (known fields: %s)", strings.Join(names, ", "))
}

// nearest returns the candidates closest to input: by edit distance, comparing input with as
// many trailing path segments of each candidate as input has (so a path written without its
// prefix still finds its field), and counting a candidate whose last segment contains the
// last segment of input as an exact match (so a shortened name finds its field). It returns
// nothing when even the closest is too far to be what the user meant.
func nearest(input string, candidates []string) []string {
	segments := strings.Count(input, ".") + 1
	limit := max(2, len(input)/4) // the farthest a suggestion may be
	var out []string
	best := 0
	for _, candidate := range candidates {
		tail := lastSegments(candidate, segments)
		distance := editDistance(input, tail)
		if short := lastSegments(input, 1); len(short) >= 4 && strings.Contains(lastSegments(candidate, 1), short) {
			distance = 0
		}
		switch {
		case distance > limit:
		case len(out) == 0 || distance < best:
			best, out = distance, []string{candidate}
		case distance == best:
			out = append(out, candidate)
		}
	}
	return out
}

func lastSegments(path string, n int) string {
	parts := strings.Split(path, ".")
	return strings.Join(parts[max(0, len(parts)-n):], ".")
}

// editDistance is the Levenshtein distance between a and b, in bytes (paths are ASCII).
func editDistance(a, b string) int {
	previous := make([]int, len(b)+1)
	current := make([]int, len(b)+1)
	for j := range previous {
		previous[j] = j
	}
	for i := 1; i <= len(a); i++ {
		current[0] = i
		for j := 1; j <= len(b); j++ {
			substitution := previous[j-1]
			if a[i-1] != b[j-1] {
				substitution++
			}
			current[j] = min(previous[j]+1, current[j-1]+1, substitution)
		}
		previous, current = current, previous
	}
	return previous[len(b)]
}
