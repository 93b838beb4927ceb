// Package tmpl loads the text/templates fsmgen renders with: the embedded
// ones from the templates directory, each replaceable by a file of the same
// name in a user's directory.
package tmpl

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"text/template"

	"github.com/fsmgen/fsmgen/templates"
)

// Parse returns the template called name, read from override when that has
// a file of that name and from the embedded templates otherwise. override
// may be nil.
func Parse(override fs.FS, name string, funcs template.FuncMap) (*template.Template, error) {
	src, from, err := read(override, name)
	if err != nil {
		return nil, err
	}
	// missingkey=error turns a misspelt field in a user's template into an
	// error instead of "<no value>" in the output.
	t, err := template.New(name).Option("missingkey=error").Funcs(funcs).Parse(string(src))
	if err != nil {
		return nil, fmt.Errorf("%s%w", from, err)
	}
	return t, nil
}

func read(override fs.FS, name string) (src []byte, from string, err error) {
	if override != nil {
		src, err := fs.ReadFile(override, name)
		if err == nil {
			return src, "template directory: ", nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, "", fmt.Errorf("template directory: %w", err)
		}
	}
	src, err = fs.ReadFile(templates.FS, name)
	if err != nil {
		return nil, "", fmt.Errorf("internal error: no embedded template %s: %w", name, err)
	}
	return src, "", nil
}

// Names lists the embedded templates a user may replace. The SQL
// templates (sql_*.tmpl) are not among them: a migration is history, run
// against live data, and each dialect's statements are tested together
// (guards before changes, quoting, lock bounds); a replaced template
// would write SQL no test has applied.
func Names() []string {
	names, _ := fs.Glob(templates.FS, "*.tmpl")
	return slices.DeleteFunc(names, sqlTemplate)
}

func sqlTemplate(name string) bool { return strings.HasPrefix(path.Base(name), "sql_") }

// CheckOverrides reports *.tmpl files in override that replace no embedded
// template (a misspelt name would otherwise be silently ignored) or one
// that cannot be replaced.
func CheckOverrides(override fs.FS) error {
	files, err := fs.Glob(override, "*.tmpl")
	if err != nil {
		return err
	}
	known := Names()
	var bad, sql []string
	for _, f := range files {
		switch {
		case sqlTemplate(f):
			sql = append(sql, f)
		case !slices.Contains(known, path.Base(f)):
			bad = append(bad, f)
		}
	}
	if len(sql) > 0 {
		return fmt.Errorf("template directory: %s cannot be replaced: migrations run against live data and fsmgen writes only SQL its tests apply to real databases; remove the file(s) (the templates you may replace are %s)", strings.Join(sql, ", "), strings.Join(known, ", "))
	}
	if len(bad) > 0 {
		return fmt.Errorf("template directory: %s replace(s) no fsmgen template; the templates are %s", strings.Join(bad, ", "), strings.Join(known, ", "))
	}
	return nil
}
