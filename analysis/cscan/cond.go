package cscan

// condState is what the scanner knows of an #if or #elif condition.
type condState uint8

const (
	condUnknown condState = iota
	condFalse             // a literal 0: the group is dead
	condTrue              // a literal 1: the groups after it are dead
)

// Bounds on conditional bookkeeping, so that pathological input stays
// linear: #if nesting beyond maxConds, and #if groups opened while more
// than maxSnapFrames braces or maxSnapToks statement tokens are pending,
// are read through without saving and restoring state. Real code stays
// far below (kernel: 12 levels, a few frames, tens of tokens).
const (
	maxConds      = 64
	maxSnapFrames = 64
	maxSnapToks   = 512
)

// cond is an open #if. Every live branch starts from the state at the
// #if; after the #endif, the scanner goes on from the state at the end of
// the first live branch, as the preprocessor would with every condition
// true. Braces opened in one branch and closed in another therefore do
// not derail the rest of the file.
type cond struct {
	atIf        snapshot
	primary     snapshot // the state at the end of the first live branch
	tracked     bool     // atIf was saved: branches restore it
	havePrimary bool
	skipping    bool // the current branch is dead
	decided     bool // a literal-true branch was seen: the rest are dead
}

// snapshot is the scanner state a conditional branch can change.
type snapshot struct {
	frames   []frame
	toks     []tok
	open     []int32
	depth    int32
	initNest int32
	inInit   bool
	overflow bool
}

func (s *scanner) save(sn *snapshot) {
	sn.frames = append(sn.frames[:0], s.frames...)
	sn.toks = append(sn.toks[:0], s.st.toks...)
	sn.open = append(sn.open[:0], s.st.open...)
	sn.depth, sn.initNest = s.st.depth, s.st.initNest
	sn.inInit, sn.overflow = s.st.inInit, s.st.overflow
}

// restore returns to sn at the directive at offset at. Declarations whose
// frames sn does not have end there.
func (s *scanner) restore(sn *snapshot, at uint32) {
	for k := range s.frames {
		f := &s.frames[k]
		if !sn.hasFrame(f.id) {
			s.endDecl(f.decl, at)
			if f.kind == fEnum {
				s.endEnumerator(f)
			}
		}
	}
	s.frames = append(s.frames[:0], sn.frames...)
	s.st.toks = append(s.st.toks[:0], sn.toks...)
	s.st.open = append(s.st.open[:0], sn.open...)
	s.st.depth, s.st.initNest = sn.depth, sn.initNest
	s.st.inInit, s.st.overflow = sn.inInit, sn.overflow
}

func (sn *snapshot) hasFrame(id uint32) bool {
	for k := range sn.frames {
		if sn.frames[k].id == id {
			return true
		}
	}
	return false
}

// differs reports whether the brace and parenthesis state of sn and the
// scanner disagree.
func (s *scanner) differs(sn *snapshot) bool {
	if len(sn.frames) != len(s.frames) || sn.depth != s.st.depth {
		return true
	}
	for k := range sn.frames {
		if sn.frames[k].kind != s.frames[k].kind || sn.frames[k].braces != s.frames[k].braces {
			return true
		}
	}
	return false
}

func (s *scanner) condIf(v condState) {
	s.condLvl++
	if len(s.conds) >= maxConds {
		if v == condFalse {
			s.skipGroup()
		}
		return
	}
	if len(s.conds) < cap(s.conds) {
		s.conds = s.conds[:len(s.conds)+1]
	} else {
		s.conds = append(s.conds, cond{})
	}
	c := &s.conds[len(s.conds)-1]
	c.tracked = len(s.frames) <= maxSnapFrames && len(s.st.toks) <= maxSnapToks
	if c.tracked {
		s.save(&c.atIf)
	}
	c.havePrimary, c.skipping, c.decided = false, v == condFalse, v == condTrue
	if c.skipping {
		s.skipGroup()
	}
}

func (s *scanner) condElse(at uint32, v condState) {
	switch {
	case s.condLvl == 0:
		return // a stray #else
	case s.condLvl > len(s.conds):
		if v == condFalse {
			s.skipGroup()
		}
		return
	}
	c := &s.conds[s.condLvl-1]
	if c.tracked {
		if !c.skipping && !c.havePrimary {
			s.save(&c.primary)
			c.havePrimary = true
		}
		s.restore(&c.atIf, at)
	}
	c.skipping = c.decided || v == condFalse
	c.decided = c.decided || v == condTrue
	if c.skipping {
		s.skipGroup()
	}
}

func (s *scanner) condEnd(at uint32) {
	if s.condLvl == 0 {
		return // a stray #endif
	}
	s.condLvl--
	if s.condLvl >= len(s.conds) {
		return
	}
	c := &s.conds[s.condLvl]
	if c.havePrimary {
		if s.differs(&c.primary) {
			s.stats.condRestore++
		}
		s.restore(&c.primary, at)
	}
	s.conds = s.conds[:s.condLvl]
}
