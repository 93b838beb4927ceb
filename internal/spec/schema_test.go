package spec_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"github.com/fsmgen/fsmgen/internal/dialect/dialects"
	"github.com/fsmgen/fsmgen/internal/spec"
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
	for _, c := range []string{"unknown_keys", "wrong_types", "bad_names", "version", "final_not_boolean", "value_types", "bad_values", "sql_columns", "sql_columns_shape", "sql_compact"} {
		p := filepath.Join("../cli/testdata/validate", c, "spec.yaml")
		err := s.Validate(loadYAML(t, p))
		if err == nil {
			t.Errorf("%s: the schema accepts a spec fsmgen rejects", p)
		} else if testing.Verbose() {
			t.Logf("%s: %s", c, strings.SplitN(err.Error(), "\n", 2)[0])
		}
	}
}

// The project file's schema accepts this repository's fsmgen.yaml and
// init's starter, and rejects what DecodeProject rejects for its shape.
func TestProjectSchema(t *testing.T) {
	c := jsonschema.NewCompiler()
	s, err := c.Compile("../../spec/project.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"../../fsmgen.yaml", "../cli/starter/fsmgen.yaml"} {
		if err := s.Validate(loadYAML(t, p)); err != nil {
			t.Errorf("%s: %v", p, err)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := spec.DecodeProject(p, data); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	for _, bad := range []string{
		"version: 1\nmachines: []\n",
		"version: 1\nmachines:\n  - spec: a.yaml\n    dir: a\n    dri: b\n",
		"version: 1\nmigrations: {format: gose}\nmachines:\n  - {spec: a.yaml, dir: a}\n",
		"version: 1\nmigrations: {dirs: {postgre: db}}\nmachines:\n  - {spec: a.yaml, dir: a}\n",
		"version: 1\nmachines:\n  - {spec: a.yaml, dir: ../a}\n",
		"version: 2\nmachines:\n  - {spec: a.yaml, dir: a}\n",
	} {
		var v any
		if err := yaml.Unmarshal([]byte(bad), &v); err != nil {
			t.Fatal(err)
		}
		if err := s.Validate(normalize(v)); err == nil {
			t.Errorf("the schema accepts %q", bad)
		}
	}
}

// Every key of the project file's schema is documented in the project
// file reference (docs/projects.md), and DecodeProject knows it.
func TestProjectKeysDocumented(t *testing.T) {
	var schema map[string]any
	b, err := os.ReadFile("../../spec/project.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &schema); err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile("../../docs/projects.md")
	if err != nil {
		t.Fatal(err)
	}
	_, ref, _ := strings.Cut(string(page), "## The project file")
	ref, _, _ = strings.Cut(ref, "\n## ")
	var keys []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if props, ok := v["properties"].(map[string]any); ok {
				for k := range props {
					keys = append(keys, k)
				}
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(schema)
	if len(keys) < 8 {
		t.Fatalf("found only %v in the schema", keys)
	}
	const doc = "version: 1\nmigrations: {format: goose, versions: sequential, dirs: {postgres: a, mysql: b, sqlite: c, spanner: i}}\nschema: {postgres: d, mysql: e, sqlite: f, spanner: j}\nsqlc: g\nent: h\nmachines:\n  - {spec: s.yaml, dir: p}\n"
	if _, err := spec.DecodeProject("all.yaml", []byte(doc)); err != nil {
		t.Errorf("DecodeProject rejects a file with every key: %v", err)
	}
	for _, k := range keys {
		if !strings.Contains(ref, k+":") {
			t.Errorf("docs/projects.md's project file reference does not show %s:", k)
		}
		if !strings.Contains(doc, k+":") {
			t.Errorf("the test's document lacks %s:", k)
		}
	}
}

// TestSchemasNameEveryDialect: the JSON schemas editors check specs and
// project files with list the dialects fsmgen knows, no more and no less.
func TestSchemasNameEveryDialect(t *testing.T) {
	read := func(path string) map[string]any {
		var v map[string]any
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	at := func(v any, keys ...string) any {
		for _, k := range keys {
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("no %s in the schema", strings.Join(keys, "."))
			}
			v = m[k]
		}
		return v
	}
	names := func(v any) []string {
		var out []string
		switch v := v.(type) {
		case []any:
			for _, n := range v {
				out = append(out, n.(string))
			}
		case map[string]any:
			for n := range v {
				out = append(out, n)
			}
		}
		slices.Sort(out)
		return out
	}
	want := slices.Sorted(slices.Values(dialects.Names))
	spec, project := read("../../spec/schema.json"), read("../../spec/project.schema.json")
	for what, got := range map[string][]string{
		"schema.json sql.dialects":            names(at(spec, "$defs", "sql", "properties", "dialects", "items", "enum")),
		"project.schema.json migrations.dirs": names(at(project, "properties", "migrations", "properties", "dirs", "properties")),
		"project.schema.json schema":          names(at(project, "properties", "schema", "properties")),
	} {
		if !slices.Equal(got, want) {
			t.Errorf("%s lists %v; fsmgen's dialects are %v", what, got, want)
		}
	}
}
