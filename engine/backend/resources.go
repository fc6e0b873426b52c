package backend

import "time"

// Stats is one object of GET /containers/{name}/stats as API 1.50 sends
// it. Unlike the current Go type, Networks is always present: docker-py
// reads it.
type Stats struct {
	Read        time.Time `json:"read"`
	PreRead     time.Time `json:"preread"`
	PidsStats   PidsStats `json:"pids_stats"`
	BlkioStats  Blkio     `json:"blkio_stats"`
	NumProcs    uint32    `json:"num_procs"`
	StorageStat struct{}  `json:"storage_stats"`
	CPUStats    CPUStats  `json:"cpu_stats"`
	PreCPUStats CPUStats  `json:"precpu_stats"`
	MemoryStats Memory    `json:"memory_stats"`
	Name        string    `json:"name"`
	ID          string    `json:"id"`

	Networks map[string]NetworkStats `json:"networks"`
}

// StoppedStats is what the stats of a container that is not running carry.
type StoppedStats struct {
	Name string `json:"name"`
	ID   string `json:"id"`
}

// PidsStats counts the container's processes.
type PidsStats struct {
	Current uint64 `json:"current,omitempty"`
	Limit   uint64 `json:"limit,omitempty"`
}

// Blkio holds the block I/O counters; only the bytes are measured.
type Blkio struct {
	IoServiceBytesRecursive []BlkioEntry `json:"io_service_bytes_recursive"`
	IoServicedRecursive     []BlkioEntry `json:"io_serviced_recursive"`
	IoQueuedRecursive       []BlkioEntry `json:"io_queue_recursive"`
	IoServiceTimeRecursive  []BlkioEntry `json:"io_service_time_recursive"`
	IoWaitTimeRecursive     []BlkioEntry `json:"io_wait_time_recursive"`
	IoMergedRecursive       []BlkioEntry `json:"io_merged_recursive"`
	IoTimeRecursive         []BlkioEntry `json:"io_time_recursive"`
	SectorsRecursive        []BlkioEntry `json:"sectors_recursive"`
}

// BlkioEntry is one device's counter for one operation.
type BlkioEntry struct {
	Major uint64 `json:"major"`
	Minor uint64 `json:"minor"`
	Op    string `json:"op"`
	Value uint64 `json:"value"`
}

// CPUStats is one CPU sample.
type CPUStats struct {
	CPUUsage       CPUUsage       `json:"cpu_usage"`
	SystemUsage    uint64         `json:"system_cpu_usage,omitempty"`
	OnlineCPUs     uint32         `json:"online_cpus,omitempty"`
	ThrottlingData ThrottlingData `json:"throttling_data"`
}

// CPUUsage is CPU time in nanoseconds.
type CPUUsage struct {
	TotalUsage        uint64   `json:"total_usage"`
	PercpuUsage       []uint64 `json:"percpu_usage,omitempty"`
	UsageInKernelmode uint64   `json:"usage_in_kernelmode"`
	UsageInUsermode   uint64   `json:"usage_in_usermode"`
}

// ThrottlingData says how often the CPU quota held the container back.
type ThrottlingData struct {
	Periods          uint64 `json:"periods"`
	ThrottledPeriods uint64 `json:"throttled_periods"`
	ThrottledTime    uint64 `json:"throttled_time"`
}

// Memory is the memory sample, in bytes.
type Memory struct {
	Usage    uint64            `json:"usage,omitempty"`
	MaxUsage uint64            `json:"max_usage,omitempty"`
	Stats    map[string]uint64 `json:"stats,omitempty"`
	Failcnt  uint64            `json:"failcnt,omitempty"`
	Limit    uint64            `json:"limit,omitempty"`
}

// NetworkStats are one interface's counters.
type NetworkStats struct {
	RxBytes   uint64 `json:"rx_bytes"`
	RxPackets uint64 `json:"rx_packets"`
	RxErrors  uint64 `json:"rx_errors"`
	RxDropped uint64 `json:"rx_dropped"`
	TxBytes   uint64 `json:"tx_bytes"`
	TxPackets uint64 `json:"tx_packets"`
	TxErrors  uint64 `json:"tx_errors"`
	TxDropped uint64 `json:"tx_dropped"`
}

// TopResult is GET /containers/{name}/top: ps's titles and rows.
type TopResult struct {
	Titles    []string   `json:"Titles"`
	Processes [][]string `json:"Processes"`
}

// Event is one message of GET /events at API 1.50, with the fields older
// clients still read (status, id, from).
type Event struct {
	Status   string     `json:"status,omitempty"`
	ID       string     `json:"id,omitempty"`
	From     string     `json:"from,omitempty"`
	Type     string     `json:"Type"`
	Action   string     `json:"Action"`
	Actor    EventActor `json:"Actor"`
	Scope    string     `json:"scope"`
	Time     int64      `json:"time"`
	TimeNano int64      `json:"timeNano"`
}

// EventActor is what an event is about.
type EventActor struct {
	ID         string            `json:"ID"`
	Attributes map[string]string `json:"Attributes"`
}

// EventFilter selects events: since and until bound their time (zero
// means unbounded; a past until ends the stream), and the filters are
// GET /events's (type, event/action, container).
type EventFilter struct {
	Since, Until time.Time
	Filters      map[string][]string
}

// StatsOptions is the query of GET /containers/{name}/stats.
type StatsOptions struct {
	// Stream sends one object per second until the request ends;
	// otherwise one object, sampled a second after a first one so that
	// precpu_stats is filled, unless OneShot asks for it at once.
	Stream, OneShot bool
}
