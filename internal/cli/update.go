package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"bolsillo/explain"
)

// nanoCPUs is the --cpus flag: a decimal number of CPUs ("1.5") sent as
// billionths of a CPU, as docker's.
type nanoCPUs int64

func (n *nanoCPUs) Set(s string) error {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 {
		return fmt.Errorf("invalid value %q for cpus: it must be a number of CPUs such as 1.5", s)
	}
	*n = nanoCPUs(f * 1e9)
	return nil
}

func (n *nanoCPUs) String() string {
	if *n == 0 {
		return "0.000"
	}
	return strconv.FormatFloat(float64(*n)/1e9, 'f', -1, 64)
}

func (n *nanoCPUs) Type() string { return "decimal" }

// swapBytes is --memory-swap: a size, or -1 for unlimited swap.
type swapBytes int64

func (s *swapBytes) Set(v string) error {
	if v == "-1" {
		*s = -1
		return nil
	}
	var m memBytes
	if err := m.Set(v); err != nil {
		return err
	}
	*s = swapBytes(m)
	return nil
}

func (s *swapBytes) String() string {
	if *s == -1 {
		return "-1"
	}
	m := memBytes(*s)
	return m.String()
}

func (s *swapBytes) Type() string { return "bytes" }

// resourceFlags are the resource flags of update, also added to run and
// create (those not already there).
type resourceFlags struct {
	memory     memBytes
	memorySwap swapBytes
	cpus       nanoCPUs
	cpusetCPUs string
	cpuShares  int64
	pidsLimit  int64
}

// addRunResourceFlags registers on run/create the resource flags that
// addContainerFlags does not have.
func addRunResourceFlags(fl *pflag.FlagSet, o *resourceFlags) {
	fl.Var(&o.memorySwap, "memory-swap", "Memoria más swap: igual a --memory para no usar swap, -1 sin límite")
	fl.Var(&o.cpus, "cpus", "Número de CPU (por ejemplo 1.5)")
	fl.Int64Var(&o.pidsLimit, "pids-limit", 0, "Máximo de procesos (-1 sin límite)")
}

// apply adds the run-only resource flags to hc; --pids-limit 0 is "not
// given", as in docker's run.
func (o *resourceFlags) apply(hc *container.HostConfig) {
	hc.MemorySwap = int64(o.memorySwap)
	hc.NanoCPUs = int64(o.cpus)
	if o.pidsLimit != 0 {
		limit := o.pidsLimit
		hc.PidsLimit = &limit
	}
}

func newUpdateCommand(f *factory) *cobra.Command {
	var opts resourceFlags
	cmd := &cobra.Command{
		Use:   "update [OPCIONES] CONTENEDOR [CONTENEDOR...]",
		Short: "Cambia los límites de recursos de uno o más contenedores, en caliente",
		Args:  requiresMinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runUpdate(cmd.Context(), f, cmd.Flags(), opts, args)
		},
		ValidArgsFunction: completeContainers(f, true),
	}
	fl := cmd.Flags()
	fl.VarP(&opts.memory, "memory", "m", "Límite de memoria (por ejemplo 128m)")
	fl.Var(&opts.memorySwap, "memory-swap", "Memoria más swap: igual a --memory para no usar swap, -1 sin límite")
	fl.Var(&opts.cpus, "cpus", "Número de CPU (por ejemplo 1.5)")
	fl.StringVar(&opts.cpusetCPUs, "cpuset-cpus", "", "CPU permitidas (0-3, 0,1)")
	fl.Int64VarP(&opts.cpuShares, "cpu-shares", "c", 0, "Peso relativo de CPU (1024 es lo normal)")
	fl.Int64Var(&opts.pidsLimit, "pids-limit", 0, "Máximo de procesos (-1 sin límite)")
	return cmd
}

func runUpdate(ctx context.Context, f *factory, fl *pflag.FlagSet, opts resourceFlags, names []string) error {
	if fl.NFlag() == 0 {
		return invalidFlag("Dime qué cambiar: por ejemplo `bolsillo update --memory 128m --cpuset-cpus 0 CONTENEDOR`.",
			errors.New("you must provide one or more flags when using this command"))
	}
	if err := validateCpuset(opts.cpusetCPUs); err != nil {
		return err
	}
	r := &container.Resources{
		Memory:     int64(opts.memory),
		MemorySwap: int64(opts.memorySwap),
		NanoCPUs:   int64(opts.cpus),
		CpusetCpus: opts.cpusetCPUs,
		CPUShares:  opts.cpuShares,
	}
	if fl.Changed("pids-limit") {
		limit := opts.pidsLimit
		r.PidsLimit = &limit
	}
	api, err := f.Client()
	if err != nil {
		return err
	}
	var warnings []string
	err = forEachContainer(f, names, func(name string) (string, error) {
		res, err := api.ContainerUpdate(ctx, name, client.ContainerUpdateOptions{Resources: r})
		if err != nil {
			return "", err
		}
		warnings = append(warnings, res.Warnings...)
		if c, ok := inspectForExplain(ctx, f, api, name); ok {
			return explain.Update(c, cgroupFiles(c)), nil
		}
		return "", nil
	})
	for _, w := range warnings {
		fmt.Fprintln(f.Err, w)
	}
	return err
}

// cgroupFiles reads, on this machine, the cgroup files that hold a running
// container's limits: the daemon is local (a unix socket), so the
// container's main process is visible in /proc. Nothing is returned when it
// is not (a remote daemon, or the container is not running).
func cgroupFiles(c container.InspectResponse) []explain.CgroupFile {
	if c.State == nil || c.State.Pid == 0 {
		return nil
	}
	paths, err := procCgroups(c.State.Pid)
	if err != nil {
		return nil
	}
	var wanted [][2]string // controller, file
	if p, ok := paths[""]; ok && len(paths) == 1 {
		for _, name := range []string{"memory.max", "cpuset.cpus", "cpu.max", "pids.max"} {
			wanted = append(wanted, [2]string{"", filepath.Join(p, name)})
		}
	} else {
		wanted = [][2]string{
			{"memory", "memory.limit_in_bytes"},
			{"cpuset", "cpuset.cpus"},
			{"cpu", "cpu.cfs_quota_us"},
			{"pids", "pids.max"},
		}
		for i, w := range wanted {
			wanted[i][1] = filepath.Join(w[0], paths[w[0]], w[1])
		}
	}
	var out []explain.CgroupFile
	for _, w := range wanted {
		p := filepath.Join("/sys/fs/cgroup", w[1])
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		out = append(out, explain.CgroupFile{Path: p, Value: strings.TrimSpace(string(b))})
	}
	return out
}

// procCgroups parses /proc/<pid>/cgroup into controller -> path; the
// cgroup v2 hierarchy has the controller "". Controllers mounted together
// ("cpu,cpuacct") are listed under each name.
func procCgroups(pid int) (map[string]string, error) {
	file, err := os.Open(fmt.Sprintf("/proc/%d/cgroup", pid))
	if err != nil {
		return nil, err
	}
	defer file.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(file)
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), ":", 3)
		if len(parts) != 3 {
			continue
		}
		for ctrl := range strings.SplitSeq(parts[1], ",") {
			out[ctrl] = parts[2]
		}
	}
	return out, sc.Err()
}
