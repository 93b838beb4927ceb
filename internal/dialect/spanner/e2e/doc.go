// Package e2e applies fsmgen's Spanner migrations with wrench on the Cloud
// Spanner emulator. It is a module of its own: the Spanner client and
// wrench need a newer Go than fsmgen's module asks of its users, and
// bring dependencies fsmgen itself has no use for.
package e2e

//go:generate go run github.com/fsmgen/fsmgen/cmd/fsmgen generate -spec door.yaml -out .
