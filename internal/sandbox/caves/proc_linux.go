package caves

import (
	"os/exec"
	"syscall"
)

// killWithParent has the kernel kill gocaves if the process that started it
// dies without cleaning up (a test binary killed by a timeout or a signal),
// so no orphaned cluster is left behind.
func killWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
