package store

import (
	"embed"
	"strings"
)

// storecode holds the part of every Store that is the same for every
// machine, as Go that the compiler and vet check (package storecode). Each
// file's declarations, everything after its imports, are copied into the
// generated package after the machine's own; the imports they need come
// with those (the DBTX interface, the errors, the statements). They hold
// no text from the spec.
//
//go:embed storecode/store.go storecode/version.go storecode/timeout.go storecode/pgx.go storecode/spanner.go
var storecode embed.FS

var (
	// methods are every Store's.
	methods = declarations("store.go")
	// versionMethods are those of a store whose table has a version
	// column; MoveAt, generated with the version's type, calls moveAt.
	versionMethods = declarations("version.go")
	// timeoutMethods are those of a store whose spec has timeouts.
	timeoutMethods = declarations("timeout.go")
	// pgxMethods run the Store's statements through pgx.
	pgxMethods = declarations("pgx.go")
	// spannerMethods run them through Spanner's client.
	spannerMethods = declarations("spanner.go")
)

// declarations returns what follows the imports of storecode's file name.
func declarations(name string) string {
	b, err := storecode.ReadFile("storecode/" + name)
	if err != nil {
		panic(err) // embedded when fsmgen was built
	}
	_, decls, ok := strings.Cut(string(b), "\n)\n")
	if !ok {
		panic("storecode/" + name + " has no import block")
	}
	return decls
}
