// Package dialects is the list of the dialects fsmgen knows: the one
// place that names each, for the spec's names to find them by.
package dialects

import (
	"fmt"
	"slices"

	"github.com/fsmgen/fsmgen/internal/dialect"
	"github.com/fsmgen/fsmgen/internal/dialect/mysql"
	"github.com/fsmgen/fsmgen/internal/dialect/postgres"
	"github.com/fsmgen/fsmgen/internal/dialect/spanner"
	"github.com/fsmgen/fsmgen/internal/dialect/sqlite"
)

// all is every dialect, in canonical order.
var all = []dialect.Dialect{postgres.Dialect{}, mysql.Dialect{}, sqlite.Dialect{}, spanner.Dialect{}}

// Names lists the dialects' names, in canonical order.
var Names = func() []string {
	out := make([]string, len(all))
	for i, d := range all {
		out[i] = d.Name()
	}
	return out
}()

// All returns every dialect, in canonical order.
func All() []dialect.Dialect { return slices.Clone(all) }

// For returns the dialect called name. The model validated the name, so an
// unknown one is a programming error.
func For(name string) dialect.Dialect {
	for _, d := range all {
		if d.Name() == name {
			return d
		}
	}
	panic(fmt.Sprintf("dialects: unknown dialect %q", name))
}

// DrivenBy returns the first of the dialects called names whose databases
// verify opens with driver: the spec's database the Go driver it names
// (sql.drivers) talks to.
func DrivenBy(driver string, names []string) (dialect.Dialect, bool) {
	for _, n := range names {
		if d := For(n); d.Driver() == driver {
			return d, true
		}
	}
	return nil, false
}
