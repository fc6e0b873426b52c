package network

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"

	"bolsillo/engine/atomicfile"
)

const ipamFile = "ipam.json"

// ipam hands out the subnet's addresses, one per container, and keeps
// them in a file so a restarted daemon never gives out one still in use.
// The network address, the gateway (.1) and the broadcast are never given.
// Callers serialise access.
type ipam struct {
	path   string
	subnet netip.Prefix
	byIP   map[netip.Addr]string // address -> container ID
}

// ipamState is the file's content.
type ipamState struct {
	Subnet    string
	Allocated map[string]string // address -> container ID
}

func openIPAM(path string, subnet netip.Prefix) (*ipam, error) {
	a := &ipam{path: path, subnet: subnet, byIP: make(map[netip.Addr]string)}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return a, nil
	}
	if err != nil {
		return nil, err
	}
	var st ipamState
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("decoding %s: %w", path, err)
	}
	for s, id := range st.Allocated {
		if ip, err := netip.ParseAddr(s); err == nil && subnet.Contains(ip) {
			a.byIP[ip] = id
		}
	}
	return a, nil
}

// allocate gives id the lowest free address (the one it has, if any).
func (a *ipam) allocate(id string) (netip.Addr, error) {
	if ip, ok := a.lookup(id); ok {
		return ip, nil
	}
	gateway := a.subnet.Addr().Next()
	for ip := gateway.Next(); a.subnet.Contains(ip); ip = ip.Next() {
		if !a.subnet.Contains(ip.Next()) {
			break // the broadcast address
		}
		if _, taken := a.byIP[ip]; !taken {
			a.byIP[ip] = id
			if err := a.save(); err != nil {
				delete(a.byIP, ip)
				return netip.Addr{}, err
			}
			return ip, nil
		}
	}
	return netip.Addr{}, fmt.Errorf("no free address left in %s", a.subnet)
}

// lookup is the address held by id.
func (a *ipam) lookup(id string) (netip.Addr, bool) {
	for ip, owner := range a.byIP {
		if owner == id {
			return ip, true
		}
	}
	return netip.Addr{}, false
}

// release frees id's address, if it has one.
func (a *ipam) release(id string) error {
	ip, ok := a.lookup(id)
	if !ok {
		return nil
	}
	delete(a.byIP, ip)
	return a.save()
}

// owners are the container IDs holding an address.
func (a *ipam) owners() []string {
	out := make([]string, 0, len(a.byIP))
	for _, id := range a.byIP {
		out = append(out, id)
	}
	return out
}

func (a *ipam) save() error {
	st := ipamState{Subnet: a.subnet.String(), Allocated: make(map[string]string, len(a.byIP))}
	for ip, id := range a.byIP {
		st.Allocated[ip.String()] = id
	}
	return atomicfile.WriteJSON(a.path, st, 0o600)
}
