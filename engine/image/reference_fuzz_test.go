package image

import (
	"strings"
	"testing"
)

// FuzzNormalizeRef: no image reference a request names makes the parsing
// panic; a normalized reference normalizes to itself, its familiar form
// normalizes back to it, and tagRef accepts only what has a tag and no
// digest.
func FuzzNormalizeRef(f *testing.F) {
	for _, s := range []string{
		"busybox", "busybox:1.36", "library/busybox", "docker.io/library/busybox:latest", "localhost:5000/x",
		"registry.example.com:443/a/b/c:tag", "busybox@sha256:" + strings.Repeat("a", 64), "UPPER", "a:b:c", ":tag", "@",
		"../etc", "a//b", "sha256:" + strings.Repeat("0", 64), strings.Repeat("a", 300),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ref string) {
		norm, err := NormalizeRef(ref)
		if err != nil {
			return
		}
		if again, err := NormalizeRef(norm); err != nil || again != norm {
			t.Errorf("NormalizeRef(%q) = %q, which normalizes to %q, %v", ref, norm, again, err)
		}
		if back, err := NormalizeRef(FamiliarRef(norm)); err != nil || back != norm {
			t.Errorf("FamiliarRef(%q) = %q, which normalizes to %q, %v", norm, FamiliarRef(norm), back, err)
		}
		if tagged, err := tagRef(ref); err == nil {
			if strings.Contains(tagged.String(), "@") || tagged.Tag() == "" {
				t.Errorf("tagRef(%q) = %q", ref, tagged)
			}
		}
	})
}
