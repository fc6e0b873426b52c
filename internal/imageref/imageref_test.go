package imageref

import (
	"errors"
	"strings"
	"testing"
)

var (
	hex64   = strings.Repeat("0123456789abcdef", 4)
	sha256D = "sha256:" + hex64
)

func TestParseNormalizedNamed(t *testing.T) {
	tests := []struct {
		in       string
		full     string // String()
		familiar string // FamiliarString
		name     string // FamiliarName
		domain   string
		path     string
		tag      string
		digest   string
	}{
		{in: "busybox", full: "docker.io/library/busybox", familiar: "busybox", name: "busybox",
			domain: "docker.io", path: "library/busybox"},
		{in: "busybox:1.36", full: "docker.io/library/busybox:1.36", familiar: "busybox:1.36", name: "busybox",
			domain: "docker.io", path: "library/busybox", tag: "1.36"},
		{in: "library/busybox", full: "docker.io/library/busybox", familiar: "busybox", name: "busybox",
			domain: "docker.io", path: "library/busybox"},
		{in: "docker.io/busybox", full: "docker.io/library/busybox", familiar: "busybox", name: "busybox",
			domain: "docker.io", path: "library/busybox"},
		{in: "docker.io/library/busybox:latest", full: "docker.io/library/busybox:latest", familiar: "busybox:latest",
			name: "busybox", domain: "docker.io", path: "library/busybox", tag: "latest"},
		{in: "index.docker.io/busybox:latest", full: "docker.io/library/busybox:latest", familiar: "busybox:latest",
			name: "busybox", domain: "docker.io", path: "library/busybox", tag: "latest"},
		{in: "index.docker.io/user/app", full: "docker.io/user/app", familiar: "user/app", name: "user/app",
			domain: "docker.io", path: "user/app"},
		{in: "user/app:v1", full: "docker.io/user/app:v1", familiar: "user/app:v1", name: "user/app",
			domain: "docker.io", path: "user/app", tag: "v1"},
		// "library/" is only dropped from a two-element path.
		{in: "docker.io/library/a/b", full: "docker.io/library/a/b", familiar: "library/a/b", name: "library/a/b",
			domain: "docker.io", path: "library/a/b"},
		{in: "localhost/app", full: "localhost/app", familiar: "localhost/app", name: "localhost/app",
			domain: "localhost", path: "app"},
		{in: "localhost:5000/app:v1", full: "localhost:5000/app:v1", familiar: "localhost:5000/app:v1",
			name: "localhost:5000/app", domain: "localhost:5000", path: "app", tag: "v1"},
		// A single element is a Docker Hub image, even when it looks like a host.
		{in: "localhost:5000", full: "docker.io/library/localhost:5000", familiar: "localhost:5000", name: "localhost",
			domain: "docker.io", path: "library/localhost", tag: "5000"},
		{in: "example.com", full: "docker.io/library/example.com", familiar: "example.com", name: "example.com",
			domain: "docker.io", path: "library/example.com"},
		{in: "[::1]:5000/app", full: "[::1]:5000/app", familiar: "[::1]:5000/app", name: "[::1]:5000/app",
			domain: "[::1]:5000", path: "app"},
		{in: "[2001:db8::1]/team/app:1", full: "[2001:db8::1]/team/app:1", familiar: "[2001:db8::1]/team/app:1",
			name: "[2001:db8::1]/team/app", domain: "[2001:db8::1]", path: "team/app", tag: "1"},
		{in: "registry.example.com:443/a/b/c:tag", full: "registry.example.com:443/a/b/c:tag",
			familiar: "registry.example.com:443/a/b/c:tag", name: "registry.example.com:443/a/b/c",
			domain: "registry.example.com:443", path: "a/b/c", tag: "tag"},
		{in: "192.168.1.10:5000/app", full: "192.168.1.10:5000/app", familiar: "192.168.1.10:5000/app",
			name: "192.168.1.10:5000/app", domain: "192.168.1.10:5000", path: "app"},
		// Uppercase is allowed in a domain, which an uppercase first element is.
		{in: "Registry.Example.com/app", full: "Registry.Example.com/app", familiar: "Registry.Example.com/app",
			name: "Registry.Example.com/app", domain: "Registry.Example.com", path: "app"},
		{in: "UPPER/x", full: "UPPER/x", familiar: "UPPER/x", name: "UPPER/x", domain: "UPPER", path: "x"},
		// A first element with a dot is taken for a domain, but one that
		// cannot be a host name becomes the first path component.
		{in: "foo_bar.com/baz", full: "foo_bar.com/baz", familiar: "foo_bar.com/baz", name: "foo_bar.com/baz",
			path: "foo_bar.com/baz"},
		{in: "a__b/c---d/e.f_g", full: "docker.io/a__b/c---d/e.f_g", familiar: "a__b/c---d/e.f_g",
			name: "a__b/c---d/e.f_g", domain: "docker.io", path: "a__b/c---d/e.f_g"},
		{in: "busybox@" + sha256D, full: "docker.io/library/busybox@" + sha256D, familiar: "busybox@" + sha256D,
			name: "busybox", domain: "docker.io", path: "library/busybox", digest: sha256D},
		{in: "busybox:1.36@" + sha256D, full: "docker.io/library/busybox:1.36@" + sha256D,
			familiar: "busybox:1.36@" + sha256D, name: "busybox", domain: "docker.io", path: "library/busybox",
			tag: "1.36", digest: sha256D},
		{in: "busybox:_A." + strings.Repeat("x", 125), full: "docker.io/library/busybox:_A." + strings.Repeat("x", 125),
			familiar: "busybox:_A." + strings.Repeat("x", 125), name: "busybox", domain: "docker.io",
			path: "library/busybox", tag: "_A." + strings.Repeat("x", 125)},
		{in: strings.Repeat("a", 247), full: "docker.io/library/" + strings.Repeat("a", 247),
			familiar: strings.Repeat("a", 247), name: strings.Repeat("a", 247), domain: "docker.io",
			path: "library/" + strings.Repeat("a", 247)},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			n, err := ParseNormalizedNamed(tt.in)
			if err != nil {
				t.Fatalf("ParseNormalizedNamed(%q): %v", tt.in, err)
			}
			var tag, dgst string
			if tg, ok := n.(Tagged); ok {
				tag = tg.Tag()
			}
			if d, ok := n.(Digested); ok {
				dgst = d.Digest().String()
			}
			got := []string{n.String(), FamiliarString(n), FamiliarName(n), Domain(n), Path(n), tag, dgst}
			want := []string{tt.full, tt.familiar, tt.name, tt.domain, tt.path, tt.tag, tt.digest}
			fields := []string{"String", "FamiliarString", "FamiliarName", "Domain", "Path", "Tag", "Digest"}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("%s = %q, want %q", fields[i], got[i], want[i])
				}
			}
			if _, ok := n.(NamedTagged); ok != (tt.tag != "") {
				t.Errorf("NamedTagged = %v, want %v", ok, tt.tag != "")
			}
			if _, ok := n.(Canonical); ok != (tt.digest != "") {
				t.Errorf("Canonical = %v, want %v", ok, tt.digest != "")
			}
		})
	}
}

func TestParseNormalizedNamedErrors(t *testing.T) {
	tests := []struct {
		in   string
		want string
		is   error // the sentinel the error wraps, if any
	}{
		{"", "invalid reference format", ErrReferenceInvalidFormat},
		{"busybox:", "invalid reference format", ErrReferenceInvalidFormat},
		{":tag", "invalid reference format", ErrReferenceInvalidFormat},
		{"a:b:c", "invalid reference format", ErrReferenceInvalidFormat},
		{"busy box", "invalid reference format", ErrReferenceInvalidFormat},
		{"busybox:la test", "invalid reference format", ErrReferenceInvalidFormat},
		{"busybox:-tag", "invalid reference format", ErrReferenceInvalidFormat},
		{"busybox:" + strings.Repeat("x", 129), "invalid reference format", ErrReferenceInvalidFormat},
		{"a//b", "invalid reference format", ErrReferenceInvalidFormat},
		{"a/b/", "invalid reference format", ErrReferenceInvalidFormat},
		{"/a", "invalid reference format", ErrReferenceInvalidFormat},
		{"a..b", "invalid reference format", ErrReferenceInvalidFormat},
		{"a___b", "invalid reference format", ErrReferenceInvalidFormat},
		{"a-.b", "invalid reference format", ErrReferenceInvalidFormat},
		{"-a", "invalid reference format", ErrReferenceInvalidFormat},
		{"a-", "invalid reference format", ErrReferenceInvalidFormat},
		{"-host.com/x", "invalid reference format", ErrReferenceInvalidFormat},
		{"host:port/x", "invalid reference format", ErrReferenceInvalidFormat},
		{"host:/x", "invalid reference format", ErrReferenceInvalidFormat},
		{"[::1/x", "invalid reference format", ErrReferenceInvalidFormat},
		{"[]/x", "invalid reference format", ErrReferenceInvalidFormat},
		{"[::g]/x", "invalid reference format", ErrReferenceInvalidFormat},
		{"busybox@", "invalid reference format", ErrReferenceInvalidFormat},
		{"busybox@sha256:abc", "invalid reference format", ErrReferenceInvalidFormat},
		{"busybox@sha256:" + hex64 + "@" + sha256D, "invalid reference format", ErrReferenceInvalidFormat},
		{"busybox@1sha:" + hex64, "invalid reference format", ErrReferenceInvalidFormat},
		{"busybox@sha256:" + hex64 + ":tag", "invalid reference format", ErrReferenceInvalidFormat},
		{"Busybox", "invalid reference format: repository name (library/Busybox) must be lowercase",
			ErrReferenceInvalidFormat},
		{"Busybox:Latest", "invalid reference format: repository name (library/Busybox) must be lowercase",
			ErrReferenceInvalidFormat},
		{"localhost:5000/Web", "invalid reference format: repository name (Web) must be lowercase",
			ErrReferenceInvalidFormat},
		{"busybox@SHA256:" + hex64,
			"invalid reference format: repository name (library/busybox@SHA256) must be lowercase",
			ErrReferenceInvalidFormat},
		// An uppercase domain that is no host name: the whole would be valid in lowercase.
		{"Foo_Bar/x", "repository name must be lowercase", ErrNameContainsUppercase},
		{hex64, "invalid repository name (" + hex64 + "), cannot specify 64-byte hexadecimal strings", nil},
		{strings.Repeat("a", 248), "repository name must not be more than 255 characters", ErrNameTooLong},
		{"busybox@sha256:" + strings.Repeat("a", 32), "invalid checksum digest length", nil},
		{"busybox@sha256:" + strings.ToUpper(hex64), "invalid checksum digest format", nil},
		{"busybox@md5:" + strings.Repeat("a", 32), "unsupported digest algorithm", nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			n, err := ParseNormalizedNamed(tt.in)
			if err == nil {
				t.Fatalf("ParseNormalizedNamed(%q) = %q, want error %q", tt.in, n, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("ParseNormalizedNamed(%q): %q, want %q", tt.in, err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("ParseNormalizedNamed(%q): %v is not %v", tt.in, err, tt.is)
			}
		})
	}
}

func mustParse(t *testing.T, s string) Named {
	t.Helper()
	n, err := ParseNormalizedNamed(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestTagNameOnly(t *testing.T) {
	tests := []struct {
		in, want string
		nameOnly bool
	}{
		{"busybox", "docker.io/library/busybox:latest", true},
		{"busybox:1.36", "docker.io/library/busybox:1.36", false},
		{"busybox@" + sha256D, "docker.io/library/busybox@" + sha256D, false},
		{"busybox:1@" + sha256D, "docker.io/library/busybox:1@" + sha256D, false},
	}
	for _, tt := range tests {
		n := mustParse(t, tt.in)
		if got := IsNameOnly(n); got != tt.nameOnly {
			t.Errorf("IsNameOnly(%q) = %v, want %v", tt.in, got, tt.nameOnly)
		}
		if got := TagNameOnly(n).String(); got != tt.want {
			t.Errorf("TagNameOnly(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTrimNamedWithTag(t *testing.T) {
	tests := []struct {
		in, tag    string
		trimmed    string
		withTag    string // empty: WithTag fails
		canonical  bool   // WithTag's result keeps a digest
		wantTagErr bool
	}{
		{in: "busybox:1.36", tag: "edge", trimmed: "docker.io/library/busybox", withTag: "docker.io/library/busybox:edge"},
		{in: "localhost:5000/app@" + sha256D, tag: "v2", trimmed: "localhost:5000/app",
			withTag: "localhost:5000/app:v2@" + sha256D, canonical: true},
		{in: "busybox", tag: "", trimmed: "docker.io/library/busybox", wantTagErr: true},
		{in: "busybox", tag: "-x", trimmed: "docker.io/library/busybox", wantTagErr: true},
		{in: "busybox", tag: strings.Repeat("t", 129), trimmed: "docker.io/library/busybox", wantTagErr: true},
	}
	for _, tt := range tests {
		n := mustParse(t, tt.in)
		trimmed := TrimNamed(n)
		if got := trimmed.String(); got != tt.trimmed {
			t.Errorf("TrimNamed(%q) = %q, want %q", tt.in, got, tt.trimmed)
		}
		if !IsNameOnly(trimmed) {
			t.Errorf("TrimNamed(%q) has a tag or digest", tt.in)
		}
		nt, err := WithTag(n, tt.tag)
		if tt.wantTagErr {
			if !errors.Is(err, ErrTagInvalidFormat) || err.Error() != "invalid tag format" {
				t.Errorf("WithTag(%q, %q) = %v, %v; want invalid tag format", tt.in, tt.tag, nt, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("WithTag(%q, %q): %v", tt.in, tt.tag, err)
		}
		if got := nt.String(); got != tt.withTag || nt.Tag() != tt.tag {
			t.Errorf("WithTag(%q, %q) = %q (tag %q), want %q", tt.in, tt.tag, got, nt.Tag(), tt.withTag)
		}
		if _, ok := nt.(Canonical); ok != tt.canonical {
			t.Errorf("WithTag(%q, %q) is Canonical: %v, want %v", tt.in, tt.tag, ok, tt.canonical)
		}
	}
}
