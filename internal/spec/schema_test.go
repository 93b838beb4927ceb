package spec_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

// The JSON Schema serves editors (completion, inline errors); fsmgen itself
// validates with its own checks. These tests keep the two in agreement on
// which documents have the right shape.
func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	s, err := c.Compile("../../spec/schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func loadYAML(t *testing.T, path string) any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	return normalize(v)
}

// normalize turns yaml.v3's decoded values into the JSON data model the
// validator expects (float64 numbers, string-keyed maps).
func normalize(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			v[k] = normalize(x)
		}
		return v
	case []any:
		for i, x := range v {
			v[i] = normalize(x)
		}
		return v
	case int:
		return float64(v)
	}
	return v
}

func TestSchemaAcceptsValidSpecs(t *testing.T) {
	s := compileSchema(t)
	paths, _ := filepath.Glob("../cli/testdata/generate/*/spec.yaml")
	paths = append(paths, "../../spec/states.yaml")
	for _, p := range paths {
		if err := s.Validate(loadYAML(t, p)); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
}

func TestSchemaRejectsMisshapenSpecs(t *testing.T) {
	s := compileSchema(t)
	for _, c := range []string{"unknown_keys", "wrong_types", "bad_names", "version"} {
		p := filepath.Join("../cli/testdata/validate", c, "spec.yaml")
		err := s.Validate(loadYAML(t, p))
		if err == nil {
			t.Errorf("%s: the schema accepts a spec fsmgen rejects", p)
		} else if testing.Verbose() {
			t.Logf("%s: %s", c, strings.SplitN(err.Error(), "\n", 2)[0])
		}
	}
}
