// Package ent writes a package of ent fields for the state columns of a
// project's machines (ent: in the project file), so that an ent schema
// declares them as fsmgen's migrations made them.
package ent

import (
	"bytes"
	"fmt"
	"path"

	. "github.com/dave/jennifer/jen"

	"github.com/fsmgen/fsmgen/internal/dialect/dialects"
	"github.com/fsmgen/fsmgen/internal/gen/golang"
	"github.com/fsmgen/fsmgen/internal/model"
)

const (
	entPkg     = "entgo.io/ent"
	entDialect = "entgo.io/ent/dialect"
	entsql     = "entgo.io/ent/dialect/entsql"
	entField   = "entgo.io/ent/schema/field"
)

// Machine is one machine whose columns get fields: its generated
// package's import path, and per dialect the column type its migrations
// left (dialect.Dialect.EntType).
type Machine struct {
	M      *model.Machine
	Import string
	Types  map[string]string
}

// Emit renders the package at import path pkg: one function per bound
// column, named after its table and column, returning its ent field.
func Emit(pkg string, machines []Machine) ([]byte, error) {
	f := NewFile(path.Base(pkg))
	f.HeaderComment(golang.Header)
	f.PackageComment("Package " + path.Base(pkg) + " declares, for ent schemas, the state columns of fsmgen's")
	f.PackageComment("machines as their migrations made them: the generated State type (NullState")
	f.PackageComment("for a nullable column), the column's database type on each dialect and its")
	f.PackageComment("database default, so that ent's migration diff leaves them as they are.")
	seen := map[string]string{}
	for _, mc := range machines {
		q := mc.M.SQL
		if q == nil {
			continue
		}
		for _, c := range q.Columns {
			name := model.Camel(c.Table) + model.Camel(c.Column)
			if other, dup := seen[name]; dup {
				return nil, fmt.Errorf("ent fields: %s and %s both make %s; rename a column or leave ent: out", other, c.Name(), name)
			}
			seen[name] = c.Name()
			types := Dict{}
			for _, d := range q.Dialects {
				if t := mc.Types[d]; t != "" { // "": ent has no such dialect
					types[Qual(entDialect, dialects.For(d).GoName())] = Lit(t)
				}
			}
			zero := Qual(mc.Import, "State").Call(Lit(0))
			if c.Nullable {
				zero = Qual(mc.Import, "NullState").Values()
			}
			field := Qual(entField, "String").Call(Lit(c.Column)).
				Dot("GoType").Call(zero).
				Dot("SchemaType").Call(Map(String()).String().Values(types))
			what := "the " + mc.M.Name + " machine's State"
			switch {
			case c.Nullable:
				field = field.Dot("Optional").Call()
				what = "the " + mc.M.Name + " machine's NullState, NULL unless set"
			case c.Default != nil:
				field = field.Dot("DefaultFunc").Call(Func().Params().Qual(mc.Import, "State").Block(Return(Qual(mc.Import, c.Default.GoName)))).
					Dot("Annotations").Call(Qual(entsql, "Default").Call(Lit(c.Default.Value)))
				what += ", " + c.Default.Value + " unless set"
			}
			f.Commentf("%s is the column %s.%s: %s.", name, c.Table, c.Column, what)
			f.Func().Id(name).Params().Qual(entPkg, "Field").Block(Return(field))
		}
	}
	var buf bytes.Buffer
	if err := f.Render(&buf); err != nil {
		return nil, fmt.Errorf("rendering the ent fields: %w", err)
	}
	return buf.Bytes(), nil
}
