package image

import (
	"fmt"

	"bolsillo/engine/errdefs"
	"bolsillo/internal/imageref"
)

// NormalizeRef returns the fully qualified form of an image reference, with
// the default tag added when there is none: "busybox" becomes
// "docker.io/library/busybox:latest", "localhost:5000/x" becomes
// "localhost:5000/x:latest". A reference with a digest keeps it. An invalid
// reference gives an invalid-parameter error with Docker's wording
// ("invalid reference format...").
func NormalizeRef(ref string) (string, error) {
	named, err := parseRef(ref)
	if err != nil {
		return "", err
	}
	return named.String(), nil
}

// parseRef parses ref as NormalizeRef does, returning the parsed reference.
func parseRef(ref string) (imageref.Named, error) {
	named, err := imageref.ParseNormalizedNamed(ref)
	if err != nil {
		return nil, errdefs.Classify(errdefs.KindInvalidParameter, err)
	}
	return imageref.TagNameOnly(named), nil
}

// FamiliarRef returns the short form that docker shows for a normalized
// reference: "docker.io/library/busybox:latest" becomes "busybox:latest". A
// string that does not parse is returned unchanged.
func FamiliarRef(normalized string) string {
	named, err := imageref.ParseNormalizedNamed(normalized)
	if err != nil {
		return normalized
	}
	return imageref.FamiliarString(named)
}

// tagRef parses ref as a reference that a tag can be given to: a name with
// an optional tag, never a digest.
func tagRef(ref string) (imageref.NamedTagged, error) {
	named, err := parseRef(ref)
	if err != nil {
		return nil, err
	}
	if _, ok := named.(imageref.Digested); ok {
		return nil, errdefs.InvalidParameter("refusing to create a tag with a digest reference")
	}
	tagged, ok := named.(imageref.NamedTagged)
	if !ok {
		return nil, errdefs.InvalidParameter("invalid reference format: %s has no tag", ref)
	}
	return tagged, nil
}

// errNoSuchImage is the error for a reference that names no image.
type errNoSuchImage struct{ ref string }

func (e errNoSuchImage) Error() string        { return fmt.Sprintf("No such image: %s", e.ref) }
func (e errNoSuchImage) Is(target error) bool { return target == ErrNotFound }

func noSuchImage(ref string) error {
	return errdefs.Classify(errdefs.KindNotFound, errNoSuchImage{ref})
}

// errAmbiguous is the error for an ID prefix that matches several images.
type errAmbiguous struct{ prefix string }

func (e errAmbiguous) Error() string {
	return fmt.Sprintf("multiple IDs found with provided prefix: %s", e.prefix)
}
func (e errAmbiguous) Is(target error) bool { return target == ErrNotFound || target == ErrAmbiguous }
