// Package imageref parses and formats Docker image references —
// "busybox", "localhost:5000/web:1.0", "docker.io/library/busybox@sha256:…" —
// with the same results and the same error texts as
// github.com/distribution/reference, for the functions bolsillo uses.
//
// It exists because of how containers start: libcontainer runs every
// container process and every exec by re-executing bolsillod as
// "bolsillod init", and every package init linked into the daemon runs again
// each time. distribution/reference compiles its grammar into regular
// expressions at init: about 0.7 ms (GODEBUG=inittrace=1), a third of all
// of bolsillod's package init, paid again by every container start and every
// exec. This package parses by hand and does no work at init.
//
// The grammar, from the reference documentation of distribution:
//
//	reference        := name [ ":" tag ] [ "@" digest ]
//	name             := [domain '/'] remote-name
//	domain           := host [':' port-number]
//	host             := domain-name | IPv4address | '[' IPv6address ']'
//	domain-name      := domain-component ['.' domain-component]*
//	domain-component := /([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])/
//	port-number      := /[0-9]+/
//	remote-name      := path-component ['/' path-component]*
//	path-component   := alpha-numeric [separator alpha-numeric]*
//	alpha-numeric    := /[a-z0-9]+/
//	separator        := /[_.]|__|[-]+/
//	tag              := /[\w][\w.-]{0,127}/
//	digest           := algorithm ":" /[0-9a-fA-F]{32,}/
//	algorithm        := algorithm-part [/[-_+.]/ algorithm-part]*
//	algorithm-part   := /[A-Za-z][A-Za-z0-9]*/
//
// An IPv4 address is a domain-name, and an IPv6 address is only checked to
// be hexadecimal digits and colons.
//
// The tests hold the package equal to github.com/distribution/reference: a
// differential test and a fuzz target parse the same input with both and
// compare acceptance, every part of the result and the error text.
package imageref

import (
	"errors"
	"fmt"
	"strings"

	"github.com/opencontainers/go-digest"
)

const (
	// defaultDomain is the registry of a name written without one: Docker Hub.
	defaultDomain = "docker.io"
	// legacyDefaultDomain is Docker Hub's old name, normalized to defaultDomain.
	legacyDefaultDomain = "index.docker.io"
	// officialRepoPrefix is the Docker Hub namespace of the official images.
	officialRepoPrefix = "library/"
	// defaultTag is the tag TagNameOnly adds.
	defaultTag = "latest"
	// maxPathLength is the longest repository path, without the domain.
	maxPathLength = 255
)

// The errors of the reference grammar, with distribution's wording.
var (
	// ErrReferenceInvalidFormat is returned for a string that is not a reference.
	ErrReferenceInvalidFormat = errors.New("invalid reference format")
	// ErrTagInvalidFormat is returned by WithTag for a malformed tag.
	ErrTagInvalidFormat = errors.New("invalid tag format")
	// ErrNameContainsUppercase is returned for a reference that would be
	// valid if it were in lowercase.
	ErrNameContainsUppercase = errors.New("repository name must be lowercase")
	// ErrNameTooLong is returned for a repository path over 255 characters.
	ErrNameTooLong = errors.New("repository name must not be more than 255 characters")
)

// Named is a reference with a repository name, and possibly a tag and a
// digest. Only this package implements it.
type Named interface {
	// String returns the whole reference: "docker.io/library/busybox:latest".
	String() string
	// Name returns the repository name: "docker.io/library/busybox".
	Name() string
	// parts returns the parsed parts. Being unexported, it keeps the
	// implementations of Named to this package.
	parts() ref
}

// Tagged is a reference with a tag.
type Tagged interface {
	String() string
	Tag() string
}

// NamedTagged is a named reference with a tag.
type NamedTagged interface {
	Named
	Tag() string
}

// Digested is a reference with a digest.
type Digested interface {
	String() string
	Digest() digest.Digest
}

// Canonical is a named reference with a digest.
type Canonical interface {
	Named
	Digest() digest.Digest
}

// ParseNormalizedNamed parses s as a user writes it and returns its fully
// qualified form: "busybox" becomes "docker.io/library/busybox",
// "index.docker.io/user/app:1" becomes "docker.io/user/app:1". A first path
// element is a registry when it is "localhost" or contains a '.', a ':' or an
// uppercase letter; one that cannot be a host name after all, such as
// "foo_bar.com" in "foo_bar.com/app", becomes the first path component of a
// name without a domain, as in distribution. A string of 64 lowercase
// hexadecimal digits is refused, as it reads as an image ID.
func ParseNormalizedNamed(s string) (Named, error) {
	if isIdentifier(s) {
		return nil, fmt.Errorf("invalid repository name (%s), cannot specify 64-byte hexadecimal strings", s)
	}
	domain, remainder := splitDockerDomain(s)
	if remote, _, _ := strings.Cut(remainder, ":"); strings.ToLower(remote) != remote {
		return nil, fmt.Errorf("%w: repository name (%s) must be lowercase", ErrReferenceInvalidFormat, remote)
	}
	r, err := parse(domain + "/" + remainder)
	if err != nil {
		return nil, err
	}
	return r.named(), nil
}

// splitDockerDomain splits s into a registry and the rest of the reference,
// adding Docker Hub and its "library/" namespace where s names neither. The
// rest is not validated; parse decides where the domain really ends.
func splitDockerDomain(s string) (domain, remainder string) {
	first, rest, found := strings.Cut(s, "/")
	switch {
	case !found:
		// A single element is never a registry, not even "localhost:5000",
		// which reads as the image "localhost" with the tag "5000".
		return defaultDomain, officialRepoPrefix + s
	case first == legacyDefaultDomain:
		domain, remainder = defaultDomain, rest
	case first == "localhost", strings.ContainsAny(first, ".:"), strings.ToLower(first) != first:
		domain, remainder = first, rest
	default:
		domain, remainder = defaultDomain, s
	}
	if domain == defaultDomain && !strings.Contains(remainder, "/") {
		remainder = officialRepoPrefix + remainder
	}
	return domain, remainder
}

// parse parses s against the reference grammar, telling apart a reference
// that is only wrong in its case.
func parse(s string) (ref, error) {
	r, ok := splitReference(s)
	if !ok {
		if _, ok := splitReference(strings.ToLower(s)); ok {
			return ref{}, ErrNameContainsUppercase
		}
		return ref{}, ErrReferenceInvalidFormat
	}
	if len(r.path) > maxPathLength {
		return ref{}, ErrNameTooLong
	}
	if r.digest != "" {
		if _, err := digest.Parse(string(r.digest)); err != nil {
			return ref{}, err
		}
	}
	return r, nil
}

// Domain returns the registry of named: "docker.io", "localhost:5000".
func Domain(named Named) string {
	return named.parts().domain
}

// Path returns the repository of named without its registry:
// "library/busybox".
func Path(named Named) string {
	return named.parts().path
}

// FamiliarName returns the repository name as docker shows it, without
// Docker Hub's domain and "library/" namespace: "busybox", "user/app",
// "localhost:5000/app".
func FamiliarName(named Named) string {
	return named.parts().familiar().Name()
}

// FamiliarString returns the whole reference as docker shows it:
// "busybox:latest", "user/app@sha256:…".
func FamiliarString(named Named) string {
	return named.parts().familiar().String()
}

// IsNameOnly reports whether named has neither a tag nor a digest.
func IsNameOnly(named Named) bool {
	r := named.parts()
	return r.tag == "" && r.digest == ""
}

// TagNameOnly returns named with the tag "latest" when it has neither a tag
// nor a digest, and named itself otherwise.
func TagNameOnly(named Named) Named {
	if !IsNameOnly(named) {
		return named
	}
	r := named.parts()
	r.tag = defaultTag
	return tagged{r}
}

// TrimNamed returns the repository name of named, without tag or digest.
func TrimNamed(named Named) Named {
	r := named.parts()
	return ref{domain: r.domain, path: r.path}
}

// WithTag returns named with its tag set to tag. A digest named has is kept.
func WithTag(named Named, tag string) (NamedTagged, error) {
	if !isTag(tag) {
		return nil, ErrTagInvalidFormat
	}
	r := named.parts()
	r.tag = tag
	if r.digest != "" {
		return taggedDigested{r}, nil
	}
	return tagged{r}, nil
}

// ref holds the parts of a reference. By itself it is a name without tag or
// digest; the types that wrap it add the Tag and Digest methods, so that a
// reference satisfies Tagged or Digested exactly when it has a tag or a
// digest.
type ref struct {
	domain string
	path   string
	tag    string
	digest digest.Digest
}

// named wraps r in the type that matches the parts it has.
func (r ref) named() Named {
	switch {
	case r.tag != "" && r.digest != "":
		return taggedDigested{r}
	case r.tag != "":
		return tagged{r}
	case r.digest != "":
		return digested{r}
	default:
		return r
	}
}

func (r ref) parts() ref { return r }

// Name returns the domain and path, joined by a slash when there is a domain.
func (r ref) Name() string {
	if r.domain == "" {
		return r.path
	}
	return r.domain + "/" + r.path
}

// String returns the name followed by ":tag" and "@digest" when r has them.
func (r ref) String() string {
	s := r.Name()
	if r.tag != "" {
		s += ":" + r.tag
	}
	if r.digest != "" {
		s += "@" + string(r.digest)
	}
	return s
}

// familiar returns r without Docker Hub's domain, and without the "library/"
// namespace of an official image ("library/a/b" keeps it).
func (r ref) familiar() ref {
	if r.domain != defaultDomain {
		return r
	}
	r.domain = ""
	if rest, ok := strings.CutPrefix(r.path, officialRepoPrefix); ok && !strings.Contains(rest, "/") {
		r.path = rest
	}
	return r
}

// tagged is a reference with a tag and no digest.
type tagged struct{ ref }

// Tag returns the tag: "latest".
func (t tagged) Tag() string { return t.tag }

// digested is a reference with a digest and no tag.
type digested struct{ ref }

// Digest returns the digest: "sha256:…".
func (d digested) Digest() digest.Digest { return d.digest }

// taggedDigested is a reference with both a tag and a digest.
type taggedDigested struct{ ref }

// Tag returns the tag: "latest".
func (t taggedDigested) Tag() string { return t.tag }

// Digest returns the digest: "sha256:…".
func (t taggedDigested) Digest() digest.Digest { return t.digest }
