package clustersetting

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Parse reads the JSON document stored under DataKey. It is strict, because the document is
// written by hand:
//   - malformed JSON is an error saying where (line, column and byte offset);
//   - a field given twice is an error naming its path;
//   - an unknown field (names match exactly, case included) or a value of the wrong JSON type
//     is an error naming its path, for every such field at once;
//   - a field that is absent or null keeps its default, so {"addon_setting":
//     {"helm_operation_base_image":"x"}} changes that image and nothing else; a list that is
//     given replaces the default list as a whole;
//   - the result must pass Validate.
func Parse(data []byte) (Setting, error) {
	doc, err := decodeTree(data)
	if err != nil {
		return Setting{}, err
	}
	if errs := checkShape(doc, reflect.TypeFor[Setting](), ""); len(errs) > 0 {
		return Setting{}, errors.Join(errs...)
	}
	s, err := decodeOverDefaults(data)
	if err != nil {
		return Setting{}, err
	}
	if err := s.Validate(); err != nil {
		return Setting{}, err
	}
	return s, nil
}

// decodeTree decodes data into generic JSON values (numbers kept as written), after checking
// that it is one well-formed JSON object.
func decodeTree(data []byte) (map[string]any, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New(`the cluster setting is empty: want a JSON object; {} gives all defaults`)
	}
	// json.Unmarshal checks the whole input, trailing data included, and reports the byte
	// offset of the first error; the stream Decoder does neither reliably.
	if err := json.Unmarshal(data, new(json.RawMessage)); err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			where := position(data, syntax.Offset)
			if strings.HasPrefix(syntax.Error(), "unexpected end") {
				// The last byte is not to blame; something is missing after it.
				where = fmt.Sprintf("end of input (byte offset %d)", len(data))
			}
			return nil, fmt.Errorf("malformed JSON at %s: %w", where, err)
		}
		return nil, fmt.Errorf("malformed JSON: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // so that 1.5 and 1e3 can be told from integers
	doc, err := readValue(dec, "")
	if err != nil {
		return nil, err
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the cluster setting must be a JSON object, got %s", describe(doc))
	}
	return obj, nil
}

// readValue reads the next JSON value from dec as generic values. It refuses a field given
// twice in one object: encoding/json would let the last one win, or merge two objects, and
// checkShape would only ever see the last one.
func readValue(dec *json.Decoder, path string) (any, error) {
	token, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("malformed JSON: %w", err)
	}
	switch token {
	case json.Delim('{'):
		obj := map[string]any{}
		for dec.More() {
			key, err := dec.Token()
			if err != nil {
				return nil, fmt.Errorf("malformed JSON: %w", err)
			}
			name := key.(string) // the Decoder returns object keys as strings
			fieldPath := joinPath(path, name)
			if _, seen := obj[name]; seen {
				return nil, fieldErrorf(fieldPath, "duplicate field")
			}
			value, err := readValue(dec, fieldPath)
			if err != nil {
				return nil, err
			}
			obj[name] = value
		}
		return obj, closeDelim(dec)
	case json.Delim('['):
		list := []any{}
		for i := 0; dec.More(); i++ {
			item, err := readValue(dec, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			list = append(list, item)
		}
		return list, closeDelim(dec)
	}
	return token, nil // string, json.Number, bool or nil
}

func closeDelim(dec *json.Decoder) error {
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("malformed JSON: %w", err)
	}
	return nil
}

// position says where the error that json reports "after offset bytes" is: the line and
// column (both from 1) of the last byte read, and the byte offset (from 0) of that byte.
func position(data []byte, offset int64) string {
	at := min(int(max(offset-1, 0)), len(data))
	line := 1 + bytes.Count(data[:at], []byte("\n"))
	column := at - bytes.LastIndexByte(data[:at], '\n')
	return fmt.Sprintf("line %d, column %d (byte offset %d)", line, column, at)
}

// checkShape compares the generic value v with the Go type t it will be decoded into and
// reports, with their paths, the fields t does not have and the values of the wrong JSON type.
// encoding/json would stop at the first of these, without a path for unknown fields, and
// would match field names case-insensitively.
func checkShape(v any, t reflect.Type, path string) []error {
	if v == nil {
		return nil // null: the default stays
	}
	switch t.Kind() {
	case reflect.Pointer:
		return checkShape(v, t.Elem(), path)
	case reflect.Struct:
		return checkObject(v, t, path)
	case reflect.Slice:
		return checkList(v, t, path)
	case reflect.Int:
		if n, ok := v.(json.Number); ok {
			if _, err := strconv.ParseInt(n.String(), 10, 0); err == nil {
				return nil
			}
		}
		return []error{fieldErrorf(path, "must be an integer, got %s", describe(v))}
	case reflect.Bool:
		if _, ok := v.(bool); ok {
			return nil
		}
		return []error{fieldErrorf(path, "must be true or false, got %s", describe(v))}
	case reflect.String:
		if _, ok := v.(string); ok {
			return nil
		}
		return []error{fieldErrorf(path, "must be a string, got %s", describe(v))}
	}
	// Only reachable if a field of a type not handled above is added to Setting.
	return []error{fieldErrorf(path, "cannot be decoded (kpanda bug: unhandled type %s)", t)}
}

func checkObject(v any, t reflect.Type, path string) []error {
	obj, ok := v.(map[string]any)
	if !ok {
		return []error{fieldErrorf(path, "must be an object, got %s", describe(v))}
	}
	var errs []error
	for _, key := range slices.Sorted(maps.Keys(obj)) {
		fieldPath := joinPath(path, key)
		field, ok := fieldByJSONName(t, key)
		if !ok {
			errs = append(errs, fieldErrorf(fieldPath, "unknown field%s", hint(key, jsonNames(t))))
			continue
		}
		errs = append(errs, checkShape(obj[key], field.Type, fieldPath)...)
	}
	return errs
}

func checkList(v any, t reflect.Type, path string) []error {
	list, ok := v.([]any)
	if !ok {
		return []error{fieldErrorf(path, "must be a list, got %s", describe(v))}
	}
	var errs []error
	for i, item := range list {
		itemPath := fmt.Sprintf("%s[%d]", path, i)
		if item == nil {
			// Would decode to an entry with no name; say what is wrong instead.
			errs = append(errs, fieldErrorf(itemPath, "must be an object, got null"))
			continue
		}
		errs = append(errs, checkShape(item, t.Elem(), itemPath)...)
	}
	return errs
}

// decodeOverDefaults decodes data, already checked by checkShape, on top of Default().
func decodeOverDefaults(data []byte) (Setting, error) {
	s := Default()
	// encoding/json decodes a list into the existing elements of a slice, so a given plugin
	// entry would inherit the flags of the default entry at its index. Start the lists empty
	// and put the defaults back only when the document has no list (absent or null).
	s.Plugins, s.Network = nil, nil
	if err := json.Unmarshal(data, &s); err != nil {
		return Setting{}, fmt.Errorf("decoding the cluster setting: %w", err)
	}
	if s.Plugins == nil {
		s.Plugins = Default().Plugins
	}
	if s.Network == nil {
		s.Network = Default().Network
	}
	return s, nil
}

// describe names the JSON type of a generic value for error messages, with the value for
// scalars, e.g. `string "100"`.
func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(v)
	case json.Number:
		return "number " + v.String()
	case string:
		return "string " + strconv.Quote(v)
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

func joinPath(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// jsonName is the name encoding/json uses for field f, or "" when f is not encoded.
func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "-" || !f.IsExported() {
		return ""
	}
	if name == "" {
		return f.Name
	}
	return name
}

// fieldByJSONName finds the field of struct type t named name in JSON, matching exactly.
func fieldByJSONName(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		if f := t.Field(i); jsonName(f) == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// jsonNames lists the JSON names of the fields of struct type t, in declaration order.
func jsonNames(t reflect.Type) []string {
	var names []string
	for i := range t.NumField() {
		if name := jsonName(t.Field(i)); name != "" {
			names = append(names, name)
		}
	}
	return names
}
