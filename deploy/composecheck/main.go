// composecheck loads a Compose file with compose-go, the loader of `docker compose` itself:
// schema validation against the Compose specification, interpolation of ${VAR} from an env
// file, merge keys and anchors, normalisation. It prints the resolved project as JSON (what
// `docker compose config --format json` prints) or the loader's error and exits 1.
//
//	go run . ../../docker-compose.yml ../../.env.example
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/compose-spec/compose-go/v2/dotenv"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: composecheck COMPOSE_FILE ENV_FILE")
		os.Exit(2)
	}
	composeFile, err := filepath.Abs(os.Args[1])
	if err != nil {
		fail(err)
	}
	env, err := dotenv.Read(os.Args[2])
	if err != nil {
		fail(err)
	}
	details := types.ConfigDetails{
		WorkingDir:  filepath.Dir(composeFile),
		ConfigFiles: []types.ConfigFile{{Filename: composeFile}},
		Environment: env,
	}
	project, err := loader.LoadWithContext(context.Background(), details)
	if err != nil {
		fail(err)
	}
	out, err := project.MarshalJSON()
	if err != nil {
		fail(err)
	}
	fmt.Println(string(out))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
