package network

import (
	"errors"
	"fmt"
	"net/netip"
	"os/exec"
	"strings"
)

// errNoIptables is returned by newNAT when the host has no iptables.
var errNoIptables = errors.New("iptables not found")

// nat is the bridge's iptables rules: outbound traffic from the subnet is
// masqueraded behind the host's address (not traffic to the bridge
// itself), and the FORWARD chain accepts what enters or leaves the bridge
// even where another engine set its policy to DROP.
type nat struct {
	iptables string
	rules    []rule
}

// rule is one iptables rule: its table, chain and match.
type rule struct {
	table, chain string
	spec         []string
}

// natRules are the rules of a bridge on a subnet.
func natRules(bridge string, subnet netip.Prefix) []rule {
	return []rule{
		{"nat", "POSTROUTING", []string{"-s", subnet.String(), "!", "-o", bridge, "-j", "MASQUERADE"}},
		{"filter", "FORWARD", []string{"-i", bridge, "-j", "ACCEPT"}},
		{"filter", "FORWARD", []string{"-o", bridge, "-j", "ACCEPT"}},
	}
}

// newNAT adds the rules that are not there yet (a crashed daemon may have
// left them).
func newNAT(bridge string, subnet netip.Prefix) (*nat, error) {
	bin, err := exec.LookPath("iptables")
	if err != nil {
		return nil, errNoIptables
	}
	n := &nat{iptables: bin, rules: natRules(bridge, subnet)}
	for i, r := range n.rules {
		if n.run(r, "-C") == nil {
			continue
		}
		if err := n.run(r, "-I"); err != nil {
			for _, done := range n.rules[:i] {
				_ = n.run(done, "-D")
			}
			return nil, err
		}
	}
	return n, nil
}

// remove deletes the rules.
func (n *nat) remove() error {
	var errs []error
	for _, r := range n.rules {
		if n.run(r, "-C") != nil {
			continue
		}
		errs = append(errs, n.run(r, "-D"))
	}
	return errors.Join(errs...)
}

// run runs iptables with op (-C, -I or -D) on r.
func (n *nat) run(r rule, op string) error {
	args := append([]string{"-w", "-t", r.table, op, r.chain}, r.spec...)
	out, err := exec.Command(n.iptables, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("iptables %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}
