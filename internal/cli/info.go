package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/docker/go-units"
	"github.com/moby/moby/api/types/system"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"

	"bolsillo/explain"
)

func newInfoCommand(f *factory) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "info [OPCIONES]",
		Short: "Muestra información del daemon: contenedores, imágenes, directorio de datos",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runInfo(cmd.Context(), f, format)
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "", "Formato de salida: 'json' o una plantilla de Go")
	return cmd
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

func runInfo(ctx context.Context, f *factory, format string) error {
	api, err := f.Client()
	if err != nil {
		return err
	}
	if format != "" {
		if format == jsonFormatKey {
			format = "{{json .}}"
		}
		tmpl, err := parseTemplate(format)
		if err != nil {
			return err
		}
		res, err := api.Info(ctx, client.InfoOptions{})
		if err != nil {
			return err
		}
		data, err := jsonValue(res.Info)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := tmpl.Execute(&buf, data); err != nil {
			return hintedError{hint: "La plantilla de `--format` no encaja con los datos de `info`.", err: fmt.Errorf("template parsing error: %w", err)}
		}
		buf.WriteByte('\n')
		_, err = buf.WriteTo(f.Out)
		return err
	}
	fmt.Fprintln(f.Out, "Client: bolsillo")
	fmt.Fprintln(f.Out, " Version:   ", Version)
	fmt.Fprintln(f.Out, " Host:      ", f.Host())
	fmt.Fprintln(f.Out)
	fmt.Fprintln(f.Out, "Server:")
	res, err := api.Info(ctx, client.InfoOptions{})
	if err != nil {
		return err
	}
	printServerInfo(f.Out, res.Info)
	for _, warn := range res.Info.Warnings {
		fmt.Fprintln(f.Err, warn)
	}
	if f.Explaining() {
		f.explain(explain.Info(res.Info, f.Host()))
	}
	return nil
}

// printServerInfo prints the Server section of docker info for the fields a
// single-host engine fills.
func printServerInfo(w io.Writer, info system.Info) {
	fmt.Fprintln(w, " Containers:", info.Containers)
	fmt.Fprintln(w, "  Running:", info.ContainersRunning)
	fmt.Fprintln(w, "  Paused:", info.ContainersPaused)
	fmt.Fprintln(w, "  Stopped:", info.ContainersStopped)
	fmt.Fprintln(w, " Images:", info.Images)
	printlnNonEmpty(w, " Server Version:", info.ServerVersion)
	printlnNonEmpty(w, " Storage Driver:", info.Driver)
	for _, pair := range info.DriverStatus {
		fmt.Fprintf(w, "  %s: %s\n", pair[0], pair[1])
	}
	printlnNonEmpty(w, " Logging Driver:", info.LoggingDriver)
	printlnNonEmpty(w, " Cgroup Driver:", info.CgroupDriver)
	printlnNonEmpty(w, " Cgroup Version:", info.CgroupVersion)
	fmt.Fprintln(w, " Plugins:")
	fmt.Fprintln(w, "  Volume:", strings.Join(info.Plugins.Volume, " "))
	fmt.Fprintln(w, "  Network:", strings.Join(info.Plugins.Network, " "))
	fmt.Fprintln(w, "  Log:", strings.Join(info.Plugins.Log, " "))
	fmt.Fprintln(w, " Swarm:", info.Swarm.LocalNodeState)
	if len(info.Runtimes) > 0 {
		names := make([]string, 0, len(info.Runtimes))
		for name := range info.Runtimes {
			names = append(names, name)
		}
		sort.Strings(names)
		fmt.Fprintln(w, " Runtimes:", strings.Join(names, " "))
		fmt.Fprintln(w, " Default Runtime:", info.DefaultRuntime)
	}
	printlnNonEmpty(w, " Kernel Version:", info.KernelVersion)
	printlnNonEmpty(w, " Operating System:", info.OperatingSystem)
	printlnNonEmpty(w, " OSType:", info.OSType)
	printlnNonEmpty(w, " Architecture:", info.Architecture)
	fmt.Fprintln(w, " CPUs:", info.NCPU)
	fmt.Fprintln(w, " Total Memory:", units.BytesSize(float64(info.MemTotal)))
	printlnNonEmpty(w, " Name:", info.Name)
	printlnNonEmpty(w, " ID:", info.ID)
	fmt.Fprintln(w, " Docker Root Dir:", info.DockerRootDir)
	fmt.Fprintln(w, " Debug Mode:", info.Debug)
	fmt.Fprintln(w, " Experimental:", info.ExperimentalBuild)
	fmt.Fprintln(w, " Live Restore Enabled:", info.LiveRestoreEnabled)
	fmt.Fprintln(w)
}

func printlnNonEmpty(w io.Writer, label, value string) {
	if value != "" {
		fmt.Fprintln(w, label, value)
	}
}
