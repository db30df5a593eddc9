package cscan

import (
	"bytes"
	"hash/maphash"
	"slices"
)

// calleeSet collects the distinct names called in a file's bodies as
// source ranges, without allocating per call. Slots are stamped with a
// generation so a reused set needs no clearing.
type calleeSet struct {
	src   []byte
	seed  maphash.Seed
	slots []calleeSlot // a power of two long
	gen   uint32
	spans []pspan
}

type calleeSlot struct {
	gen uint32
	idx uint32 // into spans
}

func (cs *calleeSet) reset(src []byte) {
	if cs.slots == nil {
		cs.seed = maphash.MakeSeed()
		cs.slots = make([]calleeSlot, 256)
	}
	cs.src = src
	cs.spans = cs.spans[:0]
	cs.gen++
	if cs.gen == 0 { // wrapped: stale stamps could match
		clear(cs.slots)
		cs.gen = 1
	}
}

// add records the name src[i:j] unless it is a keyword.
func (cs *calleeSet) add(i, j int) {
	name := cs.src[i:j]
	if isCallKeyword(name) {
		return
	}
	mask := uint64(len(cs.slots) - 1)
	for p := maphash.Bytes(cs.seed, name) & mask; ; p = (p + 1) & mask {
		sl := &cs.slots[p]
		if sl.gen != cs.gen {
			*sl = calleeSlot{gen: cs.gen, idx: uint32(len(cs.spans))}
			cs.spans = append(cs.spans, pspan{uint32(i), uint32(j)})
			if 2*len(cs.spans) > len(cs.slots) {
				cs.grow()
			}
			return
		}
		if sp := cs.spans[sl.idx]; bytes.Equal(cs.src[sp.start:sp.end], name) {
			return
		}
	}
}

func (cs *calleeSet) grow() {
	cs.slots = make([]calleeSlot, 2*len(cs.slots))
	mask := uint64(len(cs.slots) - 1)
	for k, sp := range cs.spans {
		p := maphash.Bytes(cs.seed, cs.src[sp.start:sp.end]) & mask
		for cs.slots[p].gen == cs.gen {
			p = (p + 1) & mask
		}
		cs.slots[p] = calleeSlot{gen: cs.gen, idx: uint32(k)}
	}
}

// sorted returns the collected names in byte order.
func (cs *calleeSet) sorted() []pspan {
	slices.SortFunc(cs.spans, func(a, b pspan) int {
		return bytes.Compare(cs.src[a.start:a.end], cs.src[b.start:b.end])
	})
	return cs.spans
}
