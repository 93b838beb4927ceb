package cli

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"time"

	"github.com/fsmgen/fsmgen/internal/dialect"
	"github.com/fsmgen/fsmgen/internal/dialect/dialects"
	"github.com/fsmgen/fsmgen/internal/gen"
	"github.com/fsmgen/fsmgen/internal/gen/ent"
	"github.com/fsmgen/fsmgen/internal/gen/schema"
	"github.com/fsmgen/fsmgen/internal/gen/sqlc"
	"github.com/fsmgen/fsmgen/internal/gen/sqlmig"
	"github.com/fsmgen/fsmgen/internal/model"
)

// plan is what one run generates: machines whose outputs share one root
// directory on disk, where every output path is relative to root.
type plan struct {
	root     string
	machines []job
	// owned lists the directories (relative to root) whose fsmgen files
	// belong to this plan: whatever fsmgen wrote there and would not write
	// now is left over. recursive says whether their subdirectories count.
	owned     []string
	recursive bool
	// specOnly marks a plan without an output to check against
	// (validate -spec).
	specOnly bool
	// schema is each dialect's plain schema file (relative to root).
	schema map[string]string
	// sqlc is the sqlc overrides file, ent the package of ent fields, ""
	// for none; module is the import path of root, under which the
	// machines' packages are.
	sqlc, ent, module string
}

// importPath is the import path of the package in dir, relative to root.
func (p *plan) importPath(dir string) string { return p.module + "/" + dir }

// job is one machine and where its files go.
type job struct {
	m    *model.Machine
	opts gen.Options
}

// singlePlan is one spec whose outputs go under out, the layout of a
// repository with one machine.
func singlePlan(specPath, out string, specOnly bool) (*plan, error) {
	m, err := Load(specPath)
	if err != nil {
		return nil, err
	}
	return &plan{
		root:      out,
		machines:  []job{{m: m, opts: gen.Options{LegacyHistory: sqlmig.LegacyHistory, Source: relativeSource(specPath, out)}}},
		owned:     []string{"."},
		recursive: true,
		specOnly:  specOnly,
	}, nil
}

// relativeSource is the spec's path relative to out, which the package's
// files record; none for standard input.
func relativeSource(specPath, out string) string {
	if specPath == "-" {
		return ""
	}
	if rel, err := filepath.Rel(out, specPath); err == nil {
		return filepath.ToSlash(rel)
	}
	return filepath.ToSlash(filepath.Clean(specPath))
}

// generate runs every machine's emitters. Each machine sees the files of
// the machines before it as if they were on disk, so that machines sharing
// a migration directory take distinct versions in one run.
func (p *plan) generate(base gen.Options) (gen.Files, error) {
	files := gen.Files{}
	for _, j := range p.machines {
		opts := j.opts
		opts.Templates, opts.Now = base.Templates, time.Now
		opts.Out = gen.Overlay(os.DirFS(p.root), files)
		out, err := gen.Generate(j.m, opts)
		if err != nil {
			return nil, err
		}
		for f, b := range out {
			if _, dup := files[f]; dup {
				return nil, fmt.Errorf("two machines write %s; give each its own package directory", p.display(f))
			}
			files[f] = b
		}
	}
	if err := p.describe(files); err != nil {
		return nil, err
	}
	return files, nil
}

// describe adds to files the outputs that describe what this run's
// migrations end at, for the tools around them: the schema files, sqlc's
// overrides and the ent fields.
func (p *plan) describe(files gen.Files) error {
	out := gen.Overlay(os.DirFS(p.root), files)
	ends := make([]map[string]*dialect.Schema, len(p.machines)) // by machine, then dialect
	if len(p.schema) > 0 || p.ent != "" {
		for i, j := range p.machines {
			if j.m.SQL == nil {
				continue
			}
			ends[i] = map[string]*dialect.Schema{}
			for _, d := range j.m.SQL.Dialects {
				s, err := sqlmig.Schema(j.m, out, j.opts.Migrations, d)
				if err != nil {
					return err
				}
				ends[i][d] = s
			}
		}
	}
	for _, d := range dialects.Names {
		if file := p.schema[d]; file != "" {
			var schemas []*dialect.Schema
			for _, e := range ends {
				if s := e[d]; s != nil {
					schemas = append(schemas, s)
				}
			}
			files[file] = schema.Emit(dialects.For(d), schemas)
		}
	}
	if p.sqlc != "" {
		var ms []*model.Machine
		var imports []string
		for _, j := range p.machines {
			ms, imports = append(ms, j.m), append(imports, p.importPath(j.opts.Package))
		}
		files[p.sqlc] = sqlc.Emit(ms, imports)
	}
	if p.ent != "" {
		var ms []ent.Machine
		for i, j := range p.machines {
			types := map[string]string{}
			for d, s := range ends[i] {
				types[d] = dialects.For(d).EntType(s.Enum, s.Type)
			}
			ms = append(ms, ent.Machine{M: j.m, Import: p.importPath(j.opts.Package), Types: types})
		}
		b, err := ent.Emit(p.importPath(p.ent), ms)
		if err != nil {
			return err
		}
		files[path.Join(p.ent, path.Base(p.ent)+".go")] = b
	}
	return nil
}

// isSchema reports whether rel is one of the plan's schema files.
func (p *plan) isSchema(rel string) bool {
	for _, f := range p.schema {
		if f == rel {
			return true
		}
	}
	return false
}

// display names a path relative to root for messages.
func (p *plan) display(rel string) string {
	return path.Join(filepath.ToSlash(p.root), rel)
}
