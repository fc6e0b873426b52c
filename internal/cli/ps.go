package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/docker/go-units"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/moby/moby/client/pkg/stringid"
	"github.com/spf13/cobra"

	"bolsillo/explain"
	"bolsillo/internal/imageref"
)

const defaultContainerTableFormat = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}"

// containerHeader holds the column titles of docker ps.
var containerHeader = map[string]string{
	"ID":           "CONTAINER ID",
	"Names":        "NAMES",
	"Image":        "IMAGE",
	"Command":      "COMMAND",
	"CreatedAt":    "CREATED AT",
	"RunningFor":   "CREATED",
	"Ports":        "PORTS",
	"State":        "STATE",
	"Status":       "STATUS",
	"Size":         "SIZE",
	"Labels":       "LABELS",
	"Mounts":       "MOUNTS",
	"LocalVolumes": "LOCAL VOLUMES",
	"Networks":     "NETWORKS",
}

// psOptions are the flags of bolsillo ps.
type psOptions struct {
	all       bool
	quiet     bool
	noTrunc   bool
	last      int
	latest    bool
	size      bool
	sizeGiven bool
	format    string
	filters   []string
}

func newPsCommand(f *factory) *cobra.Command {
	opts := psOptions{}
	cmd := &cobra.Command{
		Use:   "ps [OPCIONES]",
		Short: "Lista los contenedores",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.sizeGiven = cmd.Flags().Changed("size")
			return runPs(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&opts.all, "all", "a", false, "Muestra todos los contenedores (por defecto, solo los que corren)")
	fl.BoolVarP(&opts.quiet, "quiet", "q", false, "Muestra solo los IDs")
	fl.BoolVar(&opts.noTrunc, "no-trunc", false, "No recorta la salida")
	fl.IntVarP(&opts.last, "last", "n", -1, "Muestra los n últimos contenedores creados (en cualquier estado)")
	fl.BoolVarP(&opts.latest, "latest", "l", false, "Muestra el último contenedor creado (en cualquier estado)")
	fl.BoolVarP(&opts.size, "size", "s", false, "Muestra el tamaño de los archivos")
	fl.StringVar(&opts.format, "format", "", "Formato de salida: 'table', 'table PLANTILLA', 'json' o una plantilla de Go")
	fl.StringArrayVarP(&opts.filters, "filter", "f", nil, "Filtra la salida (por ejemplo status=exited)")
	return cmd
}

// parseFilters turns "key=value" arguments into API filters.
func parseFilters(args []string) (client.Filters, error) {
	filters := make(client.Filters)
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		if !ok || k == "" {
			return nil, invalidFlag(fmt.Sprintf("El filtro %q no tiene la forma `clave=valor` (por ejemplo `status=exited`).", a),
				fmt.Errorf("bad format of filter (expected name=value)"))
		}
		filters.Add(strings.ToLower(strings.TrimSpace(k)), v)
	}
	return filters, nil
}

// containerListOptions maps ps flags to the API request, like docker.
func (opts psOptions) listOptions() (client.ContainerListOptions, listWriter, error) {
	filters, err := parseFilters(opts.filters)
	if err != nil {
		return client.ContainerListOptions{}, listWriter{}, err
	}
	lo := client.ContainerListOptions{All: opts.all, Size: opts.size, Filters: filters}
	if opts.last > 0 {
		lo.Limit = opts.last
	}
	if opts.latest && opts.last == -1 {
		lo.Limit = 1
	}
	lw := listWriter{header: containerHeader}
	switch {
	case opts.quiet:
		lw.format = quietFormat
	case opts.format == "" || opts.format == tableFormatKey:
		lw.format = defaultContainerTableFormat
		if opts.size {
			lw.format += `\t{{.Size}}`
		}
	default:
		lw.format = opts.format
	}
	if opts.format != "" {
		tmpl, err := lw.template()
		if err != nil {
			return lo, lw, err
		}
		// Like docker, ask the daemon for sizes when the template uses .Size.
		probe := &containerRow{}
		_ = tmpl.Execute(io.Discard, probe)
		if probe.sizeUsed && !opts.quiet && !opts.sizeGiven {
			lo.Size = true
		}
	}
	return lo, lw, nil
}

func runPs(ctx context.Context, f *factory, opts psOptions) error {
	lo, lw, err := opts.listOptions()
	if err != nil {
		return err
	}
	api, err := f.Client()
	if err != nil {
		return err
	}
	res, err := api.ContainerList(ctx, lo)
	if err != nil {
		return err
	}
	now := f.now()
	rows := make([]any, len(res.Items))
	for i, c := range res.Items {
		rows[i] = &containerRow{c: c, trunc: !opts.noTrunc, now: now}
	}
	if err := lw.write(f.Out, rows); err != nil {
		return err
	}
	f.explain(explain.Ps(res.Items, opts.all || lo.Limit > 0))
	return nil
}

// containerRow is one line of docker ps, with docker's template fields.
type containerRow struct {
	c        container.Summary
	trunc    bool
	now      time.Time
	sizeUsed bool
}

// ID returns the container ID, cut to 12 characters unless --no-trunc.
func (r *containerRow) ID() string {
	if r.trunc {
		return stringid.TruncateID(r.c.ID)
	}
	return r.c.ID
}

// Names returns the names without their leading slash; link aliases are
// hidden when truncating.
func (r *containerRow) Names() string {
	names := make([]string, 0, len(r.c.Names))
	for _, n := range r.c.Names {
		names = append(names, strings.TrimPrefix(n, "/"))
	}
	if r.trunc {
		for _, n := range names {
			if !strings.Contains(n, "/") {
				names = []string{n}
				break
			}
		}
	}
	return strings.Join(names, ",")
}

// Image returns the image as the container was created from, in its
// familiar form (no docker.io/library/ prefix, no digest when truncating).
func (r *containerRow) Image() string {
	if r.c.Image == "" {
		return "<no image>"
	}
	if r.trunc {
		if t := stringid.TruncateID(r.c.ImageID); t == stringid.TruncateID(r.c.Image) {
			return t
		}
		ref, err := imageref.ParseNormalizedNamed(r.c.Image)
		if err == nil {
			if nt, ok := ref.(imageref.NamedTagged); ok {
				if tagged, err := imageref.WithTag(imageref.TrimNamed(nt), nt.Tag()); err == nil {
					return imageref.FamiliarString(tagged)
				}
			} else {
				return imageref.FamiliarString(imageref.TrimNamed(ref))
			}
		}
	}
	return r.c.Image
}

// Command returns the quoted command, cut to 20 columns unless --no-trunc.
func (r *containerRow) Command() string {
	cmd := r.c.Command
	if r.trunc {
		cmd = ellipsis(cmd, 20)
	}
	return strconv.Quote(cmd)
}

// CreatedAt returns the creation time as Go prints a time.Time.
func (r *containerRow) CreatedAt() string {
	return time.Unix(r.c.Created, 0).String()
}

// RunningFor returns how long ago the container was created.
func (r *containerRow) RunningFor() string {
	return humanAgo(r.now, r.c.Created)
}

// Ports returns the published and exposed ports, e.g. "0.0.0.0:8080->80/tcp".
func (r *containerRow) Ports() string { return displayablePorts(r.c.Ports) }

// State returns the state word, e.g. "running".
func (r *containerRow) State() string { return string(r.c.State) }

// Status returns the human status, e.g. "Up 3 seconds".
func (r *containerRow) Status() string { return r.c.Status }

// Size returns the writable layer size and the virtual size.
func (r *containerRow) Size() string {
	r.sizeUsed = true
	rw := units.HumanSizeWithPrecision(float64(r.c.SizeRw), 3)
	if r.c.SizeRootFs > 0 {
		return fmt.Sprintf("%s (virtual %s)", rw, units.HumanSizeWithPrecision(float64(r.c.SizeRootFs), 3))
	}
	return rw
}

// Labels returns the labels as sorted k=v pairs joined by commas.
func (r *containerRow) Labels() string {
	pairs := make([]string, 0, len(r.c.Labels))
	for k, v := range r.c.Labels {
		pairs = append(pairs, k+"="+v)
	}
	sort.Strings(pairs)
	return strings.Join(pairs, ",")
}

// Label returns the value of one label.
func (r *containerRow) Label(name string) string { return r.c.Labels[name] }

// Mounts returns the volume names or bind sources.
func (r *containerRow) Mounts() string {
	out := make([]string, 0, len(r.c.Mounts))
	for _, m := range r.c.Mounts {
		name := m.Name
		if name == "" {
			name = m.Source
		}
		if r.trunc {
			name = ellipsis(name, 15)
		}
		out = append(out, name)
	}
	return strings.Join(out, ",")
}

// LocalVolumes counts mounts using the local volume driver.
func (r *containerRow) LocalVolumes() string {
	n := 0
	for _, m := range r.c.Mounts {
		if m.Driver == "local" {
			n++
		}
	}
	return strconv.Itoa(n)
}

// Networks returns the names of the networks the container joined.
func (r *containerRow) Networks() string {
	if r.c.NetworkSettings == nil {
		return ""
	}
	names := make([]string, 0, len(r.c.NetworkSettings.Networks))
	for k := range r.c.NetworkSettings.Networks {
		names = append(names, k)
	}
	sort.Strings(names)
	return strings.Join(names, ",")
}

// MarshalJSON renders the row for {{json .}} with docker's keys.
func (r *containerRow) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]string{
		"Command":      r.Command(),
		"CreatedAt":    r.CreatedAt(),
		"ID":           r.ID(),
		"Image":        r.Image(),
		"Labels":       r.Labels(),
		"LocalVolumes": r.LocalVolumes(),
		"Mounts":       r.Mounts(),
		"Names":        r.Names(),
		"Networks":     r.Networks(),
		"Ports":        r.Ports(),
		"RunningFor":   r.RunningFor(),
		"Size":         r.Size(),
		"State":        r.State(),
		"Status":       r.Status(),
	})
}

// humanAgo returns docker's "N seconds ago" for a Unix creation time.
func humanAgo(now time.Time, created int64) string {
	return units.HumanDuration(now.UTC().Sub(time.Unix(created, 0))) + " ago"
}

// displayablePorts formats ports like docker ps: consecutive ports grouped
// into ranges, published ones as "IP:public->private/proto".
func displayablePorts(ports []container.PortSummary) string {
	type group struct{ first, last uint16 }
	groups := map[string]*group{}
	var keys, result, mappings []string
	ports = append([]container.PortSummary(nil), ports...)
	sort.Slice(ports, func(i, j int) bool { return comparePorts(ports[i], ports[j]) })
	for _, p := range ports {
		cur := p.PrivatePort
		key := p.Type
		if p.IP.IsValid() {
			if p.PublicPort != cur {
				host := net.JoinHostPort(p.IP.String(), strconv.Itoa(int(p.PublicPort)))
				mappings = append(mappings, fmt.Sprintf("%s->%d/%s", host, p.PrivatePort, p.Type))
				continue
			}
			key = p.IP.String() + "/" + p.Type
		}
		g := groups[key]
		if g == nil {
			groups[key] = &group{cur, cur}
			keys = append(keys, key)
			continue
		}
		if cur == g.last+1 {
			g.last = cur
			continue
		}
		result = append(result, formGroup(key, g.first, g.last))
		groups[key] = &group{cur, cur}
	}
	for _, k := range keys {
		g := groups[k]
		result = append(result, formGroup(k, g.first, g.last))
	}
	return strings.Join(append(result, mappings...), ", ")
}

func formGroup(key string, start, last uint16) string {
	ip, proto, ok := strings.Cut(key, "/")
	if !ok {
		ip, proto = "", key
	}
	g := strconv.Itoa(int(start))
	if start != last {
		g = fmt.Sprintf("%s-%d", g, last)
	}
	if ip != "" {
		g = fmt.Sprintf("%s->%s", net.JoinHostPort(ip, g), g)
	}
	return g + "/" + proto
}

func comparePorts(i, j container.PortSummary) bool {
	if i.PrivatePort != j.PrivatePort {
		return i.PrivatePort < j.PrivatePort
	}
	if i.IP != j.IP {
		return i.IP.String() < j.IP.String()
	}
	if i.PublicPort != j.PublicPort {
		return i.PublicPort < j.PublicPort
	}
	return i.Type < j.Type
}
