package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"
	"text/tabwriter"
	"time"

	"github.com/moby/moby/client"
	"github.com/spf13/cobra"

	"bolsillo/explain"
)

// defaultVersionTemplate is docker's, with bolsillo as the client name and
// no docker context line.
const defaultVersionTemplate = `{{with .Client -}}
Client:{{if ne .Platform nil}}{{if ne .Platform.Name ""}} {{.Platform.Name}}{{end}}{{end}}
 Version:	{{.Version}}
 API version:	{{.APIVersion}}{{if ne .APIVersion .DefaultAPIVersion}} (downgraded from {{.DefaultAPIVersion}}){{end}}
 Go version:	{{.GoVersion}}
 Git commit:	{{.GitCommit}}
 Built:	{{.BuildTime}}
 OS/Arch:	{{.Os}}/{{.Arch}}
{{- end}}

{{- if ne .Server nil}}{{with .Server}}

Server:{{if ne .Platform.Name ""}} {{.Platform.Name}}{{end}}
 {{- range $component := .Components}}
 {{$component.Name}}:
  {{- if eq $component.Name "Engine" }}
  Version:	{{.Version}}
  API version:	{{index .Details "ApiVersion"}} (minimum version {{index .Details "MinAPIVersion"}})
  Go version:	{{index .Details "GoVersion"}}
  Git commit:	{{index .Details "GitCommit"}}
  Built:	{{index .Details "BuildTime"}}
  OS/Arch:	{{index .Details "Os"}}/{{index .Details "Arch"}}
  Experimental:	{{index .Details "Experimental"}}
  {{- else }}
  Version:	{{$component.Version}}
  {{- end}}
 {{- end}}
 {{- end}}{{- end}}`

// clientVersion describes this binary in version's output.
type clientVersion struct {
	Platform          *platformName `json:"Platform,omitempty"`
	Version           string        `json:"Version,omitempty"`
	APIVersion        string        `json:"ApiVersion,omitempty"`
	DefaultAPIVersion string        `json:"DefaultAPIVersion,omitempty"`
	GitCommit         string        `json:"GitCommit,omitempty"`
	GoVersion         string        `json:"GoVersion,omitempty"`
	Os                string        `json:"Os,omitempty"`
	Arch              string        `json:"Arch,omitempty"`
	BuildTime         string        `json:"BuildTime,omitempty"`
}

type platformName struct {
	Name string `json:"Name,omitempty"`
}

// versionInfo is what the version template runs over.
type versionInfo struct {
	Client clientVersion
	Server *client.ServerVersionResult
}

func newVersionCommand(f *factory) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "version [OPCIONES]",
		Short: "Muestra la versión del cliente y del daemon",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runVersion(cmd.Context(), f, format)
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "", "Formato de salida: 'json' o una plantilla de Go")
	return cmd
}

// buildInfo returns the VCS revision and time the binary was built from.
func buildInfo() (commit, built string) {
	commit, built = "unknown", "unknown"
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return commit, built
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			commit = s.Value
			if len(commit) > 7 {
				commit = commit[:7]
			}
		case "vcs.time":
			if t, err := time.Parse(time.RFC3339, s.Value); err == nil {
				built = t.Format(time.ANSIC)
			}
		}
	}
	return commit, built
}

func runVersion(ctx context.Context, f *factory, format string) error {
	switch format {
	case "":
		format = defaultVersionTemplate
	case jsonFormatKey:
		format = "{{json .}}"
	}
	tmpl, err := parseTemplate(format)
	if err != nil {
		return err
	}
	api, err := f.Client()
	if err != nil {
		return err
	}
	commit, built := buildInfo()
	vi := versionInfo{Client: clientVersion{
		Platform:          &platformName{Name: "bolsillo"},
		Version:           Version,
		DefaultAPIVersion: client.MaxAPIVersion,
		GitCommit:         commit,
		GoVersion:         runtime.Version(),
		Os:                runtime.GOOS,
		Arch:              runtime.GOARCH,
		BuildTime:         built,
	}}
	sv, serr := api.ServerVersion(ctx, client.ServerVersionOptions{})
	vi.Client.APIVersion = api.ClientVersion()
	if serr == nil {
		for _, c := range sv.Components {
			if c.Name == "Engine" {
				if bt, ok := c.Details["BuildTime"]; ok {
					if t, err := time.Parse(time.RFC3339Nano, bt); err == nil {
						c.Details["BuildTime"] = t.Format(time.ANSIC)
					}
				}
			}
		}
		vi.Server = &sv
	}
	// Custom templates run over the JSON form, as docker's do over its types.
	var data any = vi
	if format != defaultVersionTemplate {
		data, err = jsonValue(vi)
		if err != nil {
			return err
		}
	}
	tw := tabwriter.NewWriter(f.Out, 20, 1, 1, ' ', 0)
	terr := tmpl.Execute(tw, data)
	fmt.Fprintln(tw)
	_ = tw.Flush()
	if serr != nil {
		return serr
	}
	if terr != nil {
		return hintedError{hint: "La plantilla de `--format` no encaja con los datos de `version`.", err: fmt.Errorf("template parsing error: %w", terr)}
	}
	if f.Explaining() {
		f.explain(explain.Version(versionData(vi, f.Host())))
	}
	return nil
}

// versionData collects what explain.Version needs.
func versionData(vi versionInfo, host string) explain.VersionData {
	d := explain.VersionData{
		ClientVersion:    vi.Client.Version,
		ClientAPIVersion: vi.Client.APIVersion,
		Host:             host,
	}
	if s := vi.Server; s != nil {
		d.ServerName = s.Platform.Name
		d.ServerVersion = s.Version
		d.ServerAPIVersion = s.APIVersion
		d.ServerMinAPIVersion = s.MinAPIVersion
		d.Os = s.Os
		d.Arch = s.Arch
		for _, c := range s.Components {
			if c.Name == "Engine" {
				d.KernelVersion = c.Details["KernelVersion"]
			}
		}
	}
	return d
}

// jsonValue round-trips v through JSON into maps and slices, numbers kept
// as json.Number, so templates see the API's field names.
func jsonValue(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	dec := json.NewDecoder(bytesReader(b))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		return nil, err
	}
	return out, nil
}
