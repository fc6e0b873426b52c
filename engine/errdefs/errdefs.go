// Package errdefs classifies engine errors so that the API server can map
// each one to the HTTP status code Docker uses, without the engine knowing
// anything about HTTP.
//
// An error keeps its own message (Docker's English wording, which the docker
// CLI prints and the bolsillo CLI translates) and carries a kind that
// callers test with the Is* functions, through any amount of wrapping.
package errdefs

import (
	"errors"
	"fmt"
)

// Kind is the class of an error.
type Kind int

const (
	// KindUnknown is any error not classified below (HTTP 500).
	KindUnknown Kind = iota
	// KindNotFound: the object asked for does not exist (404).
	KindNotFound
	// KindInvalidParameter: the request is malformed or a value is invalid (400).
	KindInvalidParameter
	// KindConflict: the request conflicts with the object's state (409).
	KindConflict
	// KindNotModified: nothing to do, the object is already in that state (304).
	KindNotModified
	// KindForbidden: the operation is not allowed (403).
	KindForbidden
	// KindNotImplemented: the engine does not do this (yet) (501).
	KindNotImplemented
	// KindUnauthorized: a registry refused the credentials (401).
	KindUnauthorized
)

type classified struct {
	kind Kind
	err  error
}

func (e *classified) Error() string { return e.err.Error() }
func (e *classified) Unwrap() error { return e.err }

// Classify wraps err with kind. A nil err stays nil.
func Classify(kind Kind, err error) error {
	if err == nil {
		return nil
	}
	return &classified{kind: kind, err: err}
}

// NotFound returns a KindNotFound error with a formatted message.
func NotFound(format string, args ...any) error {
	return Classify(KindNotFound, fmt.Errorf(format, args...))
}

// InvalidParameter returns a KindInvalidParameter error with a formatted message.
func InvalidParameter(format string, args ...any) error {
	return Classify(KindInvalidParameter, fmt.Errorf(format, args...))
}

// Conflict returns a KindConflict error with a formatted message.
func Conflict(format string, args ...any) error {
	return Classify(KindConflict, fmt.Errorf(format, args...))
}

// NotModified returns a KindNotModified error with a formatted message.
func NotModified(format string, args ...any) error {
	return Classify(KindNotModified, fmt.Errorf(format, args...))
}

// NotImplemented returns a KindNotImplemented error with a formatted message.
func NotImplemented(format string, args ...any) error {
	return Classify(KindNotImplemented, fmt.Errorf(format, args...))
}

// KindOf returns the kind of the outermost classified error in err's chain.
func KindOf(err error) Kind {
	var c *classified
	if errors.As(err, &c) {
		return c.kind
	}
	return KindUnknown
}

// IsNotFound reports whether err is classified as not found.
func IsNotFound(err error) bool { return KindOf(err) == KindNotFound }

// IsConflict reports whether err is classified as a conflict.
func IsConflict(err error) bool { return KindOf(err) == KindConflict }

// IsInvalidParameter reports whether err is classified as invalid input.
func IsInvalidParameter(err error) bool { return KindOf(err) == KindInvalidParameter }

// IsNotModified reports whether err is classified as not modified.
func IsNotModified(err error) bool { return KindOf(err) == KindNotModified }
