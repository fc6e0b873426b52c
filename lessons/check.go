package lessons

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/moby/moby/client"
	"gopkg.in/yaml.v3"
)

// checkFunc checks one fact of the engine's state through the API. since is
// when the step started (for "nuevo" and events), dir the lesson's work
// folder, p the check's decoded parameters. It returns nil when the fact
// holds, or an error whose message says in Spanish what is missing
// ("no hay ningún contenedor llamado `web` corriendo").
type checkFunc[P any] func(ctx context.Context, c client.APIClient, since time.Time, dir string, p P) error

// validator is implemented by parameter types that can tell a wrong
// parameter set before the check runs (a required name missing...).
type validator interface{ validate() error }

// checkKind is a registered check kind: it decodes its parameters and runs.
type checkKind struct {
	decode func(n *yaml.Node) (any, error)
	run    func(ctx context.Context, c client.APIClient, since time.Time, dir string, p any) error
}

var registry = map[string]checkKind{}

// register adds a check kind. P is its parameter struct, decoded strictly
// from the YAML (unknown parameters are errors); when *P or P implements
// validate() error, that runs at load time too. It panics on a duplicate
// kind: kinds are registered from init functions.
func register[P any](kind string, fn checkFunc[P]) {
	if _, dup := registry[kind]; dup {
		panic("lessons: check kind registered twice: " + kind)
	}
	registry[kind] = checkKind{
		decode: func(n *yaml.Node) (any, error) {
			p := new(P)
			if err := decodeStrict(n, p); err != nil {
				return nil, err
			}
			if v, ok := any(p).(validator); ok {
				if err := v.validate(); err != nil {
					return nil, err
				}
			}
			return *p, nil
		},
		run: func(ctx context.Context, c client.APIClient, since time.Time, dir string, p any) error {
			return fn(ctx, c, since, dir, p.(P))
		},
	}
}

// Kinds returns the registered check kinds, sorted.
func Kinds() []string {
	ks := make([]string, 0, len(registry))
	for k := range registry {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// decodeStrict decodes n into v, rejecting unknown fields. An empty or null
// node leaves v as it is.
func decodeStrict(n *yaml.Node, v any) error {
	if n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
		return nil
	}
	b, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	return dec.Decode(v)
}

// validateCheck tells whether c has a known kind and parameters that decode.
func validateCheck(c Check) error {
	k, ok := registry[c.Kind]
	if !ok {
		return errors.New("tipo de comprobación desconocido")
	}
	_, err := k.decode(&c.Params)
	return err
}

// Run runs one check. The error is the Spanish message for the student.
func (c Check) Run(ctx context.Context, api client.APIClient, since time.Time, dir string) error {
	k, ok := registry[c.Kind]
	if !ok {
		return fmt.Errorf("tipo de comprobación desconocido: %s", c.Kind)
	}
	p, err := k.decode(&c.Params)
	if err != nil {
		return fmt.Errorf("comprobación %s mal escrita: %v", c.Kind, err)
	}
	return k.run(ctx, api, since, dir, p)
}

// CheckStep runs the step's checks in order and returns the first failure.
func CheckStep(ctx context.Context, api client.APIClient, s *Step, since time.Time, dir string) error {
	for _, c := range s.Comprobar {
		if err := c.Run(ctx, api, since, dir); err != nil {
			return err
		}
	}
	return nil
}
