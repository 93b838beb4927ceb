package spec

import (
	"gopkg.in/yaml.v3"

	"github.com/fsmgen/fsmgen/internal/diag"
)

// ProjectFile is the project file's usual name, looked up in the current
// directory and its parents.
const ProjectFile = "fsmgen.yaml"

// Project is a decoded project file: the machines of one service and where
// their migrations go. Paths are as written, relative to the file's
// directory.
type Project struct {
	Name       string // the file's path, for positions
	Pos        diag.Pos
	Version    Int
	Migrations *Migrations
	// Schema is, per dialect, the plain schema file fsmgen writes for
	// tools that read DDL (sqlc), in file order.
	Schema []DialectPath
	// Sqlc is the file fsmgen writes sqlc's overrides to, Ent the
	// directory of its package of ent fields; unset for none.
	Sqlc, Ent Str
	Machines  []ProjectMachine
}

// Migrations is where and how every machine's migrations are written. All
// machines share each dialect's directory and its version sequence.
type Migrations struct {
	Pos      diag.Pos
	Format   Str
	Versions Str
	Dirs     []DialectPath // in file order
}

// DialectPath is one dialect's migration directory or schema file.
type DialectPath struct {
	Dialect Str
	Path    Str
}

// ProjectMachine is one machine of the project.
type ProjectMachine struct {
	Pos  diag.Pos
	Spec Str // the spec file
	Dir  Str // the directory of the generated Go package
}

// DecodeProject parses a project file. name is used in positions. On
// failure the error is a diag.List with every shape problem found.
func DecodeProject(name string, data []byte) (*Project, error) {
	d := &decoder{file: name, what: "project file"}
	root := d.document(data)
	if root == nil {
		return nil, d.errs.Err()
	}
	p := &Project{Name: name, Pos: d.pos(root)}
	d.mapping(root, "project file", func(key, val *yaml.Node) {
		switch key.Value {
		case "version":
			p.Version = d.int(val)
		case "migrations":
			p.Migrations = d.migrations(val)
		case "schema":
			p.Schema = d.dialectPaths(val, "schema")
		case "sqlc":
			p.Sqlc = d.str(val)
		case "ent":
			p.Ent = d.str(val)
		case "machines":
			for _, n := range d.list(val, "machines") {
				m := ProjectMachine{Pos: d.pos(n)}
				d.mapping(n, "machine", func(k, v *yaml.Node) {
					switch k.Value {
					case "spec":
						m.Spec = d.str(v)
					case "dir":
						m.Dir = d.str(v)
					default:
						d.unknownKey(k, "machine", "spec", "dir")
					}
				})
				if n.Kind == yaml.MappingNode && !m.Spec.Set() {
					d.errorf(n, "machine: missing required key %q", "spec")
				}
				if n.Kind == yaml.MappingNode && !m.Dir.Set() {
					d.errorf(n, "machine: missing required key %q", "dir")
				}
				p.Machines = append(p.Machines, m)
			}
		default:
			d.unknownKey(key, "project file", "version", "migrations", "schema", "sqlc", "ent", "machines")
		}
	})
	if root.Kind == yaml.MappingNode {
		if p.Version.Pos.Line == 0 {
			d.errorf(root, "missing required key %q", "version")
		}
		if len(p.Machines) == 0 {
			d.errorf(root, "the project lists no machines: add one under machines: with its spec and dir")
		}
	}
	if err := d.errs.Err(); err != nil {
		return nil, err
	}
	return p, nil
}

func (d *decoder) migrations(n *yaml.Node) *Migrations {
	m := &Migrations{Pos: d.pos(n)}
	d.mapping(n, "migrations", func(k, v *yaml.Node) {
		switch k.Value {
		case "format":
			m.Format = d.str(v)
		case "versions":
			m.Versions = d.str(v)
		case "dirs":
			m.Dirs = d.dialectPaths(v, "migrations dirs")
		default:
			d.unknownKey(k, "migrations", "format", "versions", "dirs")
		}
	})
	return m
}

func (d *decoder) dialectPaths(n *yaml.Node, what string) []DialectPath {
	var out []DialectPath
	d.mapping(n, what, func(k, v *yaml.Node) {
		out = append(out, DialectPath{Dialect: d.name(k), Path: d.str(v)})
	})
	return out
}
