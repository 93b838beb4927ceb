package bench

import (
	"context"
	"errors"

	"github.com/looplab/fsm"
	"github.com/qmuntal/stateless"

	fsmpkg "github.com/fsmgen/fsmgen/generated/introspection"
)

// Every peer is built from the generated package's own answers, so all of
// them run the machine of spec/states.yaml and TestPeersAgree checks it.

// none marks an illegal move in table; NumStates is not a state.
const none = fsmpkg.NumStates

// table is the physical limit: one load, no error value.
var table = func() (t [fsmpkg.NumStates][fsmpkg.NumEvents]fsmpkg.State) {
	for _, s := range fsmpkg.States() {
		for _, ev := range fsmpkg.Events() {
			t[s][ev] = none
			if to, err := fsmpkg.Transition(s, ev); err == nil {
				t[s][ev] = to
			}
		}
	}
	return
}()

// pairMap is the typical hand-written Go map keyed by the enum values.
var pairMap = func() map[[2]uint8]fsmpkg.State {
	m := map[[2]uint8]fsmpkg.State{}
	for _, s := range fsmpkg.States() {
		for _, ev := range s.Permitted().Events() {
			to, _ := fsmpkg.Transition(s, ev)
			m[[2]uint8{uint8(s), uint8(ev)}] = to
		}
	}
	return m
}()

// nameMap is the naive version keyed by the spec's names.
var nameMap = func() map[string]map[string]string {
	m := map[string]map[string]string{}
	for _, s := range fsmpkg.States() {
		m[s.String()] = map[string]string{}
		for _, ev := range s.Permitted().Events() {
			to, _ := fsmpkg.Transition(s, ev)
			m[s.String()][ev.String()] = to.String()
		}
	}
	return m
}()

func newLooplab() *fsm.FSM {
	var evs fsm.Events
	for _, s := range fsmpkg.States() {
		for _, ev := range s.Permitted().Events() {
			to, _ := fsmpkg.Transition(s, ev)
			evs = append(evs, fsm.EventDesc{Name: ev.String(), Src: []string{s.String()}, Dst: to.String()})
		}
	}
	return fsm.NewFSM(fsmpkg.Initial.String(), evs, nil)
}

// looplabFire moves f, whose state is reset from storage first, as a
// service that keeps the state in a database would. looplab reports a move
// into the same state as NoTransitionError; that is still a legal move.
func looplabFire(f *fsm.FSM, from, ev string) (string, bool) {
	f.SetState(from)
	err := f.Event(context.Background(), ev)
	if err != nil && !errors.As(err, new(fsm.NoTransitionError)) {
		return from, false
	}
	return f.Current(), true
}

// statelessMachine keeps its state in cur, the external storage.
type statelessMachine struct {
	sm  *stateless.StateMachine
	cur fsmpkg.State
}

func newStateless() *statelessMachine {
	m := &statelessMachine{}
	m.sm = stateless.NewStateMachineWithExternalStorage(
		func(context.Context) (stateless.State, error) { return m.cur, nil },
		func(_ context.Context, s stateless.State) error { m.cur = s.(fsmpkg.State); return nil },
		stateless.FiringImmediate,
	)
	for _, s := range fsmpkg.States() {
		c := m.sm.Configure(s)
		for _, ev := range s.Permitted().Events() {
			// stateless panics on Permit into the state itself.
			if to, _ := fsmpkg.Transition(s, ev); to == s {
				c.PermitReentry(ev)
			} else {
				c.Permit(ev, to)
			}
		}
	}
	return m
}

func (m *statelessMachine) fire(from fsmpkg.State, ev fsmpkg.Event) (fsmpkg.State, bool) {
	m.cur = from
	if err := m.sm.Fire(ev); err != nil {
		return from, false
	}
	return m.cur, true
}
