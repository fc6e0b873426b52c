package errdefs

import (
	"errors"
	"fmt"
	"testing"
)

func TestKindOf(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want Kind
	}{
		{"nil", nil, KindUnknown},
		{"plain", errors.New("boom"), KindUnknown},
		{"not found", NotFound("No such container: %s", "web"), KindNotFound},
		{"wrapped conflict", fmt.Errorf("removing: %w", Conflict("container is running")), KindConflict},
		{"invalid", InvalidParameter("bad"), KindInvalidParameter},
		{"not modified", NotModified("already started"), KindNotModified},
		{"outermost wins", Classify(KindConflict, NotFound("x")), KindConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := KindOf(tt.err); got != tt.want {
				t.Errorf("KindOf(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

func TestMessageKept(t *testing.T) {
	err := NotFound("No such image: %s", "busybox:latest")
	if got, want := err.Error(), "No such image: busybox:latest"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if Classify(KindNotFound, nil) != nil {
		t.Error("Classify(nil) != nil")
	}
}
