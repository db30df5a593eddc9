package index

import (
	"sort"
	"strings"
)

// interner maps names to small ids and back, so a name seen in thousands
// of files is stored once. Callers hold the index lock.
type interner struct {
	ids   map[string]uint32
	names []string
}

func newInterner() interner { return interner{ids: map[string]uint32{}} }

// intern returns the canonical copy of name, adding it if new.
func (in *interner) intern(name string) string {
	id := in.id(name)
	return in.names[id]
}

func (in *interner) id(name string) uint32 {
	if id, ok := in.ids[name]; ok {
		return id
	}
	// A copy: name may be a substring of a whole file's scan buffer,
	// which it would otherwise keep alive.
	name = strings.Clone(name)
	id := uint32(len(in.names))
	in.names = append(in.names, name)
	in.ids[name] = id
	return id
}

func (in *interner) lookup(name string) (uint32, bool) {
	id, ok := in.ids[name]
	return id, ok
}

func (in *interner) name(id uint32) string { return in.names[id] }

// sortedIDs returns the ids of names, sorted and without duplicates.
func (in *interner) sortedIDs(names []string) []uint32 {
	ids := make([]uint32, 0, len(names))
	for _, n := range names {
		ids = append(ids, in.id(n))
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	out := ids[:0]
	for i, id := range ids {
		if i == 0 || id != ids[i-1] {
			out = append(out, id)
		}
	}
	return out
}
