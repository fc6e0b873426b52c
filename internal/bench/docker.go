package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

const (
	defaultDockerSock = "/var/run/docker.sock"
	// dockerImage is busybox in Docker, imported from the rootfs of
	// bolsillod's busybox: the image of the run rows and the base of the
	// reference Dockerfile.
	dockerImage       = benchBusybox + ":latest"
	dockerProbeWindow = 2 * time.Second
)

// dockerEnv keeps the docker CLI from printing hints.
var dockerEnv = []string{"DOCKER_CLI_HINTS=false"}

// dockerBuildEnv is dockerEnv with the classic builder, the one bolsillo
// implements, instead of BuildKit.
var dockerBuildEnv = []string{"DOCKER_CLI_HINTS=false", "DOCKER_BUILDKIT=0"}

// dockerDaemon is a Docker daemon driven through the docker CLI.
type dockerDaemon struct {
	sock string // its API socket
}

// argv returns the argv of the docker CLI against the daemon.
func (dd dockerDaemon) argv(args ...string) []string {
	return append([]string{"docker", "-H", "unix://" + dd.sock}, args...)
}

// missing says why Docker cannot be measured here ("no hay daemon en
// /var/run/docker.sock"), or "" when the daemon answers `docker version`
// within dockerProbeWindow.
func (dd dockerDaemon) missing(ctx context.Context) string {
	noDaemon := "no hay daemon en " + dd.sock
	if _, err := os.Stat(dd.sock); err != nil {
		return noDaemon
	}
	if _, err := exec.LookPath("docker"); err != nil {
		return "hay un socket en " + dd.sock + " pero falta el CLI docker"
	}
	ctx, cancel := context.WithTimeout(ctx, dockerProbeWindow)
	defer cancel()
	if _, err := output(ctx, dd.argv("version"), dockerEnv); err != nil {
		return noDaemon
	}
	return ""
}

// importRootfs imports rootfs into the daemon as dockerImage, through the
// tar stream `docker import -` reads.
func (dd dockerDaemon) importRootfs(ctx context.Context, rootfs string) error {
	ctx, cancel := context.WithTimeout(ctx, runTimeout)
	defer cancel()
	tarArgv := []string{"tar", "-C", rootfs, "-cf", "-", "."}
	tar := exec.CommandContext(ctx, tarArgv[0], tarArgv[1:]...)
	var tarErr strings.Builder
	tar.Stderr = &tarErr
	stream, err := tar.StdoutPipe()
	if err != nil {
		return err
	}
	impArgv := dd.argv("import", "-", dockerImage)
	imp := exec.CommandContext(ctx, impArgv[0], impArgv[1:]...)
	imp.Env = append(os.Environ(), dockerEnv...)
	imp.Stdin = stream
	var impOut strings.Builder
	imp.Stdout, imp.Stderr = &impOut, &impOut
	if err := tar.Start(); err != nil {
		return fmt.Errorf("archiving %s: %w", rootfs, err)
	}
	impErr := imp.Run()
	tarWaitErr := tar.Wait()
	switch {
	case impErr != nil:
		return commandError(impArgv, impErr, []byte(impOut.String()))
	case tarWaitErr != nil:
		return commandError(tarArgv, tarWaitErr, []byte(tarErr.String()))
	}
	return nil
}

// removeImage removes dockerImage from the daemon.
func (dd dockerDaemon) removeImage(ctx context.Context) error {
	_, err := output(ctx, dd.argv("image", "rm", dockerImage), dockerEnv)
	return err
}

// hasImage reports whether the daemon has an image named ref.
func (dd dockerDaemon) hasImage(ctx context.Context, ref string) (bool, error) {
	out, err := output(ctx, dd.argv("image", "ls", "--quiet", ref), dockerEnv)
	if err != nil {
		return false, err
	}
	return len(strings.TrimSpace(string(out))) > 0, nil
}

// run returns the timed `docker run --rm` of `true` in dockerImage, with
// the given network, or Docker's default bridge when network is "".
func (dd dockerDaemon) run(network string) (argv []string, run func(context.Context, int) (time.Duration, error)) {
	args := []string{"run", "--rm"}
	if network != "" {
		args = append(args, "--network", network)
	}
	argv = dd.argv(append(args, dockerImage, "true")...)
	return argv, func(ctx context.Context, _ int) (time.Duration, error) {
		return timeExec(ctx, argv, dockerEnv)
	}
}
