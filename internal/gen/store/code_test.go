package store

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/fsmgen/fsmgen/internal/golden"
)

// TestStandIns keeps storecode's stand-ins equal to the seed's generated
// package around the copied declarations, so that storecode compiles
// against what the emitter really writes.
func TestStandIns(t *testing.T) {
	for _, f := range []struct{ stand, generated, copied string }{
		{"machine.go", "introspection.go", ""},
		{"machine_store.go", "introspection_store.go", methods + versionMethods + timeoutMethods},
		{"machine_pgx.go", "introspection_store_pgx.go", pgxMethods},
	} {
		b, err := os.ReadFile("../../../generated/introspection/" + f.generated)
		if err != nil {
			t.Fatal(err)
		}
		src, ok := strings.CutSuffix(string(b), f.copied)
		if !ok {
			t.Fatalf("%s does not end with storecode's declarations", f.generated)
		}
		// The header, the package's own doc and its name are storecode's.
		_, src, _ = strings.Cut(src, "\n")
		src = packageClause.ReplaceAllString(src, "package storecode\n")
		golden.Check(t, "storecode/"+f.stand, []byte(src))
	}
}

// packageClause is the package's doc comment, if any, and its clause.
var packageClause = regexp.MustCompile(`(?s)^\n(// [^\n]*\n|//\n)*package \w+\n`)
