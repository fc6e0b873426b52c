package backend

import apicontainer "github.com/moby/moby/api/types/container"

// CommitOptions is the query and body of POST /commit.
type CommitOptions struct {
	// Repo and Tag name the new image; an empty Repo leaves it untagged.
	// Repo may arrive normalised ("docker.io/library/web").
	Repo, Tag string
	Comment   string
	Author    string
	// Pause asks to freeze the container while its writable layer is read.
	Pause bool
	// Changes are Dockerfile instructions applied to the config (-c).
	Changes []string
	// Config, when given, is the base of the new image's config; the
	// container's own config fills what it leaves empty.
	Config *apicontainer.Config
}
