// Package storecode is the part of every generated Store that is the same
// for every machine, kept as Go so that the compiler and vet check it: the
// store emitter copies the declarations of store.go, version.go,
// timeout.go, pgx.go and spanner.go (what follows their imports) into each
// generated package that needs them; the tests here are not copied.
//
// The machine*.go files stand in for what a generated package declares
// around them. They are the seed machine's (generated/introspection), kept
// equal to it by TestStandIns (go test ./internal/gen/store -update
// rewrites them), and never copied.
package storecode
