package md

import "testing"

func TestCode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "``"},
		{"web", "`web`"},
		{"a`b", "`` a`b ``"},
		{"a``b", "``` a``b ```"},
	}
	for _, tt := range tests {
		if got := Code(tt.in); got != tt.want {
			t.Errorf("Code(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestJoinSpanish(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{nil, ""},
		{[]string{"a"}, "a"},
		{[]string{"a", "b"}, "a y b"},
		{[]string{"a", "b", "c"}, "a, b y c"},
	}
	for _, tt := range tests {
		if got := JoinSpanish(tt.in); got != tt.want {
			t.Errorf("JoinSpanish(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := CodeList([]string{"web", "db"}); got != "`web` y `db`" {
		t.Errorf("CodeList = %q", got)
	}
	if Plural(1, "capa", "capas") != "capa" || Plural(2, "capa", "capas") != "capas" {
		t.Error("Plural")
	}
}
