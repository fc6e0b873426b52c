package image

import dockerspec "github.com/moby/docker-image-spec/specs-go/v1"

// ApplyChanges applies Dockerfile instructions to config in order, as
// `docker import --change` and `docker commit --change` do: CMD,
// ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME and
// WORKDIR, case-insensitive. An unknown or malformed instruction is an
// invalid-parameter error.
func ApplyChanges(config *dockerspec.DockerOCIImageConfig, changes []string) error {
	return applyChanges(config, changes)
}
