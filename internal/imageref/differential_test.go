package imageref

import (
	"strconv"
	"strings"
	"testing"

	"github.com/distribution/reference"
)

// compareWithDistribution parses s with this package and with
// github.com/distribution/reference and fails t where they differ: in
// acceptance, in the exact error text, and for an accepted s in String,
// Name, FamiliarString, FamiliarName, Domain, Path, tag, digest, the
// interfaces the result satisfies, IsNameOnly, TagNameOnly and TrimNamed.
// It also compares WithTag with s as the tag.
func compareWithDistribution(t *testing.T, s string) {
	t.Helper()
	want, wantErr := reference.ParseNormalizedNamed(s)
	got, gotErr := ParseNormalizedNamed(s)
	switch {
	case wantErr != nil && gotErr != nil:
		if gotErr.Error() != wantErr.Error() {
			t.Errorf("ParseNormalizedNamed(%q): error %q, distribution %q", s, gotErr, wantErr)
		}
	case wantErr != nil:
		t.Errorf("ParseNormalizedNamed(%q) = %q, distribution fails: %q", s, got, wantErr)
	case gotErr != nil:
		t.Errorf("ParseNormalizedNamed(%q) fails: %q, distribution = %q", s, gotErr, want)
	default:
		compareNamed(t, s, got, want)
		compareNamed(t, s+" TagNameOnly", TagNameOnly(got), reference.TagNameOnly(want))
		compareNamed(t, s+" TrimNamed", TrimNamed(got), reference.TrimNamed(want))
	}
	compareWithTag(t, s)
}

// compareNamed fails t where got and want, both parsed from the input
// named by what, differ.
func compareNamed(t *testing.T, what string, got Named, want reference.Named) {
	t.Helper()
	wantTag, wantTagged := want.(reference.Tagged)
	gotTag, gotTagged := got.(Tagged)
	wantDigest, wantDigested := want.(reference.Digested)
	gotDigest, gotDigested := got.(Digested)
	_, wantNT := want.(reference.NamedTagged)
	_, gotNT := got.(NamedTagged)
	_, wantCanonical := want.(reference.Canonical)
	_, gotCanonical := got.(Canonical)
	pairs := []struct{ field, got, want string }{
		{"String", got.String(), want.String()},
		{"Name", got.Name(), want.Name()},
		{"FamiliarString", FamiliarString(got), reference.FamiliarString(want)},
		{"FamiliarName", FamiliarName(got), reference.FamiliarName(want)},
		{"Domain", Domain(got), reference.Domain(want)},
		{"Path", Path(got), reference.Path(want)},
		{"IsNameOnly", strconv.FormatBool(IsNameOnly(got)), strconv.FormatBool(reference.IsNameOnly(want))},
		{"Tagged", strconv.FormatBool(gotTagged), strconv.FormatBool(wantTagged)},
		{"NamedTagged", strconv.FormatBool(gotNT), strconv.FormatBool(wantNT)},
		{"Digested", strconv.FormatBool(gotDigested), strconv.FormatBool(wantDigested)},
		{"Canonical", strconv.FormatBool(gotCanonical), strconv.FormatBool(wantCanonical)},
	}
	if gotTagged && wantTagged {
		pairs = append(pairs, struct{ field, got, want string }{"Tag", gotTag.Tag(), wantTag.Tag()})
	}
	if gotDigested && wantDigested {
		pairs = append(pairs, struct{ field, got, want string }{"Digest", gotDigest.Digest().String(), wantDigest.Digest().String()})
	}
	for _, p := range pairs {
		if p.got != p.want {
			t.Errorf("%q: %s = %q, distribution %q", what, p.field, p.got, p.want)
		}
	}
}

// compareWithTag fails t where WithTag and distribution's differ on tag
// given to a name with and without a digest.
func compareWithTag(t *testing.T, tag string) {
	t.Helper()
	for _, s := range []string{"busybox", "localhost:5000/app:1@" + sha256D} {
		got, gotErr := WithTag(mustParse(t, s), tag)
		wantNamed, err := reference.ParseNormalizedNamed(s)
		if err != nil {
			t.Fatal(err)
		}
		want, wantErr := reference.WithTag(wantNamed, tag)
		switch {
		case wantErr != nil && gotErr != nil:
			if gotErr.Error() != wantErr.Error() {
				t.Errorf("WithTag(%q, %q): error %q, distribution %q", s, tag, gotErr, wantErr)
			}
		case wantErr != nil || gotErr != nil:
			t.Errorf("WithTag(%q, %q) = %v, %v; distribution %v, %v", s, tag, got, gotErr, want, wantErr)
		default:
			compareNamed(t, s+" WithTag "+tag, got, want)
		}
	}
}

// differentialInputs are references that exercise each rule of the
// grammar, valid and invalid; the fuzz seed corpus adds to them.
var differentialInputs = []string{
	"", "busybox", "busybox:1.36", "library/busybox", "docker.io/busybox", "docker.io/library/busybox:latest",
	"index.docker.io/busybox", "index.docker.io/user/app:1", "index.docker.io", "docker.io", "docker.io/",
	"user/app", "docker.io/library/a/b", "library/a/b", "localhost", "localhost/app", "localhost:5000",
	"localhost:5000/app:v1", "LOCALHOST/app", "example.com", "example.com/app", "example.com:/app",
	"[::1]:5000/app", "[::1]/app", "[::1]", "[::1]:5000", "[2001:db8::1]/team/app:1", "[::ffff:1.2.3.4]/app",
	"[]/app", "[::1/app", "::1/app", "[::1]x/app", "registry.example.com:443/a/b/c:tag", "192.168.1.10:5000/app",
	"Registry.Example.com/app", "UPPER/x", "Foo_Bar/x", "foo_bar.com/baz", "a-b.c-d/e", "-a.com/b", "a-.com/b",
	"a.-com/b", "a..com/b", ".a/b", "a/b.", "a__b", "a___b", "a_-b", "a--b", "a.b.c", "a..b", "a-.b", "_a", "a_",
	"a//b", "a/b/", "/a", "busybox:", ":tag", "a:b:c", "busy box", "busybox:la test", "busybox:-tag",
	"busybox:.tag", "busybox:_tag", "busybox:" + strings.Repeat("x", 128), "busybox:" + strings.Repeat("x", 129),
	"Busybox", "Busybox:Latest", "busybox:Latest", "localhost:5000/Web", "foo:bar/Baz", "foo:123/bar",
	"\u212a/x", "a/\u212a", "a\u212a", "caf\u00e9", "a\xffb", "a/b\x00",
	"busybox@" + sha256D, "busybox:1.36@" + sha256D, "busybox@", "@" + sha256D, "busybox@sha256:abc",
	"busybox@sha256:" + strings.Repeat("a", 32), "busybox@sha256:" + strings.ToUpper(hex64),
	"busybox@SHA256:" + hex64, "busybox@md5:" + strings.Repeat("a", 32), "busybox@sha256+b64:" + hex64,
	"busybox@sha512:" + strings.Repeat("a", 128), "busybox@1sha:" + hex64, "busybox@sha256:" + hex64 + ":tag",
	"busybox@sha256:" + hex64 + "@" + sha256D, "busybox@sha256-:" + hex64, "busybox@s.h:" + hex64,
	hex64, strings.ToUpper(hex64), hex64 + ":tag", "sha256:" + hex64, "library/" + hex64,
	strings.Repeat("a", 247), strings.Repeat("a", 248), "example.com/" + strings.Repeat("a", 255),
	"example.com/" + strings.Repeat("a", 256), strings.Repeat("a", 300) + ".com/x",
}

// TestDifferential compares the two parsers on differentialInputs, on every
// string of up to four characters over an alphabet of the grammar's
// delimiters and classes, and on references assembled from domains, paths,
// tags and digests, valid and invalid.
func TestDifferential(t *testing.T) {
	for _, s := range differentialInputs {
		compareWithDistribution(t, s)
	}
	for _, s := range allStrings("aA1/:@._-[]", 4) {
		compareWithDistribution(t, s)
	}
	domains := []string{"", "localhost/", "localhost:5000/", "example.com/", "Example.com/", "[::1]:5000/", "foo_bar.com/",
		"index.docker.io/", "docker.io/", "UP/", "a:b/"}
	paths := []string{"app", "library/app", "a/b/c", "Ab", "a__b", "a..b", "a-", strings.Repeat("a", 250)}
	tags := []string{"", ":v1", ":V_1.0-rc", ":", ":-x", ":" + strings.Repeat("t", 128), ":" + strings.Repeat("t", 129)}
	digests := []string{"", "@" + sha256D, "@sha256:" + strings.Repeat("a", 32), "@SHA256:" + hex64, "@sha256:" + strings.ToUpper(hex64)}
	for _, d := range domains {
		for _, p := range paths {
			for _, tg := range tags {
				for _, dg := range digests {
					compareWithDistribution(t, d+p+tg+dg)
				}
			}
		}
	}
}

// allStrings returns every string of 1 to n characters over alphabet.
func allStrings(alphabet string, n int) []string {
	all := []string{""}
	for prev := all; n > 0; n-- {
		var next []string
		for _, p := range prev {
			for _, c := range alphabet {
				next = append(next, p+string(c))
			}
		}
		all = append(all, next...)
		prev = next
	}
	return all[1:]
}

// FuzzParseNormalizedNamed: on any input, this package and
// github.com/distribution/reference accept the same references, fail with
// the same error text, and agree on every part of what they parse.
func FuzzParseNormalizedNamed(f *testing.F) {
	for _, s := range differentialInputs {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		compareWithDistribution(t, s)
	})
}
