package server

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// FuzzParseFilters: no filters query parameter makes parseFilters panic;
// what it accepts was a JSON object, and every value it returns is one
// the object held.
func FuzzParseFilters(f *testing.F) {
	for _, s := range []string{
		`{"label":{"a=b":true,"c":false}}`, `{"status":["running","exited"]}`, `{}`, `[]`, `null`,
		`{"name":{"x":"yes"}}`, `{"a":null}`, `{"a":[1]}`, `{"a":{"b":true},"a":["c"]}`, `{"\u0000":["\ud800"]}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := parseFilters(raw)
		if err != nil {
			return
		}
		if raw == "" {
			return
		}
		var generic map[string]json.RawMessage
		if json.Unmarshal([]byte(raw), &generic) != nil {
			t.Fatalf("parseFilters(%q) accepted what is not a JSON object", raw)
		}
		for k, vals := range got {
			if _, ok := generic[k]; !ok {
				t.Errorf("key %q not in %q", k, raw)
			}
			var list []string
			var set map[string]bool
			if json.Unmarshal(generic[k], &list) != nil {
				json.Unmarshal(generic[k], &set)
				for v, on := range set {
					if on {
						list = append(list, v)
					}
				}
			}
			if len(vals) != len(list) {
				t.Errorf("parseFilters(%q)[%q] = %q, want the values of %s", raw, k, vals, generic[k])
			}
			for _, v := range vals {
				if !slices.Contains(list, v) {
					t.Errorf("value %q of %q not in %s", v, k, generic[k])
				}
			}
		}
	})
}

// FuzzParseDetachKeys: no detachKeys value makes parseDetachKeys panic,
// it returns one key per item of the notation, and the empty
// value means the default.
func FuzzParseDetachKeys(f *testing.F) {
	for _, s := range []string{"ctrl-p,ctrl-q", "ctrl-@", "ctrl-[,ctrl-_", "a,b", "ctrl-", "ctrl-A", ",", "ctrl-pp", "é", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		keys, err := parseDetachKeys(s)
		if err != nil {
			return
		}
		if s == "" {
			if keys != nil {
				t.Errorf("empty detachKeys gave %v", keys)
			}
			return
		}
		if n := len(strings.Split(s, ",")); len(keys) != n {
			t.Errorf("parseDetachKeys(%q) = %v: %d keys for %d items", s, keys, len(keys), n)
		}
	})
}
