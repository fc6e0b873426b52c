package engine

import (
	"context"

	"bolsillo/engine/backend"
	"bolsillo/engine/errdefs"
)

// Build is POST /build.
func (e *Engine) Build(ctx context.Context, opts backend.BuildOptions, out func(backend.JSONMessage) error) error {
	return errdefs.NotImplemented("the builder is not available yet")
}
