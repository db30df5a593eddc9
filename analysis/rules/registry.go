package rules

import (
	"sort"
	"sync"
)

var (
	registryMu sync.Mutex
	registry   = map[string]*Rule{}
)

// register adds a rule; each rule file calls it from an init function.
// A duplicate code is a programming error.
func register(r *Rule) *Rule {
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[r.Code]; dup {
		panic("rules: duplicate code " + r.Code)
	}
	registry[r.Code] = r
	return r
}

// All returns every rule, sorted by code.
func All() []*Rule {
	registryMu.Lock()
	defer registryMu.Unlock()
	out := make([]*Rule, 0, len(registry))
	for _, r := range registry {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// ByCode returns the rule with the given code, or nil.
func ByCode(code string) *Rule {
	registryMu.Lock()
	defer registryMu.Unlock()
	return registry[code]
}

// Codes returns every rule code, sorted.
func Codes() []string {
	var out []string
	for _, r := range All() {
		out = append(out, r.Code)
	}
	return out
}

// Contract lists the rule codes of DESIGN §4. A test checks that every
// code has exactly one rule and a docs page, and that no rule invents one.
var Contract = []string{
	"ffi-unresolved",
	"ffi-needs-helper",
	"ffi-signature-mismatch",
	"repr-c-missing",
	"must-check-ignored",
	"err-ptr-unchecked",
	"user-pointer-deref",
	"unsafe-missing-safety",
	"helper-attribute-lost",
	"lifecycle-leak",
	"lifecycle-mismatched-release",
	"lifecycle-release-borrowed",
	"lifecycle-double-release",
	"lock-imbalance",
	"sleep-in-atomic",
	"registration-lifetime",
}
