package engine

import (
	"os"
	"testing"

	// libcontainer re-executes this test binary as "init" for every
	// container a test starts; nsenter joins the namespaces before Go starts.
	_ "github.com/opencontainers/runc/libcontainer/nsenter"

	"bolsillo/engine/runtime"
)

func TestMain(m *testing.M) {
	runtime.Init()
	os.Exit(m.Run())
}
