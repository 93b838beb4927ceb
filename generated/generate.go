// Package generated holds everything fsmgen derives from spec/states.yaml, as
// ../fsmgen.yaml lays it out.
// Run "go generate ./..." (or "make generate") after editing the spec.
package generated

//go:generate go run ../cmd/fsmgen generate
