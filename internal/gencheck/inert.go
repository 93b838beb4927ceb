package gencheck

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/build/constraint"
	"go/parser"
	"go/token"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Inert proves that no text of the spec became code in the generated Go:
// every comment is plain text (no directive, build constraint or //line
// comment, no /* */ block), and the go command agrees: go generate runs
// nothing, go vet passes, and go list builds every file, ignoring none.
func Inert(t testing.TB, files map[string][]byte) {
	t.Helper()
	dir := Module(t, files, func(string) bool { return true })
	want := map[string][]string{} // package directory -> its .go files
	for p, b := range files {
		if strings.HasSuffix(p, ".go") {
			want[path.Dir(p)] = append(want[path.Dir(p)], path.Base(p))
			PlainComments(t, p, b)
		}
	}

	before := tree(t, dir)
	Go(t, dir, "generate", "./...")
	if after := tree(t, dir); !slices.Equal(before, after) {
		t.Errorf("go generate changed the module: files before %v, after %v", before, after)
	}
	Go(t, dir, "vet", "./...")

	dec := json.NewDecoder(bytes.NewReader(Go(t, dir, "list", "-e", "-json", "./...")))
	seen := 0
	for dec.More() {
		var pkg struct {
			Dir                                               string
			GoFiles, TestGoFiles, XTestGoFiles                []string
			IgnoredGoFiles, InvalidGoFiles, IgnoredOtherFiles []string
			Error                                             *struct{ Err string }
		}
		if err := dec.Decode(&pkg); err != nil {
			t.Fatal(err)
		}
		rel, err := filepath.Rel(dir, pkg.Dir)
		if err != nil {
			t.Fatal(err)
		}
		rel = filepath.ToSlash(rel)
		if pkg.Error != nil || len(pkg.IgnoredGoFiles)+len(pkg.InvalidGoFiles) > 0 {
			t.Errorf("go list %s: error %v, ignored %v, invalid %v", rel, pkg.Error, pkg.IgnoredGoFiles, pkg.InvalidGoFiles)
		}
		built := slices.Concat(pkg.GoFiles, pkg.TestGoFiles, pkg.XTestGoFiles)
		slices.Sort(built)
		slices.Sort(want[rel])
		if !slices.Equal(built, want[rel]) {
			t.Errorf("go list %s builds %v; want every generated file %v", rel, built, want[rel])
		}
		seen++
	}
	if seen != len(want) {
		t.Errorf("go list saw %d packages; fsmgen generated %d", seen, len(want))
	}
}

// PlainComments fails when a comment of the Go source src is anything but
// text: a "//" comment is a directive or constraint only when no space
// follows the slashes, except "// +build", checked on its own.
func PlainComments(t testing.TB, name string, src []byte) {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
	if err != nil {
		t.Errorf("%s does not parse: %v", name, err)
		return
	}
	for _, g := range f.Comments {
		for _, c := range g.List {
			plain := c.Text == "//" || strings.HasPrefix(c.Text, "// ") || strings.HasPrefix(c.Text, "//\t")
			if !plain || constraint.IsPlusBuild(c.Text) || constraint.IsGoBuild(c.Text) {
				t.Errorf("%s: comment %q is not plain text", fset.Position(c.Pos()), c.Text)
			}
		}
	}
	// A //line comment would make positions differ from the file's own.
	ast.Inspect(f, func(n ast.Node) bool {
		if n != nil {
			if got, raw := fset.Position(n.Pos()), fset.PositionFor(n.Pos(), false); got != raw {
				t.Errorf("%s: position reads as %s", raw, got)
				return false
			}
		}
		return true
	})
}

// tree lists the files under dir.
func tree(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
