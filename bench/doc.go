// Package bench compares the generated introspection package with other ways
// of running the same state machine: a plain table, maps, and the
// looplab/fsm and qmuntal/stateless libraries; and the generated Store's
// moves in PostgreSQL with the hand-written transaction they replace. It is
// a module of its own so that those libraries never become dependencies of
// fsmgen.
//
// Run it with `make bench` at the top of the repository, which writes
// docs/benchmarks.md.
package bench
