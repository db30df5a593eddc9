package ownership

import (
	"maps"
	"slices"

	"github.com/rivet-lsp/rivet/analysis/facts"
)

// val is what an expression evaluates to, as far as tracking goes: the
// ids of the resources it carries (a pointer and its casts carry the same
// resource), sorted and without duplicates.
type val []int

func union(a, b val) val {
	if len(a) == 0 {
		return b
	}
	if len(b) == 0 {
		return a
	}
	out := make(val, 0, len(a)+len(b))
	out = append(out, a...)
	for _, id := range b {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// resState is one resource's status at a program point, with where the
// paths that released it or handed it to an owner did so.
type resState struct {
	st      Status
	rel     facts.Span
	own     facts.Span
	ownDesc string
}

// state is the abstract state of one path (or of merged paths): the
// status of every resource acquired so far and what each variable holds.
type state struct {
	res  []resState // by resource id; ids past the end are not acquired yet
	vars map[string]val
	dead bool // no path reaches here (after return, break, panic)
}

func newState() *state { return &state{vars: map[string]val{}} }

func (s *state) clone() *state {
	return &state{res: slices.Clone(s.res), vars: maps.Clone(s.vars), dead: s.dead}
}

// get returns the status of resource id; a resource not yet acquired on
// this path is NotAcquired.
func (s *state) get(id int) resState {
	if id < len(s.res) {
		if r := s.res[id]; r.st != 0 {
			return r
		}
	}
	return resState{st: NotAcquired}
}

func (s *state) set(id int, r resState) {
	for len(s.res) <= id {
		s.res = append(s.res, resState{})
	}
	s.res[id] = r
}

// setStatus replaces the status of each resource in v, keeping where
// they were released or handed over.
func (s *state) setStatus(v val, st Status) {
	for _, id := range v {
		r := s.get(id)
		r.st = st
		s.set(id, r)
	}
}

// merge joins the states of several paths: each resource's status is the
// union of its statuses, each variable may hold what it holds on any path.
// Dead paths contribute nothing; if all are dead the result is dead.
func merge(states ...*state) *state {
	var out *state
	for _, s := range states {
		if s == nil || s.dead {
			continue
		}
		if out == nil {
			out = s.clone()
			continue
		}
		n := max(len(out.res), len(s.res))
		for id := 0; id < n; id++ {
			a, b := out.get(id), s.get(id)
			m := a
			m.st |= b.st
			if m.rel == (facts.Span{}) {
				m.rel = b.rel
			}
			if m.own == (facts.Span{}) {
				m.own, m.ownDesc = b.own, b.ownDesc
			}
			out.set(id, m)
		}
		for name, v := range s.vars {
			out.vars[name] = union(out.vars[name], v)
		}
	}
	if out == nil {
		return &state{vars: map[string]val{}, dead: true}
	}
	return out
}
