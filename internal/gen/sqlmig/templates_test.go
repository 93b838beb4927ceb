package sqlmig_test

import (
	"testing"

	sqldialects "github.com/fsmgen/fsmgen/internal/dialect/dialects"
)

// TestEveryDialectRendersEveryMigration: the templates every dialect's
// migrations are written with, named in its Migrations. A dialect without
// one would fail only when a spec first needs that kind of migration.
func TestEveryDialectRendersEveryMigration(t *testing.T) {
	for _, name := range sqldialects.Names {
		tmpl := sqldialects.For(name).Migrations()
		for _, want := range []string{"create", "drop", "alter", "adopt_check", "adopt_release"} {
			if tmpl.Lookup(want) == nil {
				t.Errorf("%s: the migration templates define no %q", name, want)
			}
		}
	}
}
