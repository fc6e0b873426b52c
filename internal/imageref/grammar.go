package imageref

import (
	"strings"

	"github.com/opencontainers/go-digest"
)

// maxTagLength is the longest tag the grammar accepts.
const maxTagLength = 128

// splitReference matches s against the whole grammar,
// name [":" tag] ["@" digest], and returns its parts. ok is false when s
// does not match. The digest is only checked against the grammar here;
// parse validates it further.
func splitReference(s string) (r ref, ok bool) {
	rest, dgst, hasDigest := strings.Cut(s, "@")
	if hasDigest && !isDigest(dgst) {
		return ref{}, false
	}
	name, tag, hasTag := cutTag(rest)
	if hasTag && !isTag(tag) {
		return ref{}, false
	}
	domain, path, ok := splitName(name)
	if !ok {
		return ref{}, false
	}
	return ref{domain: domain, path: path, tag: tag, digest: digest.Digest(dgst)}, true
}

// cutTag splits s at the colon before a tag. Only a domain's port or IPv6
// address has colons inside a name, and a domain is always followed by a
// slash, so a colon after the last slash starts the tag.
func cutTag(s string) (name, tag string, found bool) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 || i < strings.LastIndexByte(s, '/') {
		return s, "", false
	}
	return s[:i], s[i+1:], true
}

// splitName splits a name into its domain and remote name. The first
// element is the domain when it can be one; otherwise it is the first path
// component, and the domain is empty.
func splitName(name string) (domain, path string, ok bool) {
	if first, rest, found := strings.Cut(name, "/"); found && isDomain(first) && isRemoteName(rest) {
		return first, rest, true
	}
	return "", name, isRemoteName(name)
}

// isRemoteName reports whether s is path components joined by slashes.
func isRemoteName(s string) bool { return everyPart(s, "/", isPathComponent) }

// everyPart reports whether every part of s between the separators sep
// satisfies ok.
func everyPart(s, sep string, ok func(string) bool) bool {
	for {
		part, rest, found := strings.Cut(s, sep)
		if !ok(part) {
			return false
		}
		if !found {
			return true
		}
		s = rest
	}
}

// isPathComponent reports whether s is runs of [a-z0-9] joined by single
// separators: ".", "_", "__" or any number of "-".
func isPathComponent(s string) bool {
	i := 0
	for {
		start := i
		for i < len(s) && isLowerAlnum(s[i]) {
			i++
		}
		if i == start {
			return false
		}
		if i == len(s) {
			return true
		}
		start = i
		for i < len(s) && !isLowerAlnum(s[i]) {
			i++
		}
		if !isSeparator(s[start:i]) {
			return false
		}
	}
}

// isSeparator reports whether s, not empty, may join two alphanumeric runs
// of a path component.
func isSeparator(s string) bool {
	switch s {
	case ".", "_", "__":
		return true
	}
	return strings.Trim(s, "-") == ""
}

// isDomain reports whether s is a host, a domain name or a bracketed IPv6
// address, followed by an optional ":port".
func isDomain(s string) bool {
	hostEnd := strings.IndexByte(s, ':')
	if strings.HasPrefix(s, "[") {
		hostEnd = strings.IndexByte(s, ']') + 1
		if hostEnd == 0 {
			return false
		}
	}
	if hostEnd < 0 {
		hostEnd = len(s)
	}
	host, port := s[:hostEnd], s[hostEnd:]
	if port != "" && (port[0] != ':' || !isDigits(port[1:])) {
		return false
	}
	return isDomainName(host) || isIPv6Literal(host)
}

// isDomainName reports whether s is dot-separated components of letters,
// digits and inner hyphens.
func isDomainName(s string) bool { return everyPart(s, ".", isDomainComponent) }

// isDomainComponent reports whether s is letters, digits and hyphens, and
// neither starts nor ends with a hyphen.
func isDomainComponent(s string) bool {
	if s == "" || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isAlnum(s[i]) && s[i] != '-' {
			return false
		}
	}
	return true
}

// isIPv6Literal reports whether s is hexadecimal digits and colons between
// square brackets. The grammar checks no more of the address than that.
func isIPv6Literal(s string) bool {
	inner, ok := strings.CutPrefix(s, "[")
	if !ok {
		return false
	}
	if inner, ok = strings.CutSuffix(inner, "]"); !ok || inner == "" {
		return false
	}
	for i := 0; i < len(inner); i++ {
		if !isHex(inner[i]) && inner[i] != ':' {
			return false
		}
	}
	return true
}

// isTag reports whether s is a tag: up to 128 letters, digits, '_', '.' and
// '-', not starting with '.' or '-'.
func isTag(s string) bool {
	if s == "" || len(s) > maxTagLength || !isWordChar(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isWordChar(s[i]) && s[i] != '.' && s[i] != '-' {
			return false
		}
	}
	return true
}

// isDigest reports whether s has the form the grammar gives a digest: an
// algorithm, a colon and at least 32 hexadecimal digits.
func isDigest(s string) bool {
	algorithm, encoded, found := strings.Cut(s, ":")
	if !found || !isAlgorithm(algorithm) || len(encoded) < 32 {
		return false
	}
	for i := 0; i < len(encoded); i++ {
		if !isHex(encoded[i]) {
			return false
		}
	}
	return true
}

// isAlgorithm reports whether s is components joined by single '+', '.',
// '-' or '_', each a letter followed by letters and digits.
func isAlgorithm(s string) bool {
	for {
		end := strings.IndexAny(s, "+.-_")
		component := s
		if end >= 0 {
			component = s[:end]
		}
		if component == "" || !isLetter(component[0]) {
			return false
		}
		for i := 1; i < len(component); i++ {
			if !isAlnum(component[i]) {
				return false
			}
		}
		if end < 0 {
			return true
		}
		s = s[end+1:]
	}
}

// isIdentifier reports whether s is an image ID: 64 lowercase hexadecimal
// digits.
func isIdentifier(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) && (s[i] < 'a' || s[i] > 'f') {
			return false
		}
	}
	return true
}

// isDigits reports whether s is one or more decimal digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool      { return '0' <= c && c <= '9' }
func isLetter(c byte) bool     { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isAlnum(c byte) bool      { return isDigit(c) || isLetter(c) }
func isLowerAlnum(c byte) bool { return isDigit(c) || 'a' <= c && c <= 'z' }
func isWordChar(c byte) bool   { return isAlnum(c) || c == '_' }
func isHex(c byte) bool        { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }
