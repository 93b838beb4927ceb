package e2e

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	database "cloud.google.com/go/spanner/admin/database/apiv1"
	dbpb "cloud.google.com/go/spanner/admin/database/apiv1/databasepb"
	instance "cloud.google.com/go/spanner/admin/instance/apiv1"
	inpb "cloud.google.com/go/spanner/admin/instance/apiv1/instancepb"
)

const (
	project  = "fsmgen"
	instName = "fsmgen-test"
	// emulatorPackage is the Debian package of the emulator.
	emulatorPackage = "google-cloud-cli-spanner-emulator"
)

// emulatorDirs are where the emulator's Debian package puts it.
var emulatorDirs = []string{"/usr/lib/google-cloud-sdk/bin/cloud_spanner_emulator", "/usr/share/google/google-cloud-sdk/bin/cloud_spanner_emulator"}

var (
	skipWhy string // why the tests skip: no emulator outside CI
	dbSeq   atomic.Int64
)

// TestMain starts the emulator on a free loopback port and stops it after
// the tests. Without it the tests skip, except in CI, where they fail.
func TestMain(m *testing.M) {
	stop, err := startEmulator()
	if err != nil {
		if os.Getenv("CI") != "" {
			fmt.Fprintln(os.Stderr, "e2e:", err)
			os.Exit(1)
		}
		skipWhy = err.Error()
	}
	code := m.Run()
	if stop != nil {
		stop()
	}
	os.Exit(code)
}

func startEmulator() (stop func(), err error) {
	bin, err := exec.LookPath("emulator_main")
	if err != nil {
		for _, d := range emulatorDirs {
			if p := filepath.Join(d, "emulator_main"); exists(p) {
				bin, err = p, nil
				break
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("the Cloud Spanner emulator (emulator_main) is not installed; install the Debian package %s", emulatorPackage)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	l.Close()
	log, err := os.CreateTemp("", "spanner-emulator-*.log")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "--host_port", addr)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	stop = func() {
		cmd.Process.Kill()
		cmd.Wait()
		log.Close()
		os.Remove(log.Name())
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			stop()
			return nil, fmt.Errorf("the emulator did not listen on %s within 30 s", addr)
		}
	}
	os.Setenv("SPANNER_EMULATOR_HOST", addr)
	ctx := context.Background()
	ic, err := instance.NewInstanceAdminClient(ctx)
	if err != nil {
		stop()
		return nil, err
	}
	defer ic.Close()
	op, err := ic.CreateInstance(ctx, &inpb.CreateInstanceRequest{
		Parent: "projects/" + project, InstanceId: instName,
		Instance: &inpb.Instance{Config: "projects/" + project + "/instanceConfigs/emulator-config", DisplayName: instName, NodeCount: 1},
	})
	if err == nil {
		_, err = op.Wait(ctx)
	}
	if err != nil {
		stop()
		return nil, fmt.Errorf("create instance: %w", err)
	}
	return stop, nil
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

// newDatabase creates an empty database holding ddl and returns its name.
func newDatabase(t *testing.T, ddl ...string) string {
	t.Helper()
	if skipWhy != "" {
		t.Skip(skipWhy)
	}
	ctx := context.Background()
	dc, err := database.NewDatabaseAdminClient(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer dc.Close()
	name := "db" + strconv.FormatInt(dbSeq.Add(1), 10)
	op, err := dc.CreateDatabase(ctx, &dbpb.CreateDatabaseRequest{
		Parent:          "projects/" + project + "/instances/" + instName,
		CreateStatement: "CREATE DATABASE `" + name + "`",
		ExtraStatements: ddl,
	})
	if err == nil {
		_, err = op.Wait(ctx)
	}
	if err != nil {
		t.Fatal(err)
	}
	return name
}
