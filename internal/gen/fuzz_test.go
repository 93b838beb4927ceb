package gen_test

import (
	"bytes"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fsmgen/fsmgen/internal/gen"
	"github.com/fsmgen/fsmgen/internal/gencheck"
	_ "github.com/fsmgen/fsmgen/internal/golden" // accepts go test ./... -update
	"github.com/fsmgen/fsmgen/internal/model"
	"github.com/fsmgen/fsmgen/internal/writer"
)

// FuzzGenerate runs the whole pipeline on arbitrary bytes. Whatever the
// spec decoder and validator accept must generate, deterministically, files
// whose paths stay inside the output directory, Go that parses and whose
// comments are all plain text (whatever the docs hold), and nothing
// empty. (Rejected inputs are FuzzDecodeBuild's concern.)
func FuzzGenerate(f *testing.F) {
	paths, err := filepath.Glob("../cli/testdata/*/*/spec.yaml")
	if err != nil {
		f.Fatal(err)
	}
	paths = append(paths, "../../spec/states.yaml")
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := model.Parse("fuzz.yaml", data)
		if err != nil {
			return
		}
		files, err := gen.Generate(m, gen.Options{})
		if err != nil {
			t.Fatalf("valid spec does not generate: %v", err)
		}
		if len(files) == 0 {
			t.Fatal("valid spec generates no files")
		}
		if _, err := writer.Changes(t.TempDir(), files); err != nil {
			t.Fatal(err)
		}
		for p, b := range files {
			if len(bytes.TrimSpace(b)) == 0 {
				t.Errorf("%s is empty", p)
			}
			if strings.HasSuffix(p, ".go") {
				if _, err := parser.ParseFile(token.NewFileSet(), p, b, parser.ParseComments|parser.AllErrors); err != nil {
					t.Errorf("generated %s does not parse: %v\n%s", p, err, b)
				}
				gencheck.PlainComments(t, p, b)
			}
		}
		again, err := gen.Generate(m, gen.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for p, b := range files {
			if !bytes.Equal(again[p], b) {
				t.Errorf("%s differs between two runs on the same spec", p)
			}
		}
	})
}
