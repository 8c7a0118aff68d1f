// Command pricekit rates scenario files and serves the pricing web
// service's API (package httpapi) over a pricekit store.
//
//	pricekit rate FILE.json            # prints the statements of a scenario
//	pricekit check FILE.json...        # compares each scenario with its "expect"
//	pricekit serve [-addr 127.0.0.1:8080] [-postgres DSN] [-clickhouse DSN] [-users FILE]
//	pricekit user -org ID -username NAME   # an entry of a users file; the password on stdin
//
// Install it with
//
//	go install github.com/pricekit/pricekit/cmd/pricekit@latest
//
// rate exits 1 when the scenario is refused; check exits 1 when any file
// differs from its expect (printing the differences) or is refused. serve
// keeps documents and usage in memory unless -postgres names a database
// (and -clickhouse keeps usage there); it serves every organization to
// whoever reaches the address unless -users names a users file, so it
// listens on a loopback address unless -open is given. It shuts down
// gracefully on SIGINT or SIGTERM.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/pricekit/pricekit/scenario"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

const usage = `usage:
  pricekit rate FILE.json
  pricekit check FILE.json...
  pricekit serve [-addr 127.0.0.1:8080] [-postgres DSN] [-clickhouse DSN] [-users FILE] [flags]
  pricekit user -org ID -username NAME   (reads the password from stdin)
run "pricekit serve -h" for the flags of serve`

// run plays the subcommand args name and returns the exit status: 0 done,
// 1 refused or different, 2 a bad command line or an unreadable file.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	switch args[0] {
	case "rate":
		return rate(ctx, args[1:], stdout, stderr)
	case "check":
		return check(ctx, args[1:], stdout, stderr)
	case "serve":
		return serve(ctx, args[1:], stdout, stderr)
	case "user":
		return user(args[1:], stdin, stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "pricekit: unknown command %q\n%s\n", args[0], usage)
	return 2
}

// rate prints the statements of one scenario, or its refusal.
func rate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprintln(stderr, "usage: pricekit rate FILE.json")
		return 2
	}
	data, err := os.ReadFile(args[0])
	if err != nil {
		fmt.Fprintln(stderr, "pricekit:", err)
		return 2
	}
	out := scenario.Evaluate(ctx, data)
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(stderr, "pricekit:", err)
		return 2
	}
	if out.Error != nil {
		return 1
	}
	return 0
}

// check compares each scenario with its expect: "FILE: ok", or its
// differences.
func check(ctx context.Context, files []string, stdout, stderr io.Writer) int {
	if len(files) == 0 {
		fmt.Fprintln(stderr, "usage: pricekit check FILE.json...")
		return 2
	}
	status := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintln(stderr, "pricekit:", err)
			status = 2
			continue
		}
		diffs, err := scenario.Check(ctx, data)
		switch {
		case err != nil:
			fmt.Fprintf(stdout, "%s: %v\n", f, err)
			status = max(status, 1)
		case len(diffs) > 0:
			fmt.Fprintf(stdout, "%s: %d difference(s) from expect:\n", f, len(diffs))
			for _, d := range diffs {
				fmt.Fprintln(stdout, "  "+d)
			}
			status = max(status, 1)
		default:
			fmt.Fprintf(stdout, "%s: ok\n", f)
		}
	}
	return status
}

var errUsage = errors.New("usage")
