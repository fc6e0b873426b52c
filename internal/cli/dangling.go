package cli

import (
	"context"

	"github.com/moby/moby/api/types/image"
	"github.com/moby/moby/client"
)

// A tag that moves to another image (pull, tag, load, import, build) can
// leave the image it named without any name: dangling. The commands inspect
// the name before and the old image after, so the explanation can say which
// image was left behind, as it happens. Both work against real Docker too.

// lookupForDangling inspects what ref names now, when explaining, so that
// after the command moves the name we can tell whether the old image was
// left without any. It returns nil when ref names nothing yet.
func (f *factory) lookupForDangling(ctx context.Context, api client.APIClient, ref string) *image.InspectResponse {
	if !f.Explaining() {
		return nil
	}
	res, err := api.ImageInspect(ctx, ref)
	if err != nil {
		return nil
	}
	return &res.InspectResponse
}

// leftDangling returns the image before pointed at, when the name now
// points at newID and before has no tag left: it is now <none>:<none>.
func (f *factory) leftDangling(ctx context.Context, api client.APIClient, before *image.InspectResponse, newID string) *image.InspectResponse {
	if before == nil || before.ID == newID {
		return nil
	}
	res, err := api.ImageInspect(ctx, before.ID)
	if err != nil || len(res.RepoTags) > 0 {
		return nil
	}
	return &res.InspectResponse
}
