package config

import (
	"bytes"
	"encoding/json"
	"maps"
	"reflect"
	"strings"
)

// ParseJSONOver parses client settings as ParseJSON does and lays them
// over base (the .rivet.toml configuration): every key the settings set
// replaces base's value, except "rules", which is merged code by code;
// keys they leave out keep base's value. Settings that are null, empty
// or invalid leave base in force; invalid ones also return their
// problems. base is not modified.
func ParseJSONOver(base *Config, data []byte, knownRules []string) (*Config, []Problem) {
	top, probs := ParseJSON(data, knownRules)
	if len(probs) > 0 {
		return base, probs
	}
	var keys map[string]json.RawMessage
	if trimmed := bytes.TrimSpace(data); len(trimmed) > 0 && string(trimmed) != "null" {
		if err := json.Unmarshal(trimmed, &keys); err != nil {
			return base, []Problem{jsonProblem(trimmed, err, 0)}
		}
	}
	return overlay(base, top, keys), nil
}

// overlay returns a copy of base with the fields of top whose JSON key is
// in set.
func overlay(base, top *Config, set map[string]json.RawMessage) *Config {
	out := *base
	out.Rules = maps.Clone(base.Rules)
	if out.Rules == nil {
		out.Rules = map[string]string{}
	}
	dst, src := reflect.ValueOf(&out).Elem(), reflect.ValueOf(top).Elem()
	for i := 0; i < dst.NumField(); i++ {
		key, _, _ := strings.Cut(dst.Type().Field(i).Tag.Get("json"), ",")
		if _, ok := set[key]; !ok {
			continue
		}
		if key == "rules" {
			maps.Copy(out.Rules, top.Rules)
			continue
		}
		dst.Field(i).Set(src.Field(i))
	}
	return &out
}
