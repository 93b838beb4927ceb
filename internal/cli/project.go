package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/fsmgen/fsmgen/internal/diag"
	"github.com/fsmgen/fsmgen/internal/gen"
	"github.com/fsmgen/fsmgen/internal/gen/sqlmig"
	"github.com/fsmgen/fsmgen/internal/model"
	"github.com/fsmgen/fsmgen/internal/spec"
)

// findProject looks for the project file in dir and its parents, as sqlc
// and buf do, and returns its path relative to dir when it can.
func findProject(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := abs; ; {
		p := filepath.Join(d, spec.ProjectFile)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			if rel, err := filepath.Rel(abs, p); err == nil {
				return rel, nil
			}
			return p, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("fsmgen: no %s in %s or its parents; run fsmgen init to write one, pass -config FILE, or pass -spec FILE for a single spec", spec.ProjectFile, abs)
		}
		d = parent
	}
}

// projectPlan loads a project file and every machine it lists. All
// problems, in the project file and in the specs, are reported at once.
func projectPlan(configPath string) (*plan, error) {
	if configPath == "" {
		found, err := findProject(".")
		if err != nil {
			return nil, err
		}
		configPath = found
	}
	data, err := spec.ReadFile(configPath)
	if err != nil {
		return nil, fmt.Errorf("fsmgen: %w", err)
	}
	pf, err := spec.DecodeProject(configPath, data)
	if err != nil {
		return nil, err
	}
	var errs diag.List
	if pf.Version.Value != spec.Version {
		errs.Add(pf.Version.Pos, "unsupported project file version %d; this fsmgen reads version %d", pf.Version.Value, spec.Version)
	}
	format, versions := "goose", "sequential"
	dirs := map[string]string{}
	p := &plan{root: filepath.Dir(configPath)}
	if mg := pf.Migrations; mg != nil {
		if mg.Format.Set() {
			format = oneOf(&errs, mg.Format, "migrations format", "goose", "golang-migrate")
		}
		if mg.Versions.Set() {
			versions = oneOf(&errs, mg.Versions, "migrations versions", "sequential", "timestamp")
		}
		// Each dialect keeps a history per enum under the same name:
		// two dialects in one directory would overwrite each other's.
		taken := map[string]spec.DialectPath{}
		for _, dd := range mg.Dirs {
			switch d := dd.Dialect.Value; {
			case !knownDialect(&errs, dd.Dialect):
			case localDir(&errs, dd.Path, "migration directory"):
				dir := path.Clean(dd.Path.Value)
				if other, dup := taken[dir]; dup {
					errs.Add(dd.Path.Pos, "migration directory %s is also %s's (line %d); each dialect needs its own: their migrations and histories would overwrite each other", dir, other.Dialect.Value, other.Path.Pos.Line)
					continue
				}
				taken[dir] = dd
				dirs[d] = dir
				p.owned = append(p.owned, dir)
			}
		}
	}
	p.schema = map[string]string{}
	for _, sp := range pf.Schema {
		d := sp.Dialect.Value
		switch {
		case !knownDialect(&errs, sp.Dialect):
		case dirs[d] == "":
			errs.Add(sp.Dialect.Pos, "dialect %s has a schema file but no migration directory, whose migrations the file would describe: add it under migrations: dirs:", d)
		case localDir(&errs, sp.Path, "schema file"):
			file := path.Clean(sp.Path.Value)
			for _, dir := range dirs {
				if file == dir || strings.HasPrefix(file, dir+"/") {
					errs.Add(sp.Path.Pos, "schema file %s is inside migration directory %s, whose runner would take it for a migration; put it elsewhere", file, dir)
				}
			}
			for other, f := range p.schema {
				if f == file {
					errs.Add(sp.Path.Pos, "schema file %s is also %s's; each dialect needs its own", file, other)
				}
			}
			p.schema[d] = file
		}
	}
	// The sqlc overrides and the ent fields name the generated packages by
	// import path.
	for _, out := range []struct {
		key  spec.Str
		what string
		to   *string
	}{{pf.Sqlc, "sqlc overrides file", &p.sqlc}, {pf.Ent, "ent fields directory", &p.ent}} {
		if !out.key.Set() || !localDir(&errs, out.key, out.what) {
			continue
		}
		*out.to = path.Clean(out.key.Value)
		if p.module != "" {
			continue // go.mod read for the one before
		}
		mod, err := modulePath(p.root)
		if err != nil {
			errs.Add(out.key.Pos, "the %s names the generated packages by import path, which needs the module's go.mod beside %s: %v", out.what, configPath, err)
			break
		}
		p.module = mod
	}
	// A layout from before per-directory histories, moved under the
	// project whole, keeps its one record beside the dialects' directories.
	parents := map[string]bool{}
	for _, d := range dirs {
		parents[path.Dir(d)] = true
	}
	legacy := ""
	for parent := range parents {
		if len(parents) == 1 {
			legacy = path.Join(parent, sqlmig.LegacyName)
		}
	}
	packages := map[string]diag.Pos{}
	enums := map[string]string{}
	for _, pm := range pf.Machines {
		if !pm.Spec.Set() || !localDir(&errs, pm.Dir, "package directory") {
			continue
		}
		pkg := path.Clean(pm.Dir.Value)
		if prev, dup := packages[pkg]; dup {
			errs.Add(pm.Dir.Pos, "package directory %s is also the one of the machine at line %d; give each machine its own", pkg, prev.Line)
			continue
		}
		packages[pkg] = pm.Dir.Pos
		// A spec is read only inside the project, and not through a link
		// that leaves it.
		if !localDir(&errs, pm.Spec, "spec") {
			continue
		}
		specPath := filepath.Join(p.root, filepath.FromSlash(pm.Spec.Value))
		if leaves(p.root, specPath) {
			errs.Add(pm.Spec.Pos, "spec %q is a link that leaves the project's directory; fsmgen reads only files inside it", pm.Spec.Value)
			continue
		}
		f, m, err := load(specPath)
		if dl := (diag.List{}); errors.As(err, &dl) {
			errs = append(errs, dl...)
			continue
		}
		if errors.Is(err, fs.ErrNotExist) {
			errs.Add(pm.Spec.Pos, "spec %s does not exist", specPath)
			continue
		}
		if err != nil {
			return nil, err
		}
		m.SpecFile = pm.Spec.Value
		if q := m.SQL; q != nil {
			for _, s := range []spec.Str{f.SQL.Format, f.SQL.Versions} {
				if s.Set() {
					errs.Add(s.Pos, "in a project, migration format and versions are set once for every machine, under migrations: in %s; remove this key", configPath)
				}
			}
			q.Format, q.Versions = format, versions
			if why := model.FormatClash(format, q.Dialects); why != "" && pf.Migrations != nil && pf.Migrations.Format.Set() {
				errs.Add(pf.Migrations.Format.Pos, "%s", why)
			}
			for _, d := range f.SQL.Dialects {
				if slices.Contains(model.Dialects, d.Value) && dirs[d.Value] == "" {
					errs.Add(d.Pos, "dialect %s has no migration directory: add it under migrations: dirs: in %s", d.Value, configPath)
				}
			}
			if other, dup := enums[q.Enum]; dup {
				errs.Add(f.SQL.Enum.Pos, "enum %s is also machine %s's; each machine needs its own enum", q.Enum, other)
			}
			enums[q.Enum] = m.Name
		}
		p.machines = append(p.machines, job{m: m, opts: gen.Options{Package: pkg, Migrations: dirs, LegacyHistory: legacy, Source: path.Clean(pm.Spec.Value)}})
		p.owned = append(p.owned, pkg)
	}
	if pos, clash := packages[p.ent]; clash && p.ent != "" {
		errs.Add(pf.Ent.Pos, "ent fields directory %s is also the package directory of the machine at line %d; give the fields their own", p.ent, pos.Line)
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return p, nil
}

// knownDialect reports whether s names a dialect fsmgen knows, and says
// so in errs when it does not.
func knownDialect(errs *diag.List, s spec.Str) bool {
	if slices.Contains(model.Dialects, s.Value) {
		return true
	}
	errs.Add(s.Pos, "unknown dialect %q%s; fsmgen knows %s", s.Value, diag.DidYouMean(s.Value, model.Dialects), strings.Join(model.Dialects, ", "))
	return false
}

// localDir reports whether a directory of the project file stays inside
// the project: fsmgen writes there.
func localDir(errs *diag.List, s spec.Str, what string) bool {
	v := s.Value
	if v == "" || strings.Contains(v, `\`) || !filepath.IsLocal(filepath.FromSlash(v)) {
		errs.Add(s.Pos, "%s %q must be a relative path inside the project's directory, with / as separator", what, v)
		return false
	}
	return true
}

func oneOf(errs *diag.List, s spec.Str, what string, allowed ...string) string {
	if !slices.Contains(allowed, s.Value) {
		errs.Add(s.Pos, "%s must be one of %s, not %q%s", what, strings.Join(allowed, ", "), s.Value, diag.DidYouMean(s.Value, allowed))
		return allowed[0]
	}
	return s.Value
}

// modulePath reads the module path from root's go.mod: its module
// directive, unquoted.
func modulePath(root string) (string, error) {
	name := filepath.Join(root, "go.mod")
	if leaves(root, name) {
		return "", errors.New("go.mod is a link that leaves the project's directory")
	}
	b, err := spec.ReadFile(name)
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(strings.TrimSpace(line))
		if len(f) >= 2 && f[0] == "module" {
			if p, err := strconv.Unquote(f[1]); err == nil {
				return p, nil
			}
			return f[1], nil
		}
	}
	return "", fmt.Errorf("go.mod has no module directive")
}

// leaves reports whether name, inside root, is a link to a file outside it.
func leaves(root, name string) bool {
	real, err := filepath.EvalSymlinks(name)
	if err != nil {
		return false
	}
	r, err := filepath.EvalSymlinks(root)
	if err != nil {
		return false
	}
	rel, err := filepath.Rel(r, real)
	return err != nil || !filepath.IsLocal(rel)
}
