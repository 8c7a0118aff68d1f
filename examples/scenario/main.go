// Command scenario runs a scenario document (docs/scenarios.md).
//
//	go run ./examples/scenario FILE.json          # prints {"statements": …} or {"error": …}
//	go run ./examples/scenario -check FILE.json   # compares with the file's "expect"
//
// It exits 0 on statements (or a match with -check) and 1 on a refusal (or
// a difference).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/pricekit/pricekit/scenario"
)

func main() {
	check := flag.Bool("check", false, "compare the result with the document's \"expect\" and print the differences")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: scenario [-check] FILE.json")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	data, err := os.ReadFile(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, "scenario:", err)
		os.Exit(2)
	}
	ctx := context.Background()
	if *check {
		diffs, err := scenario.Check(ctx, data)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if len(diffs) > 0 {
			fmt.Printf("%s: %d difference(s) from expect:\n", flag.Arg(0), len(diffs))
			for _, d := range diffs {
				fmt.Println("  " + d)
			}
			os.Exit(1)
		}
		fmt.Printf("%s: ok\n", flag.Arg(0))
		return
	}
	out := scenario.Evaluate(ctx, data)
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, "scenario:", err)
		os.Exit(2)
	}
	if out.Error != nil {
		os.Exit(1)
	}
}
